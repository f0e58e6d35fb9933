"""The recall overlay: search everything learned, mid-call, without losing the capture line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from callbook.timefmt import ago
from callbook.tui.keymap import TypesEveryCharacter, bind
from callbook.tui.messages import CallProspect, OpenProspect

LIMIT = 20

Searcher = Callable[[str], list[Any]]  # query -> RecallHits, best first


class RecallInput(TypesEveryCharacter, Input):
    """The query line; the arrows move through the results below it."""

    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        bind("call", action="open"),
        bind("close", action="close"),
    ]

    HELP = """
## Recall
Search every piece, note, contact and prospect learned so far. Typos are fine ("tuesdy" finds
"Tuesdays"); newest first among equals, the prospect on screen ahead of others.

- **up** / **down** choose a result; **enter** calls that prospect (between calls) or opens
  its detail (during a call, which stays as it is)
- **escape** returns to the call: the capture line is as you left it
"""

    def action_move(self, delta: int) -> None:
        results = self.screen.query_one(OptionList)
        if not results.option_count:
            return
        current = results.highlighted
        target = 0 if current is None else current + delta
        results.highlighted = max(0, min(target, results.option_count - 1))

    def action_open(self) -> None:
        self.screen.open_highlighted()

    def action_close(self) -> None:
        self.screen.dismiss(None)


class RecallScreen(ModalScreen[None]):
    """Results follow the query as it is typed; older answers are dropped."""

    class Results(Message):
        def __init__(self, token: int, query: str, hits: list[Any]) -> None:
            super().__init__()
            self.token = token
            self.query = query
            self.hits = hits

    def __init__(
        self, searcher: Searcher, now: datetime, query: str = "", *, on_call: bool = False
    ) -> None:
        super().__init__()
        self.on_call = on_call  # enter opens the detail (the call stays), else calls
        self.searcher = searcher
        self.now = now
        self.initial = query
        self.hits: list[Any] = []
        self._token = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog recall"):
            yield RecallInput(value=self.initial, placeholder="recall: a name, a word, a number…")
            yield Static(id="recall-status")
            yield OptionList(id="recall-results")

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False
        self.query_one(RecallInput).focus()
        self._status("type to search everything learned")
        if self.initial:
            self._ask(self.initial)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._ask(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def _ask(self, query: str) -> None:
        self._token += 1
        if not query.strip():
            self._show([], "type to search everything learned")
            return
        self._search(self._token, query)

    @work(thread=True, exclusive=True, group="recall", exit_on_error=False)
    def _search(self, token: int, query: str) -> None:
        hits = self.searcher(query)
        self.post_message(self.Results(token, query, hits))

    def on_recall_screen_results(self, message: Results) -> None:
        if message.token != self._token:
            return  # a newer query is on its way
        count = len(message.hits)
        status = f"{count} found" if count else f"nothing found for {message.query!r}"
        self._show(message.hits, status)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.open_highlighted()

    def open_highlighted(self) -> None:
        results = self.query_one(OptionList)
        index = results.highlighted
        if index is None or not 0 <= index < len(self.hits):
            return
        prospect_id = self.hits[index].prospect_id
        self.post_message(OpenProspect(prospect_id) if self.on_call else CallProspect(prospect_id))

    def _status(self, text: str) -> None:
        self.query_one("#recall-status", Static).update(Content.styled(text, "$text-muted"))

    def _show(self, hits: list[Any], status: str) -> None:
        self.hits = hits
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(Option(self._line(hit)) for hit in hits)
        if hits:
            results.highlighted = 0
        self._status(status)

    def _line(self, hit: Any) -> Content:
        snippet: list = []
        last = 0
        for start, end in hit.spans:
            snippet += [hit.snippet[last:start], (hit.snippet[start:end], "bold $accent")]
            last = end
        snippet.append(hit.snippet[last:])
        age = f"  {ago(hit.learned_at, self.now)}" if hit.learned_at else ""
        was = "" if hit.current else "  (replaced)"
        return Content.assemble(
            (hit.prospect_name, "bold"), ("  ·  ", "$text-muted"),
            (f"{hit.label}: ", "$text-muted"), *snippet, (age + was, "$text-muted"),
        )  # fmt: skip
