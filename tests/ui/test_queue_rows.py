"""What a queue row says in its first column: a callback's due time in the cells it has."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callbook.tui.widgets.queue_pane import WHY, RowContext, due_label

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday, 15:00 in London
LONDON = RowContext(NOW, ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    "due, label",
    [
        (datetime(2026, 11, 27, 10, 15, tzinfo=UTC), "10:15"),  # today, late
        (datetime(2026, 11, 27, 16, 30, tzinfo=UTC), "16:30"),  # today, to come
        (datetime(2026, 11, 26, 15, 0, tzinfo=UTC), "Thu"),  # yesterday
        (datetime(2026, 11, 21, 9, 0, tzinfo=UTC), "Sat"),  # six days ago
        (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "20 Nov"),  # a week ago
        (datetime(2026, 12, 3, 9, 30, tzinfo=UTC), "3 Dec"),  # next week: not last Thursday
        (datetime(2027, 1, 12, 9, 30, tzinfo=UTC), "12 Jan"),
        (datetime(2026, 11, 28, 0, 30, tzinfo=UTC), "28 Nov"),  # tomorrow
    ],
)
def test_a_callback_due_time_fits_its_column(due: datetime, label: str) -> None:
    assert due_label(due, LONDON) == label
    assert len(f"cb {label}") <= WHY


def test_the_day_is_the_callers_day() -> None:
    # 03:00 UTC on Friday is still Thursday evening in New York.
    new_york = RowContext(NOW, ZoneInfo("America/New_York"))
    assert due_label(datetime(2026, 11, 27, 3, 0, tzinfo=UTC), new_york) == "Thu"
    assert due_label(datetime(2026, 11, 27, 3, 0, tzinfo=UTC), LONDON) == "03:00"


async def test_rows_stay_one_line_in_a_narrow_terminal(demo_app) -> None:
    from drive import settle

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = app.main.queue.rows
        assert rows.option_count == len(app.main.queue.window.entries) > 0
        assert rows.virtual_size.height == rows.option_count  # nothing wrapped
        assert "objective" not in str(app.main.queue.query_one("#queue-header").render())
        jigsaw = app.main.jigsaw.rows
        room = jigsaw.scrollable_content_region.width
        widest = max(option.prompt.cell_length for option in jigsaw.options)
        assert 20 < widest <= room  # nor the jigsaw's: labels and values clipped to fit
