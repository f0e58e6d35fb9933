"""The jigsaw pane: the prospect on screen, who to ask for, what is known and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from callbook import cells
from callbook.clock import zone
from callbook.jigsaw import Jigsaw, current_pieces
from callbook.model import Call, Contact, Piece, Prospect, ProspectPhone, Role
from callbook.phones import display_parts
from callbook.timefmt import ago, call_time, clock_time, zone_note
from callbook.tui.keymap import bind
from callbook.tui.messages import OpenProspect

LAST_CALLS = 4
ROUTE_SLOT = "route"  # how to get through: "press 3, ask for accounts"


@dataclass(frozen=True)
class ProspectView:
    """Everything the jigsaw pane shows about one prospect, read by the app."""

    prospect: Prospect
    jigsaw: Jigsaw
    pieces: list[Piece]  # every piece, history included, oldest first
    contacts: list[Contact]
    calls: list[Call]  # the last few, newest first
    objective: str | None  # what this call is for
    now: datetime
    tz: tzinfo  # the caller's zone
    zone: tuple[str, str] | None = None  # theirs, as the queue reads it: (name, source)
    dial: ProspectPhone | None = None  # the number to dial first; None: none left (or none)
    conversation: Call | None = None  # the last call where someone answered and said something

    def who(self, call: Call, *, role: bool = False) -> str | None:
        """Who answered a call: the known person by name (and role), else the kind."""
        if call.answered_by is None:
            return None
        person = next((c for c in self.contacts if c.id == call.contact_id), None)
        if person is not None:
            return f"{person.name} ({person.role.label})" if role else person.name
        return call.answered_by.label

    @property
    def route(self) -> str | None:
        """How to get through the switchboard, when a piece says ("press 3, ask for ...")."""
        piece = current_pieces(self.pieces).get(ROUTE_SLOT)
        return piece.value if piece else None


    def learned_by(self, call_id: int) -> list[str]:
        """Labels of the slots a call filled or changed."""
        labels = []
        for piece in self.pieces:
            if piece.call_id == call_id:
                slot = self.jigsaw.template.slot(piece.slot)
                labels.append(slot.label if slot else piece.slot)
        return labels

    @classmethod
    def read(cls, desk, prospect: Prospect, objective: str | None = None) -> ProspectView:
        """The prospect as the book has it now; its last calls without the undone ones (undo
        takes a call off every pane)."""
        from callbook.jigsaw import build_jigsaw

        store = desk.store
        pieces = store.pieces(prospect.id)
        jigsaw = build_jigsaw(  # stale pieces are read in the prospect's zone
            desk.template_for(prospect), pieces, desk.now(), desk.prospect_tz(prospect)
        )
        calls = [c for c in store.calls(prospect.id, limit=LAST_CALLS * 3) if not c.undone_at]
        return cls(
            prospect=prospect, jigsaw=jigsaw, pieces=pieces,
            contacts=store.contacts(prospect.id), calls=calls[:LAST_CALLS],
            objective=objective or prospect.next_objective or jigsaw.suggested_objective,
            now=desk.now(), tz=desk.config.tz, zone=store.zone_of(prospect),
            dial=store.number_to_dial(prospect.id),
            conversation=store.last_conversation(prospect.id),
        )  # fmt: skip


def completion_bar(fraction: float, width: int = 10) -> str:
    cells = fraction * width
    full = int(cells)
    partial = " ▏▎▍▌▋▊▉"[int((cells - full) * 8)] if full < width else ""
    return ("█" * full + partial.strip()).ljust(width, "░")


def latest(contacts: list[Contact], role: Role) -> Contact | None:
    found = [c for c in contacts if c.role is role]
    return found[-1] if found else None


def gatekeepers(contacts: list[Contact], calls: list[Call] = ()) -> list[Contact]:
    """The gatekeepers (one a shift), whoever answered last first, then the newest."""
    found = [c for c in contacts if c.role is Role.GATEKEEPER]
    answered = [c.contact_id for c in calls if c.contact_id and not c.undone_at]  # newest first

    def recency(contact: Contact) -> tuple[int, int]:
        where = answered.index(contact.id) if contact.id in answered else len(answered)
        return where, -contact.id

    return sorted(found, key=recency)


def ask_for(contacts: list[Contact], calls: list[Call] = ()) -> Content:
    """'ask for Tom Li (Ops Director)' over 'gatekeeper Sarah Jenkins' (and the others on
    other shifts)."""
    shifts = gatekeepers(contacts, calls)
    dm, gk = latest(contacts, Role.DECISION_MAKER), (shifts[0] if shifts else None)
    parts: list = []
    if dm is not None:
        title = f" ({dm.title})" if dm.title else ""
        parts += ["ask for ", (dm.name, "bold $text-success"), (title, "$text-muted")]
    else:
        parts += [("ask for: decision maker unknown", "$text-warning")]
    parts.append("\n")
    if gk is not None:
        parts += ["gatekeeper ", (gk.name, "bold")]
        if len(shifts) > 1:  # one more by name, so the line stays one line
            more = f" +{len(shifts) - 2}" if len(shifts) > 2 else ""
            parts.append((f"  also {shifts[1].name}{more}", "$text-muted"))
    else:
        parts += [("gatekeeper unknown", "$text-muted")]
    return Content.assemble(*parts)


def clip(text: str, width: int) -> str:
    return cells.clip(text, width)


class JigsawList(OptionList):
    """Known pieces, missing ones and the last calls; enter opens the detail."""

    # New rows change the list's virtual height; as a layout reactive that reflows and
    # repaints the whole screen for every prospect shown. JigsawPane asks for a layout only
    # when the scrollbar comes or goes.
    virtual_size = Reactive(Size(0, 0), layout=False)

    BINDINGS = [bind("open", action="select"), bind("leave", action="app.leave")]

    HELP = """
## Jigsaw
The prospect on screen (during a call, the one you are calling): who to ask for, the
objective of this call, each **known** piece (✔, with its age and the call that learned it),
each **missing** piece (·, with the question that gets it) and the last calls.

- **enter** on a row opens the prospect's detail (every piece with its history)
- **c** goes to the capture line, **escape** back to the queue
"""

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0


class JigsawPane(Vertical):
    """Shows a ProspectView; posts OpenProspect when a row is chosen."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: ProspectView | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="jigsaw-head")
        yield Static(id="jigsaw-ask")
        yield Static(id="jigsaw-objective")
        yield JigsawList(id="jigsaw-rows")

    def on_mount(self) -> None:
        self.border_title = "Jigsaw"
        self.show(None)

    @property
    def rows(self) -> JigsawList:
        return self.query_one(JigsawList)

    def show(self, view: ProspectView | None) -> None:
        self.view = view
        head = self.query_one("#jigsaw-head", Static)
        ask = self.query_one("#jigsaw-ask", Static)
        objective = self.query_one("#jigsaw-objective", Static)
        rows = self.rows
        highlighted = rows.highlighted
        scrolled = rows.virtual_size.height > rows.scrollable_content_region.height
        rows.clear_options()
        if view is None:
            self.border_title, self.border_subtitle = "Jigsaw", ""
            head.update(Content.styled("nobody selected", "$text-muted"), layout=False)
            ask.update("", layout=False)
            objective.update("", layout=False)
            return
        p = view.prospect
        self.border_title = f"Jigsaw · {p.name}"
        self.border_subtitle = f"#{p.id} · {view.jigsaw.template.name}"
        # Fixed heights (see callbook.tcss): no layout pass for a new prospect.
        head.update(self._head(view), layout=False)
        ask.update(ask_for(view.contacts, view.calls), layout=False)
        objective.update(
            Content.assemble(
                ("this call  ", "$text-muted"), (view.objective or "—", "bold $accent")
            ),
            layout=False,
        )
        rows.add_options(self._rows(view))
        if highlighted is not None and highlighted < rows.option_count:
            rows.highlighted = highlighted
        if (rows.virtual_size.height > rows.scrollable_content_region.height) != scrolled:
            rows.refresh(layout=True)

    def on_resize(self) -> None:
        if self.view is not None:
            self.show(self.view)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.view is None:
            return
        option_id = event.option.id or ""
        slot = option_id.removeprefix("slot:") if option_id.startswith("slot:") else None
        self.post_message(OpenProspect(self.view.prospect.id, slot))

    # --- rendering -----------------------------------------------------------------------

    def _head(self, view: ProspectView) -> Content:
        p = view.prospect
        first: list = [
            (completion_bar(view.jigsaw.completion), "$success"),
            (f" {round(view.jigsaw.completion * 100)}% known", "bold"),
            (f"   P{p.priority}", "bold" if p.priority <= 2 else "$text-muted"),
        ]
        if p.next_call_at is not None:
            due = call_time(p.next_call_at, view.now, view.tz)
            first.append((f"   callback {due}", "$text-warning"))
        if view.zone is not None:
            name, source = view.zone
            local = view.now.astimezone(zone(name))
            when = f"{local:%a} {clock_time(view.now, zone(name))} there"
            when += zone_note(source)  # how it was found, unless given
        else:
            when = "their time ?"
        where = ", ".join(filter(None, (p.city, p.country)))
        second = "  ·  ".join(filter(None, (where, when)))
        return Content.assemble(*first, "\n", *self._number(view), "\n", (second, "$text-muted"))

    def _number(self, view: ProspectView) -> list:
        """The number to dial first, formatted for the prospect's country, its extension in
        bold, and the route through the switchboard when one is known."""
        if view.dial is None:
            if view.prospect.phones:
                return [("☎ no number left to dial", "bold $text-warning")]
            return [("☎ no number", "$text-muted")]
        number, extension = display_parts(view.dial.stored, view.prospect.country)
        parts: list = [("☎ ", "$text-muted"), (number, "bold")]
        if extension:
            parts.append((f" ext {extension}", "bold $accent"))
        if view.dial.label != "other":
            parts.append((f" {view.dial.label}", "$text-muted"))
        if view.dial.dialled:  # how this line has gone: which route works
            parts.append((f"  {view.dial.answered}/{view.dial.dialled} answered", "$text-muted"))
        route = view.route
        if route:
            parts.append((f"  ▸ {route}", "$accent"))
        return parts

    def _rows(self, view: ProspectView) -> list[Option | None]:
        # Less the scrollbar, always: rows made before it comes would otherwise wrap after.
        width = (self.rows.content_region.width or self.size.width - 3) - 1
        now = view.now
        out: list[Option | None] = []
        label_w = max((cells.cell_len(s.label) for s in view.jigsaw.template.slots), default=12)
        label_w = min(label_w, 18, max(8, width - 16))  # a narrow pane keeps room for values
        for known in view.jigsaw.known:
            piece = known.piece
            source = f"#{piece.call_id}" if piece.call_id else "added"
            tail = f"  {ago(piece.learned_at, now).removesuffix(' ago')} {source}"
            if width - label_w - 3 - cells.cell_len(tail) < 8:
                tail = ""  # too narrow for the value and when and where it was learned
            value = clip(piece.value, width - label_w - 3 - cells.cell_len(tail))
            out.append(
                Option(
                    Content.assemble(
                        ("⌛ ", "$warning") if known.stale else ("✔ ", "$success"),
                        (cells.fit(known.slot.label, label_w), "bold"),
                        " ",
                        value,
                        (tail, "$text-muted"),
                    ),
                    id=f"slot:{known.slot.key}",
                )
            )
        for piece in view.jigsaw.extra:
            out.append(
                Option(
                    Content.assemble(
                        ("✔ ", "$success"),
                        (cells.fit(piece.slot, label_w), "bold $text-muted"),
                        " ",
                        clip(piece.value, width - label_w - 3),
                    ),
                    id=f"slot:{piece.slot}",
                )
            )
        for slot in view.jigsaw.missing:
            out.append(
                Option(
                    Content.assemble(
                        ("· ", "$text-warning"),
                        (cells.fit(slot.label, label_w), "$text-warning"),
                        " ",
                        (clip(slot.question, width - label_w - 3), "italic $text-muted"),
                    ),
                    id=f"slot:{slot.key}",
                )
            )
        out.append(None)
        talk = view.conversation
        if talk is not None:  # what was said last, by whom, when: read before dialling
            by = f"{view.who(talk, role=True)}, {call_time(talk.started_at, now, view.tz)}:"
            said = f"“{' '.join(talk.notes.split())}”"
            out.append(
                Option(
                    Content.assemble(
                        (clip(by, width), "$text-muted"), "\n", (clip(said, width), "italic")
                    ),
                    id=f"said:{talk.id}",
                )
            )
        if not view.calls:
            out.append(Option(Content.styled("never called", "$text-muted"), disabled=True))
        for call in view.calls[:LAST_CALLS]:
            learned = view.learned_by(call.id)
            what = f"learned {', '.join(learned)}" if learned else "learned nothing"
            when = call_time(call.started_at, now, view.tz)
            who = view.who(call)
            line = f"{when}  {call.outcome.label}" + (f" ({who})" if who else "")
            if call.dialled and call.dialled != (view.dial.stored if view.dial else None):
                line += f" on {display_parts(call.dialled, view.prospect.country)[0]}"
            line += f"  · {what}"
            style = "strike $text-muted" if call.undone_at else ""
            out.append(
                Option(
                    Content.assemble(("☎ ", "$text-muted"), (clip(line, width - 2), style)),
                    id=f"call:{call.id}",
                )
            )
        return out
