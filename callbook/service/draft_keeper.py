"""This app's capture draft, and the unsent lines that apps now gone left behind.

Each open app has a draft key of its own (`capture:<random>`); the row carries the host and
process id, so that the next app to open can tell a running app's draft (left alone) from an
unsent line (brought back). The draft is JSON: `{"prospect_id", "prospect", "started_at",
"line"}`, the prospect named so that a person reading the table (or the notice on the next
start) knows whom the line was for.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime

from callbook.clock import parse_instant
from callbook.model import Prospect
from callbook.store import Store, StoreError
from callbook.store import drafts as rows
from callbook.store.drafts import PREFIX, DraftRow

HOST = socket.gethostname()
# Draft keys of the apps running in this process (tests run several, one after another).
_LIVE: set[str] = set()


def owner_alive(row: DraftRow) -> bool:
    """Is the app that wrote `row` still running? Unknown (another machine): yes."""
    if row.pid is None:
        return False  # a draft from before drafts had owners
    if row.host != HOST:
        return True
    if row.pid == os.getpid():
        return row.key in _LIVE
    try:
        os.kill(row.pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return not _zombie(row.pid)


def _zombie(pid: int) -> bool:
    """A process that has ended but not been reaped still answers kill(pid, 0) (an app whose
    terminal closed under a parent that does not reap)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False  # no /proc (macOS): trust kill()


@dataclass(frozen=True)
class UnsentLine:
    """A capture line typed in an app that is gone, and the call it was for."""

    key: str
    prospect: Prospect | None
    started_at: datetime | None
    line: str

    @property
    def whose(self) -> str:
        return self.prospect.name if self.prospect is not None else "no prospect"


def payload(line: str, prospect: Prospect | None, started_at: datetime | None) -> str:
    """The draft text of a line typed on a call with `prospect` (empty: no draft)."""
    if not line.strip():
        return ""
    return json.dumps(
        {
            "prospect_id": prospect.id if prospect else None,
            "prospect": prospect.name if prospect else None,
            "started_at": started_at.isoformat() if started_at else None,
            "line": line,
        },
        ensure_ascii=False,
    )


def _read(store: Store, row: DraftRow) -> UnsentLine | None:
    try:
        data = json.loads(row.text)
        line = str(data["line"])
        pid = data.get("prospect_id")
        started = parse_instant(data["started_at"]) if data.get("started_at") else None
    except (ValueError, KeyError, TypeError, AttributeError):
        line, pid, started = row.text, None, None  # not ours: keep the text all the same
    if not line.strip():
        return None
    prospect = store.get_prospect(int(pid)) if pid is not None else None
    return UnsentLine(row.key, prospect, started, line)


class DraftKeeper:
    """The latest draft of this app, written by whoever calls `flush` (a worker after a pause
    in typing, or the UI thread on quit, a signal or a dropped call). One lock orders the
    writes, so a draft written late can never resurrect one that a commit deleted (a commit
    deletes it in the call's own transaction, after `discard`)."""

    def __init__(self, store: Store, key: str | None = None) -> None:
        self.store = store
        self.key = key or f"{PREFIX}:{uuid.uuid4().hex[:12]}"
        self.pid = os.getpid()
        _LIVE.add(self.key)
        self._lock = threading.Lock()
        self._pending: tuple[str, int | None] | None = None  # ("", _) deletes the draft

    def set(self, text: str, prospect_id: int | None = None) -> None:
        with self._lock:
            self._pending = (text, prospect_id)

    def flush(self, *, wait: bool = False) -> None:
        """Write what is pending. While typing (`wait` False) it never waits on another
        process: the line stays pending for the next try. On the way out (quit, a signal, a
        crash) it writes whatever it takes, within the lock's bounded wait: the last keys are
        worth more than a moment."""
        with self._lock:
            if self._pending is None:
                return
            if not wait and self.store.write_busy():  # the UI takes this lock: never wait here
                return  # kept pending for the next try, or printed on exit
            pending, self._pending = self._pending, None
            text, prospect_id = pending
            try:
                rows.save(
                    self.store, self.key, text, host=HOST, pid=self.pid, prospect_id=prospect_id
                )
            except StoreError:
                self._pending = pending  # still unsaved: kept for the next try, or the terminal
                raise

    def unsaved_line(self) -> str | None:
        """The line typed that is not on disk (a full disk, a read-only book), if any."""
        with self._lock:
            pending = self._pending
        if not pending or not pending[0]:
            return None
        try:
            return str(json.loads(pending[0])["line"]) or None
        except (ValueError, KeyError, TypeError):
            return pending[0]

    def discard(self) -> None:
        """Forget what is pending: a commit is about to delete the draft itself, and nothing
        may be written after it."""
        with self._lock:
            self._pending = None

    def clear(self) -> None:
        """Delete this app's draft now."""
        with self._lock:
            self._pending = None
            rows.delete(self.store, self.key)

    def current(self) -> str | None:
        row = rows.load(self.store, self.key)
        return row.text if row else None

    def unsent(self) -> list[UnsentLine]:
        """Claim the lines left by apps that are gone, oldest first; they are this app's to
        bring back (they stay in the book, under their own keys, until adopted)."""
        claimed = rows.claim_orphans(self.store, host=HOST, pid=self.pid, alive=owner_alive)
        return [found for row in claimed if (found := _read(self.store, row)) is not None]

    def adopt(self, line: UnsentLine) -> None:
        """`line` is back in the capture: it becomes this app's draft."""
        if line.key != self.key:
            rows.move(self.store, line.key, self.key)

    def release(self) -> None:
        """The app is leaving: its draft (if any) is an unsent line from now on."""
        _LIVE.discard(self.key)
