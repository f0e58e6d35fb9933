"""The capture grammar: one typed line becomes a `Capture`, with every problem as a `CaptureError`.

A line is split into clauses by `;`. Each clause, trimmed, is one of:

    slot: value    a piece (slot = key, label or alias of the template)
    !code          the outcome (`!gk`, or the long form `!voicemail`, `!no answer`)
    @when          the next call (`@tomorrow 9:30`, `@thu`, `@+3d`, `@2026-12-01 14:30` ...)
    > objective    what the next call is for
    +tag +tag      tags (a clause starting with `+` and a digit is a phone number: a note)
    anything else  a note; `note: text` keeps a note that would otherwise read as `slot: value`

Clauses are numbered as the caller sees them split by `;`, empty ones included, so that clause
N is always `line.split(";")[N - 1]`; `column` is the 1-based position of the clause's first
non-space character.

A piece naming a decision maker with a title (`dm: Tom Li, Ops Director`) also fills the
template's `dm_role` slot, if it has one and the line does not fill it itself.

A clause with a `:` is a piece when the part before the first `:` names a slot. When it does
not, it is an "unknown slot" error if that part looks like a slot name (1-4 words of letters,
digits, `& . / ' - _`, starting with a letter, not ending in a number) and the `:` is followed by
a space or ends the clause; otherwise it is a note ("ratio 3:1", "https://...", "call at 9:30").

`parse` never raises: control characters become spaces in values and notes, and any line,
however long or strange, comes back as a `Capture`.

`@when` is a time said on the phone: read in the prospect's zone when it is known (else in the
caller's), or in the caller's own when it ends in `mine` (`@thu 9:30 mine`); returned in UTC, to
the minute. Its words are `callbook.when`'s, shared with availability, snooze and imports:
- `+30m`, `+2h`, `in 2 hours`: that long after now.
- a day (`tomorrow`, `tmrw`, `thu`, `next tue`, `next week`, `in a fortnight`, `+3d`, `dec 1`,
  `2026-12-01` ...), followed or preceded by a time (`9:30`, `3pm`, `at 14:00`, `3` by the
  bare-hour rule, `morning`, `eod`), else at `default_hour`:00.
- a time alone: today if it is still ahead, else tomorrow.
Anything not after now is an error ("... is in the past"), as are impossible dates and times and
dates past the horizon (`when.HORIZON_YEARS`).
A local time that does not exist (the spring-forward gap) moves forward by the length of the gap
(02:30 -> 03:30); a local time that happens twice (fall back) is the first of the two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from callbook import when as when_words
from callbook.capture.apply import split_name_title
from callbook.clock import as_utc
from callbook.jigsaw import normalize_name, resolve_slot, suggest_slot
from callbook.model import Capture, CapturedPiece, CaptureError, Outcome, Role, Slot, Template

OUTCOME_HELP = "  ".join(f"!{o.code} {o.label}" for o in Outcome)
WHEN_HELP = when_words.WHEN_HELP

_CODES = " ".join(f"!{o.code}" for o in Outcome)
_NOTE_NAMES = ("note", "notes")
# The slot a template keeps for the title of a contact with this role.
TITLE_SLOTS = {Role.DECISION_MAKER: "dm_role"}


# --- slot names ----------------------------------------------------------------------------
# Slot names resolve exactly as everywhere else (jigsaw.resolve_slot / suggest_slot).

_norm = normalize_name


def _closest_name(slot: Slot, typed: str) -> str:
    """The name of `slot` nearest to what was typed, to show in "did you mean ...?"."""
    from rapidfuzz import fuzz

    wanted = _norm(typed)
    names = list(dict.fromkeys(_norm(n) for n in slot.names))
    return max(names, key=lambda n: (n.startswith(wanted), fuzz.ratio(wanted, n)))


_SLOT_LIKE = re.compile(r"[^\W\d_][\w&./'’-]*(?:\s+[\w&./'’-]+){0,3}")


def _slot_like(name: str) -> bool:
    if len(name) > 60 or not _SLOT_LIKE.fullmatch(name):
        return False
    return not name.split()[-1].isdigit()


# --- clauses -------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Control characters become spaces, lone surrogates U+FFFD; then trim."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat == "Cc" else "\ufffd" if cat == "Cs" else ch)
    return "".join(out).strip()


@dataclass(frozen=True)
class _Clause:
    number: int
    column: int
    text: str


def _clauses(line: str) -> Iterator[_Clause]:
    start = 0
    for number, raw in enumerate(line.split(";"), start=1):
        text = raw.strip()
        if text:
            yield _Clause(number, start + len(raw) - len(raw.lstrip()) + 1, text)
        start += len(raw) + 1


@dataclass
class _Builder:
    template: Template
    now: datetime
    tz: tzinfo  # the caller's zone
    default_hour: int
    prospect_tz: tzinfo | None = None  # the zone `@when` is read in, when known
    pieces: list[CapturedPiece] = field(default_factory=list)
    slot_clause: dict[str, int] = field(default_factory=dict)
    outcome: Outcome | None = None
    outcome_clause: int = 0
    next_call_at: datetime | None = None
    when_clause: int = 0
    objective: str | None = None
    objective_clause: int = 0
    tags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[CaptureError] = field(default_factory=list)

    def error(self, clause: _Clause, message: str, suggestion: str | None = None) -> None:
        self.errors.append(
            CaptureError(clause.number, clause.column, clause.text, message, suggestion)
        )

    def note(self, text: str) -> None:
        text = _clean(text)
        if text:
            self.notes.append(text)

    def take(self, clause: _Clause) -> None:
        # Read the cleaned text; errors still quote the clause exactly as typed.
        body = _clean(clause.text)
        head = body[:1]
        if head == "!":
            self.take_outcome(clause, body)
        elif head == "@":
            self.take_when(clause, body)
        elif head == ">":
            self.take_objective(clause, body)
        elif head == "+" and not body[1:2].isdigit():
            self.take_tags(clause, body)
        elif ":" in body:
            self.take_piece(clause, body)
        else:
            self.note(body)

    def take_outcome(self, clause: _Clause, body: str) -> None:
        code = body[1:].strip()
        if not code:
            self.error(clause, f"no outcome after '!'; use one of {_CODES}")
            return
        outcome = Outcome.from_code(re.sub(r"[\s-]+", "_", code))
        if outcome is None:
            self.error(clause, f"unknown outcome '!{code}'; use one of {_CODES}")
        elif self.outcome is not None:
            self.error(clause, f"outcome given twice (first in clause {self.outcome_clause})")
        else:
            self.outcome, self.outcome_clause = outcome, clause.number

    def take_when(self, clause: _Clause, body: str) -> None:
        try:
            when = parse_when(
                body[1:], self.now, self.prospect_tz or self.tz,
                default_hour=self.default_hour, mine_tz=self.tz,
            )  # fmt: skip
        except ValueError as exc:
            self.error(clause, str(exc))
            return
        if self.next_call_at is not None:
            self.error(clause, f"next call given twice (first in clause {self.when_clause})")
        else:
            self.next_call_at, self.when_clause = when, clause.number

    def take_objective(self, clause: _Clause, body: str) -> None:
        objective = body[1:].strip()
        if not objective:
            self.error(clause, "no objective after '>'")
        elif self.objective is not None:
            self.error(clause, f"objective given twice (first in clause {self.objective_clause})")
        else:
            self.objective, self.objective_clause = objective, clause.number

    def take_tags(self, clause: _Clause, body: str) -> None:
        tags = []
        for token in body.split():
            match = _TAG.fullmatch(token)
            if match is None:
                self.error(
                    clause, f"bad tag '{token}'; a tag is + and a word of letters, digits, - or _"
                )
                return
            tags.append(match[1].lower())
        for tag in tags:
            if tag not in self.tags:
                self.tags.append(tag)

    def take_piece(self, clause: _Clause, body: str) -> None:
        name, _, rest = body.partition(":")
        name = name.strip()
        slot = resolve_slot(self.template, name)
        if slot is None and _norm(name) in _NOTE_NAMES:
            if rest.strip():
                self.note(rest)
            else:
                self.error(clause, f"no text after '{name}:'")
            return
        if slot is None:
            if _slot_like(name) and (not rest or rest[0].isspace()):
                self.unknown_slot(clause, name)
            else:
                self.note(body)
            return
        value = rest.strip()
        if not value:
            self.error(clause, f"no value for {slot.label}")
        elif slot.key in self.slot_clause:
            first = self.slot_clause[slot.key]
            self.error(clause, f"{slot.label} given twice (first in clause {first})")
        else:
            self.slot_clause[slot.key] = clause.number
            self.pieces.append(CapturedPiece(slot.key, value, clause.number, clause.column))

    def unknown_slot(self, clause: _Clause, name: str) -> None:
        near = suggest_slot(self.template, name)
        if near is not None:
            suggestion = _closest_name(near, name)
            self.error(clause, f"unknown slot '{name}'; did you mean '{suggestion}'?", suggestion)
        else:
            self.error(clause, f"unknown slot '{name}'; for a note, start the clause with 'note:'")

    def with_titles(self) -> tuple[CapturedPiece, ...]:
        """The pieces, each naming a contact with a title followed by that title as a piece
        of the template's title slot (from the same clause), unless the line fills it."""
        pieces = []
        filled = set(self.slot_clause)
        for piece in self.pieces:
            pieces.append(piece)
            slot = self.template.slot(piece.slot)
            key = TITLE_SLOTS.get(slot.role) if slot is not None else None
            if key is None or key in filled or self.template.slot(key) is None:
                continue
            title = split_name_title(piece.value)[1]
            if title:
                filled.add(key)
                pieces.append(CapturedPiece(key, title, piece.clause, piece.column))
        return tuple(pieces)

    def capture(self, line: str) -> Capture:
        return Capture(
            line=line,
            pieces=self.with_titles(),
            outcome=self.outcome,
            next_call_at=self.next_call_at,
            objective=self.objective,
            tags=tuple(self.tags),
            notes=tuple(self.notes),
            errors=tuple(self.errors),
        )


_TAG = re.compile(r"\+([^\W_][\w-]*)")


# A piece, a note or an objective is a few words; a megabyte pasted by mistake is not one.
MAX_CLAUSE_CHARS = 2000
MAX_LINE_CHARS = 10_000


def parse(
    line: str, template: Template, now: datetime, tz: tzinfo, *, default_hour: int = 9,
    prospect_tz: tzinfo | None = None,
) -> Capture:
    """Read one capture line. Never raises on any `line`; problems are in `Capture.errors`.
    `tz` is the caller's zone; `prospect_tz` the prospect's, when known."""
    builder = _Builder(template, as_utc(now), tz, default_hour, prospect_tz)
    if len(line) > MAX_LINE_CHARS:  # refused whole: reading it would freeze every keystroke
        clause = _Clause(1, 1, line[:40] + "…")
        builder.error(clause, f"the line is too long ({len(line)} characters; the most is "
                      f"{MAX_LINE_CHARS})")  # fmt: skip
        return builder.capture(line)
    for clause in _clauses(line):
        if len(clause.text) > MAX_CLAUSE_CHARS:
            shown = _Clause(clause.number, clause.column, clause.text[:40] + "…")
            builder.error(shown, f"too long ({len(clause.text)} characters; a clause holds at "
                          f"most {MAX_CLAUSE_CHARS})")  # fmt: skip
            continue
        builder.take(clause)
    return builder.capture(line)


# --- @when ---------------------------------------------------------------------------------


def parse_when(
    text: str, now: datetime, tz: tzinfo, *, default_hour: int = 9, mine_tz: tzinfo | None = None
) -> datetime:
    """`when.parse_when` on the cleaned text: read in `tz`, or `mine_tz` after `mine`."""
    return when_words.parse_when(
        _clean(text), as_utc(now), tz, default_hour=default_hour, mine_tz=mine_tz
    )


# --- completion ----------------------------------------------------------------------------


def complete_slot(line: str, cursor: int, template: Template) -> list[str]:
    """Completions for the clause under the cursor, best first.

    Each completion replaces the clause's text from its first non-space character up to the
    cursor: slot names while the slot part is being typed, `!code`s after a `!`.
    """
    cursor = max(0, min(cursor, len(line)))
    typed = line[line.rfind(";", 0, cursor) + 1 : cursor].lstrip()
    if typed.startswith("!"):
        wanted = re.sub(r"[\s-]+", "_", typed[1:].lstrip().casefold())
        codes = [o.code for o in Outcome] + [o.value for o in Outcome if o.value != o.code]
        return [f"!{code}" for code in codes if code.startswith(wanted)]
    if typed[:1] in ("@", ">", "+") or ":" in typed or len(typed.split()) > 4:
        return []
    wanted = re.sub(r"[\s_\-]+", " ", typed.casefold()).lstrip()
    names: dict[str, int] = {}
    for index, slot in enumerate(template.slots):
        for name in slot.names:
            names.setdefault(_norm(name), index)
    found = [name for name in names if name.startswith(wanted)]
    return sorted(found, key=lambda name: (name != wanted.strip(), len(name), names[name]))
