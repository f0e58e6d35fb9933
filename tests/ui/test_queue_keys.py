"""Keys on the queue: skip, snooze, the stats screen and the talk tracks over a call."""

from __future__ import annotations

from drive import read, settle

from callbook.tui.screens.dialogs import SnoozeScreen
from callbook.tui.screens.stats_screen import StatsScreen
from callbook.tui.screens.talk_tracks import TalkTracksScreen


async def test_s_skips_the_highlighted_prospect_for_today(demo_app, demo_db) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        skipped = app.highlighted.prospect
        await pilot.press("s")
        await settle(app, pilot)
        assert read(demo_db, "select prospect_id from skips") == [(skipped.id,)]
        assert app.highlighted.prospect.id != skipped.id
        assert any("skipped for today" in n.message for n in app._notifications)


async def test_z_snoozes_until_the_time_typed(demo_app, demo_db, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        snoozed = app.highlighted.prospect
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, SnoozeScreen)
        await type_text(pilot, "whenever")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SnoozeScreen)  # not understood: the modal says why
        assert str(app.screen.query_one("#snooze-error").render()).strip()
        app.screen.query_one("#snooze-when").value = ""
        await type_text(pilot, "+3d")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main
        (when,) = read(demo_db, "select next_call_at from prospects where id = ?", snoozed.id)[0]
        assert when is not None
        assert app.highlighted.prospect.id != snoozed.id


async def test_w_opens_the_stats_and_escape_comes_back(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w")
        await settle(app, pilot)
        assert isinstance(app.screen, StatsScreen)
        assert app.screen.stats is not None
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main


async def test_ctrl_t_shows_talk_tracks_and_keeps_the_draft(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah; budget 40k")
        assert app.focused is app.main.capture.input
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, TalkTracksScreen)
        assert app.screen.prospect_name == app.call.prospect.name
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.main
        assert app.main.capture.value == "gk: Sarah; budget 40k"
        assert app.focused is app.main.capture.input
