"""Capture drafts in the book: one row per open app (its own key), with the app's host and
process id while it runs, and the prospect the line is for.

An app writes and deletes only its own row, so one app's commit never takes another's draft.
A row whose app is gone (quit, crash, kill -9, closed terminal) is an unsent line: the next app
to open claims it (in one write transaction, so two apps opening at once never both take it)
and brings it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from callbook.store.book import Store

PREFIX = "capture"  # every capture draft's key starts with it; "capture" alone is a legacy one


@dataclass(frozen=True)
class DraftRow:
    key: str
    text: str
    host: str | None
    pid: int | None
    prospect_id: int | None


def save(
    store: Store, key: str, text: str, *, host: str, pid: int, prospect_id: int | None
) -> None:
    """Keep this app's draft; an empty `text` deletes it."""
    with store._write() as conn:
        if not text:
            conn.execute("delete from drafts where key = ?", (key,))
            return
        conn.execute(
            "insert into drafts (key, text, saved_at, host, pid, prospect_id) "
            "values (?, ?, ?, ?, ?, ?) on conflict (key) do update set text = excluded.text, "
            "saved_at = excluded.saved_at, host = excluded.host, pid = excluded.pid, "
            "prospect_id = excluded.prospect_id",
            (key, text, store._now(), host, pid, prospect_id),
        )


def load(store: Store, key: str) -> DraftRow | None:
    found = store._read(
        "select key, text, host, pid, prospect_id from drafts where key = ?", (key,)
    )
    return DraftRow(*found[0]) if found else None


def claim_orphans(
    store: Store, *, host: str, pid: int, alive: Callable[[DraftRow], bool]
) -> list[DraftRow]:
    """Take over every capture draft whose app is gone (`alive` says which are not): they
    become this app's (host, pid), oldest first."""
    with store._write() as conn:
        found = conn.execute(
            "select key, text, host, pid, prospect_id from drafts "
            "where key = ? or key like ? order by saved_at, key",
            (PREFIX, PREFIX + ":%"),
        ).fetchall()
        orphans = [row for row in map(lambda r: DraftRow(*r), found) if not alive(row)]
        for row in orphans:
            conn.execute(
                "update drafts set host = ?, pid = ? where key = ?", (host, pid, row.key)
            )
    return [DraftRow(r.key, r.text, host, pid, r.prospect_id) for r in orphans]


def move(store: Store, old_key: str, new_key: str) -> None:
    """An unsent line brought back into this app's capture: it is this app's draft now, in
    one transaction (never two copies, never none)."""
    with store._write() as conn:
        row = conn.execute(
            "select text, saved_at, host, pid, prospect_id from drafts where key = ?", (old_key,)
        ).fetchone()
        if row is None:
            return
        conn.execute("delete from drafts where key in (?, ?)", (old_key, new_key))
        conn.execute(
            "insert into drafts (key, text, saved_at, host, pid, prospect_id) "
            "values (?, ?, ?, ?, ?, ?)",
            (new_key, *row),
        )


def delete(store: Store, key: str) -> None:
    with store._write() as conn:
        conn.execute("delete from drafts where key = ?", (key,))


def all_rows(store: Store) -> list[DraftRow]:
    return [
        DraftRow(*r)
        for r in store._read(
            "select key, text, host, pid, prospect_id from drafts "
            "where key = ? or key like ? order by saved_at, key",
            (PREFIX, PREFIX + ":%"),
        )
    ]
