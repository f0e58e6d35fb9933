"""The prospect's local time in the jigsaw and the detail, from the zone the queue reads: given,
else from the number, else from the place (and then said so)."""

from __future__ import annotations

from pathlib import Path

from drive import settle

from callbook.clock import fixed_clock
from callbook.store import Store
from callbook.tui.app import make_app


async def test_their_time_comes_from_the_number_when_no_zone_is_given(
    tmp_path: Path, open_desk, now
) -> None:
    db = tmp_path / "book.db"
    with Store.open(db, clock=fixed_clock(now)) as store:
        store.add_prospect("Berlin GmbH", phones=["+49 30 1234567"])
    app = make_app(open_desk(db), clock=fixed_clock(now))  # Friday 15:00 UTC
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        head = str(app.main.jigsaw.query_one("#jigsaw-head").render())
        assert "Fri 16:00 there (from the number)" in head
        assert app.main.queue.highlighted.local_time.tzinfo.key == "Europe/Berlin"
        await pilot.press("d")
        await settle(app, pilot)
        shown = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Europe/Berlin, 16:00 their time (from the number)" in shown
