"""The best time to reach: a window learned from a prospect's own calls, with its evidence;
too little history says so; the caller's own rates by hour; the queue's tie-break."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.model import NewCall, Outcome
from callbook.queue import Candidate, QueueSettings, order, prefer
from callbook.reach import Try, best_hours, caller_rates, learn
from callbook.store import Store

LONDON = ZoneInfo("Europe/London")
# Tuesday 1 and Thursday 3 December 2026 (GMT = UTC in London).
TUE = datetime(2026, 12, 1, tzinfo=UTC)
THU = datetime(2026, 12, 3, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute)


def test_a_window_with_its_evidence():
    history = [
        Try(at(TUE, 8, 40), Outcome.GATEKEEPER),
        Try(at(THU, 8, 50), Outcome.DECISION_MAKER),
        *(Try(at(TUE + timedelta(days=d), 14), Outcome.NO_ANSWER) for d in (0, 1, 7)),
    ]
    reach = learn(history, LONDON)
    assert reach.learned and reach.hours == frozenset({8})
    assert reach.evidence == (
        "reached Tue 08:40 and Thu 08:50; no answer at 14:00 three times"
    )
    assert reach.inside(at(TUE, 8, 5), LONDON)
    assert not reach.inside(at(TUE, 14, 5), LONDON)
    # Read in the prospect's zone: 08:40 London is 03:40 in New York.
    ny = learn(history, ZoneInfo("America/New_York"))
    assert ny.hours == frozenset({3})


def test_too_little_history_says_so_rather_than_guessing():
    one = learn([Try(at(TUE, 9), Outcome.DECISION_MAKER), Try(at(TUE, 15), Outcome.NO_ANSWER)],
                LONDON)  # fmt: skip
    assert (one.learned, one.hours) == (False, frozenset())
    assert one.evidence == "too little history to tell: 1 answered in 2 calls"
    assert learn([], LONDON).evidence == "too little history to tell: 0 answered in 0 calls"


def test_an_hour_with_more_misses_than_answers_is_not_in_the_window():
    history = [Try(at(TUE, 10), Outcome.GATEKEEPER), Try(at(THU, 16), Outcome.CALLBACK)]
    history += [Try(at(THU + timedelta(days=d), 10, 15), Outcome.VOICEMAIL) for d in (1, 2)]
    reach = learn(history, LONDON)
    assert reach.hours == frozenset({16})
    assert reach.evidence == "reached Tue 10:00 and Thu 16:00; no answer at 10:15 twice"


def test_who_answered_overrides_the_outcome_when_recorded():
    history = [Try(at(TUE, 9), Outcome.GATEKEEPER, answered=False)] * 3
    assert not learn(history, LONDON).learned


def test_the_callers_own_rates_by_local_hour():
    rows = [(at(TUE, 9), LONDON, True)] * 6 + [(at(TUE, 9), LONDON, False)] * 14
    rows += [(at(TUE, 14), LONDON, True)] * 2 + [(at(TUE, 14), LONDON, False)] * 18
    rows += [(at(TUE, 17), LONDON, True)] * 3  # too few calls to count
    rates = caller_rates(rows)
    assert rates == {9: (6, 20), 14: (2, 20), 17: (3, 3)}
    assert best_hours(rates, min_calls=20) == [9, 14]
    assert best_hours(rates, min_calls=21) == []


def test_prefer_moves_a_prospect_in_its_window_ahead_within_its_priority_only():
    s = QueueSettings.from_config(Config(timezone="Europe/London"))
    now = at(TUE, 10)
    cands = [Candidate(i, priority=3, zone="Europe/London") for i in range(1, 5)]
    cands.append(Candidate(5, priority=3, zone="Europe/London", preferred=True))
    cands.append(Candidate(6, priority=4, zone="Europe/London", preferred=True))
    cands.append(Candidate(7, priority=1, zone="America/New_York", preferred=True))  # 05:00
    placed = order(cands, now, s)
    assert [p.candidate.id for p in placed] == [1, 2, 3, 4, 5, 6, 7]
    assert [p.candidate.id for p in prefer(placed, 8)] == [5, 1, 2, 3, 4, 6, 7]
    assert [p.candidate.id for p in prefer(placed, 2)] == [1, 2, 5, 3, 4, 6, 7]
    assert [p.candidate.id for p in prefer(placed, 0)] == [1, 2, 3, 4, 5, 6, 7]


def test_the_store_prefers_a_prospect_reached_at_this_hour(tmp_path):
    now = at(THU + timedelta(days=7), 9, 30)  # Thursday 10 December, 09:30 London
    with Store.open(tmp_path / "b.db", clock=fixed_clock(now)) as store:
        store.queue_settings = QueueSettings.from_config(Config(timezone="Europe/London"))
        first = store.add_prospect("First", timezone="Europe/London")
        usual = store.add_prospect("Usually at 9", timezone="Europe/London")
        # First was called longer ago (plain order: first), at hours other than this one.
        for p, when in ((first, at(TUE, 15)), (first, at(TUE, 16)),
                        (usual, at(TUE, 9, 40)), (usual, at(THU, 9, 50))):  # fmt: skip
            store.record_call(
                NewCall(p.id, when, when + timedelta(minutes=3), Outcome.DECISION_MAKER)
            )
        assert [e.prospect.name for e in store.queue(now)] == ["Usually at 9", "First"]
        later = at(THU + timedelta(days=7), 12, 5)  # inside neither window: plain order
        assert [e.prospect.name for e in store.queue(later)] == ["First", "Usually at 9"]
