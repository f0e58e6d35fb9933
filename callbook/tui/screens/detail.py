"""The prospect detail screen: every piece with its history, every call, every contact."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from callbook.clock import zone
from callbook.model import Answering, Call, Contact, Piece, Prospect, ProspectPhone, Template
from callbook.phones import displayed
from callbook.timefmt import ago, call_time, clock_time, duration, zone_note
from callbook.tui.keymap import bind
from callbook.tui.messages import CallProspect


@dataclass(frozen=True)
class DetailData:
    prospect: Prospect
    template: Template
    pieces: list[Piece]  # all of them, oldest first
    contacts: list[Contact]
    calls: list[Call]  # all of them, newest first
    now: datetime
    tz: tzinfo  # the caller's zone
    zone: tuple[str, str] | None = None  # theirs, as the queue reads it: (name, source)
    phones: list[ProspectPhone] = field(default_factory=list)  # dialling order first
    gatekeepers: list[Answering] = field(default_factory=list)  # who answered, shift by shift


def _number_note(number: ProspectPhone) -> str:
    """" (mobile, wrong)": what a number is, and why it is not dialled."""
    notes = [n for n in (number.label, number.status) if n not in ("other", "ok")]
    return f" ({', '.join(notes)})" if notes else ""


def _widget_id(slot: str) -> str:
    return "slot-" + re.sub(r"[^A-Za-z0-9_-]", "_", slot)


class DetailScroll(VerticalScroll):
    HELP = """
## Prospect detail
Everything known about the prospect: each slot's current piece and the values it replaced
(with the dates and the calls that learned them), every call, every contact.

- **up** / **down**, **page up** / **page down** scroll
- **enter** calls this prospect, in today's queue or not
- **escape** returns to the calling screen; the capture line is kept as it was
"""


class DetailScreen(Screen):
    """Read-only; escape returns to the calling screen."""

    BINDINGS = [bind("close"), bind("call-this")]

    def __init__(self, data: DetailData, slot: str | None = None) -> None:
        super().__init__()
        self.data = data
        self.slot = slot

    def compose(self) -> ComposeResult:
        d = self.data
        with DetailScroll(id="detail"):
            yield Static(self._header(), id="detail-header")
            yield Static(Content.styled("Contacts", "bold $accent"), classes="detail-section")
            yield Static(self._contacts(), id="detail-contacts")
            yield Static(
                Content.styled(f"Pieces · {d.template.name}", "bold $accent"),
                classes="detail-section",
            )
            for key, label, question in self._slots():
                yield Static(
                    self._slot(key, label, question), id=_widget_id(key), classes="detail-slot"
                )
            yield Static(
                Content.styled(f"Calls ({len(d.calls)})", "bold $accent"), classes="detail-section"
            )
            yield Static(self._calls(), id="detail-calls")
        yield Footer()

    def on_mount(self) -> None:
        scroll = self.query_one(DetailScroll)
        scroll.border_title = self.data.prospect.name
        scroll.border_subtitle = f"#{self.data.prospect.id}"
        scroll.focus()
        if self.slot:
            self.call_after_refresh(self._scroll_to_slot)

    def _scroll_to_slot(self) -> None:
        found = self.query(f"#{_widget_id(self.slot)}")
        if found:
            self.query_one(DetailScroll).scroll_to_widget(found.first(), animate=False, top=True)

    def action_close(self) -> None:
        self.dismiss()

    def action_call_prospect(self) -> None:
        """enter: call this prospect (the app closes the screen and starts the call)."""
        self.post_message(CallProspect(self.data.prospect.id))

    # --- rendering -----------------------------------------------------------------------

    def _when(self, when: datetime | None) -> str:
        return call_time(when, self.data.now, self.data.tz) if when else "-"

    def _header(self) -> Content:
        p, now = self.data.prospect, self.data.now
        lines: list[Content] = [Content.styled(p.name, "bold")]
        if p.company and p.company != p.name:
            lines.append(Content(p.company))
        place = ", ".join(filter(None, (p.city, p.region, p.country)))
        if self.data.zone is not None:
            name, source = self.data.zone
            place += f"  ·  {name}, {clock_time(now, zone(name))} their time"
            place += zone_note(source)  # how it was found, unless given
        else:
            place += "  ·  time zone unknown"
        lines.append(Content(place.strip(" ·")))
        numbers = [
            displayed(n.stored, p.country) + _number_note(n) for n in self.data.phones
        ] or [displayed(n, p.country) for n in p.phones]
        reach = "  ".join(filter(None, (*numbers, p.email, p.website)))
        if reach:
            lines.append(Content(reach))
        facts = [
            f"status {p.status.value.replace('_', ' ')}",
            f"priority {p.priority}",
            f"{p.call_count} call{'s' * (p.call_count != 1)}",
            f"last {ago(p.last_call_at, now)}",
        ]
        if p.tags:
            facts.append(" ".join(f"+{t}" for t in p.tags))
        lines.append(Content.styled("  ·  ".join(facts), "$text-muted"))
        if p.next_call_at or p.next_objective:
            lines.append(
                Content.assemble(
                    ("next call ", "$text-muted"),
                    (self._when(p.next_call_at), "bold"),
                    ("   objective ", "$text-muted"),
                    (p.next_objective or "-", "$accent"),
                )  # fmt: skip
            )
        return Content("\n").join(lines)

    def _contacts(self) -> Content:
        if not self.data.contacts:
            return Content.styled("nobody named yet", "$text-muted")
        lines = []
        for c in self.data.contacts:
            extra = "  ".join(filter(None, (c.title, c.phone, c.email)))
            answering = next((a for a in self.data.gatekeepers if a.contact.id == c.id), None)
            if answering is not None and answering.answered:
                extra += f"  answered {answering.answered}×, last "
                extra += call_time(answering.last_answered_at, self.data.now, self.data.tz)
                if answering.gave:
                    extra += f"; gave {', '.join(answering.gave)}"
            source = f"call #{c.call_id}" if c.call_id else "added"
            lines.append(
                Content.assemble(
                    (c.role.label.ljust(15), "$text-muted"),
                    (c.name, "bold"),
                    (f"  {extra}" if extra else "", ""),
                    (f"  · {source}, {ago(c.created_at, self.data.now)}", "$text-muted"),
                )  # fmt: skip
            )
        return Content("\n").join(lines)

    def _slots(self) -> list[tuple[str, str, str]]:
        slots = [(s.key, s.label, s.question) for s in self.data.template.slots]
        known = {s[0] for s in slots}
        for piece in self.data.pieces:
            if piece.slot not in known:
                known.add(piece.slot)
                slots.append((piece.slot, piece.slot, ""))
        return slots

    def _source(self, piece: Piece) -> str:
        source = f"call #{piece.call_id}" if piece.call_id else "added"
        return f"{self._when(piece.learned_at)}, {source}"

    def _slot(self, key: str, label: str, question: str) -> Content:
        pieces = [p for p in self.data.pieces if p.slot == key]
        current = [p for p in pieces if p.current]
        head: list = []
        if current:
            piece = current[-1]
            age = ago(piece.learned_at, self.data.now)
            head = [
                ("✔ ", "$text-success"), (label, "bold"), "  ", piece.value,
                (f"   {age} · {self._source(piece)}", "$text-muted"),
            ]  # fmt: skip
        else:
            head = [("· ", "$text-warning"), (label, "bold $text-warning"), "  ",
                    (question or "unknown", "italic $text-muted")]  # fmt: skip
        lines = [Content.assemble(*head)]
        for piece in reversed(pieces):
            if current and piece is current[-1]:
                continue
            if piece.undone_at is not None:
                state = f"undone {self._when(piece.undone_at)}"
            elif piece.superseded_at is not None:
                state = f"replaced {self._when(piece.superseded_at)}"
            else:
                state = "replaced"
            lines.append(
                Content.assemble(
                    ("    was ", "$text-muted"),
                    (piece.value, "strike"),
                    (f"   learned {self._source(piece)}; {state}", "$text-muted"),
                )  # fmt: skip
            )
        return Content("\n").join(lines)

    def _calls(self) -> Content:
        d = self.data
        if not d.calls:
            return Content.styled("never called", "$text-muted")
        by_call: dict[int, list[str]] = {}
        for piece in d.pieces:
            if piece.call_id is not None:
                slot = d.template.slot(piece.slot)
                by_call.setdefault(piece.call_id, []).append(slot.label if slot else piece.slot)
        blocks = []
        for call in d.calls:
            seconds = (call.ended_at - call.started_at).total_seconds()
            wins = []
            if call.small_wins:
                wins.append(f"+{call.small_wins} small")
            if call.big_wins:
                wins.append(f"+{call.big_wins} big")
            style = "strike $text-muted" if call.undone_at else ""
            first = Content.assemble(
                (f"#{call.id} ".ljust(7), "$text-muted"),
                (self._when(call.started_at), f"bold {style}"),
                (f"  {duration(seconds)}  ", "$text-muted"),
                (call.outcome.label, f"bold {style}"),
                ("  " + " ".join(wins), "$text-success"),
                ("  undone" if call.undone_at else "", "$text-error"),
            )
            lines = [first]
            facts = []
            if call.objective:
                facts.append(f"for: {call.objective}")
            learned = by_call.get(call.id)
            facts.append(f"learned: {', '.join(learned)}" if learned else "learned nothing")
            if call.next_call_at:
                facts.append(f"next: {self._when(call.next_call_at)}")
            if call.next_objective:
                facts.append(f"then: {call.next_objective}")
            lines.append(Content.styled("       " + "  ·  ".join(facts), "$text-muted"))
            if call.notes:
                lines.append(
                    Content.styled("       “" + call.notes.replace("\n", " / ") + "”", "italic")
                )
            blocks.append(Content("\n").join(lines))
        return Content("\n").join(blocks)
