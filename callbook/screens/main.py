"""The calling screen: queue | jigsaw over capture | scoreboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from callbook.keymap import bind, remap
from callbook.widgets.capture import CaptureBar
from callbook.widgets.jigsaw import JigsawPane
from callbook.widgets.queue import QueuePane
from callbook.widgets.scoreboard import ScoreboardBox


class MainScreen(Screen):
    """Lays out the panes; the app owns what they show."""

    BINDINGS = [
        bind("recall"),
        bind("next"),
        bind("previous"),
        bind("capture"),
        bind("jigsaw"),
        bind("filter"),
        bind("detail"),
        bind("undo"),
        bind("drop"),
    ]

    def __init__(self, keys: dict[str, str] | None = None) -> None:
        super().__init__()
        remap(self, keys or {})

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield QueuePane(id="queue")
            yield JigsawPane(id="jigsaw")
        with Horizontal(id="bottom"):
            yield CaptureBar(id="capture")
            yield ScoreboardBox(id="scoreboard")
        yield Static(id="footer-slot")  # the footer's line, kept until it comes

    def add_footer(self) -> None:
        """The footer comes after the first paint: it costs ~50 ms the caller need not wait."""
        if not self.is_attached or self.app._exit or self.query(Footer):
            return
        slot = self.query_one("#footer-slot")
        self.mount(Footer(), before=slot)
        slot.remove()

    def on_mount(self) -> None:
        self.queue.rows.focus()

    @property
    def queue(self) -> QueuePane:
        return self.query_one(QueuePane)

    @property
    def jigsaw(self) -> JigsawPane:
        return self.query_one(JigsawPane)

    @property
    def capture(self) -> CaptureBar:
        return self.query_one(CaptureBar)

    @property
    def scoreboard(self) -> ScoreboardBox:
        return self.query_one(ScoreboardBox)
