"""The calling screen: queue | jigsaw over capture | scoreboard."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from callbook.tui.keymap import bind, remap
from callbook.tui.widgets.capture import CaptureBar
from callbook.tui.widgets.jigsaw_pane import JigsawPane
from callbook.tui.widgets.queue_pane import QueuePane
from callbook.tui.widgets.scoreboard import ScoreboardBox


class MainScreen(Screen):
    """Lays out the panes; the app owns what they show."""

    BINDINGS = [
        bind("recall"),
        bind("no-answer"),
        bind("voicemail"),
        bind("next"),
        bind("previous"),
        bind("capture"),
        bind("jigsaw"),
        bind("filter"),
        bind("detail"),
        bind("undo"),
        bind("skip"),
        bind("snooze"),
        bind("stats"),
        bind("talk-tracks"),
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
        yield Footer()

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
