"""The scoreboard: this session, and today against the caller's usual day."""

from __future__ import annotations

from pathlib import Path

from drive import settle

from callbook.clock import fixed_clock
from callbook.stats import daily, usual_day
from callbook.store import Store
from callbook.tui.app import make_app


def board_lines(app) -> dict[str, str]:
    """Each row of the scoreboard by its label."""
    text = str(app.main.scoreboard.render())
    return {line[:10].strip(): line[10:].rstrip() for line in text.splitlines()}


async def test_today_is_compared_with_the_usual_day(demo_app, type_text, now) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah Jenkins; budget: 20k; !gk; > ask for Tom")
        await pilot.press("enter")
        await settle(app, pilot)

        tz = app.desk.config.tz
        today, usual = daily(app.store, 1, now, tz)[-1], usual_day(app.store, now, tz)
        assert usual.active_days > 5 and today.dials >= 1
        rows = board_lines(app)
        assert rows[""].split() == ["now", "today/usual"]
        assert rows["calls"] == f"{1:>5}  {today.dials:>5}/{usual.dials:g}"
        assert rows["small wins"] == f"{2:>5}  {today.small_wins:>5}/{usual.small_wins:g}"
        assert rows["DMs"].split()[1] == f"{today.decision_makers}/{usual.decision_makers:g}"
        subtitle = app.main.scoreboard.border_subtitle
        assert subtitle == f"usual: median of {usual.active_days} days"


async def test_a_new_book_has_no_usual_day_yet(tmp_path: Path, open_desk, now) -> None:
    db = tmp_path / "new.db"
    with Store.open(db, clock=fixed_clock(now)) as store:
        store.add_prospect("Acme Widgets", phones=["+442071234567"], timezone="Europe/London")
    app = make_app(open_desk(db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        rows = board_lines(app)
        assert rows[""].split() == ["now", "today"]
        assert rows["calls"].split() == ["0", "0"]
        assert app.main.scoreboard.border_subtitle == ""
