"""The capture bar: the one-line quick capture and, under it, a live preview of what it records."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, Static

from callbook.capture.grammar import complete_slot
from callbook.model import OUTCOME_CODES_HELP, Template
from callbook.tui.keymap import TypesEveryCharacter, bind

PLACEHOLDER = "gk: Sarah Jenkins; dm avail: not Tuesdays; !gk; @thu 9:30; > ask for Tom"


class CaptureInput(TypesEveryCharacter, Input):
    """The capture line. Enter starts or commits the call; tab completes slot names."""

    BINDINGS = [
        bind("call", action="app.call"),
        bind("leave", action="app.leave"),
        bind("complete"),
    ]

    HELP = f"""
## Capture
One line per call, clauses split by `;`:

- `slot: value`: a piece (`gk: Sarah Jenkins`, `dm avail: not Tuesdays`); **tab** completes
  slot names from the prospect's template
- `!outcome`: {OUTCOME_CODES_HELP}
- `@when`: the next call, in the prospect's time (`@tomorrow 9:30`, `@thu 3`, `@+3d`,
  `@monday morning`; `@thu 9:30 mine` for yours)
- `> objective`: what the next call is for; `+tag`; anything else is a note
- a clause with a colon whose first part is no slot is a note (`receptionist said: try after
  3:30`); a close misspelling of a slot (`budjet: 10k`) is an error with "did you mean";
  `note:` before any clause keeps it as a note

The preview under the line shows what **enter** will record: ✔ new, ↻ changed, ✖ error, and
what happens next (retry, parked until a date or for good, no next call).

- **enter** records the call; at the wrap-up it takes the objective offered (or typed)
- **escape** goes back to the queue: the line stays as the call's draft; at the wrap-up it
  keeps the objective in force
- **ctrl+r** recall (here `/` is text) · **ctrl+g** drops the call · **ctrl+t** talk tracks
"""

    # Input grows its virtual width with every character typed; as a layout reactive that
    # reflows and repaints the whole screen per keystroke. The line scrolls within its own
    # fixed box, so a repaint is enough.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.template: Template | None = None
        self._cycle: tuple[str, int, list[str], int, str] | None = None

    def watch_value(self, value: str) -> None:
        # Same turn as the keystroke: the line and its preview are painted in one frame.
        # (Input.Changed reaches the bar a message later, often a frame later.)
        bar = self.parent
        if isinstance(bar, CaptureBar):
            bar.redraw(value)

    def watch_selection(self) -> None:  # the cursor moved
        bar = self.parent
        if isinstance(bar, CaptureBar) and bar.is_mounted:
            bar.hint(self.value, self.cursor_position)

    def action_complete(self) -> None:
        """Complete the slot name (or !code) under the cursor; again cycles the choices."""
        if self._cycle is not None and self._cycle[4] == self.value:
            base, cursor, choices, index, _ = self._cycle
            index = (index + 1) % len(choices)
        else:
            base, cursor = self.value, self.cursor_position
            choices = complete_slot(base, cursor, self.template) if self.template else []
            index = 0
            if not choices:
                self.screen.focus_next()
                return
        choice = choices[index]
        start = base.rfind(";", 0, cursor) + 1
        start += len(base[start:cursor]) - len(base[start:cursor].lstrip())
        suffix = "" if choice.startswith("!") else ": "
        rest = base[cursor:]
        if suffix and rest.lstrip().startswith(":"):
            suffix, rest = "", rest
        value = base[:start] + choice + suffix + rest
        self.value = value
        self.cursor_position = start + len(choice) + len(suffix)
        self._cycle = (base, cursor, choices, index, value) if len(choices) > 1 else None


Previewer = Callable[[str], Content]  # a capture line -> what its preview shows


class CaptureBar(Vertical):
    """The capture line with its hint and preview. The app gives it `previewer` (the app
    owns the call and the book) and hears `Changed` (to start the call, keep the draft)."""

    class Changed(Message):
        def __init__(self, bar: CaptureBar, line: str) -> None:
            super().__init__()
            self.bar = bar
            self.line = line

        @property
        def control(self) -> CaptureBar:
            return self.bar

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.previewer: Previewer | None = None

    def compose(self) -> ComposeResult:
        yield CaptureInput(placeholder=PLACEHOLDER, id="capture-input", select_on_focus=False)
        yield Static(id="capture-hint")
        yield Static(id="capture-preview")

    def on_mount(self) -> None:
        self.border_title = "Capture"

    @property
    def input(self) -> CaptureInput:
        return self.query_one(CaptureInput)

    @property
    def value(self) -> str:
        return self.input.value

    def set_template(self, template: Template | None) -> None:
        self.input.template = template

    def set_value(self, line: str) -> None:
        self.input.value = line
        self.input.cursor_position = len(line)

    def clear(self) -> None:
        self.input.clear()

    def set_placeholder(self, text: str | None) -> None:
        """What the empty line shows: the capture grammar's example, or `text`."""
        self.input.placeholder = text or PLACEHOLDER

    def show(self, content: Content | str) -> None:
        # The preview's size is fixed by the stylesheet: no layout pass on every keystroke.
        self.query_one("#capture-preview", Static).update(content, layout=False)

    def redraw(self, line: str) -> None:
        """The hint and the preview for `line`, drawn now."""
        if not self.is_mounted:
            return
        self.hint(line, self.input.cursor_position)
        if self.previewer is not None:
            self.show(self.previewer(line))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def hint(self, line: str, cursor: int) -> None:
        """Slot names (or !codes) that complete the clause under the cursor."""
        hint = self.query_one("#capture-hint", Static)
        template = self.input.template
        choices = complete_slot(line, cursor, template) if template else []
        typed = line[line.rfind(";") + 1 :].strip()
        # Always one line (empty when there is nothing to complete): no layout pass.
        if not choices or not typed or choices == [typed]:
            hint.update("", layout=False)
            return
        hint.update(
            Content.assemble(("tab ▸ ", "$text-muted"), ("  ".join(choices[:8]), "$accent")),
            layout=False,
        )
