"""Shared by the damage tests: a fresh book, the writer process, reading its acknowledgements,
and the check that a book holds every acknowledged call, whole."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITER = Path(__file__).with_name("writer.py")
sys.path.insert(0, str(Path(__file__).parent))

from writer import DRAFT_KEY, capture_line  # noqa: E402


def env(home: Path) -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        PYTHONPATH=str(ROOT),
        CALLBOOK_HOME=str(home),
        PYTHONDONTWRITEBYTECODE="1",
    )
    out.pop("CALLBOOK_DB", None)
    out.pop("CALLBOOK_NOW", None)
    return out


def new_book(path: Path) -> Path:
    from callbook.store import Store

    with Store.open(path) as store:
        store.add_prospect("Crash Test Ltd", phones=["+442079460000"])
    return path


def spawn_writer(
    db: Path, tag: str, home: Path, *, count: int | None = None, checkpoint_every: int = 0,
    stderr=subprocess.DEVNULL,
) -> subprocess.Popen:  # fmt: skip
    args = [sys.executable, str(WRITER), str(db), tag]
    if count is not None:
        args += ["--count", str(count)]
    if checkpoint_every:
        args += ["--checkpoint-every", str(checkpoint_every)]
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env(home), cwd=ROOT
    )


@dataclass
class Acks:
    calls: dict[str, int] = field(default_factory=dict)  # token -> call id
    last_draft: int | None = None  # index of the last draft acknowledged as saved


def read_acks(text: str, acks: Acks | None = None) -> Acks:
    """Acknowledgements from a writer's output; a line cut by the kill is not one."""
    acks = acks or Acks()
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            continue
        parts = line.split()
        if parts[:1] == ["ACK"]:
            acks.calls[parts[2]] = int(parts[1])
        elif parts[:1] == ["DRAFT"]:
            acks.last_draft = int(parts[1])
    return acks


@dataclass
class BookState:
    calls: int
    tokens: dict[str, int]  # token -> call id, for every call in the book
    draft: str | None


def check_book(db: Path, acked: dict[str, int] | None = None) -> BookState:
    """Assert the book is sound and every call in it is whole (its two pieces, its contact and
    its prospect's count), and that every acknowledged call is there with its id."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tokens: dict[str, int] = {}
        for call_id, notes, outcome in conn.execute("select id, notes, outcome from calls"):
            assert notes and notes.startswith("note "), (call_id, notes)
            tok = notes.removeprefix("note ")
            tokens[tok] = call_id
            assert outcome == "gatekeeper"
            pieces = sorted(
                conn.execute(
                    "select slot, value from pieces where call_id = ? and undone_at is null",
                    (call_id,),
                ).fetchall()
            )
            assert pieces == [("dm_availability", f"not {tok}"), ("gatekeeper", f"Sarah {tok}")], (
                call_id,
                pieces,
            )
            contacts = conn.execute(
                "select name, role from contacts where call_id = ?", (call_id,)
            ).fetchall()
            assert contacts == [(f"Sarah {tok}", "gatekeeper")], (call_id, contacts)
        counted = conn.execute("select coalesce(sum(call_count), 0) from prospects").fetchone()[0]
        assert counted == len(tokens), (counted, len(tokens))
        draft = conn.execute("select text from drafts where key = ?", (DRAFT_KEY,)).fetchone()
    finally:
        conn.close()
    for tok, call_id in (acked or {}).items():
        assert tokens.get(tok) == call_id, f"acknowledged call {call_id} ({tok}) is missing"
    return BookState(len(tokens), tokens, draft[0] if draft else None)


def check_draft(state: BookState, tag: str, last_draft: int | None) -> None:
    """The draft acknowledged last (or the one after it, saved just before the kill) is there."""
    if last_draft is None:
        return
    from writer import token

    assert state.draft in (
        capture_line(token(tag, last_draft)),
        capture_line(token(tag, last_draft + 1)),
    ), state.draft


def recall_in_step(db: Path) -> bool | None:
    """Whether the recall index matches the book (None when this callbook has no recall)."""
    try:
        from callbook.search import index_in_step
    except ImportError:
        return None
    from callbook.store import Store

    with Store.open(db, create=False) as store:
        return index_in_step(store)
