"""The wrap-up: a call whose line set no `> objective` is offered one for the next call (the
question of the most important missing piece), kept with one key, replaced by typing, or left
with escape. Driven by keys, checked in the database."""

from __future__ import annotations

from drive import preview_text, settle

from callbook.app import CallbookApp
from callbook.model import Prospect


async def commit_line(app: CallbookApp, pilot, type_text, line: str) -> Prospect:
    """Call the highlighted prospect, type `line`, enter; returns who was called."""
    prospect = app.highlighted.prospect
    await pilot.press("enter")
    await type_text(pilot, line)
    await pilot.press("enter")
    await settle(app, pilot)
    return prospect


async def test_enter_keeps_the_offered_objective(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        following = app.main.queue.window.entries[1].prospect
        called = await commit_line(app, pilot, type_text, "gk: Sarah Jenkins; !gk")
        call = app.store.last_call_of_session(app.session.id)
        assert call.next_objective is None
        # The offer is the question of what is now the most important missing piece.
        offered = app.desk.jigsaw(app.store.get_prospect(called.id)).suggested_objective
        assert offered and app.wrap_up is not None and app.wrap_up.suggestion == offered
        capture = app.main.capture
        assert capture.border_title == f"Wrap-up · next objective for {called.name}"
        assert capture.input.placeholder == offered
        assert f"next objective ▸ {offered}" in preview_text(app)
        assert "saved" in preview_text(app)
        # The queue has moved on while the caller wraps up.
        assert app.shown.prospect.id == following.id

        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.get_call(call.id).next_objective == offered
        assert app.store.get_prospect(called.id).next_objective == offered
        assert app.wrap_up is None and app.call is None
        assert capture.border_title == "Capture"
        assert f"next objective {offered}" in preview_text(app)

        # Enter again calls the next prospect, as after any commit.
        await pilot.press("enter")
        assert app.call is not None and app.call.prospect.id == following.id


async def test_typing_gives_another_objective_and_starts_no_call(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!na")
        assert app.wrap_up is not None
        await type_text(pilot, "> try the main line before 9")
        assert app.call is None  # the line is the objective, not the next call
        assert "next objective ▸ try the main line before 9" in preview_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == "try the main line before 9"
        assert app.main.capture.value == ""
        assert app.call is None


async def test_escape_leaves_without_an_objective(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!vm")
        await type_text(pilot, "half an ide")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.wrap_up is None
        assert app.focused is app.main.queue.rows
        assert app.main.capture.value == ""
        assert app.store.get_prospect(called.id).next_objective is None
        assert app.main.capture.input.placeholder.startswith("gk: Sarah Jenkins")


async def test_no_offer_when_the_line_plans_or_the_prospect_is_done(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!gk; > ask for Tom")
        assert app.wrap_up is None
        assert app.store.get_prospect(called.id).next_objective == "ask for Tom"
        # Not interested: out of the queue, nothing to plan.
        await commit_line(app, pilot, type_text, "!ni")
        assert app.wrap_up is None
        assert app.main.capture.border_title == "Capture"


async def test_undo_takes_the_wrap_up_back(demo_app, type_text) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        planned_before = app.highlighted.prospect.next_objective
        called = await commit_line(app, pilot, type_text, "!gk")
        await pilot.press("enter")  # keep the offer
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective != planned_before
        await pilot.press("escape", "u", "y")
        await settle(app, pilot)
        assert app.store.get_prospect(called.id).next_objective == planned_before


async def test_the_wrap_up_can_be_turned_off(demo_db, open_desk, now, type_text) -> None:
    """`wrap_up = false` in config.toml: enter after a call goes straight on to the next."""
    from dataclasses import replace

    from callbook.app import make_app
    from callbook.clock import fixed_clock

    desk = open_desk(demo_db)
    desk.config = replace(desk.config, wrap_up=False)
    app = make_app(desk, clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "gk: Sarah Jenkins; !gk")
        assert app.wrap_up is None
        assert app.store.get_prospect(called.id).next_objective is None
        await pilot.press("enter")
        assert app.call is not None and app.call.prospect.id != called.id


async def test_quitting_mid_wrap_up_keeps_the_typed_objective_not_a_draft(
    demo_app, type_text
) -> None:
    from callbook.app import DRAFT_KEY

    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        called = await commit_line(app, pilot, type_text, "!vm")
        await type_text(pilot, "> call back after lunch")
        await pilot.pause(0.5)  # past the draft's pause: no draft is written for it
        await settle(app, pilot)
        assert app.store.load_draft(DRAFT_KEY) is None
        await pilot.press("ctrl+q")
    assert app.store.get_prospect(called.id).next_objective == "call back after lunch"
    # Nothing comes back as a call's line on the next start.
    assert app.store.load_draft(DRAFT_KEY) is None
