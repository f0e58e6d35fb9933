"""The stats screen: wins you can see. The streak, today against the usual day, the funnel, a
chart of wins per day over the last weeks and the day-by-day figures."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Sparkline, Static

from callbook.stats import FIGURES, Stats
from callbook.tui.keymap import bind

HEADS = ("dials", "connects", "DMs", "small wins", "big wins", "meetings")
TABLE_DAYS = 14  # rows in the day-by-day table; the chart shows every day loaded


class StatsScroll(VerticalScroll):
    HELP = """
## Stats
Wins you can see: the streak of days with at least one win (a day off does not break it),
today against your usual day (the median of your active days over the last four weeks), the
funnel from dial to meeting, wins per day over the last weeks, and each day's figures.
Undone calls never count.

- **up** / **down**, **page up** / **page down** scroll
- **escape** returns to the calling screen; the capture line is kept as it was
"""


class StatsScreen(Screen):
    """Read-only; `load` runs in a thread (it reads a year of calls), escape goes back."""

    BINDINGS = [bind("close")]

    DEFAULT_CSS = """
    StatsScreen StatsScroll { border: round $accent; padding: 0 1; }
    StatsScreen .stats-section { margin-top: 1; color: $accent; text-style: bold; }
    StatsScreen Sparkline { height: 4; margin: 0 0 1 0; }
    StatsScreen DataTable { height: auto; }
    """

    def __init__(self, load: Callable[[], Stats]) -> None:
        super().__init__()
        self.load = load
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        with StatsScroll(id="stats"):
            yield Static(Content.styled("reading your calls…", "$text-muted"), id="stats-head")
            yield Static("Wins per day", classes="stats-section")
            yield Sparkline([], summary_function=max, id="stats-chart")
            yield Static("", id="stats-chart-label")
            yield Static("Day by day", classes="stats-section")
            yield DataTable(id="stats-days", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        scroll = self.query_one(StatsScroll)
        scroll.border_title = "Wins you can see"
        scroll.focus()
        self._load()

    @work(thread=True, exclusive=True, group="stats")
    def _load(self) -> None:
        stats = self.load()
        self.app.call_from_thread(self.show, stats)

    def show(self, stats: Stats) -> None:
        self.stats = stats
        self.query_one("#stats-head", Static).update(self._head(stats))
        wins = [d.wins for d in stats.days]
        self.query_one("#stats-chart", Sparkline).data = wins
        first = stats.days[0].day
        self.query_one("#stats-chart-label", Static).update(
            Content.styled(
                f"{first:%a} {first.day} {first:%b} → today · best day {max(wins)} wins",
                "$text-muted",
            )
        )
        table = self.query_one("#stats-days", DataTable)
        table.clear(columns=True)
        table.add_columns("day", *HEADS, "pieces learned")
        for day in reversed(stats.days[-TABLE_DAYS:]):
            learned = ", ".join(f"{s.replace('_', ' ')} {n}" for s, n in day.pieces.items())
            table.add_row(
                f"{day.day:%a} {day.day.day} {day.day:%b}",
                *(str(getattr(day, f)) for f in FIGURES),
                learned,
            )
        scroll = self.query_one(StatsScroll)
        scroll.border_subtitle = f"last {len(stats.days)} days"

    def action_close(self) -> None:
        self.dismiss()

    @staticmethod
    def _head(stats: Stats) -> Content:
        days = "day" if stats.streak == 1 else "days"
        lines = [
            Content.assemble(
                ("streak ", "$text-muted"),
                (f"{stats.streak} {days}", "bold $success"),
                (" with at least one win", "$text-muted"),
            )  # fmt: skip
        ]
        today, usual = stats.today, stats.usual
        if usual.active_days:
            parts: list = [("today vs your usual day", "$text-muted")]
            for field, head in zip(FIGURES, HEADS, strict=True):
                now, usual_value = getattr(today, field), getattr(usual, field)
                style = "bold $success" if now >= usual_value and now else "bold"
                parts += ["   ", (str(now), style), (f"/{usual_value:g} {head}", "$text-muted")]
            lines.append(Content.assemble(*parts))
        else:
            lines.append(
                Content.styled("no usual day yet: it needs a few days of calls", "$text-muted")
            )
        steps = []
        for index, (name, count, rate) in enumerate(stats.funnel.steps):
            if index:
                steps.append((" → ", "$text-muted"))
            steps.append((f"{count} {name}", "bold"))
            if rate is not None:
                steps.append((f" {rate:.0%}", "$text-muted"))
        lines.append(Content.assemble(("funnel  ", "$text-muted"), *steps))
        return Content("\n").join(lines)
