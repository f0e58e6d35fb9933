"""Attempt plans: how often to try a prospect nobody has answered for, and when to stop.

A plan (a template's `[plan]` table, or a prospect's own as JSON with the same keys) spaces
the attempts by days from the first (`spacing = [0, 1, 3, 6]`; the last gap repeats past the
list), stops after `max` attempts and then parks the prospect (`then = "park 30d"`: out of the
way for 30 days, after which a new round starts) or ends it (`then = "end"`: it leaves the
queue). With `shift = true`, a try after a morning no-answer is not due before noon of its day
(the afternoon); after an afternoon no-answer it is due from the morning of its day.

Reaching the person the plan was for ends it: reaching the decision maker, a callback, a
meeting, a close, a "not interested" or a do-not-call. Until then every call is an attempt,
a gatekeeper's block included. Pure: no SQL, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any

from callbook import when as when_words
from callbook.model import AttemptPlan, Outcome

PLAN_KEYS = ("spacing", "max", "then", "shift")
NOON = time(12, 0)
# Outcomes that reach the person the plan is for: the plan is over.
ENDS_PLAN = frozenset({
    Outcome.DECISION_MAKER, Outcome.CALLBACK, Outcome.MEETING, Outcome.WON,
    Outcome.NOT_INTERESTED, Outcome.DO_NOT_CALL,
})  # fmt: skip
NO_ANSWER = frozenset({Outcome.NO_ANSWER, Outcome.VOICEMAIL})


class PlanError(ValueError):
    """A plan that cannot be used: `key` is the plan key at fault."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"plan: {reason}")
        self.key = key
        self.reason = reason


def plan_from_table(raw: dict[str, Any]) -> AttemptPlan:
    """The plan a `[plan]` table (or a prospect's JSON object) describes; PlanError if bad."""
    for name in raw:
        if name not in PLAN_KEYS:
            raise PlanError(name, f"unknown key {name!r} (expected one of: {', '.join(PLAN_KEYS)})")
    default = AttemptPlan()
    spacing = raw.get("spacing", list(default.spacing))
    if (
        not isinstance(spacing, list)
        or not spacing
        or not all(isinstance(d, int) and not isinstance(d, bool) for d in spacing)
        or spacing[0] != 0
        or any(b < a for a, b in zip(spacing, spacing[1:], strict=False))
        or spacing[-1] > 365
    ):
        raise PlanError(
            "spacing",
            f"'spacing' must be a list of whole days from the first attempt, starting at 0 and "
            f"never going back, at most 365, such as [0, 1, 3, 6]; got {spacing!r}",
        )
    most = raw.get("max", default.max)
    if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= 100:
        raise PlanError("max", f"'max' must be a whole number of attempts, 1 to 100; got {most!r}")
    then = raw.get("then", "park 30d")
    park: int | None = None
    words = then.casefold().split() if isinstance(then, str) else []
    if words == ["end"]:
        park = None
    elif words[:1] == ["park"] and (days := when_words.read_span(" ".join(words[1:]))):
        park = days
    else:
        raise PlanError(
            "then",
            f"'then' must be \"end\" or \"park\" and a time such as \"park 30d\"; got {then!r}",
        )
    shift = raw.get("shift", default.shift)
    if not isinstance(shift, bool):
        raise PlanError("shift", f"'shift' must be true or false; got {shift!r}")
    return AttemptPlan(tuple(spacing), most, park, shift)


def plan_from_json(text: str) -> AttemptPlan:
    """A prospect's own plan, kept as JSON with the keys of a `[plan]` table."""
    try:
        raw = json.loads(text)
    except ValueError:
        raise PlanError("plan", "not a JSON object with the keys of a [plan] table") from None
    if not isinstance(raw, dict):
        raise PlanError("plan", "not a JSON object with the keys of a [plan] table")
    return plan_from_table(raw)


def plan_to_json(plan: AttemptPlan) -> str:
    then = "end" if plan.park_days is None else f"park {plan.park_days}d"
    return json.dumps(
        {"spacing": list(plan.spacing), "max": plan.max, "then": then, "shift": plan.shift}
    )


def offset_days(plan: AttemptPlan, n: int) -> int:
    """Days from the first attempt to attempt `n` (0-based); the last gap repeats."""
    spacing = plan.spacing
    if n < len(spacing):
        return spacing[n]
    gap = spacing[-1] - spacing[-2] if len(spacing) > 1 else 1
    return spacing[-1] + (n - len(spacing) + 1) * max(gap, 1)


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime  # when the call started (UTC)
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class PlanState:
    """Where a prospect is in its plan."""

    attempt: int  # the number of the next attempt, 1-based, within its round
    of: int  # the plan's max
    due_at: datetime | None  # the next attempt is not due before this (None: any time)
    parked_until: datetime | None = None  # max reached: parked until then
    ended: bool = False  # max reached and the plan ends: out of the queue
    round: int = 1  # rounds after a park start again at attempt 1

    @property
    def label(self) -> str:
        """"attempt 3 of 5", "parked", "plan ended"."""
        if self.ended:
            return "plan ended"
        if self.parked_until is not None:
            return f"parked after {self.of} attempts"
        return f"attempt {self.attempt} of {self.of}"


def plan_state(
    plan: AttemptPlan, attempts: Sequence[Attempt], tz: tzinfo
) -> PlanState | None:
    """The state of `plan` after `attempts` (any order), in the prospect's zone `tz`; None once
    someone it was for answered (the plan is over)."""
    ordered = sorted(attempts, key=lambda a: a.at)
    if any(a.outcome in ENDS_PLAN for a in ordered):
        return None
    rounds = 1
    current: list[Attempt] = []
    parked_until: datetime | None = None
    for attempt in ordered:
        if parked_until is not None:
            if attempt.at < parked_until:
                continue  # a call made while parked: not part of any round
            rounds, current, parked_until = rounds + 1, [], None
        current.append(attempt)
        if len(current) >= plan.max:
            if plan.park_days is None:
                return PlanState(plan.max, plan.max, None, ended=True, round=rounds)
            parked_until = attempt.at + timedelta(days=plan.park_days)
    if parked_until is not None:
        return PlanState(plan.max, plan.max, parked_until, parked_until, round=rounds)
    n = len(current)
    if n == 0:
        return PlanState(1, plan.max, None, round=rounds)
    first_day = current[0].at.astimezone(tz).date()
    last = current[-1]
    last_local = last.at.astimezone(tz)
    day = first_day + timedelta(days=offset_days(plan, n))
    if offset_days(plan, n) > offset_days(plan, n - 1):
        day = max(day, last_local.date() + timedelta(days=1))  # a late try pushes the next
    else:
        day = max(day, last_local.date())
    at = time(0)
    if plan.shift and last.outcome in NO_ANSWER and last_local.time() < NOON:
        at = NOON  # morning no-answer: try the afternoon
    return PlanState(n + 1, plan.max, when_words.instant(day, at, tz), round=rounds)
