"""What a parsed capture will record: each piece as new, changed or same, and the wins it scores.

Wins are always derived here from the capture and the prospect's known pieces, never typed:
the preview shows them and the store writer records the same numbers through `wins_for`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from callbook.config import CallingHours, LegalHours
from callbook.model import Capture, Change, Slot, Template, Wins, same_value

NUDGE = "what did you learn?"


@dataclass(frozen=True)
class PiecePreview:
    slot: Slot
    value: str
    change: Change
    old_value: str | None  # the known value it repeats or replaces


@dataclass(frozen=True)
class Preview:
    capture: Capture
    pieces: tuple[PiecePreview, ...]
    wins: Wins
    nudge: str | None  # a prompt for the caller, e.g. when a connect recorded nothing


def change_of(value: str, old_value: str | None) -> Change:
    if old_value is None:
        return Change.NEW
    return Change.SAME if same_value(value, old_value) else Change.CHANGED


def wins_for(capture: Capture, known: Mapping[str, str], template: Template | None = None) -> Wins:
    """The wins a capture scores against the known pieces (slot key -> current value).

    Every new or changed piece is a small win; a big-win outcome is one big win. With a
    template, reasons name slots by label, else by key.
    """
    reasons: list[str] = []
    for piece in capture.pieces:
        change = change_of(piece.value, known.get(piece.slot))
        if change is not Change.SAME:
            slot = template.slot(piece.slot) if template is not None else None
            reasons.append(f"{change.value}: {slot.label if slot else piece.slot}")
    small, big = len(reasons), 0
    outcome = capture.outcome
    if outcome is not None and outcome.is_big_win:
        big = 1
        reasons.append(outcome.label)
    return Wins(small=small, big=big, reasons=tuple(reasons))


def preview(capture: Capture, template: Template, known: Mapping[str, str]) -> Preview:
    """Everything the capture bar shows before Enter."""
    pieces = []
    for piece in capture.pieces:
        slot = template.slot(piece.slot) or Slot(key=piece.slot, label=piece.slot, question="")
        old = known.get(piece.slot)
        pieces.append(PiecePreview(slot, piece.value, change_of(piece.value, old), old))
    wins = wins_for(capture, known, template)
    # A connect that recorded nothing new is worth a prompt; a no-answer has nothing to learn.
    learned = any(p.change is not Change.SAME for p in pieces)
    connected = capture.outcome is not None and capture.outcome.connected
    nudge = NUDGE if connected and not learned else None
    return Preview(capture, tuple(pieces), wins, nudge)


# --- a next call, as the caller reads it ---------------------------------------------------


@dataclass(frozen=True)
class WhenShown:
    """A next call's time as the preview and snooze show it, and a warning when it falls
    outside the prospect's calling hours (shown in the error colour)."""

    text: str  # "Thu 3 Dec 09:30 their time · 15:30 yours"
    warning: str | None = None


def show_when(
    when: datetime, now: datetime, caller_tz: tzinfo, prospect_tz: tzinfo | None,
    hours: CallingHours | None = None, legal: LegalHours | None = None,
) -> WhenShown:  # fmt: skip
    """Both times (theirs first: what was said on the phone), or the caller's marked `?` when
    the prospect's zone is unknown; warned outside the legal floor or the calling hours."""
    from callbook.timefmt import call_time

    hours = hours or CallingHours()
    legal = legal or LegalHours()
    if prospect_tz is None:
        text = f"{call_time(when, now, caller_tz)} your time · their zone unknown ?"
    else:
        theirs, mine = when.astimezone(prospect_tz), when.astimezone(caller_tz)
        text = f"{call_time(when, now, prospect_tz)} their time"
        if theirs.utcoffset() == mine.utcoffset():
            text += " and yours"
        elif theirs.date() == mine.date():
            text += f" · {mine:%H:%M} yours"
        else:
            text += f" · {call_time(when, now, caller_tz)} yours"
    local = when.astimezone(prospect_tz or caller_tz)
    minute = local.hour * 60 + local.minute
    whose = "their" if prospect_tz is not None else "your"
    start, end = legal.widest
    hours_start = hours.start.hour * 60 + hours.start.minute
    hours_end = hours.end.hour * 60 + hours.end.minute or 24 * 60
    if not start <= minute < end:
        warning = f"outside the legal hours ({legal.start:%H:%M}–{legal.end:%H:%M} {whose} time)"
    elif local.weekday() not in hours.days or not hours_start <= minute < hours_end:
        warning = f"outside calling hours ({hours.start:%H:%M}–{hours.end:%H:%M} {whose} time)"
    else:
        warning = None
    return WhenShown(text, warning)
