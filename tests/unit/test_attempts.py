"""Attempt plans: spacing from the first try, the time-of-day shift after a no-answer, the
give-up (park or end), what ends a plan; through the queue and the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from callbook.attempts import (
    Attempt,
    PlanError,
    offset_days,
    plan_from_json,
    plan_from_table,
    plan_state,
)
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.jigsaw import TemplateError, builtin_templates, load_template
from callbook.model import AttemptPlan, NewCall, Outcome
from callbook.queue import QueueSettings
from callbook.store import Store

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Monday 7 December 2026, 10:00 in London (GMT).
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
NA = Outcome.NO_ANSWER
PLAN = AttemptPlan(spacing=(0, 1, 3, 6), max=5, park_days=30, shift=False)


def tries(*pairs) -> list[Attempt]:
    return [Attempt(at, outcome) for at, outcome in pairs]


def test_a_plan_from_its_table_and_its_defaults():
    plan = plan_from_table({"spacing": [0, 2, 5], "max": 3, "then": "end", "shift": False})
    assert plan == AttemptPlan((0, 2, 5), 3, None, False)
    assert plan_from_table({"then": "park 2 weeks"}).park_days == 14
    assert plan_from_json('{"max": 4}') == AttemptPlan(max=4)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"spacing": [1, 2]}, "plan: 'spacing' must be a list of whole days from the first "
         "attempt, starting at 0 and never going back, at most 365, such as [0, 1, 3, 6]; "
         "got [1, 2]"),
        ({"spacing": [0, 3, 2]}, None),
        ({"max": 0}, "plan: 'max' must be a whole number of attempts, 1 to 100; got 0"),
        ({"then": "park"}, "plan: 'then' must be \"end\" or \"park\" and a time such as "
         "\"park 30d\"; got 'park'"),
        ({"shift": "yes"}, "plan: 'shift' must be true or false; got 'yes'"),
        ({"tries": 3}, "plan: unknown key 'tries' (expected one of: spacing, max, then, shift)"),
    ],
)  # fmt: skip
def test_a_bad_plan_says_which_key_and_why(table, message):
    with pytest.raises(PlanError) as caught:
        plan_from_table(table)
    if message is not None:
        assert str(caught.value) == message


def test_a_bad_plan_in_a_template_names_its_line():
    text = 'key = "x"\nname = "X"\n[plan]\nspacing = [0, 1]\nmax = -1\n' + (
        '[[slots]]\nkey = "b"\nlabel = "B"\nquestion = "B?"\n'
    )
    with pytest.raises(TemplateError) as caught:
        load_template(text, "mine.toml")
    assert str(caught.value) == (
        "mine.toml:5: plan: 'max' must be a whole number of attempts, 1 to 100; got -1"
    )


def test_the_last_gap_repeats_past_the_list():
    assert [offset_days(PLAN, n) for n in range(7)] == [0, 1, 3, 6, 9, 12, 15]


def test_spacing_counts_days_from_the_first_attempt():
    assert plan_state(PLAN, [], LONDON).label == "attempt 1 of 5"
    assert plan_state(PLAN, [], LONDON).due_at is None
    history = tries((MONDAY, NA))
    state = plan_state(PLAN, history, LONDON)
    assert (state.attempt, state.due_at) == (2, datetime(2026, 12, 8, 0, 0, tzinfo=UTC))
    history += tries((MONDAY + timedelta(days=1, hours=3), NA))
    # Attempt 3 is due on day 3 (Thursday), from midnight London time.
    assert plan_state(PLAN, history, LONDON).due_at == datetime(2026, 12, 10, tzinfo=UTC)
    # Days are the prospect's: in New York the first try was Monday 05:00, the third is due
    # Thursday 00:00 New York time.
    assert plan_state(PLAN, history, NEW_YORK).due_at == datetime(2026, 12, 10, 5, tzinfo=UTC)


def test_a_late_attempt_pushes_the_next_one_to_a_later_day():
    # The third try came on day 6 instead of day 3: the fourth (day 6) moves to day 7.
    days = (0, 1, 6)
    history = tries(*((MONDAY + timedelta(days=d), NA) for d in days))
    assert plan_state(PLAN, history, LONDON).due_at == datetime(2026, 12, 14, tzinfo=UTC)


def test_after_a_morning_no_answer_the_next_try_is_in_the_afternoon():
    plan = AttemptPlan((0, 1, 3), 5, 30, shift=True)
    morning = plan_state(plan, tries((MONDAY, NA)), LONDON)  # 10:00 London
    assert morning.due_at == datetime(2026, 12, 8, 12, 0, tzinfo=UTC)  # Tuesday noon
    afternoon = plan_state(plan, tries((MONDAY + timedelta(hours=5), Outcome.VOICEMAIL)), LONDON)
    assert afternoon.due_at == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)  # from the morning
    # A gatekeeper answered: no shift (someone picks up at that hour).
    blocked = plan_state(plan, tries((MONDAY, Outcome.GATEKEEPER)), LONDON)
    assert blocked.due_at == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)


def test_after_the_max_it_parks_then_starts_a_new_round():
    plan = AttemptPlan((0, 1), 3, park_days=30, shift=False)
    history = tries(*((MONDAY + timedelta(days=d), NA) for d in range(3)))
    state = plan_state(plan, history, LONDON)
    assert (state.label, state.parked_until) == (
        "parked after 3 attempts", MONDAY + timedelta(days=32)
    )  # fmt: skip
    assert state.due_at == state.parked_until
    # A forced call while parked does not count; the first after the park starts round 2.
    history += tries((MONDAY + timedelta(days=10), NA), (MONDAY + timedelta(days=33), NA))
    again = plan_state(plan, history, LONDON)
    assert (again.round, again.attempt, again.parked_until) == (2, 2, None)


def test_after_the_max_a_plan_that_ends_ends():
    plan = AttemptPlan((0, 1), 2, park_days=None, shift=False)
    state = plan_state(plan, tries((MONDAY, NA), (MONDAY + timedelta(days=1), NA)), LONDON)
    assert (state.ended, state.label) == (True, "plan ended")


@pytest.mark.parametrize(
    "outcome", [Outcome.DECISION_MAKER, Outcome.CALLBACK, Outcome.MEETING, Outcome.NOT_INTERESTED]
)
def test_reaching_the_person_ends_the_plan(outcome):
    history = tries((MONDAY, NA), (MONDAY + timedelta(days=1), outcome))
    assert plan_state(PLAN, history, LONDON) is None


# --- through the store and the queue -------------------------------------------------------


def open_book(path, now, plans=((("cold_call", PLAN),))):
    store = Store.open(path, clock=fixed_clock(now))
    settings = QueueSettings.from_config(Config(timezone="Europe/London"))
    store.queue_settings = QueueSettings(**{**settings.__dict__, "plans": plans})
    return store


def call(store, pid, at, outcome=NA):
    store.record_call(NewCall(pid, at, at + timedelta(minutes=1), outcome))


def entry_of(store, pid, now):
    return next(e for e in store.queue(now, limit=100) if e.prospect.id == pid)


def test_the_queue_spaces_a_never_reached_prospect(tmp_path):
    with open_book(tmp_path / "b.db", MONDAY) as store:
        p = store.add_prospect("Acme", timezone="Europe/London")
        fresh = entry_of(store, p.id, MONDAY)
        assert (fresh.callable, fresh.attempt, fresh.attempts_max) == (True, 1, 5)
        call(store, p.id, MONDAY)
        # Monday 15:00: out of cooldown, but the plan says Tuesday.
        later = entry_of(store, p.id, MONDAY + timedelta(hours=5))
        assert (later.callable, later.why) == (False, "attempt 2 of 5 due Tue")
        assert later.callable_at == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # hours open
        tuesday = entry_of(store, p.id, datetime(2026, 12, 8, 9, 30, tzinfo=UTC))
        assert (tuesday.callable, tuesday.attempt) == (True, 2)


def test_the_queue_parks_or_drops_after_the_max_and_a_reply_ends_it(tmp_path):
    ends = AttemptPlan((0, 1), 2, park_days=None, shift=False)
    parks = AttemptPlan((0, 1), 2, park_days=30, shift=False)
    with open_book(tmp_path / "b.db", MONDAY, plans=(("cold_call", parks),)) as store:
        parked, dropped, reached = (
            store.add_prospect(name, timezone="Europe/London") for name in ("P", "D", "R")
        )
        store.set_attempt_plan(dropped.id, ends)  # its own plan: ends after two
        assert store.attempt_plan(dropped.id) == ends
        for pid in (parked.id, dropped.id, reached.id):
            call(store, pid, MONDAY)
        call(store, parked.id, MONDAY + timedelta(days=1))
        call(store, dropped.id, MONDAY + timedelta(days=1))
        call(store, reached.id, MONDAY + timedelta(days=1), Outcome.DECISION_MAKER)
        wednesday = datetime(2026, 12, 9, 11, tzinfo=UTC)
        queue = {e.prospect.name: e for e in store.queue(wednesday, limit=100)}
        assert sorted(queue) == ["P", "R"]  # D's plan ended: out of the queue
        assert queue["P"].why == "parked after 2 attempts until Thu 7 Jan"
        assert queue["P"].callable_at == datetime(2027, 1, 7, 10, 0, tzinfo=UTC)  # 30 days on
        assert (queue["R"].callable, queue["R"].attempt) == (True, None)  # no plan now
        # Back to the template's plan: D is in the queue again, parked.
        store.set_attempt_plan(dropped.id, None)
        assert "D" in {e.prospect.name for e in store.queue(wednesday, limit=100)}


def test_the_built_in_cold_call_plan():
    plan = builtin_templates()["cold_call"].plan
    assert plan == AttemptPlan((0, 1, 3, 6, 10), 5, 30, True)


def test_a_template_without_a_plan_has_none_and_an_unknown_one_uses_the_default():
    plans = builtin_templates()
    settings = QueueSettings.from_config(Config(), plans.values())
    assert settings.plan_for("cold_call") == plans["cold_call"].plan
    assert settings.plan_for("bant") is None  # no [plan] table: cooldown and cap only
    assert settings.plan_for("gone") == plans["cold_call"].plan
