"""Small modal screens: a yes/no confirmation, the first-run demo offer, the help screen and
the snooze question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from textwrap import dedent

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Markdown, Static

from callbook.tui.keymap import KEYS, bind, keys_for


class ConfirmScreen(ModalScreen[bool]):
    """A question answered with y or n."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled(self.question, "bold"), classes="dialog-title")
            if self.detail:
                yield Static(self.detail, classes="dialog-body")
            yield Static(
                Content.assemble(("y", "bold $accent"), " yes    ", ("n", "bold $accent"), " no"),
                classes="dialog-keys",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class SnoozeScreen(ModalScreen[datetime | None]):
    """When to call a prospect next: one line read by `parse` (which raises ValueError with a
    message for the caller). Dismisses with the time, or None on escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self, name: str, parse: Callable[[str], datetime], show: Callable | None = None
    ) -> None:
        super().__init__()
        self.prospect_name = name
        self.parse = parse
        self.show = show  # datetime -> preview.WhenShown: previewed as the capture line does

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content.styled(f"Snooze {self.prospect_name}", "bold"), classes="dialog-title"
            )
            yield Input(placeholder="snooze until (e.g. tomorrow 9:30, +3d)", id="snooze-when")
            yield Static("", id="snooze-error", classes="dialog-body")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Preview both times (theirs and yours), warned outside their hours."""
        event.stop()
        if self.show is None:
            return
        try:
            shown = self.show(self.parse(event.value))
        except ValueError:
            self.query_one("#snooze-error", Static).update("")
            return
        parts = [(shown.text, "bold")]
        if shown.warning:
            parts.append((f"  ⚠ {shown.warning}", "bold $text-error"))
        self.query_one("#snooze-error", Static).update(Content.assemble(*parts))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            when = self.parse(event.value)
        except ValueError as exc:
            self.query_one("#snooze-error", Static).update(Content.styled(str(exc), "$text-error"))
            return
        self.dismiss(when)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WelcomeScreen(ModalScreen[bool]):
    """An empty book: offer the demo book instead of an empty screen."""

    BINDINGS = [
        Binding("d,enter", "answer(True)", "Load the demo", id="welcome-demo"),
        Binding("escape", "answer(False)", "Start empty", id="welcome-empty"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Your book is empty", "bold"), classes="dialog-title")
            yield Static(
                "callbook can fill it with a demo book to try it on: 240 realistic prospects "
                "with weeks of calls, some callbacks due now. Or start empty and add your own "
                "prospects with callbook add or callbook import.",
                classes="dialog-body",
            )
            yield Static(
                Content.assemble(
                    ("d", "bold $accent"),
                    " load the demo book    ",
                    ("escape", "bold $accent"),
                    " start empty",
                ),  # fmt: skip
                classes="dialog-keys",
            )

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class HelpScreen(ModalScreen[None]):
    """Help for the focused pane, and every key."""

    BINDINGS = [bind("close", action="close"), Binding("question_mark,f1", "close", show=False)]

    def __init__(self, pane_help: str, overrides: dict[str, str]) -> None:
        super().__init__()
        self.pane_help = pane_help
        self.overrides = overrides

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Markdown(dedent(self.pane_help).strip())
            yield Static(self._keys(), classes="help-keys")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def _keys(self) -> Content:
        lines = [Content.styled("Keys", "bold $accent")]
        for key in KEYS.values():
            lines.append(
                Content.assemble(
                    (keys_for(key.id, self.overrides).ljust(12), "bold"),
                    (key.id.ljust(14), "$text-muted"),
                    key.help,
                )
            )
        lines.append(
            Content.styled(
                '\nRemap a key by its id in config.toml: [keys] next = "down,n".  '
                "ctrl+p opens the command palette.",
                "$text-muted",
            )
        )
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
