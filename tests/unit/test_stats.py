"""Stats on a constructed history: exact figures per local day, funnel, streak, usual day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from callbook import stats
from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.model import NewCall, Outcome
from callbook.stats import Day, streak_of, usual_of
from callbook.store import Store

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 27 Nov, 10:00 in New York


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


HISTORY = [
    # (start, outcome, pieces) — each call to a prospect of its own
    (utc(23, 15), Outcome.GATEKEEPER, ("gatekeeper",)),
    (utc(25, 15), Outcome.VOICEMAIL, ()),
    (utc(25, 16), Outcome.NO_ANSWER, ()),
    (utc(26, 15), Outcome.DECISION_MAKER, ("pain",)),
    (utc(26, 16), Outcome.MEETING, ("next_step",)),
    (utc(27, 3), Outcome.NO_ANSWER, ()),  # 22:00 on the 26th in New York
    (utc(27, 14), Outcome.GATEKEEPER, ("gatekeeper", "dm_availability")),
]


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as s:
        for index, (start, outcome, slots) in enumerate(HISTORY):
            p = s.add_prospect(f"Prospect {index}")
            s.record_call(
                NewCall(
                    p.id,
                    start,
                    start + timedelta(minutes=3),
                    outcome,
                    pieces=tuple((slot, f"value {index}") for slot in slots),
                )  # fmt: skip
            )
        undone = s.record_call(NewCall(1, utc(26, 17), utc(26, 18), Outcome.WON))
        s.undo_call(undone.id)
        yield s


def figures(day: Day) -> tuple:
    return (
        day.dials, day.connects, day.decision_makers, day.small_wins, day.big_wins, day.meetings,
    )  # fmt: skip


def test_daily_figures_by_local_day(store):
    days = stats.daily(store, 5, NOW, NY)
    assert [d.day for d in days] == [date(2026, 11, d) for d in range(23, 28)]
    assert [figures(d) for d in days] == [
        (1, 0, 0, 1, 0, 0),  # blocked at the gatekeeper: a dial, not a connect
        (0, 0, 0, 0, 0, 0),
        (2, 0, 0, 0, 0, 0),
        (3, 2, 2, 2, 2, 1),  # the undone win never counts
        (1, 0, 0, 2, 0, 0),
    ]
    assert days[0].pieces == {"gatekeeper": 1}
    assert days[3].pieces == {"next_step": 1, "pain": 1}
    assert days[4].pieces == {"dm_availability": 1, "gatekeeper": 1}


def test_the_same_calls_fall_on_other_days_in_another_zone(store):
    london = stats.daily(store, 2, NOW, ZoneInfo("Europe/London"))
    assert [d.dials for d in london] == [2, 2]  # the 03:00 UTC call is on the 27th there


def test_a_call_a_minute_either_side_of_midnight_in_a_quarter_hour_zone(tmp_path):
    """Calls are summed per UTC quarter hour before they are put on local days: exact in a
    zone 5:45 ahead, where midnight falls at 18:15 UTC."""
    kathmandu = ZoneInfo("Asia/Kathmandu")
    with Store.open(tmp_path / "book.db", clock=fixed_clock(NOW)) as book:
        p = book.add_prospect("Kathmandu Traders")
        for start in (utc(26, 18, 14), utc(26, 18, 15), utc(26, 18, 16)):
            book.record_call(NewCall(p.id, start, start + timedelta(minutes=1), Outcome.NO_ANSWER))
        days = stats.daily(book, 2, NOW, kathmandu)
    assert [(d.day, d.dials) for d in days] == [(date(2026, 11, 26), 1), (date(2026, 11, 27), 2)]


def test_funnel_streak_and_usual_day(store):
    result = stats.summary(store, 5, NOW, NY)
    f = result.funnel
    # Connects reach whom the call was for: the two gatekeeper blocks are not among them.
    assert (f.dials, f.connects, f.decision_makers, f.meetings) == (7, 2, 2, 1)
    assert [round(r, 3) if r else r for _, _, r in f.steps] == [None, 0.286, 1.0, 0.5]
    # Today and the 26th have wins; the 25th had calls and none.
    assert result.streak == 2
    usual = result.usual
    assert usual.active_days == 3  # the 23rd, 25th and 26th
    assert (usual.dials, usual.connects, usual.decision_makers) == (2, 0, 0)  # 0, 0, 2 connects
    assert (usual.small_wins, usual.big_wins, usual.meetings) == (1, 0, 0)
    assert stats.streak(store, NOW, NY) == 2
    assert stats.usual_day(store, NOW, NY) == usual


def test_streak_rules():
    def day(n: int, dials: int, wins: int) -> Day:
        return Day(date(2026, 11, n), dials=dials, small_wins=wins)

    # A day off does not break it; today without a win yet does not either.
    assert streak_of([day(1, 5, 1), day(2, 0, 0), day(3, 4, 2), day(4, 2, 0)]) == 2
    assert streak_of([day(1, 5, 0), day(2, 3, 1)]) == 1
    assert streak_of([]) == 0
    assert usual_of([day(1, 0, 0)]).active_days == 0


def test_stats_command(store):
    runner = CliRunner()
    env = {"CALLBOOK_NOW": NOW.isoformat(), "TZ": "UTC"}
    args = ["--db", str(store.path), "stats", "--days", "5"]
    result = runner.invoke(main, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["dials"] for d in data["days"]] == [1, 0, 2, 2, 2]
    assert data["funnel"][0] == {"step": "dials", "count": 7, "rate": None}
    assert "streak" in data and "usual_day" in data
    text = runner.invoke(main, args, env=env)
    assert text.exit_code == 0 and "funnel: 7 dials → 2 connects (29%)" in text.output
