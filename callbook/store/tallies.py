"""Per-day tallies for stats: calls (by outcome, with their wins) and pieces learned (by slot)
on each local day of a zone, kept by the write paths, so a year of stats reads a few hundred
rows instead of grouping every call and piece of the year.

A day is a local day in a zone, and the caller's zone can change, so the tallies are kept per
tracked zone (`stats_zones`; normally one, the caller's). Every write that changes what stats
count (`record_call`, `undo_call`, a restore) adjusts the tallies of every tracked zone in its
own transaction. `rebuild` recounts a zone from the calls (the migration, `doctor`, a zone
tracked for the first time). A zone that is not tracked is answered from the calls themselves.

A call counts on the local day it started, and so do the pieces it recorded; undone calls and
pieces never count (the rules of `callbook.stats`).
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from callbook.store import rows

DDL = """
CREATE TABLE stats_zones (
    zone TEXT PRIMARY KEY,                  -- IANA name, or UTC+hh:mm for a fixed offset
    built_at TEXT NOT NULL
);
CREATE TABLE stats_days (
    zone TEXT NOT NULL,
    day TEXT NOT NULL,                      -- local date, YYYY-MM-DD
    outcome TEXT NOT NULL,
    calls INTEGER NOT NULL,
    small_wins INTEGER NOT NULL,
    big_wins INTEGER NOT NULL,
    PRIMARY KEY (zone, day, outcome)
) WITHOUT ROWID;
CREATE TABLE stats_day_pieces (
    zone TEXT NOT NULL,
    day TEXT NOT NULL,
    slot TEXT NOT NULL,
    pieces INTEGER NOT NULL,
    PRIMARY KEY (zone, day, slot)
) WITHOUT ROWID;
"""

_OFFSET = re.compile(r"^UTC([+-])(\d\d):(\d\d)$")


def zone_key(tz: tzinfo) -> str | None:
    """The name a zone's tallies are kept under; None for a zone that has no stable name."""
    key = getattr(tz, "key", None)
    if key:
        return key
    if tz is UTC or tz == UTC:
        return "UTC"
    if isinstance(tz, timezone):
        offset = tz.utcoffset(None)
        sign = "-" if offset < timedelta(0) else "+"
        minutes = abs(int(offset.total_seconds())) // 60
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return None


def zone_of(key: str) -> tzinfo | None:
    if key == "UTC":
        return UTC
    found = _OFFSET.match(key)
    if found:
        sign, hours, minutes = found.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-delta if sign == "-" else delta)
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def tracked(conn: sqlite3.Connection) -> dict[str, tzinfo]:
    """The zones whose tallies are kept, by name."""
    found = {}
    for (key,) in conn.execute("select zone from stats_zones"):
        tz = zone_of(key)
        if tz is not None:
            found[key] = tz
    return found


def _day(at: str, tz: tzinfo) -> str:
    return rows.from_db_time(at).astimezone(tz).date().isoformat()


def add_call(
    conn: sqlite3.Connection, started_at: str, outcome: str, small: int, big: int,
    slots: Iterable[str], *, sign: int = 1,
) -> None:  # fmt: skip
    """Count a call (sign=1) or take it back (sign=-1), with the pieces it recorded (`slots`,
    one per piece), on its day in every tracked zone."""
    slots = Counter(slots)
    for key, tz in tracked(conn).items():
        day = _day(started_at, tz)
        conn.execute(
            "insert into stats_days (zone, day, outcome, calls, small_wins, big_wins) "
            "values (?, ?, ?, ?, ?, ?) on conflict (zone, day, outcome) do update set "
            "calls = calls + excluded.calls, small_wins = small_wins + excluded.small_wins, "
            "big_wins = big_wins + excluded.big_wins",
            (key, day, outcome, sign, sign * small, sign * big),
        )
        for slot, count in slots.items():
            conn.execute(
                "insert into stats_day_pieces (zone, day, slot, pieces) values (?, ?, ?, ?) "
                "on conflict (zone, day, slot) do update set pieces = pieces + excluded.pieces",
                (key, day, slot, sign * count),
            )


# --- counting from the calls ---------------------------------------------------------------


def quarter_tallies(conn: sqlite3.Connection, since: str | None, until: str | None):
    """(UTC quarter hour, outcome, calls, small wins, big wins) of the calls started in
    [since, until) (None: unbounded), undone calls left out. Every zone's offset is a whole
    number of quarter hours, so each quarter falls on one local day of any zone."""
    return conn.execute(
        "select unixepoch(started_at) / 900 * 900 as quarter, outcome, count(*), "
        "sum(small_wins), sum(big_wins) from calls "
        "where started_at >= ? and started_at < ? and undone_at is null "
        "group by quarter, outcome order by quarter",
        (since or "", until or "\uffff"),
    ).fetchall()


def quarter_pieces(conn: sqlite3.Connection, since: str | None, until: str | None):
    """(UTC quarter hour, slot, pieces) recorded by the calls started in [since, until),
    undone calls and pieces left out."""
    return conn.execute(
        "select unixepoch(c.started_at) / 900 * 900 as quarter, p.slot, count(*) "
        "from pieces p join calls c on c.id = p.call_id "
        "where c.started_at >= ? and c.started_at < ? and c.undone_at is null "
        "and p.undone_at is null group by quarter, p.slot order by quarter",
        (since or "", until or "\uffff"),
    ).fetchall()


def _local(quarter: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(quarter, UTC).astimezone(tz).date().isoformat()


def counted(conn: sqlite3.Connection, tz: tzinfo, since: str | None = None,
            until: str | None = None) -> tuple[dict, dict]:  # fmt: skip
    """The tallies of zone `tz` counted from the calls started in [since, until):
    ({(day, outcome): [calls, small, big]}, {(day, slot): pieces})."""
    days: dict[tuple[str, str], list[int]] = {}
    for quarter, outcome, calls, small, big in quarter_tallies(conn, since, until):
        tally = days.setdefault((_local(quarter, tz), outcome), [0, 0, 0])
        tally[0] += calls
        tally[1] += small or 0
        tally[2] += big or 0
    pieces: Counter = Counter()
    for quarter, slot, count in quarter_pieces(conn, since, until):
        pieces[(_local(quarter, tz), slot)] += count
    return days, dict(pieces)


def rebuild(conn: sqlite3.Connection, tz: tzinfo, now: str) -> bool:
    """Recount zone `tz`'s tallies from the calls and track it. False for a zone without a
    stable name (its stats are then always counted from the calls)."""
    key = zone_key(tz)
    if key is None:
        return False
    days, pieces = counted(conn, tz)
    conn.execute("delete from stats_days where zone = ?", (key,))
    conn.execute("delete from stats_day_pieces where zone = ?", (key,))
    conn.executemany(
        "insert into stats_days (zone, day, outcome, calls, small_wins, big_wins) "
        "values (?, ?, ?, ?, ?, ?)",
        [(key, day, outcome, *tally) for (day, outcome), tally in days.items()],
    )
    conn.executemany(
        "insert into stats_day_pieces (zone, day, slot, pieces) values (?, ?, ?, ?)",
        [(key, day, slot, count) for (day, slot), count in pieces.items()],
    )
    conn.execute(
        "insert into stats_zones (zone, built_at) values (?, ?) on conflict (zone) do update "
        "set built_at = excluded.built_at",
        (key, now),
    )
    return True


def out_of_step(conn: sqlite3.Connection) -> list[str]:
    """The tracked zones whose tallies differ from a count of the calls (a full count)."""
    found = []
    for key, tz in tracked(conn).items():
        days, pieces = counted(conn, tz)
        kept_days = {
            (day, outcome): [calls, small, big]
            for day, outcome, calls, small, big in conn.execute(
                "select day, outcome, calls, small_wins, big_wins from stats_days where zone = ? "
                "and (calls != 0 or small_wins != 0 or big_wins != 0)",
                (key,),
            )
        }
        kept_pieces = dict(
            ((day, slot), count)
            for day, slot, count in conn.execute(
                "select day, slot, pieces from stats_day_pieces where zone = ? and pieces != 0",
                (key,),
            )
        )
        if kept_days != days or kept_pieces != pieces:
            found.append(key)
    return found


def rebuild_all(conn: sqlite3.Connection, now: str) -> None:
    for tz in tracked(conn).values():
        rebuild(conn, tz, now)


# --- reading -------------------------------------------------------------------------------


def read(conn: sqlite3.Connection, tz: tzinfo, first: date, last: date
         ) -> tuple[list[tuple], list[tuple]]:  # fmt: skip
    """([(day, outcome, calls, small, big)], [(day, slot, pieces)]) for the local days
    first..last of zone `tz`: from the tallies when the zone is tracked, else counted from the
    calls of those days."""
    key = zone_key(tz)
    span = (first.isoformat(), last.isoformat())
    if key is not None and conn.execute(
        "select 1 from stats_zones where zone = ?", (key,)
    ).fetchone():
        days = conn.execute(
            "select day, outcome, calls, small_wins, big_wins from stats_days where zone = ? "
            "and day between ? and ? and calls != 0 order by day",
            (key, *span),
        ).fetchall()
        pieces = conn.execute(
            "select day, slot, pieces from stats_day_pieces where zone = ? and day between ? "
            "and ? and pieces != 0 order by day",
            (key, *span),
        ).fetchall()
        return days, pieces
    since = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = last + timedelta(days=1)
    until = datetime(end.year, end.month, end.day, tzinfo=tz)
    days, pieces = counted(conn, tz, rows.to_db_time(since), rows.to_db_time(until))
    return (
        sorted((day, outcome, *tally) for (day, outcome), tally in days.items()),
        sorted((day, slot, count) for (day, slot), count in pieces.items()),
    )
