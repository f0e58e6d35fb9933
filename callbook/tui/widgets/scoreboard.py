"""The scoreboard: what this sitting has won so far, and today against the caller's usual day."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from callbook.model import Scoreboard
from callbook.stats import UsualDay
from callbook.timefmt import duration

# (label, Scoreboard field, UsualDay field, style of a win)
ROWS = (
    ("calls", "calls", "dials", ""),
    ("connects", "connects", "connects", ""),
    ("DMs", "decision_makers", "decision_makers", ""),
    ("small wins", "small_wins", "small_wins", "$text-success"),
    ("big wins", "big_wins", "big_wins", "$text-success"),
    ("meetings", "meetings", "meetings", "$text-success"),
)
LABEL, NOW, GAP, TODAY, USUAL = 10, 5, 2, 5, 6  # column widths: 28 cells in all


class ScoreboardBox(Static):
    """Per figure: this session, today, and the usual day (when there is one)."""

    HELP = """
## Score
**now**: what this sitting has scored. Every call, every connect, each piece learned is a
**small win**; reaching the decision maker, a callback, a meeting or a close is a **big win**.

**today / usual**: today so far against your usual day (the median of the days you called in
the last four weeks); green where today has caught up. Undone calls do not count.
"""

    def on_mount(self) -> None:
        self.border_title = "Score"

    def show(
        self,
        session: Scoreboard,
        today: Scoreboard,
        usual: UsualDay | None,
        elapsed_seconds: float,
    ) -> None:
        compare = usual is not None and usual.active_days > 0
        head = "".ljust(LABEL) + "now".rjust(NOW) + " " * GAP + "today".rjust(TODAY)
        lines = [Content.styled(head + ("/usual" if compare else ""), "$text-muted")]
        for label, field, usual_field, style in ROWS:
            now, so_far = getattr(session, field), getattr(today, field)
            parts: list = [
                (label.ljust(LABEL), "$text-muted"),
                (str(now).rjust(NOW), f"bold {style}" if now else "bold"),
                " " * GAP,
            ]
            if compare:
                typical = getattr(usual, usual_field)
                ahead = so_far > 0 and so_far >= typical
                parts += [
                    (str(so_far).rjust(TODAY), "bold $text-success" if ahead else "bold"),
                    (f"/{typical:g}".ljust(USUAL), "$text-muted"),
                ]
            else:
                parts.append((str(so_far).rjust(TODAY), "bold"))
            lines.append(Content.assemble(*parts))
        lines.append(
            Content.assemble(
                ("elapsed".ljust(LABEL), "$text-muted"), duration(elapsed_seconds).rjust(NOW)
            )
        )
        self.border_subtitle = f"usual: median of {usual.active_days} days" if compare else ""
        self.update(Content("\n").join(lines), layout=False)  # a fixed size
