"""The best time to reach a prospect, learned from its own calls.

Each call is a try at a local hour and weekday (the prospect's zone): answered or not. Until
calls record who answered, the outcome says it: reaching the decision maker, a callback, a
meeting, a close, "not interested" and a gatekeeper's block are "someone answered"; no answer,
voicemail and a wrong number are not. The window is the local hours in which someone answered
at least as often as nobody did, with the evidence in words ("reached Tue 08:40 and Thu 08:50;
no answer at 14:00 three times"). With fewer than `MIN_CONNECTS` answered calls it says so
rather than guessing. A prospect without history can fall back on the caller's own connect
rate by local hour (`caller_rates`, `best_hours`). Pure: no SQL, no clock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from callbook.model import Outcome

MIN_CONNECTS = 2  # answered calls needed before a window is learned
NOT_ANSWERED = frozenset({Outcome.NO_ANSWER, Outcome.VOICEMAIL, Outcome.WRONG_NUMBER})
_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times"}


@dataclass(frozen=True, slots=True)
class Try:
    at: datetime  # when the call started
    outcome: Outcome
    answered: bool | None = None  # who answered, when the call recorded it

    @property
    def connected(self) -> bool:
        if self.answered is not None:
            return self.answered
        return self.outcome not in NOT_ANSWERED


@dataclass(frozen=True)
class Reach:
    """What a prospect's history says about when to call."""

    hours: frozenset[int]  # local hours (0-23) of the window; empty: none learned
    evidence: str  # the calls behind it, in words
    learned: bool  # False: too little history, `hours` is empty

    def inside(self, when: datetime, tz: tzinfo) -> bool:
        return self.learned and when.astimezone(tz).hour in self.hours


def _times(n: int) -> str:
    return _TIMES.get(n, f"{n} times")


def learn(tries: Iterable[Try], tz: tzinfo, min_connects: int = MIN_CONNECTS) -> Reach:
    """The window of local hours in which this prospect answers, from its calls."""
    local = sorted((t.at.astimezone(tz), t.connected) for t in tries)
    reached = [at for at, connected in local if connected]
    missed = [at for at, connected in local if not connected]
    if len(reached) < min_connects:
        calls = f"{len(local)} call{'s' * (len(local) != 1)}"
        return Reach(
            frozenset(),
            f"too little history to tell: {len(reached)} answered in {calls}",
            False,
        )
    hits, misses = Counter(at.hour for at in reached), Counter(at.hour for at in missed)
    hours = frozenset(h for h in hits if hits[h] >= misses[h])
    shown = reached[-3:]  # the latest few connects
    words = [f"reached {' and '.join(f'{at:%a %H:%M}' for at in shown)}"]
    for hour, n in sorted(misses.items(), key=lambda item: (-item[1], item[0])):
        if hour in hours or n < 2:
            continue
        same = {at.strftime("%H:%M") for at in missed if at.hour == hour}
        at = same.pop() if len(same) == 1 else f"around {hour:02d}:00"
        words.append(f"no answer at {at} {_times(n)}")
    if not hours:
        return Reach(frozenset(), "; ".join(words) + "; no hour stands out", False)
    return Reach(hours, "; ".join(words), True)


def caller_rates(tries: Iterable[tuple[datetime, tzinfo, bool]]) -> dict[int, tuple[int, int]]:
    """The caller's own connects and calls by the prospect's local hour: hour -> (connects,
    calls), from (start, the prospect's zone, connected) triples."""
    rates: dict[int, list[int]] = {}
    for at, tz, connected in tries:
        counts = rates.setdefault(at.astimezone(tz).hour, [0, 0])
        counts[0] += int(connected)
        counts[1] += 1
    return {hour: (c, n) for hour, (c, n) in rates.items()}


def best_hours(
    rates: dict[int, tuple[int, int]], *, min_calls: int = 20, top: int = 3
) -> Sequence[int]:
    """The `top` local hours with the best connect rate among those with at least
    `min_calls` calls (best first; an earlier hour first on a tie): the fallback window of a
    prospect without its own history. Empty when no hour has enough calls."""
    enough = [(c / n, hour) for hour, (c, n) in rates.items() if n >= min_calls]
    return [hour for _, hour in sorted(enough, key=lambda r: (-r[0], r[1]))[:top]]
