"""The Store: the one facade over the book's SQLite file. It returns model objects; no SQL
lives outside the `store` package.

Every write runs in `_write()`: the cross-process lock, then `BEGIN IMMEDIATE`, then commit —
so a multi-step write (a call with its pieces, contacts and the prospect's next call) is all or
nothing, and a reader in another process sees it whole or not at all.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from callbook.clock import Clock, system_clock
from callbook.model import (
    Answering,
    Call,
    Contact,
    NewCall,
    NewContact,
    NextCall,
    Outcome,
    Piece,
    Prospect,
    ProspectPhone,
    QueueEntry,
    QueueReason,
    Role,
    Scoreboard,
    Session,
    Status,
    same_value,
    status_after,
)
from callbook.store import phone_rows, rows, tallies
from callbook.store.db import (
    ReadOnlyError,
    StoreError,
    WriteLock,
    connect,
    describe_sqlite_error,
    error_kind,
    open_readonly,
)
from callbook.store.names import fill_keys, name_key, near_prefixes, stale_keys
from callbook.store.schema import LATEST, migrate, upgrade_notice, version

if TYPE_CHECKING:
    from callbook.jigsaw import TemplateSet
    from callbook.model import AttemptPlan
    from callbook.queue import QueueSettings

# The log size past which a commit folds it in (a backstop; see `Store._log_backstop`).
WAL_BACKSTOP = 256 * 2**20

# Fields a caller may set on a prospect, and how each is stored.
PROSPECT_FIELDS = (
    "name", "company", "phones", "email", "website", "city", "region", "country", "timezone",
    "status", "priority", "tags", "template", "next_call_at", "next_objective",
)  # fmt: skip
_LIST_FIELDS = {"phones", "tags"}
_TIME_FIELDS = {"next_call_at"}

# The slot whose value is a number to dial (the cold-call template's "direct line").
DIRECT_LINE_SLOT = "direct_line"


@dataclass
class _People:
    """The people a call's line names, as `Store._people` matched them to known contacts."""

    matched: set[str] = field(default_factory=set)  # typed names that are known contacts
    ids: dict[str, int] = field(default_factory=dict)  # typed name -> contact id
    # (slot, value) of a piece naming a known person -> the value to write (None: nothing)
    pieces: dict[tuple[str, str], str | None] = field(default_factory=dict)


# How long housekeeping (a checkpoint at a command's end, or when the app is idle) waits for
# another process's write lock: it is never worth making anyone wait.
CHECKPOINT_WAIT = 0.2


class Store:
    """An open book. Thread-safe: one connection guarded by a lock."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self.conn = conn
        self._lock = threading.RLock()
        self._write_lock = WriteLock(path)
        self._marks_log = False  # whether each write rewrites the book's identity row
        self._wal = path.with_name(path.name + "-wal")
        self._reader_conn: sqlite3.Connection | None = None
        self._reader_lock = threading.Lock()

    @functools.cached_property
    def db(self):
        """A sqlite-utils view of the same connection, for introspection (doctor) and tools;
        it changes nothing on the connection (no recursive triggers, no plugins). The caller's
        paths (record a call, the queue, undo) stay raw sqlite3, measured. Loaded on first use:
        importing sqlite-utils costs ~0.2 s, which the command line should not pay."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn, recursive_triggers=False, execute_plugins=False)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, clock: Clock = system_clock, create: bool = True,
        announce: Callable[[str], None] | None = None,
    ) -> Store:  # fmt: skip
        """Open (or create) the book at `path`, migrating it to the latest schema.

        Never replaces a file it cannot open: anything but a callbook (or empty) database
        raises StoreError and the file is left as it was. Before upgrading a book that holds
        data, `announce` is given one line to show: on a large book it takes a while.
        """
        # Symlinks resolved once: one book, one lock file, whichever name it is opened by.
        path = Path(os.path.realpath(Path(path).expanduser()))  # never raises, even on a loop
        conn = connect(path, create=create)
        store = cls(conn, path, clock)
        try:
            current = version(conn)
            if current < LATEST:
                if current and announce is not None:
                    announce(upgrade_notice(path, current))
                with store._write_lock.hold():
                    migrate(conn, path)
            else:
                migrate(conn, path)  # raises on a newer schema
            store._marks_log = _has_identity(conn)
        except sqlite3.Error as exc:
            store.close()
            raise StoreError(describe_sqlite_error(path, exc)) from None
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        with self._reader_lock:
            if self._reader_conn is not None:
                self._reader_conn.close()
                self._reader_conn = None
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

    def checkpoint(self, *, tidy: bool = True, wait: float = CHECKPOINT_WAIT) -> None:
        """Idle housekeeping kept out of the caller's commits: a bounded merge step of the
        recall index (unless tidy=False), then fold the write-ahead log back into the file.
        Cheap when nothing is pending. Serialised with writes, as SQLite before 3.51.3 needs.
        SQLite's automatic checkpoint is off (`db.connect`): this, run between commands and
        when idle, keeps the log short. With another process writing it waits `wait` seconds
        at most, then raises BusyError: it can be done next time, nobody waits for it."""
        from callbook.store import recall

        if tidy:
            with self._write(wait) as conn:
                recall.tidy(conn)
        with self._write_lock.hold(wait), self._lock:
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    # --- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, wait: float | None = None) -> Iterator[sqlite3.Connection]:
        """One write transaction: all or nothing, serialised across processes. `wait`: how
        long to wait for another process's write lock (default: WriteLock's) before BusyError.
        The write lock is taken before the connection's: while a writer waits for another
        process, readers of this process (the screen) go on."""
        with self._write_lock.hold(wait), self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                if self._marks_log:  # the log then always carries the book's identity
                    self.conn.execute("UPDATE book_identity SET writes = writes + 1")
                yield self.conn
                self.conn.commit()
            except sqlite3.Error as exc:
                self._rollback()
                raise self._error(exc) from None
            except BaseException:
                self._rollback()
                raise
            self._log_backstop()

    def _log_backstop(self) -> None:
        """Fold the log in after a commit once it has grown past `WAL_BACKSTOP` bytes: only
        a long run of commits with no idle moment and no command end gets here (SQLite's
        automatic checkpoint is off, see `db.connect`)."""
        try:
            size = os.stat(self._wal).st_size
        except OSError:
            return
        if size > WAL_BACKSTOP:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def write_busy(self) -> str | None:
        """Another process holding the book's write lock ("process 123 (command)"), or None: a write
        now would wait for it (up to the lock's wait, then BusyError). Never waits itself."""
        return self._write_lock.busy()

    def _rollback(self) -> None:
        # A rollback that fails too (I/O error) must not hide the first error; SQLite has
        # already rolled back or will on the next open, from the journal.
        with contextlib.suppress(sqlite3.Error):
            self.conn.rollback()

    def _error(self, exc: sqlite3.Error) -> StoreError:
        message = describe_sqlite_error(self.path, exc)
        if error_kind(exc) in ("read-only", "full"):
            return ReadOnlyError(message)
        return StoreError(message)

    def _read(self, sql: str, params: Iterable = ()) -> list[tuple]:
        with self._lock:
            try:
                return self.conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    def _read_with(self, read: Callable, *args):
        """`read(conn, *args)`: a read by a store module, its errors in the store's words."""
        with self._lock:
            try:
                return read(self.conn, *args)
            except sqlite3.Error as exc:
                raise self._error(exc) from None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection of the Store's own for long reads (stats, every name, queue
        counts): they never hold the lock that writes and the UI's short reads take."""
        with self._reader_lock:
            try:
                if self._reader_conn is None:
                    self._reader_conn = open_readonly(self.path)
                    self._reader_conn.execute("PRAGMA query_only = 1")
                yield self._reader_conn
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
        records = list(records)
        prepared = [self._prospect_row(phone_rows.without_details(r), now) for r in records]
        with self._write() as conn:
            ids = []
            for record, row in zip(records, prepared, strict=True):
                cur = conn.execute(
                    f"insert into prospects ({', '.join(row)}) values "
                    f"({', '.join('?' for _ in row)})",
                    tuple(row.values()),
                )
                ids.append(cur.lastrowid)
                specs = phone_rows.specs_of(record)
                if specs:
                    phone_rows.insert(conn, cur.lastrowid, specs, now)
                    phone_rows.refresh(conn, [cur.lastrowid])
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
        if "name" in row:
            row["name_key"] = name_key(row["name"])
        if "company" in row:
            row["company_key"] = name_key(row["company"])
        if new:
            row["created_at"] = now
        row["updated_at"] = now
        return row

    def update_prospect(self, prospect_id: int, **fields) -> Prospect:
        now = self._now()
        row = self._prospect_row(phone_rows.without_details(fields), now, new=False)
        specs = phone_rows.specs_of(fields)
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            conn.execute(
                f"update prospects set {', '.join(f'{k} = ?' for k in row)} where id = ?",
                (*row.values(), prospect_id),
            )
            if specs is not None:
                phone_rows.replace_list(conn, prospect_id, specs, now)
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

    def has_prospects(self) -> bool:
        return bool(self._read("select exists (select 1 from prospects)")[0][0])

    def prospect_names(self) -> list[tuple[int, str, str | None]]:
        """(id, name, company) of every prospect: the haystack for fuzzy matching. Read on the
        Store's read-only connection: a long read that must not hold up writes."""
        with self._reading() as conn:
            return conn.execute("select id, name, company from prospects order by id").fetchall()

    def prospect_name_keys(self) -> list[tuple[int, str]]:
        """(id, folded name and company) of every prospect, as `names.name_key` folds them:
        a fuzzy filter's haystack with nothing left to fold in Python. Read on the Store's
        read-only connection."""
        with self._reading() as conn:
            return conn.execute(
                "select id, case when company_key is null or company_key = name_key "
                "then coalesce(name_key, '') else coalesce(name_key, '') || ' ' || company_key "
                "end from prospects order by id"
            ).fetchall()

    def prospects_near(self, text: str, limit: int) -> list[tuple[int, str, str | None]] | None:
        """(id, name, company) of the prospects whose name or company starts within one typo
        of how `text` starts (`names.near_prefixes`): the candidates of a misspelt lookup, a
        few index seeks at any size. None when more than `limit` match (too short a text to
        narrow it down)."""
        key = name_key(text)
        if key is None:
            return []
        ranges = sorted(near_prefixes(key))
        values = ", ".join("(?, ?)" for _ in ranges)
        bounds = [bound for prefix in ranges for bound in (prefix, prefix + "\U0010ffff")]
        found = self._read(
            f"with ranges (low, high) as (values {values}) "
            "select p.id, p.name, p.company from ranges r join prospects p indexed by "
            "prospects_name_key on p.name_key >= r.low and p.name_key < r.high union "
            "select p.id, p.name, p.company from ranges r join prospects p indexed by "
            "prospects_company_key on p.company_key >= r.low and p.company_key < r.high "
            "and p.company_key is not null limit ?",
            (*bounds, limit + 1),
        )
        return None if len(found) > limit else found

    def prospects_named(self, text: str) -> list[Prospect]:
        """Prospects whose name or company is `text`, ignoring case, accents and spacing: an
        index seek on the folded keys (rows another program wrote without keys are compared
        as they are)."""
        key = name_key(text)
        if key is None:
            return []
        found = self._read(
            f"select {rows.PROSPECT_COLUMNS}, name_key is null from prospects "
            "where name_key = ?1 or company_key = ?1 or name_key is null order by id",
            (key,),
        )
        return [
            rows.prospect(r[:-1])
            for r in found
            if not r[-1] or key in (name_key(r[1]), name_key(r[2]))
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

    def gatekeepers(self, prospect_id: int) -> list[Answering]:
        """The prospect's gatekeepers (several: shifts), each with the calls they answered,
        when last, and what they gave."""
        found = []
        for contact in self.contacts(prospect_id):
            if contact.role is not Role.GATEKEEPER:
                continue
            (answered, last), = self._read(
                "select count(*), max(started_at) from calls where contact_id = ? "
                "and undone_at is null",
                (contact.id,),
            )  # fmt: skip
            gave = self._read(
                "select p.slot, p.value from pieces p join calls c on c.id = p.call_id "
                "where c.contact_id = ? and c.undone_at is null and p.undone_at is null "
                "order by p.id",
                (contact.id,),
            )
            found.append(
                Answering(
                    contact, answered, rows.from_db_time(last),
                    tuple(
                        f"{slot.replace('_', ' ')}: {value}"
                        for slot, value in gave
                        # their own name is not something they gave
                        if not value.casefold().startswith(contact.name.casefold())
                    ),
                )
            )  # fmt: skip
        return found

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

    def last_conversation(self, prospect_id: int) -> Call | None:
        """The newest call (not undone) in which a person picked up and something was noted:
        what was said last, by whom, when."""
        found = self._read(
            f"select {rows.CALL_COLUMNS} from calls where prospect_id = ? "
            "and answered_by in ('gatekeeper', 'decision_maker', 'someone') "
            "and undone_at is null and trim(coalesce(notes, '')) != '' "
            "order by started_at desc, id desc limit 1",
            (prospect_id,),
        )
        return rows.call(found[0]) if found else None

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

    def record_call(self, new: NewCall, *, clear_draft: str | None = None) -> Call:
        """Write a call, its pieces, the contacts it names and the prospect's next call, as one
        transaction. Wins are counted here from what was actually recorded: each piece that
        fills or changes a slot is a small win; a big outcome is a big win.

        `clear_draft` names the draft that held the line: it goes in the same transaction, so
        a crash can never leave a recorded call's line behind to be recorded twice."""
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
            # The outcome table (model.OUTCOME_RULES) decides the status and the next call;
            # nothing but a new `> objective` replaces the one planned.
            outcome = Outcome(new.outcome)
            next_call_at = None if outcome.rule.next_call is NextCall.END else new.next_call_at
            new_status = status_after(outcome, Status(status), parked_until=bool(next_call_at))
            next_objective = new.next_objective or next_obj
            merged_tags = list(rows.from_json_list(tags))
            merged_tags += [t for t in new.tags if t not in merged_tags]
            cur = conn.execute(
                "insert into calls (prospect_id, session_id, started_at, ended_at, objective, "
                "outcome, notes, next_call_at, next_objective, tags, capture, previous_state, "
                "outside_hours) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.prospect_id,
                    new.session_id,
                    rows.to_db_time(new.started_at),
                    rows.to_db_time(new.ended_at),
                    new.objective,
                    Outcome(new.outcome).value,
                    new.notes,
                    rows.to_db_time(next_call_at),
                    next_objective,
                    rows.to_json_list(new.tags),
                    new.capture,
                    json.dumps(previous),
                    int(new.outside_hours),
                ),
            )
            call_id = cur.lastrowid
            learned = rows.to_db_time(new.ended_at)
            undo: dict = {}
            people = self._people(conn, new, undo)
            # Each piece learned or changed is a small win, and so is confirming a stale one;
            # the tallies of pieces learned count the first kind only.
            slots, small = [], 0
            for slot, value in new.pieces:
                if (slot, value) in people.pieces:  # names a known person
                    value = people.pieces[(slot, value)]
                    if value is None:
                        continue
                win = self._insert_piece(conn, new.prospect_id, slot, value, call_id, learned)
                small += bool(win)
                if win == "learned":
                    slots.append(slot)
            for contact in new.contacts:
                if contact.name not in people.matched:
                    people.ids[contact.name] = self._insert_contact(
                        conn, new.prospect_id, contact, call_id, now
                    )
            self._route(conn, new, call_id, people, undo, now)
            big = 1 if outcome.is_big_win else 0
            conn.execute(
                "update calls set small_wins = ?, big_wins = ?, previous_state = ? where id = ?",
                (small, big, json.dumps(previous | ({"phones": undo} if undo else {})), call_id),
            )
            tallies.add_call(
                conn, rows.to_db_time(new.started_at), Outcome(new.outcome).value, small, big,
                slots,
            )  # fmt: skip
            if clear_draft is not None:
                conn.execute("delete from drafts where key = ?", (clear_draft,))
            conn.execute(
                "update prospects set next_call_at = ?, next_objective = ?, status = ?, tags = ?, "
                "last_call_at = ?, call_count = call_count + 1, updated_at = ? where id = ?",
                (
                    rows.to_db_time(next_call_at),
                    next_objective,
                    new_status.value,
                    rows.to_json_list(merged_tags),
                    rows.to_db_time(new.ended_at),
                    now,
                    new.prospect_id,
                ),
            )
        return self.get_call(call_id)

    def _people(self, conn: sqlite3.Connection, new: NewCall, undo: dict) -> _People:
        """Which people the line names are known: a name that stands for a known contact of
        the same role ("Lukas" for Lukas Patel) is that contact: no new contact, and its
        piece is not written again (no supersede, no win) unless the name says more (a
        surname: the contact takes it and the piece goes in)."""
        from callbook import people
        from callbook.capture.apply import split_name_title

        found = _People()
        if not new.contacts:
            return found
        known = conn.execute(
            "select id, name, role from contacts where prospect_id = ? and undone_at is null "
            "order by id",
            (new.prospect_id,),
        ).fetchall()
        for contact in new.contacts:
            same_role = [k for k in known if k[2] == Role(contact.role).value]
            matched = people.match(contact.name, [k[1] for k in same_role])
            if matched is None:
                continue
            cid, name, _ = same_role[matched.index]
            found.matched.add(contact.name)
            found.ids[contact.name] = cid
            conn.execute(
                "update contacts set title = coalesce(title, ?), phone = coalesce(phone, ?), "
                "email = coalesce(email, ?) where id = ?",
                (contact.title, contact.phone, contact.email, cid),
            )
            if matched.fuller:
                undo.setdefault("renamed", []).append([cid, name])
                conn.execute("update contacts set name = ? where id = ?", (contact.name, cid))
                continue
            for slot, value in new.pieces:
                typed_name, title = split_name_title(value)
                if typed_name.casefold() != contact.name.casefold():
                    continue
                in_force = conn.execute(
                    "select value from pieces where prospect_id = ? and slot = ? "
                    "and superseded_by is null and undone_at is null order by id desc limit 1",
                    (new.prospect_id, slot),
                ).fetchone()
                in_force_name = split_name_title(in_force[0])[0] if in_force else None
                found.pieces[(slot, value)] = people.settled_value(name, title, in_force_name)
        return found

    def _route(self, conn: sqlite3.Connection, new: NewCall, call_id: int, people: _People,
               undo: dict, now: str) -> None:  # fmt: skip
        """The number dialled (the first to dial unless the call says), who answered, and what
        the outcome and the line do to the prospect's numbers."""
        from callbook import phones as numbers
        from callbook.route import answered_by, answering_role

        pid = new.prospect_id
        outcome = Outcome(new.outcome)
        region = self._region_of(conn, pid)
        dialled = phone_rows.first_dialable(conn, pid)
        if new.dialled and new.dialled.strip():
            stored = numbers.normalize(new.dialled.replace(";ext=", " ext. "), region).stored
            dialled = phone_rows.find(conn, pid, stored)
            if dialled is None:
                spec = phone_rows.NumberSpec(stored, new.dialled.strip(), source=f"call:{call_id}")
                added = phone_rows.insert(conn, pid, [spec], now)
                undo.setdefault("added", []).extend(added)
                dialled = phone_rows.find(conn, pid, stored)
        answerer = answered_by(outcome, [c.role for c in new.contacts])
        role = answering_role(answerer)
        contact_id = next(
            (people.ids.get(c.name) for c in new.contacts if role and c.role == role), None
        )
        if outcome is Outcome.WRONG_NUMBER and dialled and dialled.status == phone_rows.OK:
            undo.setdefault("status", []).append([dialled.id, dialled.status])
            phone_rows.set_status(conn, dialled.id, phone_rows.WRONG)
        for slot, value in new.pieces:
            if slot == DIRECT_LINE_SLOT:
                self._learn_direct_line(conn, pid, value, call_id, region, undo, now)
        if outcome is Outcome.DO_NOT_CALL:
            for held in phone_rows.of_prospect(conn, pid):
                if phone_rows.ban(conn, held.number, now, f"!dnc on call {call_id}"):
                    undo.setdefault("banned", []).append(held.number)
        conn.execute(
            "update calls set phone_id = ?, dialled = ?, answered_by = ?, contact_id = ? "
            "where id = ?",
            (
                dialled.id if dialled else None,
                dialled.stored if dialled else None,
                answerer.value if answerer else None,
                contact_id,
                call_id,
            ),
        )
        if dialled is not None:
            phone_rows.recount(conn, dialled.id)
        phone_rows.refresh(conn, [pid])

    def _learn_direct_line(self, conn: sqlite3.Connection, prospect_id: int, value: str,
                           call_id: int, region: str, undo: dict, now: str) -> None:  # fmt: skip
        """A direct line said on a call becomes the prospect's first number to dial (an
        extension alone goes with the number dialled first so far)."""
        from callbook import phones as numbers

        first = phone_rows.first_dialable(conn, prospect_id)
        stored = numbers.direct_line(value, region, first.number if first else None)
        if stored is None:
            return
        known = phone_rows.find(conn, prospect_id, stored)
        if known is not None:
            undo.setdefault("moved", []).append([known.id, known.position, known.label])
            phone_rows.move_first(conn, known.id, prospect_id, "direct")
            return
        spec = phone_rows.NumberSpec(stored, value.strip(), "direct", f"call:{call_id}")
        undo.setdefault("added", []).extend(
            phone_rows.insert(conn, prospect_id, [spec], now, first=True)
        )

    def _region_of(self, conn: sqlite3.Connection, prospect_id: int) -> str:
        """The country assumed for numbers said without a country code: the prospect's."""
        from callbook import phones as numbers

        found = conn.execute(
            "select country from prospects where id = ?", (prospect_id,)
        ).fetchone()
        code = numbers.country_code(found[0]) if found and found[0] else None
        return code or self._settings().region

    def _undo_numbers(self, conn: sqlite3.Connection, call_id: int, prospect_id: int,
                      undo: dict) -> None:  # fmt: skip
        """Take back what a call did to numbers and people (see `_route` and `_people`)."""
        for number in undo.get("banned", ()):
            phone_rows.unban(conn, number)
        # Rows of this prospect only (ids are never reused, but a row may have gone since).
        mine = {r[0] for r in conn.execute(
            "select id from phones where prospect_id = ?", (prospect_id,)
        )}  # fmt: skip
        for phone_id, status in undo.get("status", ()):
            if phone_id in mine:
                phone_rows.set_status(conn, phone_id, status)
        for phone_id, position, label in undo.get("moved", ()):
            if phone_id in mine:
                conn.execute(
                    "update phones set position = ?, label = ? where id = ?",
                    (position, label, phone_id),
                )
        for phone_id in undo.get("added", ()):
            if phone_id in mine:
                conn.execute(
                    "delete from phones where id = ?1 and not exists (select 1 from calls "
                    "where phone_id = ?1 and id != ?2)",
                    (phone_id, call_id),
                )
        for contact_id, name in undo.get("renamed", ()):
            conn.execute("update contacts set name = ? where id = ?", (name, contact_id))
        dialled = conn.execute("select phone_id from calls where id = ?", (call_id,)).fetchone()
        if dialled and dialled[0] is not None:
            phone_rows.recount(conn, dialled[0])
        phone_rows.refresh(conn, [prospect_id])

    def set_next_objective(self, call_id: int, objective: str) -> Call:
        """The objective for the next call, chosen at the wrap-up of call `call_id` (when its
        line set none). It is written to that call, so undoing the call takes it back too, and
        to the prospect, unless a later call has planned the next one since."""
        objective = " ".join(objective.split())
        if not objective:
            raise ValueError("an objective needs some words")
        with self._write() as conn:
            found = conn.execute(
                "select prospect_id, undone_at from calls where id = ?", (call_id,)
            ).fetchone()
            if found is None:
                raise StoreError(f"no call with id {call_id}")
            prospect_id, undone_at = found
            if undone_at:
                raise StoreError(f"call {call_id} was undone")
            conn.execute("update calls set next_objective = ? where id = ?", (objective, call_id))
            later = conn.execute(
                "select 1 from calls where prospect_id = ? and id > ? and undone_at is null",
                (prospect_id, call_id),
            ).fetchone()
            if later is None:
                conn.execute(
                    "update prospects set next_objective = ?, updated_at = ? where id = ?",
                    (objective, self._now(), prospect_id),
                )
        return self.get_call(call_id)

    def _insert_piece(
        self, conn: sqlite3.Connection, prospect_id: int, slot: str, value: str,
        call_id: int | None, learned: str,
    ) -> str | bool:  # fmt: skip
        """Append a piece, superseding the one in force: "learned" (a small win). The same
        value said again confirms it (see `_confirm`): "confirmed" when that is a small win
        (it was stale), else False."""
        value = value.strip()
        if not value:
            raise ValueError(f"empty value for slot {slot!r}")
        current = conn.execute(
            "select id, value from pieces where prospect_id = ? and slot = ? "
            "and superseded_by is null and undone_at is null order by id desc",
            (prospect_id, slot),
        ).fetchall()
        if current and same_value(current[0][1], value):
            return self._confirm(conn, prospect_id, current, call_id, learned)
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
        return "learned"

    def _confirm(
        self, conn: sqlite3.Connection, prospect_id: int, current: list,
        call_id: int | None, confirmed: str,
    ) -> bool:  # fmt: skip
        """The value in force said again: a new row (the value as first written) that keeps
        when it was learned and records
        when it was confirmed (so that undoing the call takes the confirmation back). A small
        win only when it refreshes a piece past its slot's lifetime."""
        from callbook.freshness import is_stale
        from callbook.queue import zone_info

        old = rows.piece(
            conn.execute(
                f"select {rows.PIECE_COLUMNS} from pieces where id = ?", (current[0][0],)
            ).fetchone()
        )
        template, zone = conn.execute(
            "select template, zone from prospects where id = ?", (prospect_id,)
        ).fetchone()
        slot = self._templates().get(template).slot(old.slot)
        tz = zone_info(zone) or self._settings().caller_tz
        stale = slot is not None and is_stale(slot, old, rows.from_db_time(confirmed), tz)
        cur = conn.execute(
            "insert into pieces (prospect_id, slot, value, learned_at, call_id, confirmed_at) "
            "values (?, ?, ?, ?, ?, ?)",
            (prospect_id, old.slot, old.value, rows.to_db_time(old.learned_at), call_id, confirmed),
        )
        for old_id, _ in current:
            conn.execute(
                "update pieces set superseded_by = ?, superseded_at = ? where id = ?",
                (cur.lastrowid, confirmed, old_id),
            )
        return "confirmed" if stale else False

    # The templates pieces are read with (slot lifetimes); the Desk sets them, None: built-ins.
    templates: TemplateSet | None = None

    def _templates(self) -> TemplateSet:
        if self.templates is None:
            from callbook.jigsaw import load_templates

            self.templates = load_templates(None)
        return self.templates

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
            return bool(self._insert_piece(conn, prospect_id, slot, value, None, self._now()))

    def undo_call(self, call_id: int) -> Call:
        """Mark a call undone: its pieces and contacts are marked, not deleted; the pieces they
        superseded are in force again; the prospect's next call and status go back to what
        they were, unless something later changed them."""
        now = self._now()
        with self._write() as conn:
            found = conn.execute(
                "select prospect_id, undone_at, previous_state, started_at, outcome, "
                "small_wins, big_wins from calls where id = ?",
                (call_id,),
            ).fetchone()
            if found is None:
                raise StoreError(f"no call with id {call_id}")
            prospect_id, undone_at, previous, started_at, outcome, small, big = found
            if undone_at:
                raise StoreError(f"call {call_id} was already undone")
            conn.execute("update calls set undone_at = ? where id = ?", (now, call_id))
            found_pieces = conn.execute(
                "select id, slot, confirmed_at from pieces where call_id = ? "
                "and undone_at is null",
                (call_id,),
            ).fetchall()
            undone = [piece_id for piece_id, _, _ in found_pieces]
            tallies.add_call(
                conn, started_at, outcome, small or 0, big or 0,
                [slot for _, slot, confirmed in found_pieces if confirmed is None], sign=-1,
            )  # fmt: skip
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
            prev = json.loads(previous) if previous else {}
            self._undo_numbers(conn, call_id, prospect_id, prev.get("phones") or {})
            if not later and previous:
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

    # What the queue's order depends on besides the book (hours, cooldown, cap, the caller's
    # zone, availability slots). The Desk sets it from the config; None means the defaults.
    queue_settings: QueueSettings | None = None

    def _settings(self) -> QueueSettings:
        if self.queue_settings is None:
            from callbook.config import Config
            from callbook.queue import QueueSettings

            self.queue_settings = QueueSettings.from_config(Config())
        return self.queue_settings

    def set_attempt_plan(self, prospect_id: int, plan: AttemptPlan | None) -> None:
        """Give a prospect its own attempt plan (None: back to its template's)."""
        from callbook.attempts import plan_to_json

        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            conn.execute(
                "update prospects set attempt_plan = ?, updated_at = ? where id = ?",
                (plan_to_json(plan) if plan is not None else None, self._now(), prospect_id),
            )

    def attempt_plan(self, prospect_id: int) -> AttemptPlan | None:
        """The prospect's own attempt plan; None when it follows its template's."""
        from callbook.attempts import plan_from_json

        found = self._read("select attempt_plan from prospects where id = ?", (prospect_id,))
        return plan_from_json(found[0][0]) if found and found[0][0] else None

    def zone_key(self, prospect: Prospect) -> str | None:
        """The prospect's zone as the queue keeps it: one name, possible names joined by
        spaces, or None when unknown."""
        zone, _ = _zone_for(
            prospect.timezone, rows.to_json_list(prospect.phones), prospect.country,
            prospect.region, self._settings().region,
        )  # fmt: skip
        return zone or None

    def zone_of(self, prospect: Prospect) -> tuple[str, str] | None:
        """The prospect's time zone as the queue reads it: (IANA name, where it was read:
        'prospect', 'phone' or 'place'), or None when none could be read."""
        zone, source = _zone_for(
            prospect.timezone, rows.to_json_list(prospect.phones), prospect.country,
            prospect.region, self._settings().region,
        )  # fmt: skip
        # A set of possible zones is no zone: the caller's zone stands in, marked "?".
        return (zone, source) if zone and source and " " not in zone else None

    def queue(
        self, now: datetime | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[QueueEntry]:
        """Who to call now, `limit` entries from position `offset`, in the order of
        `callbook.queue`: callbacks due; then the prospects callable now (inside their local
        calling hours, allowed by their availability pieces, out of cooldown, under the daily
        cap) by priority and longest since the last attempt; then the others by when they
        become callable; skipped ones last. Do-not-call, won and lost prospects, those
        scheduled for later and those whose every number is do-not-call are left out.

        Reads lanes in index order and stops once the window is full: the cost follows
        `offset + limit`, not the size of the book."""
        import itertools

        now = now or self.clock()
        self._read_zones()
        with self._queue_reader(now) as reader:
            found = list(itertools.islice(reader.walk(), offset, offset + max(limit, 0)))
            return reader.entries(found)

    @contextlib.contextmanager
    def _queue_reader(self, now: datetime) -> Iterator[_QueueReader]:
        """A reader of the queue inside one read transaction: one snapshot for all its
        queries, however many lanes it opens. On the Store's read-only connection: reading
        a page of the queue never holds the lock that the caller's commits take."""
        with self._reading() as conn:
            conn.execute("BEGIN")
            try:
                reader = _QueueReader(conn, now, self._settings())
                try:
                    yield reader
                finally:
                    reader.close()
            finally:
                conn.rollback()  # only read: nothing to keep

    def queue_entries(self, prospect_ids: Iterable[int], now: datetime | None = None):
        """The queue entries of these prospects (those of them in the queue), in the given
        order: what the queue would show for each, without its position."""
        from callbook.queue import place

        now = now or self.clock()
        ids = list(dict.fromkeys(prospect_ids))
        self._read_zones()
        with self._queue_reader(now) as reader:
            placed = []
            for row in reader.rows_of(ids):
                candidate = reader.resolve(row)
                if candidate is not None:
                    placed.append(place(candidate, now, reader.settings))
            return reader.entries(placed)

    def queue_size(self, now: datetime | None = None) -> int:
        """How many prospects `queue` holds at `now`, waiting and skipped ones included."""
        now_text = rows.to_db_time(now or self.clock())
        # On the Store's read-only connection, in one read transaction: the counts never hold
        # the lock that the UI's reads and the caller's commits take.
        with self._reading() as conn:
            conn.execute("BEGIN")
            try:
                # Every prospect, less the closed ones and those scheduled for later: counts
                # that SQLite answers from indexes, unlike a count of the open ones.
                total = conn.execute("select count(*) from prospects").fetchone()[0]
                closed = conn.execute(
                    "select count(*) from prospects where status in (?, ?, ?)",
                    (Status.DO_NOT_CALL.value, Status.WON.value, Status.LOST.value),
                ).fetchone()[0]
                later = conn.execute(
                    f"select count(*) from prospects p indexed by prospects_due "
                    f"where p.next_call_at is not null and p.next_call_at > ? and {_IN_QUEUE}",
                    (now_text,),
                ).fetchone()[0]
                blocked = self._all_numbers_blocked(conn, now_text)
            finally:
                conn.rollback()
        return total - closed - later - blocked

    def _all_numbers_blocked(self, conn: sqlite3.Connection, now_text: str) -> int:
        """How many prospects in the queue at `now_text` have no number left to dial: a walk
        of the partial index of such prospects, however long the do-not-call list."""
        return conn.execute(
            f"select count(*) from prospects p indexed by prospects_unreachable "
            f"where p.unreachable is not null and {_IN_QUEUE} "
            "and (p.next_call_at is null or p.next_call_at <= ?)",
            (now_text,),
        ).fetchone()[0]

    def _read_zones(self) -> None:
        """Read the zone of every prospect whose `zone` is not read yet (new, or its
        timezone, numbers or place changed), a chunk per write transaction. A read-only book
        is left as it is: the queue then reads those zones each time."""
        settings = self._settings()
        try:
            while self._zones_pending():
                # A cache: with another process writing, read the zones this time instead.
                with self._write(wait=0.2) as conn:
                    pending = conn.execute(
                        "select id, timezone, phones, country, region from prospects "
                        "indexed by prospects_zone_pending where zone is null limit ?",
                        (_FILL_CHUNK,),
                    ).fetchall()
                    conn.executemany(
                        "update prospects set zone = ?, zone_source = ? where id = ?",
                        [
                            (*_zone_for(tz, phones, country, region, settings.region), pid)
                            for pid, tz, phones, country, region in pending
                        ],
                    )
        except StoreError:
            return

    def _zones_pending(self) -> bool:
        with self._reading() as conn:
            return conn.execute(
                "select exists (select 1 from prospects indexed by prospects_zone_pending "
                "where zone is null)"
            ).fetchone()[0]

    def skip(self, prospect_id: int, now: datetime | None = None) -> None:
        """Move a prospect to the back of the queue for the rest of the caller's day."""
        at = rows.to_db_time(now or self.clock())
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            conn.execute(
                "insert into skips (prospect_id, skipped_at) values (?, ?) on conflict "
                "(prospect_id) do update set skipped_at = excluded.skipped_at",
                (prospect_id, at),
            )

    def unskip(self, prospect_id: int) -> bool:
        """Undo a skip. False when the prospect was not skipped."""
        with self._write() as conn:
            return (
                conn.execute("delete from skips where prospect_id = ?", (prospect_id,)).rowcount > 0
            )

    def snooze(self, prospect_id: int, when: datetime) -> Prospect:
        """Set a prospect's next call: out of the queue until `when`, then due like a callback.
        A snooze also ends a skip."""
        when_text = rows.to_db_time(when)
        with self._write() as conn:
            self._require_prospect(conn, prospect_id)
            conn.execute(
                "update prospects set next_call_at = ?, updated_at = ? where id = ?",
                (when_text, self._now(), prospect_id),
            )
            conn.execute("delete from skips where prospect_id = ?", (prospect_id,))
        return self.get_prospect(prospect_id)

    def lift_do_not_call(self, prospect_id: int, reason: str) -> Prospect:
        """The one way a prospect leaves do-not-call (no call outcome does): explicit, with a
        reason, and recorded in `status_changes`. The prospect becomes active again, and its
        numbers that `!dnc` put on the do-not-call list come off it (the same request)."""
        reason = " ".join(reason.split())
        if not reason:
            raise ValueError("lifting do-not-call needs a reason")
        with self._write() as conn:
            status = self._require_prospect(conn, prospect_id)[2]
            if status != Status.DO_NOT_CALL.value:
                raise StoreError(f"prospect #{prospect_id} is not do-not-call ({status})")
            now = self._now()
            conn.execute(
                "insert into status_changes (prospect_id, old_status, new_status, reason, "
                "changed_at) values (?, ?, ?, ?, ?)",
                (prospect_id, status, Status.ACTIVE.value, reason, now),
            )
            conn.execute(
                "update prospects set status = ?, updated_at = ? where id = ?",
                (Status.ACTIVE.value, now, prospect_id),
            )
            for phone in phone_rows.of_prospect(conn, prospect_id):
                if phone.status == phone_rows.DO_NOT_CALL:
                    phone_rows.unban(conn, phone.number)
        return self.get_prospect(prospect_id)

    # --- do-not-call numbers -------------------------------------------------------------

    def add_do_not_call_number(self, number: str, note: str | None = None) -> bool:
        """Put a number (as prospects store it: E.164 where it parsed, without `;ext=`) on the
        do-not-call list: never dialled again, whichever prospect holds it (its rows are
        marked do-not-call); a prospect with no other number left leaves the queue. False when
        it was already there."""
        number = number.strip().split(";ext=")[0]
        if not number:
            raise ValueError("no number given")
        with self._write() as conn:
            return phone_rows.ban(conn, number, self._now(), note)

    def remove_do_not_call_number(self, number: str) -> bool:
        with self._write() as conn:
            return phone_rows.unban(conn, number.strip().split(";ext=")[0])

    def do_not_call_numbers(self) -> list[tuple[str, datetime, str | None]]:
        """(number, added, note) of every number on the do-not-call list, oldest first."""
        return [
            (number, rows.from_db_time(added), note)
            for number, added, note in self._read(
                "select number, added_at, note from do_not_call_numbers order by added_at, number"
            )
        ]

    def blocked_numbers(self, prospect: Prospect) -> tuple[str, ...]:
        """The prospect's numbers that are on the do-not-call list."""
        held = self.phones(prospect.id)
        return tuple(p.stored for p in held if p.status == phone_rows.DO_NOT_CALL)

    # --- numbers -------------------------------------------------------------------------

    def phones(self, prospect_id: int) -> list[ProspectPhone]:
        """Every number of a prospect: those to dial first, in dialling order, then the wrong
        ones and those on the do-not-call list."""
        return self._read_with(phone_rows.of_prospect, prospect_id)

    def number_to_dial(self, prospect_id: int) -> ProspectPhone | None:
        """The number to dial first: a direct line learned on a call, else the first of the
        prospect's numbers still dialable. None when none is left."""
        return self._read_with(phone_rows.first_dialable, prospect_id)

    def unreachable(self, prospect_id: int) -> str | None:
        """Why the prospect has no number left to dial; None while it has one (or none)."""
        found = self._read("select unreachable from prospects where id = ?", (prospect_id,))
        return found[0][0] if found else None

    # --- stats ---------------------------------------------------------------------------

    def day_tallies(self, tz: tzinfo, first: date, last: date) -> tuple[list, list]:
        """([(day, outcome, calls, small wins, big wins)], [(day, slot, pieces)]) of the
        local days first..last in zone `tz`, undone calls and pieces left out: from the
        per-day tallies, on the Store's read-only connection. The caller's zone (the queue
        settings') is tracked the first time it is asked for; another zone is counted from
        the calls."""
        self._track_caller_zone(tz)
        with self._reading() as conn:
            days, pieces = tallies.read(conn, tz, first, last)
        return (
            [(date.fromisoformat(d), Outcome(o), calls, small, big)
             for d, o, calls, small, big in days],
            [(date.fromisoformat(d), slot, count) for d, slot, count in pieces],
        )  # fmt: skip

    def _track_caller_zone(self, tz: tzinfo) -> None:
        caller = self.queue_settings.caller_tz if self.queue_settings is not None else None
        key = tallies.zone_key(tz)
        if key is None or caller is None or tallies.zone_key(caller) != key:
            return
        with self._reading() as conn:
            if conn.execute("select 1 from stats_zones where zone = ?", (key,)).fetchone():
                return
        with contextlib.suppress(ReadOnlyError), self._write() as conn:
            tallies.rebuild(conn, tz, self._now())

    def derived_out_of_step(self) -> list[str]:
        """What the Store derives from the rows and keeps by its writes (stats tallies, name
        keys) that no longer agrees with them: one line each. Reads the whole book."""
        with self._reading() as conn:
            conn.execute("BEGIN")
            try:
                zones = tallies.out_of_step(conn)
                stale = stale_keys(conn)
            finally:
                conn.rollback()
        problems = [f"stats tallies of {zone} differ from the calls" for zone in zones]
        if stale:
            problems.append(f"{stale} prospect name key(s) do not fit their names")
        return problems

    def rebuild_derived(self) -> None:
        """Recount the stats tallies of every tracked zone and rewrite every name key."""
        with self._write() as conn:
            fill_keys(conn)
            tallies.rebuild_all(conn, self._now())

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


# --- reading the queue -------------------------------------------------------------------

# The statuses the queue holds, written as in the queue's partial indexes so that SQLite uses
# them.
_IN_QUEUE = "p.status in ('new', 'active', 'meeting')"
_ROW_COLUMNS = (
    "p.id, p.priority, p.last_call_at, p.next_call_at, p.zone, p.zone_source, p.phones, "
    "p.timezone, p.country, p.region, p.template, p.attempt_plan, p.unreachable"
)
_ORDER = "order by p.priority, p.last_call_at, p.id"
_BATCH = 64  # rows fetched at a time from a lane
_FILL_CHUNK = 1000  # zones read per write transaction


def _has_identity(conn: sqlite3.Connection) -> bool:
    found = "select 1 from sqlite_master where type = 'table' and name = 'book_identity'"
    return conn.execute(found).fetchone() is not None


@functools.lru_cache(maxsize=65536)
def _zone_for(
    timezone: str | None, phones: str, country: str | None, region: str | None, default: str
) -> tuple[str, str | None]:
    """(zone, source) as the `zone` column holds it: '' when no zone could be read."""
    from callbook.queue import derive_zone, zone_info

    explicit = zone_info(timezone)
    if explicit is not None:
        return explicit.key, "prospect"
    zone, source = derive_zone(rows.from_json_list(phones), country, region, default)
    return zone or "", source


class _QueueReader:
    """One reading of the queue (inside `Store._queue_reader`'s transaction): the lanes as
    cursors over the queue's indexes, and what resolving a row needs (today's attempts and
    skips, the do-not-call list, availability pieces). Implements `callbook.queue.Lanes`."""

    def __init__(self, conn: sqlite3.Connection, now: datetime, settings: QueueSettings) -> None:
        from callbook.queue import zone_info

        self.conn = conn
        self.now = now
        self.settings = settings
        self.zone_info = zone_info
        self._cursors: list[sqlite3.Cursor] = []
        self.now_text = rows.to_db_time(now)
        self.cutoff = rows.to_db_time(now - settings.callback_grace)
        self.day = (
            rows.to_db_time(settings.day_start(now)),
            rows.to_db_time(settings.next_day_start(now)),
        )
        self.attempts = dict(
            self.conn.execute(
                "select prospect_id, count(*) from calls where started_at >= ? "
                "and started_at < ? and undone_at is null group by prospect_id",
                self.day,
            )
        )
        self.skips = {
            pid: rows.from_db_time(at)
            for pid, at in self.conn.execute(
                "select prospect_id, skipped_at from skips where skipped_at >= ? "
                "and skipped_at < ?",
                self.day,
            )
        }
        slots = settings.availability_slots
        self._rules_sql = (
            f"select value, learned_at from pieces where prospect_id = ? and slot in "
            f"({', '.join('?' * len(slots))}) and superseded_by is null and undone_at is null "
            "order by id"
        )
        self.rules: dict[int, tuple] = {}
        self.seen: dict[int, str | None] = {}  # id -> where its zone was read

    def close(self) -> None:
        for cur in self._cursors:
            cur.close()

    # - lanes -

    def _stream(self, sql: str, params: tuple = ()) -> Iterator:
        cur = self.conn.execute(sql, params)
        self._cursors.append(cur)
        while batch := cur.fetchmany(_BATCH):
            for found in batch:
                yield self._row(found)

    def _row(self, found: tuple):
        from callbook.queue import Row

        pid, priority, last, next_at, zone, source, phones, tz, country, region, *more = found
        if zone is None:  # not read yet (a read-only book): read it here
            zone, source = _zone_for(tz, phones, country, region, self.settings.region)
        due = rows.from_db_time(next_at)
        data = (source, phones, country, region, *more)  # more: template, own plan, unreachable
        return Row(pid, priority, rows.from_db_time(last), due, zone or None, data)

    def zones(self) -> list[str]:
        names: set[str] = set()
        for index, where in (
            ("prospects_lanes", "p.next_call_at is null"),
            ("prospects_due_lanes", "p.next_call_at is not null"),
        ):
            # Skip-scan: one index seek per distinct zone.
            names.update(
                r[0]
                for r in self.conn.execute(
                    f"""with recursive z(name) as (
                        select min(p.zone) from prospects p indexed by {index}
                            where p.zone > '' and {where} and {_IN_QUEUE}
                        union all
                        select (select min(p.zone) from prospects p indexed by {index}
                            where p.zone > z.name and {where} and {_IN_QUEUE})
                        from z where z.name is not null
                    ) select name from z where name is not null"""
                )
            )
        return sorted(names)

    def callbacks(self, closed) -> Iterator:
        closed = sorted(closed)
        marks = ", ".join("?" * len(closed))
        return self._stream(
            f"select {_ROW_COLUMNS} from prospects p indexed by prospects_due "
            f"where p.next_call_at is not null and p.next_call_at <= ? and {_IN_QUEUE} "
            f"and (p.next_call_at >= ? or p.zone is null or p.zone not in ({marks})) "
            "order by p.next_call_at, p.priority, p.id",
            (self.now_text, self.cutoff, *closed),
        )

    def late_callbacks(self, zone: str) -> Iterator:
        return self._stream(
            f"select {_ROW_COLUMNS} from prospects p indexed by prospects_due_lanes "
            f"where p.zone = ? and p.next_call_at is not null and p.next_call_at < ? "
            f"and {_IN_QUEUE} {_ORDER}",
            (zone, self.cutoff),
        )

    def waiting(self, zone: str | None) -> list[Iterator]:
        sql = (
            f"select {_ROW_COLUMNS} from prospects p indexed by prospects_lanes "
            f"where p.zone {{}} and p.next_call_at is null and {_IN_QUEUE} {_ORDER}"
        )
        if zone is not None:
            return [self._stream(sql.format("= ?"), (zone,))]
        return [self._stream(sql.format("= ''"))]

    def unread(self) -> Iterator:
        return self._stream(
            f"select {_ROW_COLUMNS} from prospects p indexed by prospects_lanes "
            f"where p.zone is null and p.next_call_at is null and {_IN_QUEUE} {_ORDER}"
        )

    def skipped(self) -> Iterator:
        found = self._stream(
            f"select {_ROW_COLUMNS} from skips k join prospects p on p.id = k.prospect_id "
            f"where k.skipped_at >= ? and k.skipped_at < ? and {_IN_QUEUE} "
            "and (p.next_call_at is null or p.next_call_at <= ?)",
            (*self.day, self.now_text),
        )
        for row in found:
            candidate = self.resolve(row)
            if candidate is not None:
                yield candidate

    def rows_of(self, ids: list[int]) -> list:
        """The rows of these prospects that are in the queue at `now`, in the order given."""
        found: dict[int, object] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for r in self.conn.execute(
                f"select {_ROW_COLUMNS} from prospects p where p.id in "
                f"({', '.join('?' * len(chunk))}) and {_IN_QUEUE} "
                "and (p.next_call_at is null or p.next_call_at <= ?)",
                (*chunk, self.now_text),
            ):
                row = self._row(r)
                found[row.id] = row
        return [found[i] for i in ids if i in found]

    # - resolving -

    def resolve(self, row):
        from callbook.queue import Candidate, legal_place

        source, phones, country, region, template, own_plan, unreachable = row.data
        if unreachable:  # no number left to dial (every one wrong or do-not-call)
            return None
        self.seen[row.id] = source
        plan, preferred = self._history(row, template, own_plan)
        place = None
        if self.settings.legal.stricter:  # only then does the place matter
            numbers = rows.from_json_list(phones)
            place = legal_place(country, region, numbers, self.settings.region)
        return Candidate(
            place=place,
            id=row.id,
            priority=row.priority,
            last_call_at=row.last_call_at,
            due_at=row.due_at,
            zone=row.zone,
            rules=self._rules(row.id, row.zone),
            attempts_today=self.attempts.get(row.id, 0),
            skipped_at=self.skips.get(row.id),
            plan=plan,
            preferred=preferred,
        )

    def _history(self, row, template: str | None, own_plan: str | None) -> tuple:
        """(where the prospect is in its attempt plan, whether now is inside the window it
        is usually reached in), from its own calls; read only for prospects called before."""
        from callbook.attempts import Attempt, PlanError, plan_from_json, plan_state
        from callbook.reach import Try, learn

        plan = None
        if own_plan:
            try:
                plan = plan_from_json(own_plan)
            except PlanError:
                plan = None  # written only through the store, which checks it: never here
        plan = plan or self.settings.plan_for(template)
        tz = self.zone_info(row.zone) or self.settings.caller_tz
        if row.last_call_at is None:
            return (plan_state(plan, (), tz) if plan else None), False
        history = [
            (rows.from_db_time(at), Outcome(outcome))
            for at, outcome in self.conn.execute(
                "select started_at, outcome from calls where prospect_id = ? "
                "and undone_at is null order by started_at",
                (row.id,),
            )
        ]
        state = plan_state(plan, [Attempt(a, o) for a, o in history], tz) if plan else None
        reach = learn([Try(a, o) for a, o in history], tz)
        return state, reach.inside(self.now, tz)

    def _rules(self, prospect_id: int, zone: str | None) -> tuple:
        if prospect_id not in self.rules:
            from callbook.availability import parse

            tz = self.zone_info(zone) or self.settings.caller_tz
            self.rules[prospect_id] = tuple(
                parse(value, rows.from_db_time(learned).astimezone(tz).date())
                for value, learned in self.conn.execute(
                    self._rules_sql, (prospect_id, *self.settings.availability_slots)
                )
            )
        return self.rules[prospect_id]

    def walk(self) -> Iterator:
        from callbook.queue import prefer, walk

        return prefer(walk(self.now, self.settings, self), self.settings.prefer_lookahead)

    # - entries -

    def entries(self, placements: list) -> list[QueueEntry]:
        from callbook.queue import Cause, reason_line

        ids = [p.candidate.id for p in placements]
        prospects: dict[int, Prospect] = {}
        names: dict[int, str] = {}
        blocked: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for found in self.conn.execute(
                f"select {rows.PROSPECT_COLUMNS} from prospects where id in ({marks})", chunk
            ):
                prospect = rows.prospect(found)
                prospects[prospect.id] = prospect
            # The decision maker's first name, for reasons such as "Tom is off on Tuesdays".
            for pid, name in self.conn.execute(
                f"select prospect_id, name from contacts where prospect_id in ({marks}) "
                "and role = 'decision_maker' and undone_at is null order by id",
                chunk,
            ):
                if name.split():
                    names[pid] = name.split()[0]
            for pid, number, extension in self.conn.execute(
                f"select prospect_id, number, extension from phones where prospect_id in "
                f"({marks}) and status = 'do-not-call' order by position, id",
                chunk,
            ):
                stored = f"{number};ext={extension}" if extension else number
                blocked.setdefault(pid, []).append(stored)
        entries = []
        for p in placements:
            c = p.candidate
            prospect = prospects[c.id]
            if c.due_at is not None:
                reason = QueueReason.CALLBACK
            elif prospect.call_count == 0:
                reason = QueueReason.NEVER_CALLED
            else:
                reason = QueueReason.FOLLOW_UP
            tz = self.zone_info(c.zone)
            source = self.seen.get(c.id)
            who = names.get(c.id) if p.cause in (Cause.RULE, Cause.AWAY) else None
            # A call scheduled follows its own time, not the plan; a parked plan says why.
            plan = c.plan if c.due_at is None and c.plan and not c.plan.parked_until else None
            entries.append(
                QueueEntry(
                    prospect,
                    reason,
                    c.due_at,
                    callable=p.callable,
                    callable_at=p.callable_at,
                    why=reason_line(p, self.now, self.settings, who),
                    zone=c.zone if tz is not None else None,
                    zone_source=source if tz is not None else None,
                    local_time=self.now.astimezone(tz) if tz is not None else None,
                    skipped=c.skipped_at is not None,
                    attempts_today=c.attempts_today,
                    availability=tuple(r.text for r in c.rules),
                    not_understood=tuple(r.text for r in c.rules if not r.understood),
                    dnc_numbers=tuple(blocked.get(c.id, ())),
                    attempt=plan.attempt if plan is not None else None,
                    attempts_max=plan.of if plan is not None else None,
                )
            )
        return entries
