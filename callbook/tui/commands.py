"""The command palette's callbook commands. They follow the app's state: "Commit the call" only
while a call is in progress, "Undo" only when this session has a call to undo."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from callbook.tui.keymap import keys_for

if TYPE_CHECKING:
    from callbook.tui.app import CallbookApp


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    action: str  # an app action
    key_id: str | None
    help: str
    main_only: bool = True  # only from the calling screen
    when: Callable[[CallbookApp], bool] = lambda app: True


COMMANDS = (
    PaletteCommand("Start the call", "call", "call", "call the highlighted prospect",
                   when=lambda app: app.call is None),
    PaletteCommand("Commit the call", "call", "call", "record the capture line",
                   when=lambda app: app.call is not None),
    PaletteCommand("Drop the call", "drop_call", "drop", "leave it without recording",
                   when=lambda app: app.call is not None),
    PaletteCommand("No answer", "no_answer", "no-answer", "record it on the highlighted prospect",
                   when=lambda app: app.call is None and app.wrap_up is None),
    PaletteCommand("Voicemail", "voicemail", "voicemail", "record it on the highlighted prospect",
                   when=lambda app: app.call is None and app.wrap_up is None),
    PaletteCommand("Next prospect", "next", "next", "next in the queue"),
    PaletteCommand("Previous prospect", "previous", "previous", "previous in the queue"),
    PaletteCommand("Capture", "focus_capture", "capture", "type the capture line"),
    PaletteCommand("Jigsaw", "focus_jigsaw", "jigsaw", "the known and missing pieces"),
    PaletteCommand("Filter the queue", "focus_filter", "filter", "fuzzy, by name"),
    PaletteCommand("Prospect detail", "detail", "detail", "every piece with its history",
                   when=lambda app: app.shown is not None),
    PaletteCommand("Recall", "recall", "recall", "search everything learned"),
    PaletteCommand("Undo the last call", "undo", "undo", "of this session, after a y/n",
                   when=lambda app: app.can_undo()),
    PaletteCommand("Refresh", "refresh_book", None, "read the book again"),
    PaletteCommand("Load the demo book", "offer_demo", None, "only into an empty book",
                   when=lambda app: app.book_empty),
    PaletteCommand("Help", "help", "help", "help for the focused pane", main_only=False),
    PaletteCommand("Quit", "quit", "quit", "save the draft and quit", main_only=False),
)  # fmt: skip


class CallbookCommands(Provider):
    """callbook's actions, with their keys."""

    def _available(self) -> list[PaletteCommand]:
        app: CallbookApp = self.app  # type: ignore[assignment]
        on_main = self.screen is app.main
        return [c for c in COMMANDS if (on_main or not c.main_only) and c.when(app)]

    def _help(self, command: PaletteCommand) -> str:
        if command.key_id is None:
            return command.help
        keys = keys_for(command.key_id, self.app.desk.config.keys)  # type: ignore[attr-defined]
        return f"{command.help} · {keys}"

    def _run(self, command: PaletteCommand) -> Callable:
        return partial(self.app.run_action, command.action)

    async def discover(self) -> Hits:
        for command in self._available():
            yield DiscoveryHit(command.title, self._run(command), help=self._help(command))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._available():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.title),
                    self._run(command),
                    text=command.title,
                    help=self._help(command),
                )
