"""Whole calls driven by keys alone, checked in the database afterwards."""

from __future__ import annotations

from datetime import UTC, datetime

from drive import preview_text, settle
from textual.widgets import Input

from callbook.model import Change, Outcome
from callbook.tui.screens.dialogs import ConfirmScreen

LINE = (
    "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tuesdays; !gk; "
    "@tomorrow 9:30; > ask Sarah for Tom's direct line"
)


async def test_a_whole_call_by_keys(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        store = app.store
        first = app.highlighted.prospect
        second = app.main.queue.window.entries[1].prospect
        assert app.focused is app.main.queue.rows
        calls_before = len(store.calls(first.id))

        await pilot.press("enter")
        assert app.call is not None and app.call.prospect.id == first.id
        assert app.focused is app.main.capture.input
        objective = app.call.objective
        assert objective == first.next_objective

        await type_text(pilot, LINE)
        await pilot.pause()
        shown = preview_text(app)
        assert "Sarah Jenkins" in shown and "blocked at gatekeeper" in shown
        assert "tomorrow 09:30" in shown

        await pilot.press("enter")
        await settle(app, pilot)

        # On disk: the call, its pieces (with provenance), the contacts, the next call, the wins.
        calls = store.calls(first.id)
        assert len(calls) == calls_before + 1
        call = calls[0]
        assert call.outcome is Outcome.GATEKEEPER
        assert call.session_id == app.session.id
        assert call.objective == objective
        assert call.next_call_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
        assert call.next_objective == "ask Sarah for Tom's direct line"
        assert (call.small_wins, call.big_wins) == (4, 0)
        learned = {p.slot: p for p in store.pieces_of_call(call.id)}
        assert learned["gatekeeper"].value == "Sarah Jenkins"
        assert learned["decision_maker"].value == "Tom Li, Ops Director"
        assert learned["dm_role"].value == "Ops Director"  # the title fills the role too
        assert learned["dm_availability"].value == "not Tuesdays"
        assert all(p.call_id == call.id and p.current for p in learned.values())
        current = store.current_pieces(first.id)
        assert current["gatekeeper"].call_id == call.id
        prospect = store.get_prospect(first.id)
        assert prospect.next_call_at == call.next_call_at
        assert prospect.next_objective == call.next_objective
        names = {(c.role.value, c.name) for c in store.contacts(first.id)}
        assert ("decision_maker", "Tom Li") in names
        assert store.load_draft(app.draft_key) is None

        # The screen: the line is empty, the scoreboard counts it, the next prospect is up.
        assert app.main.capture.value == ""
        assert app.call is None
        # Blocked at the gatekeeper: a call and four small wins, not a connect (the call has
        # not reached whom it was for).
        assert (app._score.calls, app._score.small_wins, app._score.connects) == (1, 4, 0)
        assert "saved" in preview_text(app)
        assert app.highlighted.prospect.id == second.id
        assert app.shown.prospect.id == second.id
        # The called prospect leaves the queue once it has a later callback.
        assert first.id not in [e.prospect.id for e in app.main.queue.window.entries]

        # Between calls the cursor is on the queue: enter calls the next prospect.
        assert app.focused is app.main.queue.rows
        await pilot.press("enter")
        assert app.call.prospect.id == second.id


async def test_no_outcome_is_refused_and_nothing_is_written(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        prospect = app.highlighted.prospect
        before = len(app.store.calls(prospect.id))
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah Jenkins")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.store.calls(prospect.id)) == before
        assert "no outcome" in preview_text(app)
        assert app.main.capture.value == "gk: Sarah Jenkins"
        assert app.call is not None
        # The refused line is still the draft, saved after the usual pause.
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert '"line": "gk: Sarah Jenkins"' in app.store.load_draft(app.draft_key)
        # Fixing the line clears the error; enter records it.
        await type_text(pilot, "; !na")
        assert "no outcome" not in preview_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.store.calls(prospect.id)) == before + 1


async def test_a_capture_with_an_error_is_not_committed_and_says_why(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        prospect = app.highlighted.prospect
        before = len(app.store.calls(prospect.id))
        await pilot.press("enter")
        await type_text(pilot, "gatekeepr: Sarah; !gk; @someday")
        await pilot.pause()
        shown = preview_text(app)
        assert "✖" in shown and "unknown slot" in shown and "cannot read the date" in shown
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.store.calls(prospect.id)) == before
        assert "not saved" in preview_text(app)
        assert app.call is not None


async def test_preview_marks_new_changed_and_same(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for _ in range(60):  # a prospect whose DM role and gatekeeper are known, pain not
            if {"dm_role", "gatekeeper"} <= app._known.keys() and "pain" not in app._known:
                break
            await pilot.press("n")
            await settle(app, pilot)
        role = app._known["dm_role"]
        assert "gatekeeper" in app._known and "pain" not in app._known
        await pilot.press("enter")
        await type_text(pilot, f"dm role: {role}; gk: Someone Else; pain: slow quotes; !dm")
        await pilot.pause()
        preview = app.desk.preview(app.call.prospect, app.main.capture.value, app._known)
        changes = [p.change for p in preview.pieces]
        assert changes == [Change.SAME, Change.CHANGED, Change.NEW]
        shown = preview_text(app)
        assert "already known" in shown and "→" in shown and "✔" in shown
        assert "+1 big" in shown


async def test_undo_after_confirmation(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        prospect = app.highlighted.prospect
        await pilot.press("enter")
        await type_text(pilot, "dm avail: mornings only; !gk")
        await pilot.press("enter")
        await settle(app, pilot)
        call = app.store.last_call_of_session(app.session.id)
        assert call is not None and app._score.calls == 1

        # n keeps it.
        await pilot.press("escape", "u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.store.get_call(call.id).undone_at is None

        # y undoes it: the call, its pieces, the scoreboard; the line comes back.
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.store.get_call(call.id).undone_at is not None
        assert all(p.undone_at for p in app.store.pieces_of_call(call.id))
        assert "dm_availability" not in app.store.current_pieces(prospect.id)
        assert app._score.calls == 0
        assert app.call is not None and app.call.prospect.id == prospect.id
        assert app.main.capture.value == "dm avail: mornings only; !gk"

        # Nothing left to undo in this session.
        await pilot.press("escape", "u")
        assert not isinstance(app.screen, ConfirmScreen)


async def test_keys_work_with_focus_in_each_pane(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        queue = app.main.queue
        ids = [e.prospect.id for e in queue.window.entries]

        # Queue.
        await pilot.press("n")
        assert app.highlighted.prospect.id == ids[1]
        await pilot.press("p")
        assert app.highlighted.prospect.id == ids[0]
        await pilot.press("j")
        assert app.focused is app.main.jigsaw.rows

        # Jigsaw: the same single keys still drive the queue.
        await pilot.press("n", "n")
        assert app.highlighted.prospect.id == ids[2]
        assert app.shown.prospect.id == ids[2]
        await pilot.press("c")
        assert app.focused is app.main.capture.input

        # Capture: letters are text, / too (ctrl+r recalls from here); escape leaves.
        await pilot.press("n", "slash")
        assert app.main.capture.value == "n/"
        assert app.screen is app.main
        await pilot.press("ctrl+r")
        assert type(app.screen).__name__ == "RecallScreen"
        await pilot.press("escape")
        await pilot.press("backspace")
        assert app.main.capture.value == "n"
        assert app.highlighted.prospect.id == ids[2]
        await pilot.press("backspace", "escape")
        assert app.focused is queue.rows
        await pilot.press("p")
        assert app.highlighted.prospect.id == ids[1]

        # Filter: f, type, escape back to the rows, keys work, escape clears.
        await pilot.press("f")
        assert isinstance(app.focused, Input) and app.focused is queue.filter_input
        await type_text(pilot, "lakeshor")
        await settle(app, pilot)
        assert queue.window.query == "lakeshor"
        assert queue.window.entries
        assert all("Lakeshore" in e.prospect.name for e in queue.window.entries[:3])
        await pilot.press("escape")
        assert app.focused is queue.rows
        await pilot.press("n")
        assert app.highlighted.prospect.id == queue.window.entries[1].prospect.id
        await pilot.press("escape")
        await settle(app, pilot)
        assert queue.window.query == "" and queue.filter_input.value == ""

        # Help for the focused pane, from the queue (?) and from the capture line (F1).
        await pilot.press("question_mark")
        assert type(app.screen).__name__ == "HelpScreen"
        assert "Queue" in app.screen.pane_help
        await pilot.press("escape")
        await pilot.press("c", "f1")
        assert "Capture" in app.screen.pane_help
        await pilot.press("escape")
        assert app.focused is app.main.capture.input


async def test_detail_screen_keeps_the_draft(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        prospect = app.highlighted.prospect
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah")
        await pilot.press("escape", "d")
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.screen.data.prospect.id == prospect.id
        await pilot.press("escape")
        assert app.screen is app.main
        assert app.main.capture.value == "gk: Sarah"
        # From the jigsaw: enter on a row opens the detail at that slot.
        await pilot.press("j", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.screen.slot is not None
        await pilot.press("escape")
        assert app.main.capture.value == "gk: Sarah"


async def test_slot_names_complete_with_tab(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "dm av")
        assert "dm avail" in str(app.main.capture.query_one("#capture-hint").render())
        await pilot.press("tab")
        assert app.main.capture.value == "dm avail: "
        await type_text(pilot, "mornings; !v")
        await pilot.press("tab")
        assert app.main.capture.value == "dm avail: mornings; !vm"


async def test_drop_a_call(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah")
        await pilot.press("ctrl+g")  # from the capture line, where the caller is
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.call is None and app.main.capture.value == ""
        assert app.store.load_draft(app.draft_key) is None


async def test_the_queue_pages_through_a_window(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        queue = app.main.queue
        total = queue.window.total
        assert len(queue.window.entries) == 50 < total
        queue.rows.highlighted = 49
        await pilot.pause()
        fiftieth = queue.window.entries[49].prospect.id
        await pilot.press("n")
        await settle(app, pilot)
        assert queue.window.offset == 25
        assert queue.position == 50
        assert app.highlighted.prospect.id != fiftieth
        await pilot.press("p")
        assert app.highlighted.prospect.id == fiftieth


async def test_recall_opens_mid_call_and_keeps_the_line(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "gk: Sarah")
        await pilot.press("escape", "slash")
        assert type(app.screen).__name__ == "RecallScreen"
        await type_text(pilot, "tuesdy")
        await settle(app, pilot)
        await pilot.pause()
        hits = app.screen.hits
        assert hits and any("Tuesday" in h.text for h in hits)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "DetailScreen"
        assert app.screen.data.prospect.id == hits[1].prospect_id
        await pilot.press("escape")
        assert type(app.screen).__name__ == "RecallScreen"
        await pilot.press("escape")
        assert app.screen is app.main
        assert app.main.capture.value == "gk: Sarah"
        assert app.call is not None
