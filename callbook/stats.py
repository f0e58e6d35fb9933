"""Wins you can see: each day's dials, connects, decision-maker conversations, small and big
wins, meetings and pieces learned; the funnel from dial to meeting; the streak of days with a
win; and the caller's usual day, to compare today with.

Days are the caller's local days (the zone passed in, `Config.tz`); undone calls never count.
A call counts on the day it started, and so do the pieces it recorded.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from callbook.model import Outcome

STREAK_HORIZON = 366  # days looked back for the streak
USUAL_DAYS = 28  # days before today that the usual day is drawn from


class _Book(Protocol):
    def day_tallies(self, tz: tzinfo, first: date, last: date) -> tuple[list, list]: ...


@dataclass(frozen=True)
class Day:
    day: date
    dials: int = 0
    connects: int = 0
    decision_makers: int = 0  # conversations with the decision maker
    small_wins: int = 0
    big_wins: int = 0
    meetings: int = 0
    pieces: dict[str, int] = field(default_factory=dict)  # slot key -> pieces learned

    @property
    def wins(self) -> int:
        return self.small_wins + self.big_wins

    @property
    def active(self) -> bool:
        return self.dials > 0


FIGURES = ("dials", "connects", "decision_makers", "small_wins", "big_wins", "meetings")


@dataclass(frozen=True)
class Funnel:
    dials: int = 0
    connects: int = 0
    decision_makers: int = 0
    meetings: int = 0

    @property
    def steps(self) -> list[tuple[str, int, float | None]]:
        """(name, count, share of the step before) from dials to meetings."""
        names = ("dials", "connects", "decision makers", "meetings")
        counts = (self.dials, self.connects, self.decision_makers, self.meetings)
        out: list[tuple[str, int, float | None]] = [(names[0], counts[0], None)]
        for i in range(1, 4):
            out.append((names[i], counts[i], counts[i] / counts[i - 1] if counts[i - 1] else None))
        return out


@dataclass(frozen=True)
class UsualDay:
    """The median of each figure over the active days (days with a dial) it is drawn from."""

    active_days: int = 0
    dials: float = 0
    connects: float = 0
    decision_makers: float = 0
    small_wins: float = 0
    big_wins: float = 0
    meetings: float = 0


@dataclass(frozen=True)
class Stats:
    days: tuple[Day, ...]  # oldest first, today last
    funnel: Funnel
    streak: int
    usual: UsualDay

    @property
    def today(self) -> Day:
        return self.days[-1]


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def days_span(days: int, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """[since, until): the last `days` local days up to the end of today (DST-aware)."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=max(days, 1) - 1)
    return _midnight(first, tz), _midnight(today + timedelta(days=1), tz)


def daily(book: _Book, days: int, now: datetime, tz: tzinfo) -> list[Day]:
    """The last `days` local days up to today, oldest first, empty days included."""
    since, _ = days_span(days, now, tz)
    today, first = now.astimezone(tz).date(), since.date()
    tallies: defaultdict[date, Counter] = defaultdict(Counter)
    pieces: defaultdict[date, Counter] = defaultdict(Counter)
    by_day, learned_by_day = book.day_tallies(tz, first, today)
    for day, outcome, calls, small, big in by_day:
        t = tallies[day]
        t["dials"] += calls
        t["connects"] += calls * outcome.connected
        t["decision_makers"] += calls * outcome.reached_decision_maker
        t["small_wins"] += small
        t["big_wins"] += big
        t["meetings"] += calls * (outcome is Outcome.MEETING)
    for day, slot, count in learned_by_day:
        pieces[day][slot] += count
    out = []
    none = Counter()
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        counts = tallies.get(day, none)
        learned = pieces.get(day, none)
        out.append(
            Day(day, **{f: counts[f] for f in FIGURES}, pieces=dict(sorted(learned.items())))
        )
    return out


def funnel(days: list[Day] | tuple[Day, ...]) -> Funnel:
    return Funnel(
        dials=sum(d.dials for d in days),
        connects=sum(d.connects for d in days),
        decision_makers=sum(d.decision_makers for d in days),
        meetings=sum(d.meetings for d in days),
    )


def streak_of(days: list[Day] | tuple[Day, ...]) -> int:
    """Days with at least one win, counted back from the last day. A day without calls (a
    day off) does not break it; a day of calls without a win does; the last day (today, not
    over) only adds."""
    count = 0
    for index, day in enumerate(reversed(days)):
        if day.wins:
            count += 1
        elif index and day.active:
            break
    return count


def streak(book: _Book, now: datetime, tz: tzinfo) -> int:
    return streak_of(daily(book, STREAK_HORIZON, now, tz))


def usual_of(days: list[Day] | tuple[Day, ...]) -> UsualDay:
    active = [d for d in days if d.active]
    if not active:
        return UsualDay()
    medians = {f: float(statistics.median(getattr(d, f) for d in active)) for f in FIGURES}
    return UsualDay(active_days=len(active), **medians)


def usual_day(book: _Book, now: datetime, tz: tzinfo, *, days: int = USUAL_DAYS) -> UsualDay:
    """The caller's usual day over the `days` days before today (today left out)."""
    return usual_of(daily(book, days + 1, now, tz)[:-1])


def summary(book: _Book, days: int, now: datetime, tz: tzinfo) -> Stats:
    """Everything `callbook stats` shows, from one read of the last year."""
    history = daily(book, max(days, STREAK_HORIZON, USUAL_DAYS + 1), now, tz)
    shown = tuple(history[-max(days, 1) :])
    return Stats(
        days=shown,
        funnel=funnel(shown),
        streak=streak_of(history),
        usual=usual_of(history[-(USUAL_DAYS + 1) : -1]),
    )


def as_dict(stats: Stats) -> dict:
    """Plain data for JSON."""
    return {
        "days": [
            {"day": d.day.isoformat(), **{f: getattr(d, f) for f in FIGURES}, "pieces": d.pieces}
            for d in stats.days
        ],
        "funnel": [
            {"step": name, "count": count, "rate": None if rate is None else round(rate, 3)}
            for name, count, rate in stats.funnel.steps
        ],
        "streak": stats.streak,
        "usual_day": {f.name: getattr(stats.usual, f.name) for f in fields(stats.usual)},
        "today": stats.today.day.isoformat(),
    }
