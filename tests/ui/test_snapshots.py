"""Pictures of the calling screen (120×40, demo book, fixed clock). Update them with
`pytest tests/ui/test_snapshots.py --snapshot-update` and look at the report before committing."""

from __future__ import annotations

import pytest
from drive import ready

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.paths import resolve
from callbook.tui.app import make_app

SIZE = (120, 40)
ERRORS = "gk: Sarah Jenkins; dm avial: not Tuesdays; !gk; @someday; > ask for Tom"


@pytest.fixture
def app(demo_db, now):
    desk = Desk.open(resolve(demo_db), clock=fixed_clock(now))
    yield make_app(desk, clock=fixed_clock(now))
    desk.close()


def test_main_screen(snap_compare, app) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_preview_with_errors(snap_compare, app) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("enter")
        pilot.app.main.capture.set_value(ERRORS)
        await ready(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_detail_screen(snap_compare, app) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot)
        first = pilot.app.highlighted.prospect.id
        # A call that replaces the gatekeeper, so that the detail shows a piece's history.
        await pilot.press("enter", *"gk: Sarah Jenkins; !gk; tried the switchboard", "enter")
        await ready(pilot)
        pilot.app.open_detail(first)
        await ready(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_wrap_up(snap_compare, app) -> None:
    """A call that reached the decision maker, its line without `> objective`: the wrap-up
    offers the next call's objective."""

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("enter", *"dm: Tom Li; budget: 20k a year; !dm", "enter")
        await ready(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_stats_screen(snap_compare, app) -> None:
    """w: the streak, today against the usual day, the funnel, the chart, the days."""

    async def run_before(pilot) -> None:
        await ready(pilot)
        await pilot.press("w")
        await ready(pilot)
        assert pilot.app.screen.stats is not None  # the figures are in, not "reading…"

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_narrow_terminal(snap_compare, app) -> None:
    """80x24, half a screen beside the phone: the queue drops its objective column, the
    jigsaw keeps room for values."""
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
