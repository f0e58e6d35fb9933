"""The call flow without a screen: every outcome, with and without an objective in the line,
through every way out of the wrap-up, checked in the database afterwards."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from callbook.capture.apply import CaptureRejected
from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.model import NextCall, Outcome, Status
from callbook.service.call_flow import CallFlow, CallRefused, NothingToUndo, Phase
from callbook.service.draft_keeper import DraftKeeper
from callbook.store import Store, StoreError

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 15:00 in London
IN_FORCE = "ask Sarah for Tom's direct line"
LINE_OBJECTIVE = "send the deck"
TYPED = "call after lunch"

# Written out here, not read from the table: the test checks the table.
STATUS_AFTER = {
    Outcome.NO_ANSWER: Status.ACTIVE,
    Outcome.VOICEMAIL: Status.ACTIVE,
    Outcome.GATEKEEPER: Status.ACTIVE,
    Outcome.WRONG_NUMBER: Status.ACTIVE,
    Outcome.DECISION_MAKER: Status.ACTIVE,
    Outcome.CALLBACK: Status.ACTIVE,
    Outcome.GATEKEEPER_CALLBACK: Status.ACTIVE,
    Outcome.MEETING: Status.MEETING,
    Outcome.NOT_INTERESTED: Status.LOST,
    Outcome.WON: Status.WON,
    Outcome.DO_NOT_CALL: Status.DO_NOT_CALL,
}
REACHED_DM = {Outcome.DECISION_MAKER, Outcome.CALLBACK, Outcome.MEETING, Outcome.WON}
# A connect: reached the person the call was for, someone past the gatekeeper.
CONNECTS = set(Outcome) - {
    Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER, Outcome.GATEKEEPER,
    Outcome.GATEKEEPER_CALLBACK,
}  # fmt: skip
# Reached whom the call was for and stays in the queue: a new objective is offered.
OFFERS = {Outcome.DECISION_MAKER, Outcome.CALLBACK, Outcome.MEETING}


@pytest.fixture
def desk(tmp_path):
    store = Store.open(tmp_path / "book.db", clock=fixed_clock(NOW))
    yield Desk.around(store)
    store.close()


def flow_on(desk: Desk) -> CallFlow:
    session = desk.store.start_session()
    return CallFlow(desk, session_id=session.id, drafts=DraftKeeper(desk.store))


def prospect(desk: Desk, objective: str | None = IN_FORCE, **fields):
    p = desk.store.add_prospect("Acme Ltd", phones=["+442079460000"], **fields)
    if objective is not None:
        p = desk.store.update_prospect(p.id, next_objective=objective)
    return p


def rows(desk: Desk, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(desk.store.path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


WAYS_OUT = ("enter", "escape", "typed", "capture")


@pytest.mark.parametrize("way", WAYS_OUT)
@pytest.mark.parametrize("objective_in_line", [False, True])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_and_way_out_of_the_wrap_up(desk, outcome, objective_in_line, way):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    line = f"budget: 10k; !{outcome.code}" + (f"; > {LINE_OBJECTIVE}" if objective_in_line else "")
    done = flow.commit(line)

    offered = outcome in OFFERS and not objective_in_line
    assert (flow.wrap_up is not None) == offered
    assert flow.phase is (Phase.WRAP_UP if offered else Phase.IDLE)
    expected = LINE_OBJECTIVE if objective_in_line else IN_FORCE
    forwarded = None
    if offered:
        suggestion = flow.wrap_up.suggestion
        assert flow.wrap_up.kept == IN_FORCE
        if way == "enter":
            result = flow.finish_wrap_up("")
            expected = suggestion
        elif way == "escape":
            result = flow.keep_objective()
        elif way == "typed":
            result = flow.finish_wrap_up(f"> {TYPED}")
            expected = TYPED
        else:
            result = flow.finish_wrap_up("!vm")
            forwarded = "!vm"
        assert result.objective == expected
        assert result.forwarded == forwarded
        assert flow.phase is Phase.IDLE
    else:
        with pytest.raises(CallRefused, match="no wrap-up in progress"):
            flow.finish_wrap_up("anything")

    # The call: one row, the objective it was for, the pieces, the wins.
    (call,) = rows(
        desk,
        "select outcome, objective, next_call_at, small_wins, big_wins, capture from calls",
    )
    assert call == (
        outcome.value,
        IN_FORCE,
        None,
        1,
        1 if outcome in REACHED_DM else 0,
        line,
    )
    assert rows(desk, "select slot, value, call_id from pieces") == [
        ("budget", "10k", done.call.id)
    ]
    # The prospect: status from the table, no next call (no @when), the objective.
    assert rows(
        desk, "select status, next_call_at, next_objective from prospects where id = ?", p.id
    ) == [(STATUS_AFTER[outcome].value, None, expected)]
    # Counts: a connect when the call reached whom it was for, a DM only when the DM was on
    # the line.
    board = desk.store.scoreboard(session_id=flow.session_id)
    assert (board.calls, board.connects, board.decision_makers, board.small_wins) == (
        1,
        int(outcome in CONNECTS),
        int(outcome in REACHED_DM),
        1,
    )
    # Nothing typed at the wrap-up is ever kept as a draft.
    assert rows(desk, "select count(*) from drafts") == [(0,)]


@pytest.mark.parametrize("outcome", [Outcome.GATEKEEPER, Outcome.NOT_INTERESTED])
def test_an_objective_is_offered_when_none_is_in_force_and_learning_was_possible(desk, outcome):
    p = prospect(desk, objective=None)
    flow = flow_on(desk)
    flow.start(p)
    line = f"!{outcome.code}" + ("; @2027-03-01 10:00" if outcome is Outcome.NOT_INTERESTED else "")
    flow.commit(line)
    assert flow.wrap_up is not None and flow.wrap_up.kept is None
    flow.keep_objective()  # escape: none stays none
    assert desk.store.get_prospect(p.id).next_objective is None


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER])
def test_nothing_to_plan_after_a_call_that_reached_nobody(desk, outcome):
    p = prospect(desk, objective=None)
    flow = flow_on(desk)
    flow.start(p)
    flow.commit(f"!{outcome.code}")
    assert flow.wrap_up is None
    assert desk.store.get_prospect(p.id).next_objective is None


def test_not_interested_with_a_date_parks_until_then(desk):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    capture = desk.parse(p, "!ni; @2027-03-01 10:00")
    after = flow.aftermath(capture, p)
    when = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)  # London is on UTC in March before the 28th
    assert (after.next_call, after.next_call_at, after.status) == (
        NextCall.PARK,
        when,
        Status.ACTIVE,
    )
    flow.commit("!ni; @2027-03-01 10:00")
    assert rows(desk, "select status, next_call_at from prospects") == [
        ("active", "2027-03-01T10:00:00Z")
    ]
    # Out of the queue until that day; back in it then.
    assert p.id not in [e.prospect.id for e in desk.store.queue(NOW + timedelta(days=30))]
    back = desk.store.queue(when + timedelta(minutes=1))
    assert p.id in [e.prospect.id for e in back]


def test_not_interested_without_a_date_is_lost_for_good(desk):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    after = flow.aftermath(desk.parse(p, "!ni"), p)
    assert (after.next_call, after.next_call_at, after.status) == (
        NextCall.PARK,
        None,
        Status.LOST,
    )
    flow.commit("!ni")
    assert rows(desk, "select status, next_call_at from prospects") == [("lost", None)]
    for days in (1, 30, 400):
        queue = desk.store.queue(NOW + timedelta(days=days))
        assert p.id not in [e.prospect.id for e in queue]


@pytest.mark.parametrize("outcome", [Outcome.WON, Outcome.DO_NOT_CALL])
def test_an_ending_outcome_refuses_a_next_call_and_writes_nothing(desk, outcome):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    with pytest.raises(CaptureRejected, match=f"!{outcome.code} ends the prospect"):
        flow.commit(f"!{outcome.code}; @tomorrow 9:30")
    assert rows(desk, "select count(*) from calls") == [(0,)]
    assert flow.phase is Phase.ON_CALL  # the line stays to be corrected


@pytest.mark.parametrize("later", list(Outcome))
def test_do_not_call_is_sticky_whatever_comes_later(desk, later):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    flow.commit("!dnc")
    with pytest.raises(CallRefused, match="is marked do-not-call"):
        flow.start(p)
    flow.start(p, force=True)  # the command line's --force records it all the same
    when = "" if later.rule.next_call is NextCall.END else "; @2026-12-10 10:00"
    flow.commit(f"!{later.code}{when}; > try again")
    assert desk.store.get_prospect(p.id).status is Status.DO_NOT_CALL
    assert rows(desk, "select count(*) from status_changes") == [(0,)]


def test_only_a_recorded_lift_ends_do_not_call(desk):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    flow.commit("!dnc")
    with pytest.raises(ValueError, match="needs a reason"):
        desk.store.lift_do_not_call(p.id, "  ")
    lifted = desk.store.lift_do_not_call(p.id, "asked us to call, email of 27 Nov")
    assert lifted.status is Status.ACTIVE
    assert rows(desk, "select prospect_id, old_status, new_status, reason from status_changes") == [
        (p.id, "do_not_call", "active", "asked us to call, email of 27 Nov")
    ]
    with pytest.raises(StoreError, match="is not do-not-call"):
        desk.store.lift_do_not_call(p.id, "again")
    # The numbers the !dnc banned come off the list with the lift.
    assert rows(desk, "select count(*) from do_not_call_numbers") == [(0,)]
    assert rows(desk, "select status from phones") == [("ok",)]
    flow.start(p)  # callable again


def test_a_do_not_call_number_guards_the_start(desk):
    p = prospect(desk)
    desk.store.add_do_not_call_number("+442079460000")
    flow = flow_on(desk)
    with pytest.raises(CallRefused, match=r"\+442079460000 on the do-not-call list"):
        flow.start(p)
    assert flow.phase is Phase.IDLE


def test_a_gatekeepers_callback_is_not_a_decision_maker_reached(desk):
    flow = flow_on(desk)
    for code in ("cb gk", "gkcb", "cb"):
        p = desk.store.add_prospect(f"Firm {code}")
        flow.start(p)
        flow.commit(f"!{code}; @2026-12-01 10:00; > ask for Tom")
    board = desk.store.scoreboard(session_id=flow.session_id)
    # The gatekeeper's two are not connects: the call has not reached whom it was for.
    assert (board.calls, board.connects, board.decision_makers, board.big_wins) == (3, 1, 1, 1)
    assert rows(desk, "select outcome from calls order by id") == [
        ("gatekeeper_callback",),
        ("gatekeeper_callback",),
        ("callback",),
    ]


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.VOICEMAIL])
def test_the_one_key_path_keeps_the_objective_and_leaves_the_retry_to_the_queue(desk, outcome):
    p = prospect(desk)
    desk.store.snooze(p.id, NOW - timedelta(hours=1))  # a callback that was due
    flow = flow_on(desk)
    done = flow.quick(p, outcome)
    assert flow.phase is Phase.IDLE and done.wrap_up is None
    assert rows(desk, "select outcome, objective, capture from calls") == [
        (outcome.value, IN_FORCE, f"!{outcome.code}")
    ]
    assert rows(desk, "select status, next_call_at, next_objective, call_count from prospects") == [
        ("active", None, IN_FORCE, 1)
    ]
    # The queue's rules (the template's attempt plan: the second try a day after the first):
    # waiting now, callable on Monday morning.
    soon = [e for e in desk.store.queue(NOW + timedelta(minutes=5)) if e.prospect.id == p.id]
    assert [e.callable for e in soon] == [False] and soon[0].why == "attempt 2 of 5 due Sat"
    monday = desk.store.queue(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert [e.callable for e in monday if e.prospect.id == p.id] == [True]


def test_the_one_key_path_is_for_calls_that_reached_nobody(desk):
    flow = flow_on(desk)
    with pytest.raises(CallRefused, match="!gk needs a line"):
        flow.quick(prospect(desk), Outcome.GATEKEEPER)
    assert rows(desk, "select count(*) from calls") == [(0,)]


def test_undo_takes_the_call_back_and_brings_its_line(desk):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    flow.commit("gk: Sarah; !dm; > send the deck")
    undone = flow.undo()
    assert undone.restarted is not None and undone.line == "gk: Sarah; !dm; > send the deck"
    assert flow.phase is Phase.ON_CALL
    assert rows(desk, "select count(*) from calls where undone_at is null") == [(0,)]
    assert rows(desk, "select status, next_objective, call_count from prospects") == [
        ("new", IN_FORCE, 0)
    ]
    assert rows(desk, "select count(*) from pieces where undone_at is null") == [(0,)]
    flow.drop()
    with pytest.raises(NothingToUndo):
        flow.undo()


def test_a_call_in_progress_refuses_another(desk):
    a, b = prospect(desk), desk.store.add_prospect("Beta")
    flow = flow_on(desk)
    flow.start(a)
    with pytest.raises(CallRefused, match="on a call with Acme Ltd"):
        flow.start(b)
    assert flow.start(a) is flow.call  # the same prospect: the same call


def test_the_dialled_number_goes_with_the_call(desk, monkeypatch):
    p = desk.store.add_prospect("Acme", phones=["+442079460000", "+442079460001"])
    desk.store.add_do_not_call_number("+442079460000")
    flow = flow_on(desk)
    assert flow.start(p).dialled == "+442079460001"
    seen = []
    record = desk.store.record_call

    def spy(new, **kw):
        seen.append(new)
        return record(new, **kw)

    monkeypatch.setattr(desk.store, "record_call", spy)
    flow.commit("!na")
    assert seen[0].dialled == "+442079460001"


# --- drafts --------------------------------------------------------------------------------


def test_each_app_keeps_its_own_draft_and_a_commit_deletes_only_its_own(desk):
    a_flow, b_flow = flow_on(desk), flow_on(desk)
    a, b = prospect(desk), desk.store.add_prospect("Beta")
    a_flow.start(a)
    b_flow.start(b)
    a_flow.draft("gk: Sarah")
    a_flow.drafts.flush()
    b_flow.draft("dm: Tom")
    b_flow.drafts.flush()
    assert sorted(r[0] for r in rows(desk, "select prospect_id from drafts")) == [a.id, b.id]
    a_flow.commit("gk: Sarah; !gk")
    assert rows(desk, "select prospect_id, key from drafts") == [(b.id, b_flow.drafts.key)]


def test_unsent_lines_of_apps_gone_come_back_naming_their_prospect(desk):
    gone = flow_on(desk)
    a = prospect(desk)
    gone.start(a)
    gone.draft("gk: Sarah; dm avail: not Tue")
    gone.drafts.flush()
    running = flow_on(desk)
    b = desk.store.add_prospect("Beta")
    running.start(b)
    running.draft("!vm")
    running.drafts.flush()
    gone.drafts.release()  # that app has quit (or was killed)

    fresh = flow_on(desk)
    (unsent,) = fresh.unsent()  # the running app's draft is left alone
    assert (unsent.whose, unsent.line) == ("Acme Ltd", "gk: Sarah; dm avail: not Tue")
    assert fresh.resume(unsent).prospect.id == a.id
    assert sorted(rows(desk, "select key from drafts")) == sorted(
        [(fresh.drafts.key,), (running.drafts.key,)]
    )
    assert flow_on(desk).unsent() == []  # claimed: nobody else brings it back too


def test_an_app_killed_leaves_its_line_for_the_next(desk, monkeypatch):
    """A draft whose process is gone (kill -9) is an unsent line."""
    from callbook.store import drafts as draft_rows

    draft_rows.save(
        desk.store, "capture:dead", '{"line": "!na", "prospect_id": null}',
        host=__import__("socket").gethostname(), pid=2**22 + 7, prospect_id=None,
    )  # fmt: skip
    (unsent,) = flow_on(desk).unsent()
    assert (unsent.line, unsent.prospect) == ("!na", None)


def test_an_ended_process_not_yet_reaped_owns_no_draft(tmp_path):
    """A zombie still answers kill(pid, 0); its draft is an unsent line all the same."""
    import socket
    import subprocess
    import sys
    import time

    from callbook.service.draft_keeper import owner_alive
    from callbook.store.drafts import DraftRow

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    row = DraftRow("capture:z", "{}", socket.gethostname(), child.pid, None)
    for _ in range(200):  # until it has ended (not reaped: no wait() yet)
        if not owner_alive(row):
            break
        time.sleep(0.01)
    assert not owner_alive(row)
    child.wait()
    assert owner_alive(DraftRow("capture:me", "{}", socket.gethostname(), 1, None))


@pytest.mark.parametrize(
    "code, status",
    [("na", "lost"), ("gk", "lost"), ("dm", "active"), ("cb", "active"), ("mtg", "meeting")],
)
def test_a_lost_prospect_comes_back_only_when_the_decision_maker_is_on_the_line(
    desk, code, status
):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    flow.commit("!ni")
    flow.start(p)  # anyone can be called, in the queue or not
    flow.commit(f"!{code}")
    assert rows(desk, "select status from prospects") == [(status,)]


LEARNING = {
    Outcome.GATEKEEPER, Outcome.DECISION_MAKER, Outcome.CALLBACK, Outcome.GATEKEEPER_CALLBACK,
    Outcome.MEETING, Outcome.NOT_INTERESTED,
}  # fmt: skip


@pytest.mark.parametrize("outcome", list(Outcome))
def test_what_did_you_learn_only_where_learning_was_possible(desk, outcome):
    p = prospect(desk)
    bare = desk.preview(p, f"!{outcome.code}")
    assert (bare.nudge is not None) == (outcome in LEARNING)
    # Something learned (a piece, or a note): no nudge.
    assert desk.preview(p, f"!{outcome.code}; budget: 10k").nudge is None
    assert desk.preview(p, f"!{outcome.code}; said to try in March").nudge is None


def test_the_preview_of_a_wrong_last_number_promises_no_call(desk):
    p = prospect(desk)
    flow = flow_on(desk)
    flow.start(p)
    after = flow.preview("!wrong").aftermath
    assert after.no_number_left
    assert after.numbers == (
        "wrong number: +44 20 7946 0000 retired; no number left, it leaves the queue"
    )
    done = flow.commit("!wrong")
    assert done.wrap_up is None  # no next call to plan
    assert rows(desk, "select unreachable from prospects") == [("every number is wrong",)]
    assert [e for e in desk.store.queue(NOW + timedelta(days=7)) if e.prospect.id == p.id] == []


def test_the_preview_of_a_wrong_number_names_the_next_one(desk):
    p = desk.store.add_prospect("Acme Ltd", phones=["+442079460000", "+442079460001"])
    flow = flow_on(desk)
    flow.start(p)
    after = flow.preview("!wrong").aftermath
    assert not after.no_number_left
    assert after.numbers == "wrong number: +44 20 7946 0000 retired; next +44 20 7946 0001"
    assert flow.preview("!dnc").aftermath.numbers == (
        "do not call: the prospect and +44 20 7946 0000, +44 20 7946 0001"
    )
    assert flow.preview("!vm").aftermath.numbers is None
