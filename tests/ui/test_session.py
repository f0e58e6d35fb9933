"""Drafts across restarts, the first run, live refresh, the keymap and the command palette."""

from __future__ import annotations

import json
import signal
from dataclasses import replace

from drive import settle

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.model import Outcome
from callbook.paths import resolve
from callbook.tui.app import make_app
from callbook.tui.commands import CallbookCommands
from callbook.tui.screens.dialogs import WelcomeScreen


async def test_a_draft_comes_back_after_a_restart(demo_db, open_desk, now, type_text) -> None:
    app = make_app(open_desk(demo_db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        prospect = app.highlighted.prospect
        await pilot.press("n", "enter")
        prospect = app.call.prospect
        await type_text(pilot, "gk: Sarah Jenkins; dm avail: morn")
        # Saved while typing, after a short pause: no quit needed.
        await pilot.pause(0.5)
        await settle(app, pilot)
        saved = json.loads(app.store.load_draft(app.draft_key))
        assert saved["line"] == "gk: Sarah Jenkins; dm avail: morn"
        assert saved["prospect_id"] == prospect.id
        # Moving around the app keeps it.
        await pilot.press("escape", "n", "d", "escape", "j", "question_mark", "escape")
        assert app.main.capture.value == "gk: Sarah Jenkins; dm avail: morn"
        assert app.call.prospect.id == prospect.id

    again = make_app(open_desk(demo_db), clock=fixed_clock(now))
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(again, pilot)
        assert again.main.capture.value == "gk: Sarah Jenkins; dm avail: morn"
        assert again.call is not None and again.call.prospect.id == prospect.id
        assert again.shown.prospect.id == prospect.id
        assert again.highlighted.prospect.id == prospect.id
        assert again.focused is again.main.capture.input
        await type_text(pilot, "ings; !gk")
        await pilot.press("enter")
        await settle(again, pilot)
        assert again.store.calls(prospect.id)[0].outcome is Outcome.GATEKEEPER
        assert again.store.load_draft(again.draft_key) is None


async def test_quit_writes_the_draft_at_once(demo_db, open_desk, now, type_text) -> None:
    app = make_app(open_desk(demo_db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "pain: slow quotes")
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    store = open_desk(demo_db).store
    assert json.loads(store.load_draft(app.draft_key))["line"] == "pain: slow quotes"
    # The session was closed.
    assert store.get_session(app.session.id).ended_at is not None


async def test_a_signal_saves_the_draft(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "budget: 20k")
        # As the event loop runs a signal handler: between two messages.
        app.call_later(app._on_signal, signal.SIGTERM)
    assert app.return_code == 143
    assert "budget: 20k" in app.store.load_draft(app.draft_key)


async def test_an_empty_book_offers_the_demo(tmp_path, open_desk) -> None:
    desk = open_desk(tmp_path / "empty.db")
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(app, pilot)
        await settle(app, pilot)
        assert desk.store.count_prospects() == 243
        assert app.main.queue.window.entries
        assert app.shown is not None
        # Its weeks of calls give a usual day to compare today with.
        assert app.main.scoreboard.border_subtitle.startswith("usual: median of")


async def test_an_empty_book_can_stay_empty(tmp_path, open_desk) -> None:
    desk = open_desk(tmp_path / "empty.db")
    app = make_app(desk)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape")
        assert app.screen is app.main
        await pilot.press("enter")
        assert app.call is None
        assert desk.store.count_prospects() == 0


async def test_another_process_writing_refreshes_the_screen(demo_db, open_desk, now) -> None:
    app = make_app(open_desk(demo_db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        first = app.highlighted.prospect
        other = open_desk(demo_db)  # a second connection: as good as a second terminal
        other.commit(first, "gk: Zoë Novak; !gk; @+3d")
        app._tick()
        await settle(app, pilot)
        ids = [e.prospect.id for e in app.main.queue.window.entries]
        assert first.id not in ids
        assert app.highlighted.prospect.id == ids[0]


async def test_keys_can_be_remapped_by_id(demo_db, now) -> None:
    desk = Desk.open(resolve(demo_db), clock=fixed_clock(now))
    desk.config = replace(desk.config, keys={"next": "down,ctrl+n", "nosuch": "x"})
    app = make_app(desk)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            ids = [e.prospect.id for e in app.main.queue.window.entries]
            await pilot.press("c", "ctrl+n")
            assert app.highlighted.prospect.id == ids[1]
            await pilot.press("escape", "n")
            assert app.highlighted.prospect.id == ids[1]  # n is no longer bound
            assert any("nosuch" in n.message for n in app._notifications)
    finally:
        desk.close()


async def test_the_palette_lists_callbooks_actions(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        provider = CallbookCommands(app.main)
        titles = [hit.text async for hit in provider.discover()]
        assert "Start the call" in titles and "Next prospect" in titles
        assert "Commit the call" not in titles and "Undo the last call" not in titles
        await pilot.press("enter")
        titles = [hit.text async for hit in CallbookCommands(app.main).discover()]
        assert "Commit the call" in titles and "Drop the call" in titles
        hits = [hit async for hit in CallbookCommands(app.main).search("next")]
        assert hits and hits[0].help.endswith("· n")
        # The palette itself opens and runs them.
        await pilot.press("escape", "ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


def test_run_app_refuses_a_foreign_file_in_one_line(tmp_path, capsys) -> None:
    from callbook.paths import resolve
    from callbook.tui.app import run_app

    foreign = tmp_path / "notes.db"
    foreign.write_bytes(b"this is not a database, it is a shopping list\n" * 20)
    assert run_app(resolve(foreign)) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("callbook: ") and "\n" not in err
    assert foreign.read_bytes().startswith(b"this is not a database")
