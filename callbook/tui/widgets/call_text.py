"""What the capture bar says around a call: between calls, on a call, at the wrap-up, and what
a line will do to the prospect (the aftermath). Pure: plain values in, Content out.

Every key named here is one the caller can press where the focus will be when the text shows
(tests press each).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual.content import Content

from callbook.capture.preview import Preview, show_when
from callbook.config import CallingHours, LegalHours
from callbook.model import OUTCOME_CODES_HELP, Call, Change, NextCall, Prospect
from callbook.service.call_flow import ActiveCall, Aftermath, Committed, WrapUp, typed_objective
from callbook.timefmt import call_time

GRAMMAR = (
    "slot: value  ·  !outcome  ·  @when  ·  > next objective  ·  +tag  ·  anything else is a note"
)


@dataclass(frozen=True)
class Keys:
    """The keys the texts name, as the caller's keymap has them."""

    call: str = "enter"
    undo: str = "u"
    no_answer: str = "a"
    voicemail: str = "v"


def _hours(cooldown) -> str:
    hours = cooldown.total_seconds() / 3600
    return f"{hours:g}h" if hours >= 1 else f"{round(hours * 60)}min"


def aftermath_text(after: Aftermath, when: str | None = None) -> Content:
    """One line: what happens to the prospect and its next call; never a call that won't come.
    `when`: the next call's time as the preview shows it (both zones)."""
    if after.do_not_call_stays:
        return Content.styled(
            "do-not-call stays: no next call (only a recorded lift ends it)", "$text-warning"
        )
    if after.next_call is NextCall.END:
        return Content.assemble(
            ("ends: ", "$text-muted"), (f"{after.status.value.replace('_', ' ')}", "bold"),
            (", no next call", "$text-muted"),
        )  # fmt: skip
    if after.next_call is NextCall.PARK:
        if after.next_call_at is None:
            return Content.assemble(
                ("parked for good: ", "bold $text-warning"),
                ("lost, out of the queue (add @when to bring it back)", "$text-muted"),
            )
        return Content.assemble(
            ("parked until ", "$text-muted"), (when or "", "bold"),
            (": back in the queue then", "$text-muted"),
        )  # fmt: skip
    if after.no_number_left:
        return Content.styled(
            "no next call: no number left to dial, out of the queue (add a number to bring it "
            "back)", "$text-warning"
        )
    if after.next_call_at is not None:
        return Content.assemble(("next call ", "$text-muted"), (when or "", "bold"))
    if after.plan_spaced:
        return Content.assemble(
            ("next call ", "$text-muted"),
            ("by the queue: the attempt plan's next try, in calling hours", "bold"),
        )
    return Content.assemble(
        ("next call ", "$text-muted"),
        (f"by the queue: after the {_hours(after.cooldown)} cooldown, in calling hours", "bold"),
    )


def objective_text(after: Aftermath) -> Content | None:
    if after.objective is None or after.next_call is NextCall.END:
        return None
    label = "objective kept " if after.objective_kept else "objective "
    return Content.assemble((label, "$text-muted"), (after.objective, "$accent"))


def capture_title(flow, now: datetime) -> tuple[str, str]:
    """The capture box's title and subtitle: the wrap-up, the call (with its timer), or none."""
    from callbook.timefmt import duration

    if flow.wrap_up is not None:
        kept = "escape keeps the one in force" if flow.wrap_up.kept else "escape: none"
        return (
            f"Wrap-up · next objective for {flow.wrap_up.prospect.name}",
            f"enter takes it · {kept}",
        )
    if flow.call is None:
        return "Capture", ""
    elapsed = (now - flow.call.started_at).total_seconds()
    return f"Capture · on call with {flow.call.prospect.name}", f"☎ {duration(elapsed)}"


def saved_lines(
    done: Committed, now: datetime, tz: tzinfo, keys: Keys, *, planned: str | None = None
) -> list[Content]:
    """The call just recorded: outcome, wins, next call, and the nudge where learning was
    possible and nothing was learned."""
    call: Call = done.call
    parts: list = [("✔ saved ", "bold $text-success"), f"{done.prospect.name}: "]
    parts.append((call.outcome.label, "bold"))
    wins = []
    if call.small_wins:
        wins.append(f"+{call.small_wins} small win{'s' * (call.small_wins != 1)}")
    if call.big_wins:
        wins.append(f"+{call.big_wins} big")
    if wins:
        parts.append((" · " + ", ".join(wins), "$text-success"))
    if call.next_call_at:
        parts.append(f" · next {call_time(call.next_call_at, now, tz)}")
    elif not done.prospect.status.in_queue:
        status = done.prospect.status
        said = "" if status.value == call.outcome.value else f"{status.value.replace('_', ' ')}, "
        parts.append(f" · {said}no next call")
    lines = [Content.assemble(*parts)]
    if planned is not None and done.prospect.status.in_queue:
        lines.append(Content.assemble(("next objective ", "$text-muted"), (planned, "$accent")))
    if not call.small_wins and not call.notes and call.outcome.rule.learning:
        # At the wrap-up the line holds the objective: undo is one escape away.
        undo = f"escape, then {keys.undo}" if done.wrap_up is not None else keys.undo
        lines.append(
            Content.styled(f"↳ nothing learned: what did you learn? ({undo} undoes)", "$accent")
        )
    return lines


def idle_text(
    *,
    call: ActiveCall | None,
    last: Committed | None,
    highlighted: Prospect | None,
    book_empty: bool,
    now: datetime,
    tz: tzinfo,
    keys: Keys,
) -> Content:
    lines: list[Content] = []
    if call is not None:
        lines.append(
            Content.assemble(
                ("on call with ", "$text-muted"), (call.prospect.name, "bold"),
                ("   this call: ", "$text-muted"), (call.objective or "-", "$accent"),
            )  # fmt: skip
        )
        lines.append(Content.styled("type what you learn, then enter:", "$text-muted"))
    else:
        if last is not None:
            lines += saved_lines(last, now, tz, keys, planned=last.call.next_objective)
        if highlighted is not None:
            lines.append(
                Content.assemble(
                    (keys.call, "bold $accent"), " calls ", (highlighted.name, "bold"),
                    ("  ·  ", "$text-muted"), (keys.no_answer, "bold $accent"),
                    (" no answer  ·  ", "$text-muted"), (keys.voicemail, "bold $accent"),
                    (" voicemail", "$text-muted"),
                )  # fmt: skip
            )
        elif not book_empty:
            lines.append(Content.styled("nobody in the queue right now", "$text-muted"))
    lines.append(Content.styled(GRAMMAR, "$text-muted"))
    return Content("\n").join(lines)


def wrap_up_text(wrap_up: WrapUp, line: str, now: datetime, tz: tzinfo, keys: Keys) -> Content:
    typed = typed_objective(line)
    done = Committed(wrap_up.call, wrap_up.prospect, wrap_up)
    lines = saved_lines(done, now, tz, keys)
    lines.append(
        Content.assemble(
            ("next objective ▸ ", "bold $accent"),
            (typed, "bold") if typed else (wrap_up.suggestion, "$accent"),
        )
    )
    if not typed:
        lines.append(
            Content.assemble(
                ("  it asks for ", "$text-muted"), (wrap_up.offer.slot.label, "$text-warning"),
                (", the most important piece still missing", "$text-muted"),
            )  # fmt: skip
        )
    keep = "enter keeps yours" if typed else "enter takes it · type another"
    kept = f"escape keeps “{wrap_up.kept}”" if wrap_up.kept else "escape: none"
    forward = "!… or slot: starts the next call"
    lines.append(Content.styled(f"{keep} · {kept} · {forward}", "$text-muted"))
    return Content("\n").join(lines)


@dataclass(frozen=True)
class PreviewContext:
    now: datetime
    tz: tzinfo  # the caller's zone
    prospect_tz: tzinfo | None  # the prospect's, when known
    hours: CallingHours | None = None  # to warn outside them (defaults when None)
    legal: LegalHours | None = None


def _next_call(when: datetime, ctx: PreviewContext) -> tuple[str, Content | None]:
    """Both times, and the warning (in the error colour) when they fall outside hours."""
    shown = show_when(when, ctx.now, ctx.tz, ctx.prospect_tz, ctx.hours, ctx.legal)
    warning = Content.styled(f"⚠ {shown.warning}", "bold $text-error") if shown.warning else None
    return shown.text, warning


def render_preview(
    preview: Preview, ctx: PreviewContext, error: str | None = None,
    aftermath: Aftermath | None = None,
) -> Content:  # fmt: skip
    """Each piece ✔ new / ↻ old → new / = same, each error ✖ with its reason, then the outcome,
    what it does to the next call (the aftermath: retry, park, end), the objective, the wins
    and the nudge."""
    capture = preview.capture
    lines: list[Content] = []
    if error:
        lines.append(
            Content.assemble(("✖ not saved: ", "bold $text-error"), (error, "$text-error"))
        )
    for piece in preview.pieces:
        label = (piece.slot.label, "bold")
        if piece.change is Change.NEW:
            lines.append(Content.assemble(("✔ ", "$text-success"), label, "  ", piece.value))
        elif piece.change is Change.CHANGED:
            lines.append(
                Content.assemble(
                    ("↻ ", "$text-accent"),
                    label,
                    "  ",
                    (piece.old_value or "", "strike $text-muted"),
                    (" → ", "$text-accent"),
                    piece.value,
                )  # fmt: skip
            )
        else:
            lines.append(
                Content.assemble(
                    ("= ", "$text-muted"),
                    label,
                    "  ",
                    piece.value,
                    ("  already known", "$text-muted"),
                )  # fmt: skip
            )
    for problem in capture.errors:
        lines.append(
            Content.assemble(
                ("✖ ", "bold $text-error"),
                (problem.text, "$text-error"),
                "  ",
                (problem.message, "$text-error"),
            )  # fmt: skip
        )
    facts: list = []
    if capture.outcome is not None:
        facts += [("outcome ", "$text-muted"), (capture.outcome.label, "bold")]
    elif not capture.empty:
        facts += [("outcome ", "$text-muted"), (f"needed: {OUTCOME_CODES_HELP}", "$text-warning")]
    if aftermath is not None and not capture.errors:
        if facts:
            lines.append(Content.assemble(*facts))
        when, warning = (None, None)
        if aftermath.next_call_at is not None:
            when, warning = _next_call(aftermath.next_call_at, ctx)
        lines.append(aftermath_text(aftermath, when))
        if aftermath.numbers:
            lines.append(Content.assemble(("numbers ", "$text-muted"), (aftermath.numbers, "bold")))
        if warning is not None:
            lines.append(warning)
        objective = objective_text(aftermath)
        if objective is not None:
            lines.append(objective)
    else:
        warning = None
        if capture.next_call_at is not None:
            when, warning = _next_call(capture.next_call_at, ctx)
            facts += [("   next call ", "$text-muted"), (when, "bold")]
        if facts:
            lines.append(Content.assemble(*facts))
        if warning is not None:
            lines.append(warning)
        if capture.objective:
            lines.append(
                Content.assemble(("objective ", "$text-muted"), (capture.objective, "$accent"))
            )
    extras = [f"+{t}" for t in capture.tags] + [f"note: {n}" for n in capture.notes]
    if extras:
        lines.append(Content.styled("  ".join(extras), "$text-muted"))
    wins = preview.wins
    if wins.small or wins.big:
        parts: list = [("wins ", "$text-muted")]
        if wins.small:
            parts.append((f"+{wins.small} small", "bold $text-success"))
        if wins.big:
            parts.append(((", " if wins.small else "") + f"+{wins.big} big", "bold $text-success"))
        parts.append((f"  {', '.join(wins.reasons)}", "$text-muted"))
        lines.append(Content.assemble(*parts))
    if preview.nudge:
        lines.append(Content.styled(f"↳ {preview.nudge}  e.g. gk: name; dm avail: …", "$accent"))
    return Content("\n").join(lines)
