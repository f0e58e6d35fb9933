"""Keys where the caller is: between calls the focus rests on the queue and single letters act;
during a call text goes to the capture; recall opens from anywhere; every key the footer or a
hint names does what it says in that focus; anyone in the book can be called."""

from __future__ import annotations

import pytest
from drive import preview_text, read, settle

from callbook.model import Outcome, Status
from callbook.tui.app import CallbookApp
from callbook.tui.screens.detail import DetailScreen
from callbook.tui.screens.dialogs import ConfirmScreen, HelpScreen
from callbook.tui.screens.recall_screen import RecallScreen
from callbook.tui.screens.stats_screen import StatsScreen


async def commit(app: CallbookApp, pilot, type_text, line: str) -> None:
    await pilot.press("enter")
    await type_text(pilot, line)
    await pilot.press("enter")
    await settle(app, pilot)


# --- the footer tells the truth ------------------------------------------------------------


async def to_queue(app, pilot, type_text) -> None:
    await commit(app, pilot, type_text, "!gk")  # after a call: where the caller is most


async def to_call(app, pilot, type_text) -> None:
    await pilot.press("enter")
    await type_text(pilot, "gk: Sar")


async def to_wrap_up(app, pilot, type_text) -> None:
    await commit(app, pilot, type_text, "!dm")
    assert app.wrap_up is not None


async def to_filter(app, pilot, type_text) -> None:
    await pilot.press("f")
    await type_text(pilot, "lake")
    await settle(app, pilot)


async def to_jigsaw(app, pilot, type_text) -> None:
    await pilot.press("j")


STATES = {
    "queue": to_queue,
    "on a call": to_call,
    "wrap-up": to_wrap_up,
    "filter": to_filter,
    "jigsaw": to_jigsaw,
}


@pytest.mark.parametrize("state", list(STATES))
async def test_every_key_the_footer_shows_runs_its_action_there(demo_app, type_text, state):
    """Press each key the footer shows in that focus: the binding it shows is the one that
    runs (not a letter typed into a line, not another pane's action)."""
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await STATES[state](app, pilot, type_text)
        await pilot.pause()
        focused = app.focused
        shown = {
            key: active.binding.action
            for key, active in app.screen.active_bindings.items()
            if active.binding.show and active.enabled
        }
        assert shown, state
        ran: list[str] = []

        async def record(action, default_namespace=None):
            ran.append(action if isinstance(action, str) else str(action))
            return True  # consumed, nothing done: the state stays for the next key

        app.run_action = record
        for key, action in shown.items():
            ran.clear()
            before = getattr(focused, "value", None)
            await pilot.press(key)
            assert ran[:1] == [action], (state, key)
            assert getattr(focused, "value", None) == before, (state, key)  # nothing typed


async def test_the_footer_in_the_capture_names_the_recall_key_that_works_there(demo_app, type_text):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shown = {k for k, a in app.screen.active_bindings.items() if a.binding.show}
        assert "slash" in shown  # on the queue, `/` opens recall
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah; ")
        shown = {k for k, a in app.screen.active_bindings.items() if a.binding.show}
        assert "slash" not in shown and "ctrl+r" in shown
        await type_text(pilot, "try after 3/4")  # a slash is text here
        assert app.main.capture.value == "gk: Sarah; try after 3/4"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RecallScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.main.capture.value == "gk: Sarah; try after 3/4"
        assert app.call is not None


# --- hints ---------------------------------------------------------------------------------


async def test_the_hints_after_a_call_name_keys_that_work_where_the_cursor_is(
    demo_app, demo_db, type_text
) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = app.highlighted.prospect
        await commit(app, pilot, type_text, "!gk")  # connected, nothing learned
        text = preview_text(app)
        assert "what did you learn? (u undoes)" in text
        assert f"⏎ calls {app.highlighted.prospect.name}" in text
        assert "a no answer" in text and "v voicemail" in text
        assert app.focused is app.main.queue.rows
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        today = "select count(*) from calls where prospect_id = ? and undone_at is null "
        today += "and started_at >= '2026-11-27T15'"
        assert read(demo_db, today, called.id) == [(0,)]

        # At the wrap-up the line holds text: the hint says how to reach undo from there.
        await pilot.press("ctrl+g", "y")  # drop the call the undo brought back
        await settle(app, pilot)
        assert app.call is None and app.main.capture.value == ""
        await commit(app, pilot, type_text, "!dm")
        text = preview_text(app)
        assert "(escape, then u undoes)" in text
        await pilot.press("escape", "u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)


async def test_single_letters_work_between_calls_without_escape(demo_app, demo_db, type_text):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await commit(app, pilot, type_text, "!gk; > ask for Tom")
        ids = [e.prospect.id for e in app.main.queue.window.entries]
        assert app.highlighted.prospect.id == ids[0]
        await pilot.press("n")
        assert app.highlighted.prospect.id == ids[1]
        await pilot.press("p")
        assert app.highlighted.prospect.id == ids[0]
        await pilot.press("s")
        await settle(app, pilot)
        assert read(demo_db, "select prospect_id from skips") == [(ids[0],)]
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.main.capture.value == ""  # nothing was typed into the line


# --- the one-key no answer -----------------------------------------------------------------


@pytest.mark.parametrize("key, outcome", [("a", Outcome.NO_ANSWER), ("v", Outcome.VOICEMAIL)])
async def test_one_key_records_a_no_answer_and_moves_on(demo_app, demo_db, key, outcome):
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        entries = app.main.queue.window.entries
        first, second = entries[0].prospect, entries[1].prospect
        await pilot.press(key)
        await settle(app, pilot)
        assert read(
            demo_db,
            "select outcome, objective, capture from calls where prospect_id = ? "
            "order by id desc limit 1",
            first.id,
        ) == [(outcome.value, app.store.calls(first.id)[0].objective, f"!{outcome.code}")]
        after = read(demo_db, "select next_objective, next_call_at from prospects where id = ?",
                     first.id)  # fmt: skip
        assert after == [(first.next_objective, None)]  # kept; the queue schedules the retry
        assert app.highlighted.prospect.id == second.id
        assert app.focused is app.main.queue.rows and app.call is None


# --- call anyone ---------------------------------------------------------------------------


def lost_prospect(app: CallbookApp):
    """A prospect out of today's queue: lost."""
    queued = {e.prospect.id for e in app.main.queue.window.entries}
    for prospect in app.store.prospects():
        if prospect.id not in queued and prospect.status is Status.NEW:
            return app.store.update_prospect(prospect.id, status="lost")
    raise AssertionError("no prospect outside the queue window")


async def test_the_filter_finds_anyone_and_enter_calls_them(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        lost = lost_prospect(app)
        await pilot.press("f")
        await type_text(pilot, lost.name)
        await settle(app, pilot)
        assert app.main.queue.highlighted.prospect.id == lost.id
        assert "not in the queue" in app.main.queue.highlighted.why
        await pilot.press("enter")
        await pilot.pause()
        assert app.call is not None and app.call.prospect.id == lost.id
        assert app.focused is app.main.capture.input


async def test_enter_on_the_detail_screen_calls_the_prospect(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        lost = lost_prospect(app)
        app.open_detail(lost.id)
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main
        assert app.call is not None and app.call.prospect.id == lost.id


async def search_for(app, pilot, type_text, text: str) -> None:
    """Type into recall and wait for its answer."""
    await type_text(pilot, text)
    for _ in range(100):
        await settle(app, pilot)
        if app.screen.hits:
            return


async def test_enter_on_a_recall_hit_calls_between_calls_and_opens_mid_call(
    demo_app, type_text
) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        lost = lost_prospect(app)
        await pilot.press("slash")
        await pilot.pause()
        await search_for(app, pilot, type_text, lost.name)
        assert app.screen.hits[0].prospect_id == lost.id
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is app.main and app.call.prospect.id == lost.id
        # Mid-call, enter on a hit opens its detail and the call stays.
        await pilot.press("ctrl+r")
        await pilot.pause()
        await search_for(app, pilot, type_text, lost.name)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, DetailScreen)
        assert app.call.prospect.id == lost.id


async def test_a_do_not_call_prospect_is_not_called_from_anywhere(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        lost = lost_prospect(app)
        app.store.update_prospect(lost.id, status="do_not_call")
        app.open_detail(lost.id)
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.call is None
        assert any("do-not-call" in n.message for n in app._notifications)


# --- undo ----------------------------------------------------------------------------------


async def test_undo_removes_the_call_from_every_pane(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await commit(app, pilot, type_text, "gk: Zoë Novak; !gk; > ask Zoë for Tom")
        call = app.store.last_call_of_session(app.session.id)
        assert app._score.calls == 1 and "✔ saved" in preview_text(app)
        await pilot.press("u", "y")
        await settle(app, pilot)
        assert app._score.calls == 0
        # Its line is back on the call; the jigsaw and the preview no longer show it.
        assert app.call is not None and app.call.prospect.id == call.prospect_id
        assert call.id not in [c.id for c in app.shown.calls]
        assert "✔ saved" not in preview_text(app)


async def test_the_help_of_the_capture_shows_the_note_escape_and_its_keys(demo_app) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter", "f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = app.screen.pane_help
        assert "`note:` before any clause keeps it as a note" in shown
        assert "**ctrl+r** recall (here `/` is text)" in shown
