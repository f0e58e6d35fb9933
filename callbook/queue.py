"""The queue's order: who to call now, and when each of the others becomes callable.

`place()` is the rule for one prospect; `order()` applies it to a whole book and sorts; `walk()`
yields the same order lazily from lanes that the store reads in index order, so that a window
of 50 costs about 50 prospects, not the whole book. Pure: no SQL, no clock.

The legal floor (`LegalHours`, default 08:00-21:00 in the prospect's local time, narrowed per
country or state in the config) is crossed by nothing: no callback, grace, rule or filter.
Calling hours are the caller's own hours, always inside the floor.

The order, in four groups:

0. Callbacks due. From their time, for `callback_grace`, whenever the legal floor allows (the
   prospect asked for that time, so the caller's own hours and the rules do not apply); after
   that, or when the floor is closed (a callback due at night), when the prospect's hours and
   rules next allow: they wait for that opening, and say so. Cooldown and the daily cap do not
   apply. By due time, then priority, then id.
1. Everyone else callable now: inside their local calling hours, allowed by their availability
   pieces, out of cooldown and under the daily cap. By priority (1 first), then longest since
   the last attempt (never called first), then id.
2. Not callable now: by the time they become callable (callbacks first at the same time), then
   priority, last attempt, id; those with no callable time in the coming year last.
3. Skipped today (the caller's day): at the back, by when they were skipped.

A prospect's zone is its own time zone, else its phone number's, else its country/region's.
When none pins one zone down, the zone is unknown and read conservatively, never as "any time":
with several possible zones (those of its number's area code, or of its country), it is
callable only when every one of them is within hours; with none, in the caller's own zone (shown
`?`). Closed prospects (do not call, won, lost), those scheduled for later and those whose every
number is on the do-not-call list are never in the queue (the store leaves them out).
"""

from __future__ import annotations

import enum
import functools
import heapq
import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from callbook import when as when_words
from callbook.availability import DAY, Availability, describe_days, describe_when, intersect
from callbook.config import CallingHours, Config, LegalHours

FAR = datetime.max.replace(tzinfo=UTC)  # "never": sorts after every real time
EARLIEST = datetime.min.replace(tzinfo=UTC)  # "never called": longest since the last attempt
LOOKAHEAD_DAYS = 8  # the week repeats: past a `back_on` date, 8 days find a window or none
CALLBACK_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class QueueSettings:
    """What the order depends on besides the book: the user's config and templates."""

    hours: CallingHours = field(default_factory=CallingHours)
    cooldown: timedelta = timedelta(hours=4)
    daily_attempts: int = 3
    caller_tz: tzinfo = UTC  # the caller's days: the daily cap, skips, unknown zones
    region: str = "US"  # for numbers written without a country code
    availability_slots: tuple[str, ...] = ("dm_availability",)
    callback_grace: timedelta = CALLBACK_GRACE
    legal: LegalHours = field(default_factory=LegalHours)

    @classmethod
    def from_config(cls, config: Config, templates: Iterable[Any] | None = None) -> QueueSettings:
        """Settings from a Config and the templates in use (their availability slots)."""
        if templates is None:
            from callbook.jigsaw import builtin_templates

            templates = builtin_templates().values()
        slots = sorted({s.key for t in templates for s in t.slots if s.availability})
        return cls(
            hours=config.calling_hours,
            cooldown=timedelta(hours=config.queue.cooldown_hours),
            daily_attempts=config.queue.daily_attempts,
            caller_tz=config.tz,
            region=config.region,
            availability_slots=tuple(slots),
            legal=config.legal_hours,
        )

    def day_start(self, now: datetime) -> datetime:
        """Midnight of the caller's day, in UTC."""
        local = now.astimezone(self.caller_tz).date()
        return instant(local, 0, self.caller_tz)

    def next_day_start(self, now: datetime) -> datetime:
        local = now.astimezone(self.caller_tz).date()
        return instant(local + timedelta(days=1), 0, self.caller_tz)


# --- zones ---------------------------------------------------------------------------------


def zone_info(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name (any case); None for None or a name that is not a zone (a set
    of possible zones included)."""
    return when_words.zone(name)


@functools.lru_cache(maxsize=4096)
def zones_of(key: str | None) -> tuple[ZoneInfo, ...]:
    """The zones a `zone` column value stands for: one zone, the possible zones of a set
    (names joined by spaces), or none (unknown)."""
    if not key:
        return ()
    found = tuple(z for z in map(when_words.zone, key.split()) if z is not None)
    return found


def derive_zone(
    phones: Sequence[str], country: str | None, region: str | None, default_region: str
) -> tuple[str | None, str | None]:
    """(zone, source) from the first number that pins a zone down ("phone"), else from the
    country and state/province ("place"). When neither pins one down: the set of zones the
    first number's area code may be in ("area") or the prospect's country spans ("country"),
    as their names joined by spaces; else (None, None)."""
    from callbook import phones as phone_numbers

    for number in phones:
        found = phone_numbers.timezone_for_number(number, default_region)
        if found:
            return found, "phone"
    found = phone_numbers.timezone_for_place(country, region)
    if found:
        return found, "place"
    for number in phones:
        possible = phone_numbers.normalize(number.replace(";ext=", " ext. "), default_region)
        if len(possible.timezones) > 1:
            return zone_set(possible.timezones), "area"
    code = phone_numbers.country_code(country) if country else None
    if code and len(possible := phone_numbers.country_timezones(code)) > 1:
        return zone_set(possible), "country"
    return None, None


def legal_place(
    country: str | None, region: str | None, phones: Sequence[str], default_region: str
) -> str | None:
    """"US-FL", "US" or None: where a prospect is, for the config's stricter legal windows.
    The country from the prospect (else its first number); the state by its code ("Florida"
    and "FL" are both "FL")."""
    from callbook import phones as phone_numbers

    code = phone_numbers.country_code(country) if country else None
    for number in phones if code is None else ():
        code = phone_numbers.normalize(number.split(";ext=")[0], default_region).region
        if code:
            break
    if code is None:
        return None
    state = phone_numbers.region_code(code, region)
    return f"{code}-{state}" if state else code


def zone_set(names: Iterable[str]) -> str:
    """The possible zones as the `zone` column keeps them: one name for each distinct local
    clock (zones that keep the same time all year are one), sorted, joined by spaces."""
    kept: dict[tuple, str] = {}
    for name in sorted(set(names)):
        if when_words.zone(name) is not None:
            kept.setdefault(_clock_shape(name), name)
    return " ".join(sorted(kept.values()))


@functools.lru_cache(maxsize=1024)
def _clock_shape(name: str) -> tuple:
    """A zone's offsets through two years, twice a week: zones with the same shape keep the
    same local time."""
    tz = when_words.zone(name)
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    return tuple((start + timedelta(days=d)).astimezone(tz).utcoffset() for d in range(0, 730, 3))


def instant(day: date, minute: int, tz: tzinfo) -> datetime:
    """`minute` of local `day` in `tz`, as UTC. A time in a spring-forward gap lands after it."""
    if minute >= DAY:
        day, minute = day + timedelta(days=1), 0
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return local.astimezone(UTC)


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


def day_windows(
    day: date, hours: CallingHours | None, rules: Sequence[Availability],
    floor: tuple[int, int] | None = None,
) -> list[tuple[int, int]]:  # fmt: skip
    """The callable windows of local `day`: calling hours (all day when None) inside the legal
    `floor` (none when None), less what the rules rule out."""
    windows = [floor] if floor is not None else [(0, DAY)]
    if hours is not None:
        if day.weekday() not in hours.days:
            return []
        windows = intersect(windows, [(_minute(hours.start), _minute(hours.end) or DAY)])
    for rule in rules:
        if not windows:
            break
        windows = rule.windows_on(day, windows)
    return windows


def next_callable(
    start: datetime, tz: tzinfo, hours: CallingHours | None, rules: Sequence[Availability] = (),
    floor: tuple[int, int] | None = None,
) -> datetime | None:  # fmt: skip
    """The first moment at or after `start` inside the calling hours and the legal `floor` (in
    `tz`) that every rule allows; None when there is none in the coming year."""
    local = start.astimezone(tz)
    day = local.date()
    back = max((r.back_on for r in rules if r.back_on is not None), default=None)
    if back is not None and back > day + timedelta(days=366):
        return None
    last = max(day, back or day) + timedelta(days=LOOKAHEAD_DAYS)
    while day <= last:
        if back is not None and day < back:
            day = back
            continue
        for a, b in day_windows(day, hours, rules, floor):
            if instant(day, b, tz) <= start:
                continue
            begins = instant(day, a, tz)
            return begins if begins > start else start
        day += timedelta(days=1)
    return None


def next_callable_all(
    start: datetime, zones: Sequence[tzinfo], hours: CallingHours | None,
    rules: Sequence[Availability] = (), floor: tuple[int, int] | None = None,
) -> datetime | None:  # fmt: skip
    """`next_callable` in every one of `zones` at once: the first moment callable in all."""
    if len(zones) == 1:
        return next_callable(start, zones[0], hours, rules, floor)
    at: datetime | None = start
    # The week repeats: two weeks past the start (or the latest "back on") with no time that
    # suits every zone means none.
    back = max((r.back_on for r in rules if r.back_on is not None), default=None)
    limit = start + timedelta(days=2 * LOOKAHEAD_DAYS)
    if back is not None:
        limit = max(limit, instant(back, 0, UTC) + timedelta(days=2 * LOOKAHEAD_DAYS))
    while at is not None and at <= limit:
        found = [next_callable(at, tz, hours, rules, floor) for tz in zones]
        if any(f is None for f in found):
            return None
        latest = max(found)  # type: ignore[type-var]
        if latest == at:
            return at
        at = latest  # callable there in one zone: no earlier time suits them all
    return None


# --- one prospect --------------------------------------------------------------------------


class Cause(enum.StrEnum):
    """Why a prospect is where it is in the queue."""

    CALLBACK = "callback"  # a callback due
    READY = "ready"  # callable now
    HOURS = "outside calling hours"
    RULE = "availability"  # an availability piece rules now out
    AWAY = "away"  # an availability piece: back on a later date
    COOLDOWN = "cooldown"
    CAP = "daily cap"
    NEVER = "no callable time"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the order needs to know about one prospect in the queue."""

    id: int
    priority: int = 3
    last_call_at: datetime | None = None
    due_at: datetime | None = None  # a callback due (its next call is at or before now)
    zone: str | None = None  # IANA name, or possible names joined by spaces; None: unknown
    rules: tuple[Availability, ...] = ()  # its availability pieces, understood or not
    place: str | None = None  # "US" or "US-FL": for the config's stricter legal windows
    attempts_today: int = 0
    skipped_at: datetime | None = None  # skipped today


@dataclass(frozen=True, slots=True)
class Placement:
    candidate: Candidate
    group: int  # 0 callbacks, 1 callable, 2 waiting, 3 skipped
    key: tuple  # the sort key: the queue is every placement sorted by it
    callable: bool
    callable_at: datetime | None  # now when callable; None: no time in the coming year
    cause: Cause
    rule: Availability | None = None  # the piece behind RULE / AWAY / NEVER


def place(c: Candidate, now: datetime, s: QueueSettings) -> Placement:
    """Where one prospect goes in the queue at `now`: the rule of the module docstring."""
    zones = zones_of(c.zone) or (s.caller_tz,)
    floor = s.legal.window(c.place)
    rules = tuple(r for r in c.rules if r.understood and r.has_rules)
    last = c.last_call_at or EARLIEST
    cause, rule = Cause.READY, None
    if c.due_at is not None:
        # Within its grace a callback needs only the legal floor; past it, or at night, it
        # waits for the hours like the rest.
        if now - c.due_at <= s.callback_grace and _inside(now, zones, floor):
            at: datetime | None = now
        else:
            at = next_callable_all(now, zones, s.hours, rules, floor)
        if at == now:
            cause, group, key = Cause.CALLBACK, 0, (0, c.due_at, c.priority, c.id)
        else:
            cause, rule = _blocker(now, zones[0], s.hours, rules, at)
            group, key = 2, (2, at or FAR, 0, c.priority, last, c.id)
    else:
        start = now
        if c.last_call_at is not None and c.last_call_at + s.cooldown > now:
            start, cause = c.last_call_at + s.cooldown, Cause.COOLDOWN
        if c.attempts_today >= s.daily_attempts:
            start, cause = max(start, s.next_day_start(now)), Cause.CAP
        at = next_callable_all(start, zones, s.hours, rules, floor)
        if at == now:
            group, key = 1, (1, c.priority, last, c.id)
        else:
            if cause is Cause.READY:
                cause, rule = _blocker(now, zones[0], s.hours, rules, at)
            group, key = 2, (2, at or FAR, 1, c.priority, last, c.id)
    if c.skipped_at is not None:
        cause, group, key = Cause.SKIPPED, 3, (3, c.skipped_at, c.id)
    return Placement(c, group, key, at == now, at, cause, rule)


def _inside(now: datetime, zones: Sequence[tzinfo], floor: tuple[int, int]) -> bool:
    """Whether `now` is inside the legal floor in every one of `zones`."""
    for tz in zones:
        local = now.astimezone(tz)
        if not floor[0] <= local.hour * 60 + local.minute < floor[1]:
            return False
    return True


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def outside_legal_hours(
    zone: str | None, place: str | None, at: datetime, s: QueueSettings
) -> str | None:
    """Why a call at `at` to a prospect in `zone` (as the queue keeps it) and `place` would be
    outside the legal floor ("03:30 their time ..."), or None when it is inside. An unknown zone
    is tested in every zone it may be in, else in the caller's."""
    zones = zones_of(zone)
    floor = s.legal.window(place)
    for tz in zones or (s.caller_tz,):
        if not _inside(at, (tz,), floor):
            local = at.astimezone(tz)
            whose = "their time" if len(zones) == 1 else (
                f"in {tz} (their zone is unknown)" if zones else "your time (their zone is unknown)"
            )  # fmt: skip
            span = f"{_hhmm(floor[0])}–{_hhmm(floor[1])}"
            return f"{local:%H:%M} {whose} is outside the legal calling hours ({span})"
    return None


def _blocker(
    now: datetime, tz: tzinfo, hours: CallingHours | None, rules: Sequence[Availability],
    at: datetime | None,
) -> tuple[Cause, Availability | None]:  # fmt: skip
    """What rules `now` out: a piece first (the caller learned it), then the calling hours."""
    local = now.astimezone(tz)
    day, minute = local.date(), local.hour * 60 + local.minute
    for rule in rules:
        if rule.back_on is not None and day < rule.back_on:
            return Cause.AWAY, rule
        if not rule.allows(day, minute):
            return (Cause.NEVER if at is None else Cause.RULE), rule
    if at is None:
        return Cause.NEVER, rules[0] if rules else None
    return Cause.HOURS, None


def order(candidates: Iterable[Candidate], now: datetime, s: QueueSettings) -> list[Placement]:
    """The whole queue, sorted: the reference that `walk` must match."""
    return sorted((place(c, now, s) for c in candidates), key=lambda p: p.key)


# --- the lazy walk -------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """A prospect as a lane holds it, before its pieces are read."""

    id: int
    priority: int
    last_call_at: datetime | None
    due_at: datetime | None = None
    zone: str | None = None
    data: Any = None  # whatever the lanes need to resolve it


class Lanes(Protocol):
    """The queue's prospects as the store reads them: sorted streams, read only as far as the
    walk needs."""

    def zones(self) -> Iterable[str]:
        """Every zone name in the queue (unknown zones aside)."""

    def callbacks(self, closed: Collection[str]) -> Iterable[Row]:
        """Callbacks due, by (due, priority, id). May leave out those past their grace in a
        `closed` zone: `late_callbacks` has them."""

    def late_callbacks(self, zone: str) -> Iterable[Row]:
        """Callbacks in `zone` due before now - grace, by (priority, last attempt, id)."""

    def waiting(self, zone: str | None) -> Sequence[Iterable[Row]]:
        """Prospects in `zone` without a next call, each stream by (priority, last attempt,
        id). For None: those whose zone is unknown (read in the caller's)."""

    def unread(self) -> Iterable[Row]:
        """Prospects without a next call whose zone is not read yet (a read-only book), by
        (priority, last attempt, id): each row has its own zone."""

    def skipped(self) -> Iterable[Candidate]:
        """The candidates skipped today."""

    def resolve(self, row: Row) -> Candidate | None:
        """The candidate a row stands for (its pieces read); None: not in the queue."""


_Lane = tuple[datetime | None, Iterator[Row]]  # a lane of rows waiting for its zone to open


def walk(now: datetime, s: QueueSettings, lanes: Lanes) -> Iterator[Placement]:
    """The queue in order, lazily: the same sequence as `order()` over every resolved row.

    A row is resolved (its pieces read) only when it could be next. Rows in zones outside
    calling hours wait in a heap under the time their zone opens, which is never later than the
    time they become callable; resolved, a row whose own time is later goes back in under it.
    """
    openings: dict[str | None, datetime | None] = {}

    def opening(zone: str | None) -> datetime | None:
        if zone not in openings:
            zones = zones_of(zone) or (s.caller_tz,)
            # The widest floor: a stricter window of a country or state only opens later.
            openings[zone] = next_callable_all(now, zones, s.hours, (), s.legal.widest)
        return openings[zone]

    names: list[str | None] = [*lanes.zones(), None]  # None: unknown zones, the caller's
    closed = {name: opening(name) for name in names if opening(name) != now}
    seq = itertools.count()
    # (key, seq, row to resolve or None, placement or None, (opening, lane) the row came from)
    waiting: list[tuple] = []

    def wait_row(row: Row, at: datetime | None, kind: int, lane: _Lane | None = None) -> None:
        key = (2, at or FAR, kind, row.priority, row.last_call_at or EARLIEST, row.id)
        heapq.heappush(waiting, (key, next(seq), row, None, lane))

    def wait_placed(p: Placement) -> None:
        heapq.heappush(waiting, (p.key, next(seq), None, p, None))

    # 0: callbacks due.
    for row in lanes.callbacks(frozenset(n for n in closed if n is not None)):
        if now - row.due_at > s.callback_grace:
            at = opening(row.zone)
            if at != now:
                wait_row(row, at, 0)
                continue
        candidate = lanes.resolve(row)
        if candidate is None:
            continue
        p = place(candidate, now, s)
        if p.group == 0:
            yield p
        elif p.group == 2:
            wait_placed(p)

    # 1: callable now, from the lanes of open zones, and rows whose zone is not read yet.
    ready: list[tuple] = []

    def push_ready(lane: Iterator[Row]) -> None:
        row = next(lane, None)
        if row is not None:
            key = (1, row.priority, row.last_call_at or EARLIEST, row.id)
            heapq.heappush(ready, (key, next(seq), row, lane))

    for name in names:
        if name not in closed:
            for rows in lanes.waiting(name):
                push_ready(iter(rows))
    push_ready(iter(lanes.unread()))
    while ready:
        _, _, row, lane = heapq.heappop(ready)
        push_ready(lane)
        at = opening(row.zone)
        if at != now:
            wait_row(row, at, 1)
            continue
        candidate = lanes.resolve(row)
        if candidate is None:
            continue
        p = place(candidate, now, s)
        if p.group == 1:
            yield p
        elif p.group == 2:
            wait_placed(p)

    # 2: waiting, by when each becomes callable.
    for name, at in closed.items():
        # Late callbacks of unknown zones came with the callbacks due: none wait here.
        late = lanes.late_callbacks(name) if name is not None else ()
        for kind, rows in ((0, late), *((1, r) for r in lanes.waiting(name))):
            rows_left = iter(rows)
            row = next(rows_left, None)
            if row is not None:
                wait_row(row, at, kind, (at, rows_left))
    while waiting:
        key, _, row, placed, lane = heapq.heappop(waiting)
        if placed is not None:
            yield placed
            continue
        if lane is not None:
            following = next(lane[1], None)
            if following is not None:
                wait_row(following, lane[0], key[2], lane)
        candidate = lanes.resolve(row)
        if candidate is None:
            continue
        p = place(candidate, now, s)
        if p.group == 3:
            continue
        if p.key == key:
            yield p
        else:
            wait_placed(p)  # later than its zone's opening: a rule, cooldown or the cap

    # 3: skipped today.
    yield from order(lanes.skipped(), now, s)


# --- words for people ----------------------------------------------------------------------


def _subject(who: str | None) -> tuple[str, str]:
    return (who, "is") if who else ("they", "are")


def rule_reason(rule: Availability, when: datetime, tz: tzinfo, who: str | None = None) -> str:
    """Why `rule` rules out `when` (read in `tz`): "Tom is off on Tuesdays"."""
    name, verb = _subject(who)
    local = when.astimezone(tz)
    day, minute = local.date(), local.hour * 60 + local.minute
    if rule.back_on is not None and day < rule.back_on:
        back = rule.back_on
        return f"{name} {verb} back {back:%a} {back.day} {back:%b}"
    prefix = f"{who}: " if who else ""
    for blocked in rule.blocked:
        if blocked.matches(day.weekday(), minute):
            if blocked.windows is None and blocked.days is not None:
                return f"{name} {verb} off on {describe_days(blocked.days)}"
            return f"{prefix}not {describe_when(blocked)}"
    allowed = rule.allowed
    if len(allowed) == 1 and allowed[0].windows is None and allowed[0].days is not None:
        return f"{name} {verb} in on {describe_days(allowed[0].days)} only"
    if allowed:
        return f"{prefix}{' or '.join(describe_when(w) for w in allowed)} only"
    return f"{prefix}“{rule.text}”"


def reason_line(p: Placement, now: datetime, s: QueueSettings, who: str | None = None) -> str:
    """One line for people on why a prospect is where it is ("" when simply callable)."""
    from callbook.timefmt import clock_time

    c = p.candidate
    zones = zones_of(c.zone)
    tz = zones[0] if len(zones) == 1 else None
    if p.cause is Cause.SKIPPED:
        return "skipped today"
    if p.cause in (Cause.CALLBACK, Cause.READY):
        return ""  # callable; a callback's time is shown with it already
    waits = "callback waits: " if c.due_at is not None else ""
    if p.cause is Cause.COOLDOWN:
        return f"cooldown until {clock_time(c.last_call_at + s.cooldown, s.caller_tz)}"
    if p.cause is Cause.CAP:
        return f"{c.attempts_today} calls today (cap {s.daily_attempts})"
    if p.cause in (Cause.RULE, Cause.AWAY) and p.rule is not None:
        return waits + rule_reason(p.rule, now, tz or s.caller_tz, who)
    if p.cause is Cause.NEVER:
        if p.rule is not None:
            return f"{waits}no time in calling hours fits “{p.rule.text}”"
        if len(zones) > 1:
            return f"zone unknown: no hour is within calling hours in all {len(zones)} of its zones"
        return f"{waits}no time in calling hours"
    if len(zones) > 1:
        return f"{waits}zone unknown: outside hours in one of its {len(zones)} possible zones"
    local = now.astimezone(tz or s.caller_tz)
    mark = " local" if tz is not None else " your time ? (zone unknown)"
    if local.weekday() not in s.hours.days:
        return f"{waits}{local:%a %H:%M}{mark}"
    return f"{waits}{local:%H:%M}{mark}"


__all__ = [
    "Candidate", "Cause", "Lanes", "Placement", "QueueSettings", "Row", "outside_legal_hours",
    "derive_zone", "next_callable", "next_callable_all", "order", "place", "reason_line",
    "rule_reason", "walk", "zone_info", "zone_set", "zones_of",
]  # fmt: skip
