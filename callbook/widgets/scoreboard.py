"""The session scoreboard: what this sitting has won so far."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from callbook.model import Scoreboard
from callbook.timefmt import duration


class ScoreboardBox(Static):
    """Calls, connects, small and big wins, pieces learned and the session's elapsed time."""

    HELP = """
## Session
What this sitting has scored: every call, every connect, each piece learned is a **small win**;
reaching the decision maker, a callback, a meeting or a close is a **big win**.
Undone calls do not count.
"""

    def on_mount(self) -> None:
        self.border_title = "Session"

    def show(self, score: Scoreboard, elapsed_seconds: float) -> None:
        rows = (
            ("calls", score.calls, ""),
            ("connects", score.connects, ""),
            ("small wins", score.small_wins, "$text-success"),
            ("big wins", score.big_wins, "$text-success"),
            ("pieces", score.pieces, ""),
        )
        lines = [
            Content.assemble(
                (label.ljust(11), "$text-muted"), (str(value).rjust(5), f"bold {style}")
            )
            for label, value, style in rows
        ]
        lines.append(
            Content.assemble(
                ("elapsed".ljust(11), "$text-muted"), duration(elapsed_seconds).rjust(5)
            )
        )
        self.update(Content("\n").join(lines), layout=False)  # a fixed size
