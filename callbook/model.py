"""The shared vocabulary of callbook: plain dataclasses and enums, no I/O.

Every layer (store, jigsaw, capture, search, interop, UI) speaks in these types, so they hold
data only; behaviour lives in the module that owns it. Times are timezone-aware datetimes in UTC
unless a field says otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Outcome(enum.StrEnum):
    """How a call ended. The value is what the database stores."""

    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    GATEKEEPER = "gatekeeper"  # blocked at the gatekeeper
    WRONG_NUMBER = "wrong_number"
    DECISION_MAKER = "decision_maker"  # reached the decision maker
    CALLBACK = "callback"  # callback requested by the decision maker
    GATEKEEPER_CALLBACK = "gatekeeper_callback"  # a gatekeeper said to call back
    MEETING = "meeting"  # meeting booked
    NOT_INTERESTED = "not_interested"
    WON = "won"
    DO_NOT_CALL = "do_not_call"

    @property
    def code(self) -> str:
        """The short code typed after `!` in a capture line."""
        return _OUTCOME_CODES[self]

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]

    @property
    def rule(self) -> OutcomeRule:
        """What this outcome does: the one table, `OUTCOME_RULES`."""
        return OUTCOME_RULES[self]

    @property
    def connected(self) -> bool:
        """A connect: the call reached the person it was for, someone past the gatekeeper (the
        decision maker, or a person answering for themselves). A gatekeeper's block or their
        callback is not one: whom the call was for has not been reached yet."""
        return self.rule.reached in (Reach.SOMEONE, Reach.DECISION_MAKER)

    @property
    def reached_decision_maker(self) -> bool:
        return self.rule.reached == Reach.DECISION_MAKER

    @property
    def is_big_win(self) -> bool:
        """Reaching the decision maker, a callback, a meeting and a close are big wins."""
        return self.rule.big_win

    @classmethod
    def from_code(cls, code: str) -> Outcome | None:
        return _OUTCOMES_BY_CODE.get(code.strip().lower())


_OUTCOME_CODES = {
    Outcome.NO_ANSWER: "na",
    Outcome.VOICEMAIL: "vm",
    Outcome.GATEKEEPER: "gk",
    Outcome.WRONG_NUMBER: "wrong",
    Outcome.DECISION_MAKER: "dm",
    Outcome.CALLBACK: "cb",
    Outcome.GATEKEEPER_CALLBACK: "gkcb",
    Outcome.MEETING: "mtg",
    Outcome.NOT_INTERESTED: "ni",
    Outcome.WON: "won",
    Outcome.DO_NOT_CALL: "dnc",
}
_OUTCOME_LABELS = {
    Outcome.NO_ANSWER: "no answer",
    Outcome.VOICEMAIL: "voicemail",
    Outcome.GATEKEEPER: "blocked at gatekeeper",
    Outcome.WRONG_NUMBER: "wrong number",
    Outcome.DECISION_MAKER: "reached decision maker",
    Outcome.CALLBACK: "callback requested",
    Outcome.GATEKEEPER_CALLBACK: "callback asked by the gatekeeper",
    Outcome.MEETING: "meeting booked",
    Outcome.NOT_INTERESTED: "not interested",
    Outcome.WON: "won",
    Outcome.DO_NOT_CALL: "do not call",
}
OUTCOME_CODES_HELP = " ".join(f"!{code}" for code in _OUTCOME_CODES.values())
_OUTCOMES_BY_CODE = (
    {code: outcome for outcome, code in _OUTCOME_CODES.items()}
    | {o.value: o for o in Outcome}
    # who asked for the callback, spelled out: `!cb gk`, `!cb dm`
    | {"cb_gk": Outcome.GATEKEEPER_CALLBACK, "cb_dm": Outcome.CALLBACK}
)


class Role(enum.StrEnum):
    """A contact's role at a prospect."""

    GATEKEEPER = "gatekeeper"
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    CHAMPION = "champion"
    USER = "user"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Status(enum.StrEnum):
    """Where a prospect stands."""

    NEW = "new"
    ACTIVE = "active"
    MEETING = "meeting"
    WON = "won"
    LOST = "lost"
    DO_NOT_CALL = "do_not_call"

    @property
    def in_queue(self) -> bool:
        """Still to be called (the store's queue walks the same three)."""
        return self in (Status.NEW, Status.ACTIVE, Status.MEETING)


# --- what each outcome does ----------------------------------------------------------------


class Reach(enum.StrEnum):
    """Who was on the line."""

    NOBODY = "nobody"
    GATEKEEPER = "gatekeeper"
    SOMEONE = "someone"  # a person, not known to be the decision maker
    DECISION_MAKER = "decision maker"


class NextCall(enum.StrEnum):
    """What happens to the prospect's next call when the line gives no `@when`."""

    RETRY = "retry"  # back in the queue by its rules (cooldown, daily cap, hours)
    PARK = "park"  # out of the queue: until `@when` if given, else for good
    END = "end"  # no next call; an `@when` is refused


@dataclass(frozen=True)
class OutcomeRule:
    """One row of the outcome table. README.md shows the same table; a test keeps them equal."""

    reached: Reach
    big_win: bool
    status: Status | None  # the prospect's status after; None: a new prospect becomes active
    next_call: NextCall
    # The call reached whom it was for: a new objective is offered when the line sets none
    # (enter takes it, escape keeps the old one). Otherwise the objective stays as it was:
    # nothing but the caller's own `> objective` replaces it.
    wrap_up: bool
    learning: bool  # something could be learned: "what did you learn?" when nothing was


_R = OutcomeRule
OUTCOME_RULES: dict[Outcome, OutcomeRule] = {
    # who was on the line, big win, status after, next call, wrap-up, learning
    Outcome.NO_ANSWER: _R(Reach.NOBODY, False, None, NextCall.RETRY, False, False),
    Outcome.VOICEMAIL: _R(Reach.NOBODY, False, None, NextCall.RETRY, False, False),
    Outcome.GATEKEEPER: _R(Reach.GATEKEEPER, False, None, NextCall.RETRY, False, True),
    Outcome.WRONG_NUMBER: _R(Reach.NOBODY, False, None, NextCall.RETRY, False, False),
    Outcome.DECISION_MAKER: _R(Reach.DECISION_MAKER, True, None, NextCall.RETRY, True, True),
    Outcome.CALLBACK: _R(Reach.DECISION_MAKER, True, None, NextCall.RETRY, True, True),
    Outcome.GATEKEEPER_CALLBACK: _R(Reach.GATEKEEPER, False, None, NextCall.RETRY, False, True),
    Outcome.MEETING: _R(Reach.DECISION_MAKER, True, Status.MEETING, NextCall.RETRY, True, True),
    Outcome.NOT_INTERESTED: _R(Reach.SOMEONE, False, Status.LOST, NextCall.PARK, False, True),
    Outcome.WON: _R(Reach.DECISION_MAKER, True, Status.WON, NextCall.END, False, False),
    Outcome.DO_NOT_CALL: _R(Reach.SOMEONE, False, Status.DO_NOT_CALL, NextCall.END, False, False),
}  # fmt: skip
del _R


def status_after(outcome: Outcome, before: Status, *, parked_until: bool = False) -> Status:
    """The prospect's status once a call with `outcome` is recorded.

    Do-not-call is sticky: no outcome lifts it (only `Store.lift_do_not_call` does, and it is
    recorded). `!ni` with a date parks the prospect in the queue until then instead of losing
    it; without one it is lost. A lost prospect stays lost through a no-answer, but not once
    its decision maker is on the line again (they called in, say)."""
    if before is Status.DO_NOT_CALL:
        return Status.DO_NOT_CALL
    rule = OUTCOME_RULES[outcome]
    if before is Status.LOST and rule.reached is Reach.DECISION_MAKER and rule.status is None:
        return Status.ACTIVE  # a lost prospect's decision maker on the line: back in play
    if rule.next_call is NextCall.PARK and parked_until:
        return Status.ACTIVE
    if rule.status is not None:
        return rule.status
    return Status.ACTIVE if before is Status.NEW else before


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One place in a jigsaw: what to learn about a prospect and the question that gets it."""

    key: str
    label: str
    question: str
    weight: float = 1.0
    aliases: tuple[str, ...] = ()
    role: Role | None = None  # a piece in this slot names a contact with this role
    availability: bool = False  # values are availability rules ("not Tuesdays")
    lifetime_days: int | None = None  # a piece goes stale this long after it was confirmed

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a caller may type for this slot: key, label, aliases."""
        return (self.key, self.label, *self.aliases)


@dataclass(frozen=True)
class TalkCard:
    """A short card of questions or objection answers shown during a call."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class AttemptPlan:
    """How often to try a prospect nobody has answered for, and when to stop.

    Attempt n (0-based) is due `spacing[n]` days after the first (the last gap repeats past the
    list); after `max` attempts the prospect is parked for `park_days` (None: the plan ends and
    it leaves the queue). With `shift`, an attempt after a no-answer is due at the other half
    of the prospect's day (morning <-> afternoon)."""

    spacing: tuple[int, ...] = (0, 1, 3, 6)
    max: int = 5
    park_days: int | None = 30
    shift: bool = True


@dataclass(frozen=True)
class Template:
    """An ordered list of slots; a prospect's jigsaw is drawn from its template."""

    key: str
    name: str
    slots: tuple[Slot, ...]
    description: str = ""
    talk_tracks: tuple[TalkCard, ...] = ()
    source: str = "built-in"
    plan: AttemptPlan | None = None  # how to retry a prospect never reached; None: no plan

    def slot(self, key: str) -> Slot | None:
        for slot in self.slots:
            if slot.key == key:
                return slot
        return None


# --- the book ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prospect:
    id: int
    name: str
    company: str | None = None
    phones: tuple[str, ...] = ()
    email: str | None = None
    website: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    timezone: str | None = None  # IANA name, e.g. "Europe/Berlin"
    status: Status = Status.NEW
    priority: int = 3  # 1 (highest) .. 5 (lowest)
    tags: tuple[str, ...] = ()
    template: str = "cold_call"
    next_call_at: datetime | None = None
    next_objective: str | None = None
    last_call_at: datetime | None = None
    call_count: int = 0
    created_at: datetime | None = None

    @property
    def do_not_call(self) -> bool:
        return self.status is Status.DO_NOT_CALL


@dataclass(frozen=True)
class Contact:
    id: int
    prospect_id: int
    name: str
    role: Role = Role.OTHER
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    call_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Answering:
    """A person who picks up at a prospect (a gatekeeper on one shift or another): how often,
    when last, and what they gave ("slot: value" of the pieces learned on those calls)."""

    contact: Contact
    answered: int = 0
    last_answered_at: datetime | None = None
    gave: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """One fact filling a slot. Never overwritten: a newer piece supersedes it."""

    id: int
    prospect_id: int
    slot: str
    value: str
    learned_at: datetime
    call_id: int | None = None
    superseded_by: int | None = None
    superseded_at: datetime | None = None
    undone_at: datetime | None = None
    confirmed_at: datetime | None = None  # the same value said again: still true then

    @property
    def fresh_from(self) -> datetime:
        """When the piece was last known true: confirmed, else learned."""
        return max(self.learned_at, self.confirmed_at or self.learned_at)

    @property
    def current(self) -> bool:
        return self.superseded_by is None and self.undone_at is None


class Answerer(enum.StrEnum):
    """Who picked up a call: part of the call, with the number dialled."""

    GATEKEEPER = "gatekeeper"
    DECISION_MAKER = "decision_maker"
    SOMEONE = "someone"  # someone else: a colleague, a wrong number's owner
    MACHINE = "machine"  # voicemail, an answering service

    @property
    def label(self) -> str:
        return {"someone": "someone else", "decision_maker": "decision maker"}.get(
            self.value, self.value
        )


@dataclass(frozen=True)
class ProspectPhone:
    """One number of a prospect, a row of the `phones` table."""

    id: int
    prospect_id: int
    number: str  # E.164 where it parsed, else as typed; no extension
    e164: str | None
    typed: str
    extension: str | None = None
    label: str = "other"  # direct, mobile, switchboard, company, home, assistant, other
    source: str | None = None
    note: str | None = None
    status: str = "ok"  # ok, wrong, do-not-call
    position: int = 0
    last_dialled_at: datetime | None = None
    dialled: int = 0
    answered: int = 0
    reached_dm: int = 0
    machine: int = 0
    wrong: int = 0

    @property
    def stored(self) -> str:
        """As the book's lists hold it: E.164 with `;ext=`, or as typed."""
        return f"{self.number};ext={self.extension}" if self.extension else self.number

    @property
    def dialable(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Call:
    id: int
    prospect_id: int
    started_at: datetime
    ended_at: datetime
    outcome: Outcome
    session_id: int | None = None
    objective: str | None = None  # what the call was planned for
    notes: str | None = None
    next_call_at: datetime | None = None
    next_objective: str | None = None
    tags: tuple[str, ...] = ()
    small_wins: int = 0
    big_wins: int = 0
    undone_at: datetime | None = None
    phone_id: int | None = None  # the row of the number dialled
    dialled: str | None = None  # the number dialled, as stored
    answered_by: Answerer | None = None  # None: nobody picked up
    contact_id: int | None = None  # the known person who answered
    outside_hours: bool = False  # forced outside the prospect's legal hours


@dataclass(frozen=True)
class Session:
    id: int
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True)
class Scoreboard:
    """What a calling session (or any span of time) has scored."""

    calls: int = 0
    connects: int = 0
    decision_makers: int = 0
    small_wins: int = 0
    big_wins: int = 0
    pieces: int = 0
    meetings: int = 0


class QueueReason(enum.StrEnum):
    CALLBACK = "callback"
    NEVER_CALLED = "never called"
    FOLLOW_UP = "follow-up"


@dataclass(frozen=True)
class QueueEntry:
    prospect: Prospect
    reason: QueueReason
    due_at: datetime | None = None
    callable: bool = True  # can be called now (else it waits, after the callable ones)
    callable_at: datetime | None = None  # when it becomes callable; None: no time found
    why: str = ""  # one line for people: "Tom is off on Tuesdays", "20:04 local" ...
    zone: str | None = None  # the prospect's IANA zone; None: unknown (shown as "?")
    zone_source: str | None = None  # "prospect", "phone" or "place": where the zone came from
    local_time: datetime | None = None  # now, in the prospect's zone
    skipped: bool = False  # skipped today: at the back of the queue
    attempts_today: int = 0
    availability: tuple[str, ...] = ()  # availability pieces in force, as written
    not_understood: tuple[str, ...] = ()  # those of them no rule could be read from
    dnc_numbers: tuple[str, ...] = ()  # the prospect's numbers on the do-not-call list
    attempt: int | None = None  # its attempt plan's next attempt ("attempt 3 of 5"); None: no plan
    attempts_max: int | None = None  # its attempt plan's maximum


# --- a call being recorded -----------------------------------------------------------------


@dataclass(frozen=True)
class NewContact:
    name: str
    role: Role = Role.OTHER
    title: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class NewCall:
    """Everything one call records; the store writes it in one transaction."""

    prospect_id: int
    started_at: datetime
    ended_at: datetime
    outcome: Outcome
    pieces: tuple[tuple[str, str], ...] = ()  # (slot key, value), in capture order
    contacts: tuple[NewContact, ...] = ()
    session_id: int | None = None
    objective: str | None = None
    notes: str | None = None
    next_call_at: datetime | None = None
    next_objective: str | None = None
    tags: tuple[str, ...] = ()
    capture: str | None = None  # the line as typed, kept with the call
    dialled: str | None = None  # the number dialled; None: the prospect's first to dial
    outside_hours: bool = False  # forced outside the prospect's legal hours


# --- a parsed capture line -----------------------------------------------------------------


def same_value(a: str, b: str) -> bool:
    """Two piece values say the same thing (case and spacing aside): no change, no win."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class Change(enum.StrEnum):
    """What a captured piece does to the jigsaw."""

    NEW = "new"  # fills a missing slot: a small win
    CHANGED = "changed"  # replaces a known value: a small win
    SAME = "same"  # repeats the known value: no win


@dataclass(frozen=True)
class CaptureError:
    """A clause that could not be understood. Positions are 1-based."""

    clause: int  # which clause, counting from 1
    column: int  # character position of the clause's start in the line
    text: str  # the clause as typed
    message: str
    suggestion: str | None = None  # "did you mean ..." target, if any

    def __str__(self) -> str:
        return f"clause {self.clause} (column {self.column}) {self.text!r}: {self.message}"


@dataclass(frozen=True)
class CapturedPiece:
    slot: str  # the template slot key
    value: str
    clause: int
    column: int


@dataclass(frozen=True)
class Capture:
    """One capture line, parsed. `errors` is empty when it can be committed."""

    line: str
    pieces: tuple[CapturedPiece, ...] = ()
    outcome: Outcome | None = None
    next_call_at: datetime | None = None
    objective: str | None = None
    tags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    errors: tuple[CaptureError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def empty(self) -> bool:
        return not self.line.strip()


@dataclass(frozen=True)
class Wins:
    small: int = 0
    big: int = 0
    reasons: tuple[str, ...] = field(default=())
