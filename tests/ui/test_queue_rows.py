"""What a queue row says in its first column: a callback's due time in the cells it has."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callbook.widgets.queue import WHY, RowContext, due_label

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
