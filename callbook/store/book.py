"""The Store: the one facade over the book's SQLite file. It returns model objects; no SQL
lives outside the `store` package.

Every write runs in `_write()`: the cross-process lock, then `BEGIN IMMEDIATE`, then commit —
so a multi-step write (a call with its pieces, contacts and the prospect's next call) is all or
nothing, and a reader in another process sees it whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

import sqlite_utils

from callbook.clock import Clock, system_clock
from callbook.model import (
    Call,
    Contact,
    NewCall,
    NewContact,
    Outcome,
    Piece,
    Prospect,
    QueueEntry,
    QueueReason,
    Role,
    Scoreboard,
    Session,
    Status,
    same_value,
)
from callbook.store import rows
from callbook.store.db import (
    ReadOnlyError,
    StoreError,
    WriteLock,
    connect,
    describe_sqlite_error,
)
from callbook.store.schema import LATEST, migrate, version

# Fields a caller may set on a prospect, and how each is stored.
PROSPECT_FIELDS = (
    "name", "company", "phones", "email", "website", "city", "region", "country", "timezone",
    "status", "priority", "tags", "template", "next_call_at", "next_objective",
)  # fmt: skip
_LIST_FIELDS = {"phones", "tags"}
_TIME_FIELDS = {"next_call_at"}

# What an outcome does to the prospect's status.
_STATUS_AFTER = {
    Outcome.DO_NOT_CALL: Status.DO_NOT_CALL,
    Outcome.MEETING: Status.MEETING,
    Outcome.WON: Status.WON,
    Outcome.NOT_INTERESTED: Status.LOST,
}


class Store:
    """An open book. Thread-safe: one connection guarded by a lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._write_lock = WriteLock(path)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock = system_clock, create: bool = True) -> Store:
        """Open (or create) the book at `path`, migrating it to the latest schema.

        Never replaces a file it cannot open: anything but a callbook (or empty) database
        raises StoreError and the file is left as it was.
        """
        path = Path(path).absolute()
        conn = connect(path, create=create)
        store = cls(conn, path, clock)
        try:
            if version(conn) < LATEST:
                with store._write_lock.hold():
                    migrate(conn, path)
            else:
                migrate(conn, path)  # raises on a newer schema
        except sqlite3.Error as exc:
            store.close()
            raise StoreError(describe_sqlite_error(path, exc)) from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        with self._lock:
            self._write_lock.close()
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        with self._lock:
            return version(self.conn)

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live refresh."""
        with self._lock:
            return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the file; call it when idle (cheap if nothing
        is pending). Serialised with writes, as SQLite before 3.51.3 needs."""
        with self._lock, self._write_lock.hold():
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    # --- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all or nothing, serialised across processes."""
        with self._lock, self._write_lock.hold():
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield self.conn
                self.conn.commit()
            except sqlite3.Error as exc:
                self.conn.rollback()
                raise self._error(exc) from None
            except BaseException:
                self.conn.rollback()
                raise

    def _error(self, exc: sqlite3.Error) -> StoreError:
        message = describe_sqlite_error(self.path, exc)
        text = str(exc)
        if "readonly" in text or "read-only" in text or "full" in text:
            return ReadOnlyError(message)
        return StoreError(message)

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    def _now(self) -> str:
        return rows.to_db_time(self.clock())

    # --- prospects -----------------------------------------------------------------------

    def add_prospect(self, name: str, **fields) -> Prospect:
        return self.add_prospects([{"name": name, **fields}])[0]

    def add_prospects(self, records: Iterable[dict]) -> list[Prospect]:
        """Add many prospects in one transaction (all or nothing)."""
        now = self._now()
        prepared = [self._prospect_row(r, now) for r in records]
        with self._write() as conn:
            ids = []
            for row in prepared:
                cur = conn.execute(
                    f"insert into prospects ({', '.join(row)}) values "
                    f"({', '.join('?' for _ in row)})",
                    tuple(row.values()),
                )
                ids.append(cur.lastrowid)
        return [self.get_prospect(i) for i in ids]

    def _prospect_row(self, record: dict, now: str, *, new: bool = True) -> dict:
        unknown = set(record) - set(PROSPECT_FIELDS)
        if unknown:
            raise ValueError(f"unknown prospect field(s): {', '.join(sorted(unknown))}")
        row = {}
        for key, value in record.items():
            if key in _LIST_FIELDS:
                value = rows.to_json_list(value)
            elif key in _TIME_FIELDS:
                value = rows.to_db_time(value)
            elif key == "status":
                value = Status(value).value
            elif key == "priority":
                value = int(value)
                if not 1 <= value <= 5:
                    raise ValueError(f"priority must be 1 (highest) to 5 (lowest), not {value}")
            elif key == "name":
                value = (value or "").strip()
                if not value:
                    raise ValueError("a prospect needs a name")
            row[key] = value
        if new:
            row["created_at"] = now
        row["updated_at"] = now
        return row

    def update_prospect(self, prospect_id: int, **fields) -> Prospect:
        row = self._prospect_row(fields, self._now(), new=False)
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            conn.execute(
                f"update prospects set {', '.join(f'{k} = ?' for k in row)} where id = ?",
                (*row.values(), prospect_id),
            )
        return self.get_prospect(prospect_id)

    def _require_prospect(self, conn: sqlite3.Connection, prospect_id: int) -> tuple:
        found = conn.execute(
            "select next_call_at, next_objective, status, tags from prospects where id = ?",
            (prospect_id,),
        ).fetchone()
        if found is None:
            raise StoreError(f"no prospect with id {prospect_id}")
        return found

    def get_prospect(self, prospect_id: int) -> Prospect | None:
        found = self._read(
            f"select {rows.PROSPECT_COLUMNS} from prospects where id = ?", (prospect_id,)
        )
        return rows.prospect(found[0]) if found else None

    def prospects(self, *, limit: int | None = None, offset: int = 0) -> list[Prospect]:
        return [
            rows.prospect(r)
            for r in self._read(
                f"select {rows.PROSPECT_COLUMNS} from prospects order by id limit ? offset ?",
                (-1 if limit is None else limit, offset),
            )
        ]

    def count_prospects(self) -> int:
        return self._read("select count(*) from prospects")[0][0]

    def prospect_names(self) -> list[tuple[int, str, str | None]]:
        """(id, name, company) of every prospect: the haystack for fuzzy matching."""
        return self._read("select id, name, company from prospects order by id")

    def prospects_named(self, text: str) -> list[Prospect]:
        """Prospects whose name or company is `text`, ignoring case."""
        return [
            rows.prospect(r)
            for r in self._read(
                f"select {rows.PROSPECT_COLUMNS} from prospects "
                "where name = ?1 collate nocase or company = ?1 collate nocase order by id",
                (text.strip(),),
            )
        ]

    # --- contacts, pieces, calls ---------------------------------------------------------

    def contacts(self, prospect_id: int) -> list[Contact]:
        return [
            rows.contact(r)
            for r in self._read(
                f"select {rows.CONTACT_COLUMNS} from contacts "
                "where prospect_id = ? and undone_at is null order by id",
                (prospect_id,),
            )
        ]

    def add_contact(self, prospect_id: int, contact: NewContact) -> Contact:
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            cid = self._insert_contact(conn, prospect_id, contact, None, self._now())
        return next(c for c in self.contacts(prospect_id) if c.id == cid)

    def pieces(self, prospect_id: int, *, history: bool = True) -> list[Piece]:
        """Pieces of a prospect, oldest first; with history=False only the current ones."""
        where = "" if history else " and superseded_by is null and undone_at is null"
        return [
            rows.piece(r)
            for r in self._read(
                f"select {rows.PIECE_COLUMNS} from pieces where prospect_id = ?{where} order by id",
                (prospect_id,),
            )
        ]

    def current_pieces(self, prospect_id: int) -> dict[str, Piece]:
        """slot key -> the piece in force."""
        return {p.slot: p for p in self.pieces(prospect_id, history=False)}

    def calls(self, prospect_id: int | None = None, *, limit: int | None = None) -> list[Call]:
        """Calls newest first, undone ones included (they carry `undone_at`)."""
        where, params = ("where prospect_id = ?", [prospect_id]) if prospect_id else ("", [])
        return [
            rows.call(r)
            for r in self._read(
                f"select {rows.CALL_COLUMNS} from calls {where} "
                "order by started_at desc, id desc limit ?",
                (*params, -1 if limit is None else limit),
            )
        ]

    def get_call(self, call_id: int) -> Call | None:
        found = self._read(f"select {rows.CALL_COLUMNS} from calls where id = ?", (call_id,))
        return rows.call(found[0]) if found else None

    def call_capture(self, call_id: int) -> str | None:
        found = self._read("select capture from calls where id = ?", (call_id,))
        return found[0][0] if found else None

    def pieces_of_call(self, call_id: int) -> list[Piece]:
        return [
            rows.piece(r)
            for r in self._read(
                f"select {rows.PIECE_COLUMNS} from pieces where call_id = ? order by id",
                (call_id,),
            )
        ]

    # --- recording a call ----------------------------------------------------------------

    def record_call(self, new: NewCall) -> Call:
        """Write a call, its pieces, the contacts it names and the prospect's next call, as one
        transaction. Wins are counted here from what was actually recorded: each piece that
        fills or changes a slot is a small win; a big outcome is a big win."""
        if new.ended_at < new.started_at:
            raise ValueError("a call cannot end before it starts")
        now = self._now()
        with self._write() as conn:
            next_at, next_obj, status, tags = self._require_prospect(conn, new.prospect_id)
            previous = {
                "next_call_at": next_at,
                "next_objective": next_obj,
                "status": status,
                "tags": tags,
            }
            merged_tags = list(rows.from_json_list(tags))
            merged_tags += [t for t in new.tags if t not in merged_tags]
            cur = conn.execute(
                "insert into calls (prospect_id, session_id, started_at, ended_at, objective, "
                "outcome, notes, next_call_at, next_objective, tags, capture, previous_state) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.prospect_id,
                    new.session_id,
                    rows.to_db_time(new.started_at),
                    rows.to_db_time(new.ended_at),
                    new.objective,
                    Outcome(new.outcome).value,
                    new.notes,
                    rows.to_db_time(new.next_call_at),
                    new.next_objective,
                    rows.to_json_list(new.tags),
                    new.capture,
                    json.dumps(previous),
                ),
            )
            call_id = cur.lastrowid
            learned = rows.to_db_time(new.ended_at)
            small = sum(
                self._insert_piece(conn, new.prospect_id, slot, value, call_id, learned)
                for slot, value in new.pieces
            )
            for contact in new.contacts:
                self._insert_contact(conn, new.prospect_id, contact, call_id, now)
            big = 1 if Outcome(new.outcome).is_big_win else 0
            conn.execute(
                "update calls set small_wins = ?, big_wins = ? where id = ?", (small, big, call_id)
            )
            new_status = _STATUS_AFTER.get(Outcome(new.outcome))
            if new_status is None:
                new_status = Status.ACTIVE if status == Status.NEW.value else Status(status)
            if status == Status.DO_NOT_CALL.value:
                new_status = Status.DO_NOT_CALL  # only an explicit change lifts do-not-call
            conn.execute(
                "update prospects set next_call_at = ?, next_objective = ?, status = ?, tags = ?, "
                "last_call_at = ?, call_count = call_count + 1, updated_at = ? where id = ?",
                (
                    rows.to_db_time(new.next_call_at),
                    new.next_objective,
                    new_status.value,
                    rows.to_json_list(merged_tags),
                    rows.to_db_time(new.ended_at),
                    now,
                    new.prospect_id,
                ),
            )
        return self.get_call(call_id)

    def _insert_piece(
        self, conn: sqlite3.Connection, prospect_id: int, slot: str, value: str,
        call_id: int | None, learned: str,
    ) -> bool:  # fmt: skip
        """Append a piece, superseding the one in force. False when it repeats that value."""
        value = value.strip()
        if not value:
            raise ValueError(f"empty value for slot {slot!r}")
        current = conn.execute(
            "select id, value from pieces where prospect_id = ? and slot = ? "
            "and superseded_by is null and undone_at is null order by id desc",
            (prospect_id, slot),
        ).fetchall()
        if current and same_value(current[0][1], value):
            return False
        cur = conn.execute(
            "insert into pieces (prospect_id, slot, value, learned_at, call_id) "
            "values (?, ?, ?, ?, ?)",
            (prospect_id, slot, value, learned, call_id),
        )
        for old_id, _ in current:
            conn.execute(
                "update pieces set superseded_by = ?, superseded_at = ? where id = ?",
                (cur.lastrowid, learned, old_id),
            )
        return True

    def _insert_contact(
        self, conn: sqlite3.Connection, prospect_id: int, contact: NewContact,
        call_id: int | None, now: str,
    ) -> int:  # fmt: skip
        """Add a contact unless one of that name and role is already known (then fill gaps)."""
        name = contact.name.strip()
        if not name:
            raise ValueError("a contact needs a name")
        role = Role(contact.role).value
        found = conn.execute(
            "select id, title, phone, email from contacts where prospect_id = ? and role = ? "
            "and name = ? collate nocase and undone_at is null",
            (prospect_id, role, name),
        ).fetchone()
        if found:
            cid, title, phone, email = found
            conn.execute(
                "update contacts set title = ?, phone = ?, email = ? where id = ?",
                (contact.title or title, contact.phone or phone, contact.email or email, cid),
            )
            return cid
        cur = conn.execute(
            "insert into contacts (prospect_id, name, role, title, phone, email, call_id, "
            "created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            (prospect_id, name, role, contact.title, contact.phone, contact.email, call_id, now),
        )
        return cur.lastrowid

    def add_piece(self, prospect_id: int, slot: str, value: str) -> bool:
        """Record a piece learned outside a call (an import, an edit). True if it changed."""
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            return self._insert_piece(conn, prospect_id, slot, value, None, self._now())

    def undo_call(self, call_id: int) -> Call:
        """Mark a call undone: its pieces and contacts are marked, not deleted; the pieces they
        superseded are in force again; the prospect's next call and status go back to what
        they were, unless something later changed them."""
        now = self._now()
        with self._write() as conn:
            found = conn.execute(
                "select prospect_id, undone_at, previous_state, next_call_at, next_objective "
                "from calls where id = ?",
                (call_id,),
            ).fetchone()
            if found is None:
                raise StoreError(f"no call with id {call_id}")
            prospect_id, undone_at, previous, call_next_at, call_next_obj = found
            if undone_at:
                raise StoreError(f"call {call_id} was already undone")
            conn.execute("update calls set undone_at = ? where id = ?", (now, call_id))
            undone = [
                r[0]
                for r in conn.execute(
                    "select id from pieces where call_id = ? and undone_at is null", (call_id,)
                )
            ]
            conn.execute("update pieces set undone_at = ? where call_id = ?", (now, call_id))
            for piece_id in undone:
                conn.execute(
                    "update pieces set superseded_by = null, superseded_at = null "
                    "where superseded_by = ? and undone_at is null",
                    (piece_id,),
                )
            conn.execute("update contacts set undone_at = ? where call_id = ?", (now, call_id))
            later = conn.execute(
                "select count(*) from calls where prospect_id = ? and id > ? and undone_at is null",
                (prospect_id, call_id),
            ).fetchone()[0]
            last = conn.execute(
                "select max(ended_at), count(*) from calls where prospect_id = ? "
                "and undone_at is null",
                (prospect_id,),
            ).fetchone()
            conn.execute(
                "update prospects set last_call_at = ?, call_count = ?, updated_at = ? "
                "where id = ?",
                (last[0], last[1], now, prospect_id),
            )
            if not later and previous:
                prev = json.loads(previous)
                conn.execute(
                    "update prospects set next_call_at = ?, next_objective = ?, status = ?, "
                    "tags = ? where id = ?",
                    (
                        prev["next_call_at"],
                        prev["next_objective"],
                        prev["status"],
                        prev["tags"],
                        prospect_id,
                    ),
                )
        return self.get_call(call_id)

    # --- sessions and scores -------------------------------------------------------------

    def start_session(self) -> Session:
        with self._write() as conn:
            cur = conn.execute("insert into sessions (started_at) values (?)", (self._now(),))
        return self.get_session(cur.lastrowid)

    def end_session(self, session_id: int) -> Session:
        with self._write() as conn:
            conn.execute(
                "update sessions set ended_at = ? where id = ? and ended_at is null",
                (self._now(), session_id),
            )
        return self.get_session(session_id)

    def get_session(self, session_id: int) -> Session | None:
        found = self._read(
            "select id, started_at, ended_at from sessions where id = ?", (session_id,)
        )
        return rows.session(found[0]) if found else None

    def scoreboard(
        self, *, session_id: int | None = None, since: datetime | None = None,
        until: datetime | None = None,
    ) -> Scoreboard:  # fmt: skip
        """What the calls of a session (or a span of time) scored; undone calls don't count."""
        where, params = ["c.undone_at is null"], []
        if session_id is not None:
            where.append("c.session_id = ?")
            params.append(session_id)
        if since is not None:
            where.append("c.started_at >= ?")
            params.append(rows.to_db_time(since))
        if until is not None:
            where.append("c.started_at < ?")
            params.append(rows.to_db_time(until))
        connected = tuple(o.value for o in Outcome if o.connected)
        reached = tuple(o.value for o in Outcome if o.reached_decision_maker)
        (calls, connects, dms, small, big, meetings), = self._read(
            f"""select count(*),
                coalesce(sum(c.outcome in ({','.join('?' * len(connected))})), 0),
                coalesce(sum(c.outcome in ({','.join('?' * len(reached))})), 0),
                coalesce(sum(c.small_wins), 0), coalesce(sum(c.big_wins), 0),
                coalesce(sum(c.outcome = 'meeting'), 0)
            from calls c where {' and '.join(where)}""",
            (*connected, *reached, *params),
        )  # fmt: skip
        return Scoreboard(
            calls=calls,
            connects=connects,
            decision_makers=dms,
            small_wins=small,
            big_wins=big,
            pieces=small,
            meetings=meetings,
        )

    def last_call_of_session(self, session_id: int) -> Call | None:
        found = self._read(
            f"select {rows.CALL_COLUMNS} from calls where session_id = ? and undone_at is null "
            "order by id desc limit 1",
            (session_id,),
        )
        return rows.call(found[0]) if found else None

    # --- the queue -----------------------------------------------------------------------

    def queue(self, now: datetime | None = None, *, limit: int = 50, offset: int = 0):
        """Who to call now: callbacks due (oldest due first), then never-called prospects by
        priority, then follow-ups by priority and longest since the last attempt. Prospects
        marked do-not-call, won or lost, and those scheduled for later, are left out."""
        now_text = rows.to_db_time(now or self.clock())
        closed = (Status.DO_NOT_CALL.value, Status.WON.value, Status.LOST.value)
        buckets = (
            (
                QueueReason.CALLBACK,
                "next_call_at is not null and next_call_at <= ?",
                "next_call_at, priority, id",
                (now_text,),
            ),
            (
                QueueReason.NEVER_CALLED,
                "next_call_at is null and call_count = 0",
                "priority, id",
                (),
            ),
            (
                QueueReason.FOLLOW_UP,
                "next_call_at is null and call_count > 0",
                "priority, last_call_at, id",
                (),
            ),
        )
        entries: list[QueueEntry] = []
        for reason, cond, order, params in buckets:
            if len(entries) >= limit:
                break
            sql = (
                f"select {rows.PROSPECT_COLUMNS} from prospects where status not in (?, ?, ?) "
                f"and {cond} order by {order} limit ? offset ?"
            )
            count = None
            if offset:
                count = self._read(
                    f"select count(*) from prospects where status not in (?, ?, ?) and {cond}",
                    (*closed, *params),
                )[0][0]
            take_offset = min(offset, count) if count is not None else 0
            found = self._read(sql, (*closed, *params, limit - len(entries), take_offset))
            offset -= take_offset
            entries += [QueueEntry(p, reason, p.next_call_at) for p in map(rows.prospect, found)]
        return entries

    def queue_size(self, now: datetime | None = None) -> int:
        now_text = rows.to_db_time(now or self.clock())
        return self._read(
            "select count(*) from prospects where status not in (?, ?, ?) "
            "and (next_call_at is null or next_call_at <= ?)",
            (Status.DO_NOT_CALL.value, Status.WON.value, Status.LOST.value, now_text),
        )[0][0]

    def scheduled(self, *, since: datetime | None = None) -> list[Prospect]:
        """Prospects with a next call set (at or after `since`), soonest first."""
        return [
            rows.prospect(r)
            for r in self._read(
                f"select {rows.PROSPECT_COLUMNS} from prospects where next_call_at is not null "
                "and next_call_at >= ? order by next_call_at, id",
                (rows.to_db_time(since) or "",),
            )
        ]

    # --- drafts --------------------------------------------------------------------------

    def save_draft(self, key: str, text: str) -> None:
        """Keep what is being typed, so that a crash or a closed terminal loses nothing."""
        with self._write() as conn:
            if text:
                conn.execute(
                    "insert into drafts (key, text, saved_at) values (?, ?, ?) "
                    "on conflict (key) do update set text = excluded.text, "
                    "saved_at = excluded.saved_at",
                    (key, text, self._now()),
                )
            else:
                conn.execute("delete from drafts where key = ?", (key,))

    def load_draft(self, key: str) -> str | None:
        found = self._read("select text from drafts where key = ?", (key,))
        return found[0][0] if found else None

    # --- checks --------------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        problems = [r[0] for r in self._read("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [
            f"foreign key: {table} row {rowid} -> {parent}"
            for table, rowid, parent, _ in self._read("PRAGMA foreign_key_check")
        ]
        return problems
