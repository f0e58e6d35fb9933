"""The call flow: idle -> on call -> wrap-up -> idle, the same for the app and `callbook log`.

Its rules are the product's ("The call" in the brief); each is written here once:
- start: any prospect, in today's queue or not; never one that is do-not-call, or whose every
  number is on the do-not-call list, unless forced (the command line's --force).
- commit: the line is parsed and recorded in one transaction (the draft of this app deleted
  with it); what the outcome does is the outcome table (`model.OUTCOME_RULES`), applied by
  the store.
- the wrap-up: after a call whose line set no `> objective`, when the outcome reached whom the
  call was for (or learning was possible and no objective is in force) and the prospect stays
  in the queue, an objective is offered: enter takes it, a typed one replaces it, escape keeps
  the one in force (never erases it). A line typed there that is clearly a capture (starts
  with `!`, `@`, or names a slot) is not an objective: it is forwarded to the next call.
- the one-key paths: a no-answer or a voicemail recorded on a prospect without typing.
- undo: the last call of the session, its line back in the capture when no call is on.

Nothing here imports Textual: the app renders what these methods return.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from callbook.capture.grammar import misspelt_slot
from callbook.capture.preview import Preview
from callbook.desk import Desk, ObjectiveOffer
from callbook.jigsaw import resolve_slot
from callbook.model import (
    Call,
    Capture,
    NextCall,
    Outcome,
    Prospect,
    Reach,
    Status,
    status_after,
)
from callbook.service.draft_keeper import DraftKeeper, UnsentLine, payload
from callbook.store import StoreError


class Phase(enum.StrEnum):
    IDLE = "idle"
    ON_CALL = "on call"
    WRAP_UP = "wrap-up"


class CallRefused(ValueError):
    """A call that may not start (do-not-call, another call in progress); one line."""


class NothingToUndo(ValueError):
    """No call of this session is left to undo."""


@dataclass(frozen=True)
class ActiveCall:
    prospect: Prospect
    started_at: datetime
    objective: str | None  # what this call is for (the one in force, else the jigsaw's)
    # The number dialled, chosen at start: the prospect's first number not on the
    # do-not-call list. It goes with the recorded call (NewCall.dialled).
    dialled: str | None = None


@dataclass(frozen=True)
class WrapUp:
    """A call just recorded whose line set no objective, and the one offered for the next."""

    call: Call
    prospect: Prospect
    offer: ObjectiveOffer
    kept: str | None  # the objective in force, which escape keeps

    @property
    def suggestion(self) -> str:
        return self.offer.objective


@dataclass(frozen=True)
class Aftermath:
    """What a line will do to the prospect, for the preview to say before enter."""

    outcome: Outcome
    status: Status  # the prospect's status after
    next_call: NextCall  # retry (by the queue's rules), park or end
    next_call_at: datetime | None  # the line's @when, when one is kept
    objective: str | None  # in force after the call
    objective_kept: bool  # the line set none: the one in force stays
    do_not_call_stays: bool  # the prospect was do-not-call and stays so
    cooldown: timedelta  # the queue's wait before a retry
    numbers: str | None = None  # what the outcome does to the numbers (!wrong, !dnc), one line
    no_number_left: bool = False  # !wrong retires the last number: it leaves the queue
    plan_spaced: bool = False  # a retry waits for the next try of an attempt plan too


@dataclass(frozen=True)
class LinePreview:
    preview: Preview
    aftermath: Aftermath | None  # None until the line has an outcome


@dataclass(frozen=True)
class Committed:
    call: Call
    prospect: Prospect  # as the call left it
    wrap_up: WrapUp | None  # the objective offered, if any


@dataclass(frozen=True)
class WrapUpDone:
    call: Call
    prospect: Prospect
    objective: str | None  # in force for the next call
    replaced: bool  # the caller chose it (enter or typed), else it was kept
    forwarded: str | None = None  # a capture line typed at the wrap-up: the next call's


@dataclass(frozen=True)
class Undone:
    call: Call
    prospect: Prospect  # as it is after the undo
    restarted: ActiveCall | None  # the call back on, its line to put in the capture
    line: str | None


def typed_objective(line: str) -> str:
    """An objective typed at the wrap-up, without the `>` a capture line would put before it."""
    return line.strip().removeprefix(">").strip()


def looks_like_capture(line: str, desk: Desk, prospect: Prospect) -> bool:
    """A line that is clearly a capture, not an objective: it starts with `!` or `@`, or its
    first clause names a slot (or a close misspelling of one) before a colon."""
    text = line.strip()
    if text[:1] in ("!", "@"):
        return True
    head, colon, _ = text.split(";", 1)[0].partition(":")
    if not colon or not head.strip():
        return False
    template = desk.template_for(prospect)
    return resolve_slot(template, head) is not None or misspelt_slot(template, head) is not None


def offers_wrap_up(outcome: Outcome, objective_in_force: str | None) -> bool:
    """After a line that set no objective: the call reached whom it was for (a new objective
    is due), or it could have taught something and no objective is in force."""
    rule = outcome.rule
    return rule.wrap_up or (rule.learning and not objective_in_force)


class CallFlow:
    """One caller's calls on one desk. Holds the call in progress or the wrap-up; every write
    goes through the store, in one transaction each."""

    def __init__(
        self, desk: Desk, *, session_id: int | None = None, drafts: DraftKeeper | None = None
    ) -> None:
        self.desk = desk
        self.store = desk.store
        self.session_id = session_id
        self.drafts = drafts
        self.call: ActiveCall | None = None
        self.wrap_up: WrapUp | None = None
        self.last: Committed | None = None  # the last call recorded here, until the next starts

    @property
    def phase(self) -> Phase:
        if self.call is not None:
            return Phase.ON_CALL
        return Phase.WRAP_UP if self.wrap_up is not None else Phase.IDLE

    # --- starting ------------------------------------------------------------------------

    def guard(self, prospect: Prospect) -> str | None:
        """Why `prospect` may not be called, or None."""
        if prospect.do_not_call:
            return f"#{prospect.id} {prospect.name} is marked do-not-call"
        blocked = self.store.blocked_numbers(prospect)
        if prospect.phones and set(blocked) >= set(prospect.phones):
            return f"#{prospect.id} {prospect.name}: {', '.join(blocked)} on the do-not-call list"
        return None

    def start(
        self,
        prospect: Prospect,
        *,
        started_at: datetime | None = None,
        dialled: str | None = None,
        force: bool = False,
    ) -> ActiveCall:
        """Begin a call on `prospect` (read again from the book). A wrap-up still open ends,
        keeping the objective in force. Raises CallRefused."""
        if self.call is not None:
            if self.call.prospect.id == prospect.id:
                return self.call
            raise CallRefused(
                f"you are on a call with {self.call.prospect.name}: commit or drop it first"
            )
        fresh = self.store.get_prospect(prospect.id)
        if fresh is None:
            raise CallRefused(f"no prospect #{prospect.id}")
        reason = None if force else self.guard(fresh)
        if reason is not None:
            raise CallRefused(reason)
        if self.wrap_up is not None:
            self.keep_objective()
        if dialled is None:  # a direct line learned on a call, else the first still dialable
            first = self.store.number_to_dial(fresh.id)
            dialled = first.stored if first is not None else None
        objective = fresh.next_objective or self.desk.suggested_objective(fresh)
        self.call = ActiveCall(fresh, started_at or self.desk.now(), objective, dialled)
        self.last = None
        return self.call

    def refresh(self) -> None:
        """Another process wrote: the prospect on the call, as the book has it now."""
        if self.call is not None:
            fresh = self.store.get_prospect(self.call.prospect.id)
            if fresh is not None:
                self.call = replace(self.call, prospect=fresh)

    def drop(self) -> None:
        """Leave the call without recording anything; its draft goes."""
        self.call = None
        if self.drafts is not None:
            self.drafts.clear()

    # --- the line ------------------------------------------------------------------------

    def aftermath(self, capture: Capture, prospect: Prospect) -> Aftermath | None:
        outcome = capture.outcome
        if outcome is None:
            return None
        rule = outcome.rule
        when = capture.next_call_at if rule.next_call is not NextCall.END else None
        status = status_after(outcome, prospect.status, parked_until=when is not None)
        cooldown = self.store.queue_settings.cooldown
        numbers, no_number_left = None, False
        if outcome in (Outcome.WRONG_NUMBER, Outcome.DO_NOT_CALL):  # (read on every keystroke)
            dialled = self.call.dialled if self.call is not None else None
            numbers = self.desk.number_effect(prospect, outcome, dialled)
            dialable = [n for n in self.store.phones(prospect.id) if n.dialable]
            no_number_left = outcome is Outcome.WRONG_NUMBER and len(dialable) == 1
        plan_spaced = (
            rule.next_call is NextCall.RETRY and when is None
            and (self.store.attempt_plan(prospect.id) or self.desk.template_for(prospect).plan)
            is not None
        )  # fmt: skip
        return Aftermath(
            outcome=outcome,
            status=status,
            next_call=rule.next_call,
            next_call_at=when,
            objective=capture.objective or prospect.next_objective,
            objective_kept=capture.objective is None,
            do_not_call_stays=prospect.do_not_call,
            cooldown=cooldown,
            numbers=numbers,
            no_number_left=no_number_left,
            plan_spaced=plan_spaced,
        )

    def preview(self, line: str, known: dict[str, str] | None = None) -> LinePreview:
        """What `line` will record on the call in progress."""
        prospect = self.call.prospect
        shown = self.desk.preview(prospect, line, known)
        return LinePreview(shown, self.aftermath(shown.capture, prospect))

    def draft(self, line: str) -> None:
        """The line being typed: kept as this app's draft at the next flush (a wrap-up's
        objective is not a call's line and is never kept as one; a line typed before any call
        began, the queue still loading, is kept without a prospect)."""
        if self.drafts is None:
            return
        call = self.call
        if self.wrap_up is not None:
            self.drafts.set("")
        elif call is None:
            self.drafts.set(payload(line, None, None))
        else:
            self.drafts.set(payload(line, call.prospect, call.started_at), call.prospect.id)

    # --- committing ----------------------------------------------------------------------

    def commit(self, line: str, *, outside_hours: bool = False) -> Committed:
        """Record the call in progress. On disk when this returns, with this app's draft
        deleted in the same transaction. Raises CaptureRejected (one line) or StoreError.

        A call begun outside the prospect's legal hours is refused unless `outside_hours`
        (the caller's explicit force, kept with the call)."""
        call = self.call
        if call is None:
            raise CallRefused("no call in progress: start one first")
        if self.drafts is not None:
            self.drafts.discard()
        capture = self.desk.parse(call.prospect, line)
        saved = self.desk.commit(
            call.prospect,
            line,
            started_at=call.started_at,
            session_id=self.session_id,
            objective=call.objective,
            clear_draft=self.drafts.key if self.drafts is not None else None,
            dialled=call.dialled,
            outside_hours=outside_hours,
        )
        self.call = None
        after = self.store.get_prospect(call.prospect.id) or call.prospect
        wrap_up = None
        if capture.objective is None:
            wrap_up = self._offer(saved, after, call.prospect.next_objective)
        self.wrap_up = wrap_up
        self.last = Committed(saved, after, wrap_up)
        return self.last

    def quick(self, prospect: Prospect, outcome: Outcome) -> Committed:
        """The one-key path (no answer, voicemail): a call on `prospect` recorded at once with
        only its outcome; the objective stays, the queue schedules the retry."""
        if outcome.rule.reached is not Reach.NOBODY:
            raise CallRefused(f"!{outcome.code} needs a line: type what happened")
        self.start(prospect)
        try:
            return self.commit(f"!{outcome.code}")
        except BaseException:
            self.call = None
            raise

    def _offer(self, saved: Call, prospect: Prospect, before: str | None) -> WrapUp | None:
        if not self.desk.config.wrap_up or not prospect.status.in_queue:
            return None
        if not offers_wrap_up(saved.outcome, before):
            return None
        if self.store.unreachable(prospect.id):  # no number left: no next call to plan
            return None
        slot = self.desk.jigsaw(prospect).most_important_missing
        if slot is None:
            return None
        return WrapUp(saved, prospect, ObjectiveOffer(slot.question, slot), before)

    # --- the wrap-up ---------------------------------------------------------------------

    def finish_wrap_up(self, line: str) -> WrapUpDone:
        """enter at the wrap-up: a typed objective (a leading `>` allowed), else the one
        offered, is the next call's. A line that is clearly a capture is forwarded instead:
        the objective in force stays, and the line is the next call's."""
        wrap_up = self.wrap_up
        if wrap_up is None:
            raise CallRefused("no wrap-up in progress")
        if line.strip() and looks_like_capture(line, self.desk, wrap_up.prospect):
            done = self.keep_objective()
            return replace(done, forwarded=line)
        objective = typed_objective(line) or wrap_up.suggestion
        saved = self.store.set_next_objective(wrap_up.call.id, objective)
        self.wrap_up = None
        prospect = self.store.get_prospect(wrap_up.prospect.id) or wrap_up.prospect
        self.last = Committed(saved, prospect, None)
        return WrapUpDone(saved, prospect, saved.next_objective, replaced=True)

    def keep_objective(self) -> WrapUpDone:
        """escape at the wrap-up: the objective in force stays (none stays none)."""
        wrap_up = self.wrap_up
        if wrap_up is None:
            raise CallRefused("no wrap-up in progress")
        self.wrap_up = None
        return WrapUpDone(wrap_up.call, wrap_up.prospect, wrap_up.kept, replaced=False)

    def wrap_up_typed(self, line: str) -> bool:
        """While the wrap-up is open, is `line` clearly the next call's capture?"""
        return self.wrap_up is not None and looks_like_capture(
            line, self.desk, self.wrap_up.prospect
        )

    # --- undo ----------------------------------------------------------------------------

    def last_call(self) -> Call | None:
        if self.session_id is None:
            return None
        return self.store.last_call_of_session(self.session_id)

    def undo(self) -> Undone:
        """Undo the last call of this session. When no call is on, its line comes back as the
        call in progress (enter records it again, drop leaves it)."""
        last = self.last_call()
        if last is None:
            raise NothingToUndo("nothing to undo: no call recorded in this session")
        self.store.undo_call(last.id)
        self.wrap_up = None
        self.last = None
        prospect = self.store.get_prospect(last.prospect_id)
        line = self.store.call_capture(last.id)
        restarted = None
        if self.call is None and line and prospect is not None:
            restarted = ActiveCall(prospect, last.started_at, last.objective)
            self.call = restarted
        return Undone(self.store.get_call(last.id), prospect, restarted, line)

    # --- unsent lines --------------------------------------------------------------------

    def unsent(self) -> list[UnsentLine]:
        return self.drafts.unsent() if self.drafts is not None else []

    def resume(self, unsent: UnsentLine) -> ActiveCall | None:
        """Bring an unsent line back: its call on again (when it named a prospect that may
        still be called), the line this app's draft."""
        if self.drafts is not None:
            self.drafts.adopt(unsent)
        if unsent.prospect is None or self.call is not None:
            return None
        try:
            return self.start(unsent.prospect, started_at=unsent.started_at)
        except (CallRefused, StoreError):
            return None
