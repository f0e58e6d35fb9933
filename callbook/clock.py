"""The injectable clock: everything that asks "what time is it" asks a Clock.

Tests and screenshots pass a fixed clock so that "today", local times and `@tomorrow` are
deterministic. `CALLBOOK_NOW` (an ISO time) pins the clock for a whole process, which is how the
real-terminal tests and the screenshot script get a repeatable screen.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says `at`."""
    at = as_utc(at)
    return lambda: at


def running_clock(start: datetime) -> Clock:
    """A clock that starts at `start` and then moves at the speed of real time."""
    start = as_utc(start)
    t0 = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - t0)


def clock_from_env(environ: dict[str, str] | None = None) -> Clock:
    """`CALLBOOK_NOW=2026-11-27T09:00:00+00:00` pins the clock (it then runs from there)."""
    value = (environ if environ is not None else os.environ).get("CALLBOOK_NOW")
    if not value:
        return system_clock
    return running_clock(parse_instant(value))


def parse_instant(value: str) -> datetime:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return as_utc(when)


def as_utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: callbook keeps every instant timezone-aware")
    return when.astimezone(UTC)


def zone(name: str | None) -> tzinfo:
    """An IANA zone by name (read by `when.zone`); None or an unknown name gives the machine's
    local zone."""
    from callbook.when import zone as named_zone

    return named_zone(name) or local_zone()


def local_zone() -> tzinfo:
    tz_env = os.environ.get("TZ")
    if tz_env:
        from callbook.when import zone as named_zone

        found = named_zone(tz_env.lstrip(":"))
        if found is not None:
            return found
    local = datetime.now().astimezone().tzinfo
    return local if local is not None else UTC
