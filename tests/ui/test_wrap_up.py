"""The wrap-up, by keys: after a call that reached whom it was for and whose line set no
`> objective`, an objective is offered for the next call; enter takes it, typing replaces it,
escape keeps the one in force, a capture line typed there goes to the next call. Checked in
the database."""

from __future__ import annotations

from drive import preview_text, settle

from callbook.model import Outcome, Prospect
from callbook.tui.app import CallbookApp

IN_FORCE = "ask Sarah for Tom's direct line"


async def commit_line(app: CallbookApp, pilot, type_text, line: str) -> Prospect:
    """Call the highlighted prospect, type `line`, enter; returns who was called."""
    prospect = app.highlighted.prospect
    await pilot.press("enter")
    await type_text(pilot, line)
    await pilot.press("enter")
    await settle(app, pilot)
    return prospect


async def plan(app: CallbookApp, pilot, objective: str | None) -> Prospect:
    """Give the highlighted prospect an objective in force (or none)."""
    prospect = app.store.update_prospect(app.highlighted.prospect.id, next_objective=objective)
    await settle(app, pilot)
    return prospect


async def test_enter_takes_the_offered_objective(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await plan(app, pilot, IN_FORCE)
        following = app.main.queue.window.entries[1].prospect
        called = await commit_line(app, pilot, type_text, "dm: Tom Li; !dm")
        # The offer is the question of what is now the most important missing piece.
        offered = app.desk.jigsaw(app.store.get_prospect(called.id)).suggested_objective
        assert offered and app.wrap_up is not None and app.wrap_up.suggestion == offered
        capture = app.main.capture
        assert capture.border_title == f"Wrap-up · next objective for {called.name}"
        assert capture.input.placeholder == offered
        assert f"next objective ▸ {offered}" in preview_text(app)
        assert f"escape keeps “{IN_FORCE}”" in preview_text(app)
        assert app.focused is capture.input
        # The queue has moved on while the caller wraps up.
        assert app.shown.prospect.id == following.id

        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == offered
        assert app.store.calls(called.id)[0].next_objective == offered
        assert app.wrap_up is None and app.call is None
        assert capture.border_title == "Capture"
        assert app.focused is app.main.queue.rows
        # Enter again calls the next prospect, as after any commit.
        await pilot.press("enter")
        assert app.call is not None and app.call.prospect.id == following.id


async def test_typing_gives_another_objective_and_starts_no_call(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!dm")
        assert app.wrap_up is not None
        await type_text(pilot, "> try the main line before 9")
        assert app.call is None  # the line is the objective, not the next call
        assert "next objective ▸ try the main line before 9" in preview_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == "try the main line before 9"
        assert app.main.capture.value == "" and app.call is None


async def test_escape_keeps_the_objective_in_force(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await plan(app, pilot, IN_FORCE)
        called = await commit_line(app, pilot, type_text, "!cb; @+3d")
        assert app.wrap_up is not None
        await type_text(pilot, "half an ide")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.wrap_up is None
        assert app.focused is app.main.queue.rows
        assert app.main.capture.value == ""
        assert app.store.get_prospect(called.id).next_objective == IN_FORCE
        assert app.main.capture.input.placeholder.startswith("gk: Sarah Jenkins")


async def test_a_capture_typed_at_the_wrap_up_is_the_next_call(demo_app, type_text) -> None:
    """`!vm` typed at the wrap-up was once saved as the last prospect's objective."""
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await plan(app, pilot, IN_FORCE)
        following = app.main.queue.window.entries[1].prospect
        called = await commit_line(app, pilot, type_text, "!mtg; @+3d")
        assert app.wrap_up is not None
        await type_text(pilot, "!vm")
        assert app.wrap_up is None
        assert app.call is not None and app.call.prospect.id == following.id
        assert app.main.capture.value == "!vm"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == IN_FORCE
        assert app.store.calls(following.id)[0].outcome is Outcome.VOICEMAIL


async def test_no_offer_after_a_no_answer_or_a_line_that_plans(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await plan(app, pilot, IN_FORCE)
        called = await commit_line(app, pilot, type_text, "!na")
        assert app.wrap_up is None
        assert app.store.get_prospect(called.id).next_objective == IN_FORCE
        assert app.focused is app.main.queue.rows
        called = await commit_line(app, pilot, type_text, "!dm; > ask for Tom")
        assert app.wrap_up is None
        assert app.store.get_prospect(called.id).next_objective == "ask for Tom"
        # Not interested, for good: out of the queue, nothing to plan.
        await commit_line(app, pilot, type_text, "!ni")
        assert app.wrap_up is None
        assert app.main.capture.border_title == "Capture"


async def test_undo_takes_the_wrap_up_back(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        planned_before = (await plan(app, pilot, IN_FORCE)).next_objective
        called = await commit_line(app, pilot, type_text, "!dm")
        await pilot.press("enter")  # take the offer
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective != planned_before
        await pilot.press("u", "y")  # the cursor is on the queue: u undoes
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == planned_before


async def test_the_wrap_up_can_be_turned_off(demo_db, open_desk, now, type_text) -> None:
    """`wrap_up = false` in config.toml: the call goes straight on to the next."""
    from dataclasses import replace

    from callbook.clock import fixed_clock
    from callbook.tui.app import make_app

    desk = open_desk(demo_db)
    desk.config = replace(desk.config, wrap_up=False)
    app = make_app(desk, clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = app.highlighted.prospect.next_objective
        called = await commit_line(app, pilot, type_text, "dm: Tom Li; !dm")
        assert app.wrap_up is None
        assert app.store.get_prospect(called.id).next_objective == before
        await pilot.press("enter")
        assert app.call is not None and app.call.prospect.id != called.id


async def test_quitting_mid_wrap_up_keeps_the_typed_objective_not_a_draft(
    demo_app, type_text
) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!dm")
        await type_text(pilot, "> call back after lunch")
        await pilot.pause(0.5)  # past the draft's pause: no draft is written for it
        await settle(app, pilot)
        assert app.store.load_draft(app.draft_key) is None
        await pilot.press("ctrl+q")
    assert app.store.get_prospect(called.id).next_objective == "call back after lunch"
    # Nothing comes back as a call's line on the next start.
    assert app.store.load_draft(app.draft_key) is None
