"""The queue pane: who to call now, a window of the queue at a time, with a fuzzy filter.

Rows are options of an OptionList, each drawn once as one line: moving the highlight repaints
two lines, where a DataTable re-renders every visible cell (about 18 ms a move at 120x40).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from callbook import cells
from callbook.model import QueueEntry, QueueReason
from callbook.timefmt import call_time, clock_time
from callbook.tui.keymap import TypesEveryCharacter, bind

PAGE = 50  # rows held at once, whatever the size of the queue
STEP = 25  # rows a page moves by

# Column widths; they fill the pane's width (callbook.tcss).
WHY, NAME, LOCAL = 9, 23, 6
MIN_OBJECTIVE = 6  # below this the objective column is left out

_REASON = {
    QueueReason.CALLBACK: "callback",
    QueueReason.NEVER_CALLED: "new",
    QueueReason.FOLLOW_UP: "follow-up",
}


@dataclass(frozen=True)
class QueueWindow:
    """Part of the queue: `entries` start at position `offset` of `total`."""

    entries: list[QueueEntry] = field(default_factory=list)
    offset: int = 0
    total: int = 0
    query: str = ""

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.entries) < self.total


@dataclass(frozen=True)
class RowContext:
    """What a row needs besides its entry: the time and the caller's zone."""

    now: datetime
    tz: tzinfo


def fit(text: str, width: int) -> str:
    """`text` on exactly `width` cells, cut with an ellipsis (wide characters count two)."""
    return cells.fit(text, width)


def local_time(entry: QueueEntry, ctx: RowContext) -> tuple[str, str]:
    """The prospect's local time, as the queue found it (in the zone it found, moving on with
    `ctx.now` between reads), and its style: dim with a moon when they cannot be called now;
    '?' when their time zone is unknown."""
    if entry.local_time is None or entry.local_time.tzinfo is None:
        return "?", "$text-muted"
    text = clock_time(ctx.now, entry.local_time.tzinfo)
    return (text, "") if entry.callable else (text + "☾", "$text-muted")


def due_label(due: datetime, ctx: RowContext) -> str:
    """When a callback is due, in six cells at most: the time today, the weekday in the six
    days before, else the date."""
    local, today = due.astimezone(ctx.tz), ctx.now.astimezone(ctx.tz).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    if -7 < (local.date() - today).days < 0:
        return f"{local:%a}"
    return f"{local.day} {local:%b}"


def reason(entry: QueueEntry, ctx: RowContext) -> tuple[str, str]:
    if entry.reason is QueueReason.CALLBACK and entry.due_at is not None:
        late = (ctx.now - entry.due_at).total_seconds() > 15 * 60
        return f"cb {due_label(entry.due_at, ctx)}", "bold $text-warning" if late else "bold"
    dim = entry.reason is QueueReason.FOLLOW_UP or not entry.callable
    return _REASON[entry.reason], "$text-muted" if dim else ""


def objective(entry: QueueEntry, ctx: RowContext) -> tuple[str, str]:
    """The objective; for someone who cannot be called now, why not and from when (dim)."""
    if not entry.callable:
        parts = [entry.why] if entry.why else []
        if entry.callable_at is not None:
            parts.append("from " + call_time(entry.callable_at, ctx.now, ctx.tz))
        if parts:
            return " · ".join(parts), "italic $text-muted"
    if entry.attempt is not None and entry.attempt > 1:  # tried before: where in the plan
        plan = f"attempt {entry.attempt} of {entry.attempts_max}"
        return " · ".join(filter(None, (plan, entry.prospect.next_objective))), "italic"
    return entry.prospect.next_objective or "", "italic"


def name_cell(entry: QueueEntry) -> Content:
    """The prospect's name; a do-not-call mark first when any of their numbers is listed."""
    p = entry.prospect
    style = "bold" if p.priority <= 2 else ""
    if entry.dnc_numbers:
        return Content.assemble(("DNC ", "bold $text-error"), (fit(p.name, NAME - 4), style))
    return Content.styled(fit(p.name, NAME), style)


def objective_width(width: int) -> int:
    """Cells left for the objective column in a row `width` wide; 0 drops the column (a narrow
    terminal: the jigsaw shows the objective)."""
    rest = width - WHY - NAME - LOCAL - 3
    return rest if rest >= MIN_OBJECTIVE else 0


def row(entry: QueueEntry, ctx: RowContext, width: int, calling: bool) -> Content:
    why, why_style = ("☎ on call", "bold $text-success") if calling else reason(entry, ctx)
    local, local_style = local_time(entry, ctx)
    cells: list = [(fit(why, WHY), why_style), " ", name_cell(entry), " "]
    cells.append((fit(local, LOCAL), local_style))
    if rest := objective_width(width):
        goal, goal_style = objective(entry, ctx)
        cells += [" ", (fit(goal, rest), goal_style)]
    return Content.assemble(*cells)


def header(width: int) -> Content:
    text = f"{fit('why', WHY)} {fit('prospect', NAME)} {fit('local', LOCAL)}"
    if rest := objective_width(width):
        text += f" {fit('objective', rest)}"
    return Content.styled(text, "$text-muted")


class QueueList(OptionList):
    """The rows of the queue window. Moving past either end asks for the next page."""

    BINDINGS = [bind("call", action="start_call"), bind("clear-filter")]

    HELP = """
## Queue
Who to call now: **callbacks due** first (with their time), then everyone callable now by
priority, then those who must wait. The local column is the prospect's time: **?** when their
time zone is unknown, dim with ☾ when they cannot be called now (outside their calling hours,
a day their availability rules out, called too recently); the last column then says why and
from when they can be called. **DNC** before a name: one of their numbers is on the
do-not-call list.

- **enter** starts the call on the highlighted prospect
- **n** / **p** or the arrows move; the window pages as you go
- **f** filters by name (fuzzy); **escape** here clears the filter
- **d** opens the prospect's detail
"""

    # Rows change the virtual height; the scrollbar is the only thing that depends on it.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def _replace_option_prompt(self, index: int, prompt) -> None:
        # Every row is one line, so a new prompt moves nothing: drop only this row's render
        # and repaint its line. (OptionList drops every row's render and repaints them all,
        # several milliseconds per call marked or minute ticked.) Rests on OptionList's
        # internals, pinned with Textual's version; the snapshots show the marked row.
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        self.refresh_line(self._index_to_line.get(index, index))

    def action_start_call(self) -> None:
        if self.option_count:
            self.pane.post_message(QueuePane.CallRequested(self.pane, self.pane.highlighted))

    def action_clear_filter(self) -> None:
        self.pane.post_message(QueuePane.FilterChanged(self.pane, ""))

    def action_cursor_down(self) -> None:
        last = self.highlighted is not None and self.highlighted >= self.option_count - 1
        if self.option_count and last and self.pane.window.has_more:
            self.pane.request_page(+1)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if (self.highlighted or 0) <= 0 and self.pane.window.offset > 0:
            self.pane.request_page(-1)
        else:
            super().action_cursor_up()

    @property
    def pane(self) -> QueuePane:
        return self.query_ancestor(QueuePane)


class QueueFilter(TypesEveryCharacter, Input):
    """The filter line above the queue."""

    BINDINGS = [bind("leave"), bind("call-this")]

    HELP = """
## Queue filter
Type part of a name: the whole book narrows fuzzily as you type (typos are fine), today's
queue or not. **enter** calls the highlighted match; **escape** goes back to the rows with
the filter kept; **escape** on the rows clears it.
"""

    def action_leave(self) -> None:
        self.query_ancestor(QueuePane).rows.focus()

    def action_call_prospect(self) -> None:
        pane = self.query_ancestor(QueuePane)
        if pane.highlighted is not None:
            pane.post_message(QueuePane.CallRequested(pane, pane.highlighted))


class QueuePane(Vertical):
    """The queue: a filter line and a window of rows. Posts what the caller does; the app
    loads the rows and pushes them back with `show`."""

    class _EntryMessage(Message):
        """Something about one queue entry (None when the queue is empty)."""

        def __init__(self, pane: QueuePane, entry: QueueEntry | None) -> None:
            super().__init__()
            self.pane = pane
            self.entry = entry

        @property
        def control(self) -> QueuePane:
            return self.pane

    class Highlighted(_EntryMessage):
        """The highlighted prospect changed."""

    class CallRequested(_EntryMessage):
        """Enter on a row: start the call."""

    class PageRequested(Message):
        """The cursor moved past the window: load another one around `position`."""

        def __init__(self, pane: QueuePane, offset: int, position: int) -> None:
            super().__init__()
            self.pane = pane
            self.offset = offset
            self.position = position  # absolute queue position to highlight

        @property
        def control(self) -> QueuePane:
            return self.pane

    class FilterChanged(Message):
        def __init__(self, pane: QueuePane, query: str) -> None:
            super().__init__()
            self.pane = pane
            self.query = query

        @property
        def control(self) -> QueuePane:
            return self.pane

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.window = QueueWindow()
        self._ctx: RowContext | None = None
        self._calling_id: int | None = None
        self._highlighted_id: int | None = None

    def compose(self) -> ComposeResult:
        yield QueueFilter(placeholder="filter by name  (f)", id="queue-filter")
        yield Static(id="queue-header")
        yield QueueList(id="queue-rows")

    def on_mount(self) -> None:
        self.border_title = "Queue"

    @property
    def rows(self) -> QueueList:
        return self.query_one(QueueList)

    @property
    def filter_input(self) -> QueueFilter:
        return self.query_one(QueueFilter)

    @property
    def cursor(self) -> int:
        return self.rows.highlighted or 0

    @property
    def highlighted(self) -> QueueEntry | None:
        index = self.rows.highlighted
        if index is None or not 0 <= index < len(self.window.entries):
            return None
        return self.window.entries[index]

    @property
    def position(self) -> int:
        """The absolute queue position of the highlighted row."""
        return self.window.offset + self.cursor

    def show(
        self, window: QueueWindow, ctx: RowContext, *, keep_id: int | None = None,
        position: int | None = None,
    ) -> None:  # fmt: skip
        """Replace the rows; highlight `keep_id` if it is there, else `position`. Posts
        Highlighted only if that changes who is highlighted."""
        self.window, self._ctx = window, ctx
        rows, width = self.rows, self._width()
        self.query_one("#queue-header", Static).update(header(width), layout=False)
        before = rows.virtual_size.height > rows.scrollable_content_region.height
        rows.set_options(
            Option(row(e, ctx, width, e.prospect.id == self._calling_id)) for e in window.entries
        )
        if (rows.virtual_size.height > rows.scrollable_content_region.height) != before:
            rows.refresh(layout=True)  # the scrollbar comes or goes
        ids = [e.prospect.id for e in window.entries]
        index = ids.index(keep_id) if keep_id in ids else None
        if index is None and position is not None:
            index = position - window.offset
        index = max(0, min(index or 0, len(ids) - 1))
        if ids:
            rows.highlighted = index
            rows.scroll_to_highlight()
            self._announce(index)
        elif self._highlighted_id is not None:
            self._highlighted_id = None
            self.post_message(self.Highlighted(self, None))
        self._update_titles()

    def refresh_times(self, ctx: RowContext) -> None:
        """Local times move on: redraw the rows."""
        self._ctx = ctx
        self._redraw(lambda entry: True)

    def set_calling(self, prospect_id: int | None) -> None:
        """Mark the row of the call in progress."""
        previous, self._calling_id = self._calling_id, prospect_id
        self._redraw(lambda entry: entry.prospect.id in (previous, prospect_id))

    def move(self, delta: int) -> None:
        if delta > 0:
            self.rows.action_cursor_down()
        else:
            self.rows.action_cursor_up()

    def advance_past(self, prospect_id: int) -> None:
        """After a call to `prospect_id`: highlight the next row if it was highlighted."""
        entry = self.highlighted
        if entry is not None and entry.prospect.id == prospect_id:
            self.move(+1)

    def request_page(self, direction: int) -> None:
        offset = max(0, self.window.offset + direction * STEP)
        self.post_message(self.PageRequested(self, offset, self.position + direction))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._announce(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # enter is the "call" binding; a click just highlights

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.FilterChanged(self, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def on_resize(self) -> None:
        if self._ctx is not None:
            self.query_one("#queue-header", Static).update(header(self._width()), layout=False)
            self._redraw(lambda entry: True)

    def _width(self) -> int:
        # Less the scrollbar (always counted, so the columns do not move when it comes) and
        # the options' padding of one cell each side.
        return max(WHY + NAME + LOCAL + 2, self.rows.content_region.width - 1 - 2)

    def _redraw(self, which) -> None:
        if self._ctx is None:
            return
        rows, width = self.rows, self._width()
        for index, entry in enumerate(self.window.entries):
            if which(entry) and index < rows.option_count:
                calling = entry.prospect.id == self._calling_id
                rows.replace_option_prompt_at_index(index, row(entry, self._ctx, width, calling))

    def _announce(self, index: int | None) -> None:
        entries = self.window.entries
        entry = entries[index] if index is not None and 0 <= index < len(entries) else None
        pid = entry.prospect.id if entry else None
        if pid != self._highlighted_id:
            self._highlighted_id = pid
            self.post_message(self.Highlighted(self, entry))
        self._update_titles()

    def _update_titles(self) -> None:
        w = self.window
        if w.query:
            self.border_title = f"Queue · filter {w.query!r}"
            self.border_subtitle = f"{w.total} match{'es' * (w.total != 1)}"
        else:
            self.border_title = "Queue"
            if w.total:
                self.border_subtitle = f"{self.position + 1} of {w.total:,} due"
            else:
                self.border_subtitle = "nobody due"
