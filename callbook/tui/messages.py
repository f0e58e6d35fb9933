"""App-wide messages: results that workers post back to the app, and requests any screen may make.

Messages that belong to one widget are nested in its class (`QueuePane.Highlighted`); these are
the ones with no single sender.
"""

from __future__ import annotations

from textual.message import Message

from callbook.model import QueueEntry


class QueueLoaded(Message):
    """A window of the queue (or of a filter's matches), read in a worker."""

    def __init__(
        self, token: int, entries: list[QueueEntry], offset: int, total: int, query: str,
        keep_id: int | None = None, position: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.token = token  # results from an older request are dropped
        self.entries = entries
        self.offset = offset
        self.total = total
        self.query = query
        self.keep_id = keep_id  # the prospect to keep highlighted
        self.position = position  # else this absolute queue position


class DemoBuilt(Message):
    """The demo book was built into an empty book."""

    def __init__(self, prospects: int) -> None:
        super().__init__()
        self.prospects = prospects


class OpenProspect(Message):
    """Show a prospect's detail screen (from the jigsaw, the queue or recall)."""

    def __init__(self, prospect_id: int, slot: str | None = None) -> None:
        super().__init__()
        self.prospect_id = prospect_id
        self.slot = slot


class CallProspect(Message):
    """Start a call on a prospect found anywhere (the filter, recall, the detail screen)."""

    def __init__(self, prospect_id: int) -> None:
        super().__init__()
        self.prospect_id = prospect_id
