"""Whole-book reads and writes for import, export and restore: many rows in one transaction.

These are functions over an open `Store` (its connection and its write transaction), kept apart
from the everyday facade in `book.py`. An import runs its duplicate checks and its inserts inside
one `writing()` transaction: new prospects go in a statement per table (`add_many`) with the
recall index filled once at the end (`recall_deferred`), and `savepoint()` lets a failing row be
named while the whole import still rolls back; a dry run does the same reads in `reading()`.

Which library does what: the reads of whole tables for export and restore (which tables the file
has, their columns, counts, every row as a dict) go through sqlite-utils over the same connection
(`_tables_of`); the inserts stay raw sqlite3 `executemany`, measured against `sqlite-utils insert`
in `benchmarks/bench_import.py`.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from callbook.model import NewContact, Role, Status
from callbook.store import phone_rows, rows, tallies
from callbook.store.book import PROSPECT_FIELDS, Store
from callbook.store.db import StoreError
from callbook.store.names import fill_keys, name_key

# The tables that hold the book, in export order (what a reader expects first); restore goes
# parents first. Derived tables (the recall index) and drafts being typed are not the book.
TABLES = (
    "prospects", "contacts", "pieces", "calls", "sessions", "do_not_call_numbers", "skips",
    "phones",
)  # fmt: skip
RESTORE_ORDER = (
    "prospects", "phones", "sessions", "calls", "contacts", "pieces", "do_not_call_numbers",
    "skips",
)  # fmt: skip
_JSON_LISTS = {"prospects": ("phones", "tags"), "calls": ("tags",)}
_JSON_OBJECTS = {"calls": ("previous_state",)}


# --- transactions --------------------------------------------------------------------------


@contextlib.contextmanager
def writing(store: Store) -> Iterator[sqlite3.Connection]:
    """One write transaction (all or nothing), serialised with every other writer."""
    with store._write() as conn:
        yield conn


@contextlib.contextmanager
def reading(store: Store) -> Iterator[sqlite3.Connection]:
    """A read transaction: every query inside sees the same snapshot of the book."""
    with store._lock:
        conn = store.conn
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


@contextlib.contextmanager
def savepoint(conn: sqlite3.Connection, name: str = "import_row") -> Iterator[None]:
    """Undo just this block's writes when it raises; the outer transaction goes on."""
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        conn.execute(f"ROLLBACK TO {name}")
        conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def book_stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    """What changes whenever the book may have: the commits of other connections (SQLite's
    data_version) and the rows this connection has changed. Equal stamps taken in two
    transactions mean both saw the same book."""
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def now_text(store: Store) -> str:
    return rows.to_db_time(store.clock())


# --- reading the whole book ----------------------------------------------------------------


def _tables_of(conn: sqlite3.Connection):
    """sqlite-utils over this connection, changing nothing on it (no recursive triggers, no
    plugins). Imported here, not at the top: the command line starts without it."""
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def tables(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The book's tables this file has (older schemas lack the newer ones), in export order."""
    present = set(_tables_of(conn).table_names())
    return tuple(t for t in TABLES if t in present)


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    _check_table(table)
    return [c.name for c in _tables_of(conn)[table].columns]


def count(conn: sqlite3.Connection, table: str) -> int:
    _check_table(table)
    return _tables_of(conn)[table].count


def dump(conn: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """Every row of `table` in insertion order, every column, JSON lists and objects decoded."""
    _check_table(table)
    lists = _JSON_LISTS.get(table, ())
    objects = _JSON_OBJECTS.get(table, ())
    for row in _tables_of(conn)[table].rows_where(order_by="rowid"):
        for key in lists:
            row[key] = list(rows.from_json_list(row[key]))
        for key in objects:
            if row[key] is not None:
                row[key] = json.loads(row[key])
        yield row


def prospect_names(conn: sqlite3.Connection) -> dict[int, str]:
    return dict(conn.execute("select id, name from prospects"))


def book_keys(conn: sqlite3.Connection) -> list[tuple[int, str, str | None, tuple[str, ...],
                                                      str | None, str | None]]:  # fmt: skip
    """(id, name, company, phones, email, website) of every prospect: duplicate detection."""
    return [
        (pid, name, company, rows.from_json_list(phones), email, website)
        for pid, name, company, phones, email, website in conn.execute(
            "select id, name, company, phones, email, website from prospects order by id"
        )
    ]


def book_places(conn: sqlite3.Connection) -> dict[int, tuple[str | None, str | None]]:
    """(city, country) of every prospect that has one: branches are told apart by place."""
    return {
        pid: (city, country)
        for pid, city, country in conn.execute(
            "select id, city, country from prospects where city is not null or country is not null"
        )
    }


def country_sample(conn: sqlite3.Connection, limit: int = 2000) -> list[tuple[str | None, str]]:
    """(country, phones JSON) of the newest prospects: which country the book mostly calls."""
    return conn.execute(
        "select country, phones from prospects order by id desc limit ?", (limit,)
    ).fetchall()


def updated_times(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    """When each prospect last changed (its `updated_at`)."""
    found: dict[int, str] = {}
    wanted = list(ids)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            conn.execute(
                f"select id, updated_at from prospects where id in ({', '.join('?' * len(chunk))})",
                chunk,
            )
        )
    return found


@dataclass
class ProspectState:
    """What a merge needs to know about a prospect already in the book."""

    id: int
    fields: dict[str, Any]
    contacts: list[tuple[int, NewContact]] = field(default_factory=list)
    pieces: dict[str, str] = field(default_factory=dict)  # slot -> current value


MERGE_FIELDS = (
    "name", "company", "phones", "email", "website", "city", "region", "country", "timezone",
    "status", "priority", "tags", "template", "next_call_at", "next_objective",
)  # fmt: skip


def prospect_states(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, ProspectState]:
    states: dict[int, ProspectState] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for values in conn.execute(
            f"select id, {', '.join(MERGE_FIELDS)} from prospects where id in ({marks})", chunk
        ):
            fields = dict(zip(MERGE_FIELDS, values[1:], strict=True))
            fields["phones"] = list(rows.from_json_list(fields["phones"]))
            fields["tags"] = list(rows.from_json_list(fields["tags"]))
            fields["next_call_at"] = rows.from_db_time(fields["next_call_at"])
            states[values[0]] = ProspectState(values[0], fields)
        for cid, pid, name, role, title, phone, email in conn.execute(
            "select id, prospect_id, name, role, title, phone, email from contacts "
            f"where prospect_id in ({marks}) and undone_at is null order by id",
            chunk,
        ):
            contact = NewContact(name, Role(role), title, phone, email)
            states[pid].contacts.append((cid, contact))
        for pid, slot, value in conn.execute(
            f"select prospect_id, slot, value from pieces where prospect_id in ({marks}) "
            "and superseded_by is null and undone_at is null order by id",
            chunk,
        ):
            states[pid].pieces[slot] = value
    return states


# --- writing an import ---------------------------------------------------------------------


def insert_prospect(store: Store, conn: sqlite3.Connection, fields: dict, now: str) -> int:
    """Insert one prospect (fields as for `Store.add_prospect`, with `phone_details` when
    given) and its numbers; returns its id."""
    row = store._prospect_row(phone_rows.without_details(fields), now)
    cur = conn.execute(
        f"insert into prospects ({', '.join(row)}) values ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    specs = phone_rows.specs_of(fields, "import")
    if specs:
        phone_rows.insert(conn, cur.lastrowid, specs, now)
        phone_rows.refresh(conn, [cur.lastrowid])
    return cur.lastrowid


def update_prospect(
    store: Store, conn: sqlite3.Connection, prospect_id: int, fields: dict, now: str
) -> None:
    row = store._prospect_row(phone_rows.without_details(fields), now, new=False)
    conn.execute(
        f"update prospects set {', '.join(f'{k} = ?' for k in row)} where id = ?",
        (*row.values(), prospect_id),
    )
    specs = phone_rows.specs_of(fields, "import")
    if specs is not None:
        phone_rows.replace_list(conn, prospect_id, specs, now)


def insert_contact(conn: sqlite3.Connection, prospect_id: int, contact: NewContact,
                   now: str) -> int:  # fmt: skip
    name = contact.name.strip()
    if not name:
        raise ValueError("a contact needs a name")
    cur = conn.execute(
        "insert into contacts (prospect_id, name, role, title, phone, email, created_at) "
        "values (?, ?, ?, ?, ?, ?, ?)",
        (prospect_id, name, Role(contact.role).value, contact.title, contact.phone,
         contact.email, now),
    )  # fmt: skip
    return cur.lastrowid


def fill_contact(conn: sqlite3.Connection, contact_id: int, contact: NewContact) -> None:
    """Fill a known contact's empty title, phone and email; never overwrite."""
    conn.execute(
        "update contacts set title = coalesce(title, ?), phone = coalesce(phone, ?), "
        "email = coalesce(email, ?) where id = ?",
        (contact.title, contact.phone, contact.email, contact_id),
    )


def insert_piece(conn: sqlite3.Connection, prospect_id: int, slot: str, value: str,
                 learned: str) -> int:  # fmt: skip
    """A piece learned outside any call, for a slot with no piece in force."""
    value = value.strip()
    if not value:
        raise ValueError(f"empty value for slot {slot!r}")
    cur = conn.execute(
        "insert into pieces (prospect_id, slot, value, learned_at) values (?, ?, ?, ?)",
        (prospect_id, slot, value, learned),
    )
    return cur.lastrowid


@dataclass
class NewProspect:
    """A prospect to add, with the contacts and pieces that come with it."""

    fields: dict[str, Any]
    contacts: list[NewContact] = field(default_factory=list)
    pieces: dict[str, str] = field(default_factory=dict)
    # Each number with its label, as typed, its note and its column, in `fields["phones"]`
    # order ({"number", "typed", "label", "note", "source"}); for the phones table.
    phone_details: list[dict[str, Any]] | None = None


def add_many(
    store: Store, conn: sqlite3.Connection, records: list[NewProspect], now: str
) -> tuple[list[int], list[tuple[int, str]]]:
    """Insert many prospects with their contacts and pieces, a statement per table.

    Returns (ids, []) or, when some records are invalid, ([], [(index, reason), ...]) having
    written nothing. Ids are taken in order after the highest one: inside the write
    transaction nobody else can take them. sqlite3 errors are raised for the caller to
    roll back and pin down row by row.
    """
    names = [c for c in columns(conn, "prospects") if c != "id"]
    defaults = _defaults(conn, "prospects")
    base = conn.execute("select coalesce(max(id), 0) from prospects").fetchone()[0]
    given: set[str] = set()
    for record in records:
        given.update(record.fields)
    given.discard("phone_details")
    plan = _ProspectRows(names, defaults, now, given)
    roles: dict[Any, str] = {}
    prospect_rows, contact_rows, piece_rows, errors = [], [], [], []
    numbers = _NumberRows(conn, now)
    for index, record in enumerate(records):
        pid = base + 1 + index
        try:
            row = plan.row(pid, phone_rows.without_details(record.fields))
            numbers.add(pid, record.fields)
            for contact in record.contacts:
                name = contact.name.strip()
                if not name:
                    raise ValueError("a contact needs a name")
                role = roles.get(contact.role)
                if role is None:
                    role = roles[contact.role] = Role(contact.role).value
                contact_rows.append((pid, name, role, contact.title, contact.phone,
                                     contact.email, now))  # fmt: skip
            for slot, value in record.pieces.items():
                if not value.strip():
                    raise ValueError(f"empty value for slot {slot!r}")
                piece_rows.append((pid, slot, value.strip(), now))
        except (ValueError, TypeError) as exc:
            errors.append((index, str(exc)))
            continue
        prospect_rows.append(row)
    if errors:
        return [], errors
    _insert_many(conn, "prospects", ["id", *plan.varying], prospect_rows, plan.fixed)
    _insert_many(
        conn,
        "contacts",
        ["prospect_id", "name", "role", "title", "phone", "email", "created_at"],
        contact_rows,
    )
    _insert_many(conn, "pieces", ["prospect_id", "slot", "value", "learned_at"], piece_rows)
    numbers.write()
    return [row[0] for row in prospect_rows], []


class _NumberRows:
    """The `phones` rows of a batch of new prospects (from `phone_details` where a record has
    them, else from `phones`), checked against the do-not-call list read once."""

    def __init__(self, conn: sqlite3.Connection, now: str) -> None:
        self.conn = conn
        self.now = now
        self.rows: list[tuple] = []
        self.banned = {r[0] for r in conn.execute("select number from do_not_call_numbers")}
        self.touched: list[int] = []  # prospects whose list the table reorders

    def add(self, pid: int, fields: dict) -> None:
        seen: set[str] = set()
        for position, spec in enumerate(phone_rows.specs_of(fields, "import") or ()):
            if spec.stored in seen:
                continue
            seen.add(spec.stored)
            status = phone_rows.DO_NOT_CALL if spec.number in self.banned else phone_rows.OK
            if status != phone_rows.OK or "phone_details" in fields:
                self.touched.append(pid)
            self.rows.append(
                (pid, spec.number, phone_rows.e164_of(spec.number), spec.typed, spec.extension,
                 phone_rows.label_of(spec.label), spec.source, spec.note, status, position)
            )  # fmt: skip

    def write(self) -> None:
        _insert_many(
            self.conn,
            "phones",
            ["prospect_id", "number", "e164", "typed", "extension", "label", "source", "note",
             "status", "position"],
            self.rows,
            {"created_at": self.now},
        )  # fmt: skip
        phone_rows.refresh(self.conn, self.touched)


_STAGED_MIN = 1000  # rows below which a plain executemany is as quick


def _insert_many(conn: sqlite3.Connection, table: str, names: list[str], values: list,
                 fixed: dict[str, Any] | None = None) -> None:  # fmt: skip
    """`executemany` of an insert (`names` from each row of `values`, and the `fixed` columns
    the same in every row), the same rows in the same order (ids given or taken as they come),
    but by way of a temporary table when there are many: there the rows go in without
    indexes, triggers or the write-ahead log, and one `INSERT ... SELECT` moves them (measured:
    a fifth quicker on prospects, with their six indexes). The staging columns have no type,
    so each value reaches the table as it was bound and takes the table's affinity there, as
    with the plain insert."""
    fixed = fixed or {}
    columns = ", ".join([*names, *fixed])
    if len(values) < _STAGED_MIN:
        marks = ", ".join("?" * (len(names) + len(fixed)))
        same = tuple(fixed.values())
        conn.executemany(
            f"insert into {table} ({columns}) values ({marks})", [(*v, *same) for v in values]
        )
        return
    stage = f"temp.{table}_import_stage"
    slots = [f"c{i}" for i in range(len(names))]
    conn.execute(f"drop table if exists {stage}")
    conn.execute(f"create temp table {table}_import_stage ({', '.join(slots)})")
    try:
        conn.executemany(f"insert into {stage} values ({', '.join('?' * len(names))})", values)
        conn.execute(
            f"insert into {table} ({columns}) "
            f"select {', '.join([*slots, *'?' * len(fixed)])} from {stage} order by rowid",
            tuple(fixed.values()),
        )
    finally:
        conn.execute(f"drop table if exists {stage}")


_FIELDS = frozenset(PROSPECT_FIELDS)
_KEYS = {"name_key": "name", "company_key": "company"}  # derived column -> its field


class _ProspectRows:
    """New prospects' rows for one batch, with the checks and encodings of
    `Store.add_prospect` and the column plan made once. A row holds the id and the `varying`
    columns, those some record of the batch gives; the others are the same in every row
    (`fixed`: defaults, and the time for created_at and updated_at)."""

    def __init__(self, names: list[str], defaults: dict[str, Any], now: str,
                 given: set[str]) -> None:  # fmt: skip
        start = {
            column: now if column in ("created_at", "updated_at") else defaults.get(column)
            for column in names
        }
        given = given | {key for key in _KEYS if key in names}  # derived from name, company
        self.varying = [column for column in names if column in given]
        self.keys = [
            (self.varying.index(key) + 1, field_name)
            for key, field_name in _KEYS.items()
            if key in self.varying
        ]
        self.fixed = {column: start[column] for column in names if column not in given}
        self.base = [start[column] for column in self.varying]

    def row(self, pid: int, fields: dict[str, Any]) -> tuple:
        """Raises ValueError or TypeError, naming the first bad field in column order."""
        unknown = fields.keys() - _FIELDS
        if unknown:
            raise ValueError(f"unknown prospect field(s): {', '.join(sorted(unknown))}")
        name = (fields.get("name") or "").strip()
        if not name:
            raise ValueError("a prospect needs a name")
        row = [pid, *self.base]
        for index, column in enumerate(self.varying, 1):
            if column not in fields:
                continue
            value = fields[column]
            if column in ("phones", "tags"):
                value = rows.to_json_list(value)
            elif column == "next_call_at":
                value = rows.to_db_time(value)
            elif column == "status":
                value = Status(value).value
            elif column == "priority":
                value = int(value)
                if not 1 <= value <= 5:
                    raise ValueError(f"priority must be 1 (highest) to 5 (lowest), not {value}")
            elif column == "name":
                value = name
            row[index] = value
        for index, field_name in self.keys:
            row[index] = name_key(name if field_name == "name" else fields.get(field_name))
        return tuple(row)


def _defaults(conn: sqlite3.Connection, table: str) -> dict[str, Any]:
    """Column defaults as Python values (the schema's, so that a full-width insert keeps them)."""
    found: dict[str, Any] = {}
    for _, name, _, _, default, _ in conn.execute(f"PRAGMA table_info({table})"):
        if default is None:
            found[name] = None
        elif default.startswith("'") and default.endswith("'"):
            found[name] = default[1:-1].replace("''", "'")
        else:
            try:
                found[name] = int(default)
            except ValueError:
                found[name] = float(default)
    return found


@contextlib.contextmanager
def recall_deferred(conn: sqlite3.Connection) -> Iterator[None]:
    """Inserts without the recall index's per-row triggers (the index costs several times the
    insert itself, row by row): on the way out, the rows added meanwhile are indexed in one
    pass per table (`recall.fill_added`) and the triggers are put back, in the same
    transaction. Inserts only: an update or delete inside would leave the index out of step."""
    try:
        from callbook.store import recall

        sources, index = recall.DOCUMENTS, recall.TABLE
    except (ImportError, AttributeError):
        yield
        return
    tables = [s.table for s in sources]
    triggers = conn.execute(
        "select name, sql from sqlite_master where type = 'trigger' and name like ? "
        f"escape '\\' and tbl_name in ({', '.join('?' * len(tables))})",
        (f"{index}\\_%", *tables),
    ).fetchall()
    if not triggers:
        yield
        return
    high = {t: conn.execute(f"select coalesce(max(id), 0) from {t}").fetchone()[0] for t in tables}
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    yield
    recall.fill_added(conn, high)
    for _, sql in triggers:
        conn.execute(sql)


# --- restoring a whole exported book -------------------------------------------------------


class RestoreError(StoreError):
    """An export that cannot be restored; `problems` lists each row at fault."""

    def __init__(self, problems: list[str], held: dict[str, int] | None = None) -> None:
        super().__init__(problems[0] if problems else "cannot restore")
        self.problems = problems
        self.held = held or {}  # rows already in the book, when that is the problem


def restore(store: Store, data: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """Put an exported book, ids and all, into this empty book, in one transaction.

    Rows keep their ids so that every reference (piece history, a call's session, the call a
    piece or contact came from) comes back as it was. Raises RestoreError listing the rows at
    fault; then nothing is written.
    """
    unknown = sorted(set(data) - set(TABLES))
    if unknown:
        raise RestoreError([f"unknown table(s): {', '.join(unknown)}"])
    problems: list[str] = []
    counts: dict[str, int] = {}
    with writing(store) as conn:
        have = tables(conn)
        missing = [t for t in data if data[t] and t not in have]
        if missing:
            raise RestoreError(
                [f"this callbook is older than the export (no {', '.join(missing)} table)"]
            )
        held = {t: count(conn, t) for t in have}
        if any(held.values()):
            raise RestoreError(["an export restores into an empty book only"], held)
        # Pieces point at newer pieces (superseded_by): check references at the end instead.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        with recall_deferred(conn):
            for table in RESTORE_ORDER:
                if table in have:
                    counts[table] = _restore_table(conn, table, data.get(table, ()), problems)
            if "phones" in have and not data.get("phones"):
                # An export from before numbers were rows: the rows come from the lists.
                phone_rows.move_lists(conn)
                counts["phones"] = count(conn, "phones")
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} id {rowid}: refers to a missing row of {parent}")
        if not problems:
            problems += unreadable_rows(conn)
        if problems:
            raise RestoreError(problems)
        # Derived from the rows just written: lookup keys and the stats tallies.
        fill_keys(conn)
        tallies.rebuild_all(conn, now_text(store))
    return counts


# Values a row must hold for callbook to use it (beyond the columns' own constraints).
_ROW_RULES = {
    "prospects": "typeof(priority) != 'integer' or priority not between 1 and 5 "
    "or typeof(call_count) != 'integer' or call_count < 0 or typeof(name) != 'text'",
    "calls": "typeof(small_wins) != 'integer' or small_wins < 0 "
    "or typeof(big_wins) != 'integer' or big_wins < 0",
    "pieces": "typeof(value) != 'text' or typeof(slot) != 'text'",
    "contacts": "typeof(name) != 'text'",
}
_READERS = (
    ("prospects", rows.PROSPECT_COLUMNS, rows.prospect),
    ("contacts", rows.CONTACT_COLUMNS, rows.contact),
    ("pieces", rows.PIECE_COLUMNS, rows.piece),
    ("calls", rows.CALL_COLUMNS, rows.call),
)


def unreadable_rows(conn: sqlite3.Connection, limit: int = 20) -> list[str]:
    """Rows that went in but that callbook could not show (a date that is not one, an unknown
    status, a priority of 10**30...): each read back as the app and `show` read it."""
    problems: list[str] = []
    for table, rule in _ROW_RULES.items():
        for (rowid,) in conn.execute(f"select id from {table} where {rule} limit ?", (limit,)):
            problems.append(f"{table} id {rowid}: a value out of range or of the wrong type")
    for table, columns_read, read in _READERS:
        for row in conn.execute(f"select {columns_read} from {table}"):
            try:
                read(row)
            except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
                problems.append(f"{table} id {row[0]}: {exc}")
                if len(problems) >= limit:
                    return problems
    return problems


def _restore_table(conn: sqlite3.Connection, table: str, rows_in: Iterable[dict[str, Any]],
                   problems: list[str]) -> int:  # fmt: skip
    known = columns(conn, table)
    keyed = "id" in known
    written = 0
    for index, row in enumerate(rows_in, 1):
        where = f"{table} #{index}" + (f" (id {row['id']})" if "id" in row else "")
        extra = sorted(set(row) - set(known))
        if extra:
            problems.append(f"{where}: unknown column(s) {', '.join(extra)}")
            continue
        if keyed and "id" not in row:
            problems.append(f"{where}: no id")
            continue
        values = _encode(table, row)
        try:
            conn.execute(
                f"insert into {table} ({', '.join(values)}) "
                f"values ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, TypeError, OverflowError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        written += 1
    return written


def _encode(table: str, row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    for key in _JSON_LISTS.get(table, ()):
        if key in values:
            values[key] = rows.to_json_list(values[key])
    for key in _JSON_OBJECTS.get(table, ()):
        if values.get(key) is not None and not isinstance(values[key], str):
            values[key] = json.dumps(values[key])
    return values


def _check_table(table: str) -> None:
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
