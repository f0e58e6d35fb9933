"""When a piece goes stale: facts decay (a gatekeeper moves on, a vendor is replaced).

A slot's `lifetime` (a template key: `lifetime = "6 months"`) says how long a piece stays fresh
after it was last known true (learned, or confirmed: the same value said again). An
availability piece that says "back on 12 Jan" is stale once that date has passed, whatever its
lifetime. Pure: no SQL, no clock.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from callbook import availability
from callbook import when as when_words
from callbook.model import Piece, Slot


def stale_at(slot: Slot, piece: Piece, tz: tzinfo) -> datetime | None:
    """The moment `piece` of `slot` goes stale (UTC); None when it never does. `tz` is the
    prospect's zone: a "back on" date is their date."""
    ends: list[datetime] = []
    if slot.lifetime_days is not None:
        ends.append(piece.fresh_from + timedelta(days=slot.lifetime_days))
    if slot.availability:
        rule = availability.parse(piece.value, piece.fresh_from.astimezone(tz).date())
        if rule.back_on is not None:
            after = rule.back_on + timedelta(days=1)  # stale the day after the date passed
            ends.append(when_words.instant(after, time(0), tz))
    return min(ends, default=None)


def is_stale(slot: Slot, piece: Piece, now: datetime, tz: tzinfo) -> bool:
    at = stale_at(slot, piece, tz)
    return at is not None and now >= at


def confirm_question(slot: Slot, piece: Piece) -> str:
    """The objective that would refresh a stale piece: "confirm DM role is still Ops Director"."""
    return f"confirm {slot.label} is still {piece.value}"
