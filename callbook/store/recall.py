"""The SQL side of recall: the FTS5 index over the book, its triggers, and the reads search needs.

One contentless FTS5 table, `recall`, holds one document per findable record: a piece (slot and
value), a call's notes, a contact, a prospect. Triggers on the base tables keep it in step inside
the writer's own transaction, so whatever is committed — by callbook, another process or any
SQLite tool — is findable at once, and an undone record is not. The document's rowid packs when
the record was learned, its kind and its id, so `ORDER BY rowid DESC` reads newest first across
all kinds and a rowid alone says where the record lives.

Contentless (`content=''`) with `detail=none`: the text is already in the base tables, so the
index stores terms and rowids only. The price is that a document is removed by handing FTS5 the
exact text it was given. So each kind of document is declared once (`DOCUMENTS`: table, kind,
date, text columns, shown columns, label) and everything that must agree on its text is
generated from that: the triggers' SQL, the bulk fill's Python twin, the fetches and search's
reconstruction of a record. Migrations run frozen copies of the SQL (`store/frozen/`), so that
editing the declarations never changes what a shipped migration did. Record ids must stay below
2**29 (rowid packing).

Raw sqlite3 throughout: this is the measured hot path of every search and every commit.

`recall_edits` logs the last edits of existing records, for readers that keep the vocabulary
in memory (search); new records they find by id.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from callbook.store.db import BUSY_TIMEOUT_MS

TABLE = "recall"
EDITS = "recall_edits"
EDITS_KEPT = 1000
TOKENIZE = "unicode61 remove_diacritics 2"

# rowid = (seconds since the epoch << 31) | (kind << 29) | id
KIND_BITS = 29
TIME_SHIFT = 31
ID_MASK = (1 << KIND_BITS) - 1
PIECE, NOTE, CONTACT, PROSPECT = 0, 1, 2, 3

# Every document carries this private-use character as a term of its own: a query for it lists
# the index's rowids (the in-step check). Search never emits it: query words are letters/digits.
MARK_CODEPOINT = 0xE000
MARK_QUERY = f'"{chr(MARK_CODEPOINT)}"'

# Separators people put in phone numbers; what is left, if all digits, is indexed as digits.
_PHONE_SEPARATORS = (" ", "-", "(", ")", ".", "+", "/")
# A phone's digits are indexed with every suffix of 4+ digits, so any tail of the number
# ("555 0123", "0123", the national part without the country code) is a prefix of some term.
_SUFFIX_STARTS = "[" + ",".join(str(i) for i in range(1, 14)) + "]"


def _digits(expr: str) -> str:
    for sep in _PHONE_SEPARATORS:
        expr = f"replace({expr}, '{sep}', '')"
    return expr


def _phone_terms(expr: str) -> str:
    """SQL: the digit suffixes of `expr` when it reads as a phone number, else NULL."""
    return (
        f"(SELECT CASE WHEN length(d) BETWEEN 6 AND 16 AND d NOT GLOB '*[^0-9]*' THEN "
        f"(SELECT group_concat(substr(d, k.value), ' ') FROM json_each('{_SUFFIX_STARTS}') AS k "
        f"WHERE k.value <= length(d) - 3) END FROM (SELECT {_digits(expr)} AS d))"
    )


def _joined(parts: Sequence[str]) -> str:
    """SQL: the mark, then the parts (NULLs skipped), then — when the text has apostrophes —
    the text again without them, so that "Ó'Brien" is also the one term "obrien"."""
    body = " || ' ' || ".join(f"coalesce({p}, '')" for p in parts)
    return (
        "(SELECT t || CASE WHEN t GLOB '*[''’]*' "
        "THEN ' ' || replace(replace(t, '''', ''), '’', '') ELSE '' END "
        f"FROM (SELECT char({MARK_CODEPOINT}) || ' ' || {body} AS t))"
    )


@dataclass(frozen=True)
class Text:
    """One column of a document's text, and how it is read:
    plain — as it is; words — underscores as spaces (slot keys, roles);
    phone — as it is, then its digit suffixes when it reads as a number;
    phones — a JSON list of numbers, each followed by its digit suffixes."""

    column: str
    read: str = "plain"

    def sql(self, r: str) -> list[str]:
        value = f"{r}.{self.column}"
        if self.read == "words":
            return [f"replace({value}, '_', ' ')"]
        if self.read == "phone":
            return [value, _phone_terms(value)]
        if self.read == "phones":
            listed = f"CASE WHEN json_valid({value}) THEN {value} ELSE json_array({value}) END"
            return [
                f"(SELECT group_concat(ph.value || coalesce(' ' || "
                f"{_phone_terms('ph.value')}, ''), ' ') FROM json_each({listed}) AS ph)"
            ]
        return [value]

    def python(self, value: Any, cache: dict[str, str | None]) -> list[str | None]:
        """The same parts in Python, for a value `_buildable` accepted."""
        if self.read == "words":
            return [None if value is None else value.replace("_", " ")]
        if self.read == "phone":
            return [value, _phone_terms_py(value, cache)]
        if self.read == "phones":
            if value == "[]":
                return [None]
            return [
                " ".join(
                    n if (terms := _phone_terms_py(n, cache)) is None else f"{n} {terms}"
                    for n in value[2:-2].split('", "')
                )
            ]
        return [value]

    def buildable(self, value: Any) -> bool:
        """Whether Python builds this value's text exactly as the SQL does: strings without
        NUL (or None); a list of phones only as `rows.to_json_list` writes plain strings."""
        if self.read == "phones":
            return type(value) is str and _PLAIN_LIST.fullmatch(value) is not None
        return value is None or (type(value) is str and "\0" not in value)


@dataclass(frozen=True)
class Shown:
    """One column search shows of a record: plain, a JSON list, or a JSON list of tags."""

    column: str
    read: str = "plain"  # plain | list | tags


@dataclass(frozen=True)
class Document:
    """One base table as findable documents: the single declaration from which the triggers,
    the bulk fill, the fetches and search's reconstruction of a record are all generated."""

    table: str
    kind: int
    when: str  # the column that says when the record was learned
    text: tuple[Text, ...]  # the document's text, in order
    shows: tuple[Shown, ...]  # what search reads back to show and rank
    label: str  # "slot" / "role": the template's slot label / the role of `label_column`;
    # otherwise the label itself
    label_column: str | None = None
    prospect: str = "prospect_id"  # the column naming the record's prospect
    superseded: str | None = None  # a column set when a newer record replaced this one
    undoable: bool = True  # `undone_at` withdraws the record
    needs_text: str | None = None  # a column that must not be blank for a document

    def rowid(self, r: str) -> str:
        return (
            f"((max(0, coalesce(unixepoch({r}.{self.when}), 0)) << {TIME_SHIFT}) "
            f"| ({self.kind} << {KIND_BITS}) | {r}.id)"
        )

    def sql_text(self, r: str) -> str:
        return _joined([part for t in self.text for part in t.sql(r)])

    def cond(self, r: str) -> str:
        conditions = []
        if self.undoable:
            conditions.append(f"{r}.undone_at IS NULL")
        if self.needs_text:
            conditions.append(f"trim(coalesce({r}.{self.needs_text}, '')) != ''")
        return " AND ".join(conditions) or "1"

    @property
    def text_columns(self) -> tuple[str, ...]:
        return tuple(t.column for t in self.text)

    @property
    def columns(self) -> tuple[str, ...]:
        """An UPDATE OF these may change the document."""
        cols = [*self.text_columns, self.when]
        if self.undoable:
            cols.append("undone_at")
        if self.needs_text and self.needs_text not in cols:
            cols.append(self.needs_text)
        return tuple(dict.fromkeys(cols))

    def python_text(self, cache: dict[str, str | None], values: Sequence[Any]) -> str | None:
        """The document's text built in Python from the text columns' values, exactly as the
        SQL builds it; None when it cannot be sure to (then the SQL builds it)."""
        if not all(t.buildable(v) for t, v in zip(self.text, values, strict=True)):
            return None
        parts = [p for t, v in zip(self.text, values, strict=True) for p in t.python(v, cache)]
        return _joined_py(*parts)

    @functools.cached_property
    def fetch_sql(self) -> str:
        """Search's read of records by id: id, prospect, prospect name, template, when, label
        column, superseded, then the shown columns."""
        label = f"x.{self.label_column}" if self.label_column else "NULL"
        superseded = f"x.{self.superseded} IS NOT NULL" if self.superseded else "0"
        shown = ", ".join(f"x.{s.column}" for s in self.shows)
        return (
            f"SELECT x.id, x.{self.prospect}, p.name, p.template, x.{self.when}, {label}, "
            f"{superseded}, {shown} FROM {self.table} x JOIN prospects p "
            f"ON p.id = x.{self.prospect} WHERE {self.cond('x')} AND x.id IN ({{ids}})"
        )


# Recall's documents, declared once. Adding a findable field is a line here (a `Text`, and a
# `Shown` to show it) plus a migration that freezes the new `rebuild_script()`.
DOCUMENTS: tuple[Document, ...] = (
    Document(
        "pieces", PIECE, "learned_at",
        text=(Text("slot", "words"), Text("value", "phone")),
        shows=(Shown("value"),),
        label="slot", label_column="slot", superseded="superseded_by",
    ),
    Document(
        "calls", NOTE, "ended_at",
        text=(Text("notes"),),
        shows=(Shown("notes"),),
        label="note", needs_text="notes",
    ),
    Document(
        "contacts", CONTACT, "created_at",
        text=(Text("name"), Text("role", "words"), Text("title"), Text("phone", "phone"),
              Text("email")),
        shows=(Shown("name"), Shown("title"), Shown("phone"), Shown("email")),
        label="role", label_column="role",
    ),
    Document(
        "prospects", PROSPECT, "created_at",
        text=(Text("name"), Text("company"), Text("phones", "phones"), Text("email"),
              Text("city"), Text("tags")),
        shows=(Shown("name"), Shown("company"), Shown("city"), Shown("phones", "list"),
               Shown("email"), Shown("tags", "tags")),
        label="prospect", prospect="id", undoable=False,
    ),
)  # fmt: skip
BY_KIND = {d.kind: d for d in DOCUMENTS}


def _insert(doc: Document, r: str) -> str:
    return (
        f"INSERT INTO {TABLE} (rowid, text) SELECT {doc.rowid(r)}, {doc.sql_text(r)} "
        f"WHERE {doc.cond(r)};"
    )


def _delete(doc: Document, r: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({TABLE}, rowid, text) "
        f"SELECT 'delete', {doc.rowid(r)}, {doc.sql_text(r)} WHERE {doc.cond(r)};"
    )


def tidy(conn: sqlite3.Connection, pages: int = 200) -> None:
    """A bounded step of index merging, for idle moments (inside a write transaction)."""
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('merge', ?)", (pages,))


def ddl() -> list[str]:
    """The statements that create the index and its triggers (without filling it), from the
    declarations. The FTS5 table keeps its column sizes (no `columnsize=0`): a contentless
    table without them refuses a full scan, and every SQLite tool counts and lists rows."""
    statements = [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(text, content='', detail=none, "
        f'tokenize="{TOKENIZE}")',
        # No merging inside a caller's commit: on a large book an automatic merge costs tens
        # of ms (measured p99 43 ms vs 5.5 ms without). `tidy()` merges when the app is idle,
        # and FTS5's crisis merge still bounds the number of segments.
        f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('automerge', 0)",
        # The last edits of existing records (new ones are found by id): how a reader's
        # in-memory vocabulary learns the words an edit brought in. Kept short by the triggers.
        f"CREATE TABLE {EDITS} (seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, "
        "id INTEGER NOT NULL)",
    ]
    for d in DOCUMENTS:
        name = f"{TABLE}_{d.table}"
        log = (
            f"INSERT INTO {EDITS} (kind, id) VALUES ({d.kind}, new.id); "
            f"DELETE FROM {EDITS} WHERE seq <= (SELECT max(seq) FROM {EDITS}) - {EDITS_KEPT};"
        )
        statements += [
            f"CREATE TRIGGER {name}_ai AFTER INSERT ON {d.table} BEGIN {_insert(d, 'new')} END",
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON {d.table} BEGIN {_delete(d, 'old')} END",
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF {', '.join(d.columns)} ON {d.table} "
            f"BEGIN {_delete(d, 'old')} {_insert(d, 'new')} {log} END",
        ]
    return statements


def _fill() -> list[str]:
    return [
        f"INSERT INTO {TABLE} (rowid, text) SELECT {d.rowid(d.table)}, {d.sql_text(d.table)} "
        f"FROM {d.table} WHERE {d.cond(d.table)}"
        for d in DOCUMENTS
    ]


def _drops() -> list[str]:
    """Every trigger, table and index a declared index may have had."""
    return [
        *(
            f"DROP TRIGGER IF EXISTS {TABLE}_{d.table}_{suffix}"
            for d in DOCUMENTS
            for suffix in ("ai", "ad", "au")
        ),
        f"DROP TABLE IF EXISTS {TABLE}",
        f"DROP TABLE IF EXISTS {EDITS}",
    ]


def rebuild_script() -> str:
    """SQL that drops the index and makes it again, filled, from the declarations as they are
    now. A migration freezes this text in `store/frozen/` (`python -m callbook.store.recall`
    prints it), so that editing the declarations later never changes what it did."""
    statements = [*_drops(), *ddl(), *_fill(), f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')"]
    return "".join(s.rstrip(";") + ";\n" for s in statements)


# The frozen script of the latest migration that made the index: what `rebuild_script()` must
# still print (a test checks), or the declarations changed without their migration.
CURRENT_SCRIPT = "recall_scannable.sql"


def frozen_script(name: str) -> str:
    """A script of `store/frozen/`, without its heading comment."""
    text = (Path(__file__).parent / "frozen" / name).read_text(encoding="utf-8")
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("--"))


def run_frozen(conn: sqlite3.Connection, name: str) -> None:
    """Run a frozen script of `store/frozen/` inside the caller's transaction."""
    from callbook.store.schema import run_script

    run_script(conn, frozen_script(name))


# --- filling in bulk ------------------------------------------------------------------------
#
# The insert trigger's text, built in Python for many rows at once: the SQL builds each phone's
# digit suffixes through a correlated json_each, slower than tokenizing the text. Python builds
# only texts it is sure to build exactly as the SQL does (strings without NUL, prospects' phones
# as `bulk` writes them), so that a trigger's delete later finds the very terms; any other row
# goes through the SQL itself.

_MARK = chr(MARK_CODEPOINT)
_SUFFIXES_MAX = 13  # the last of _SUFFIX_STARTS
# A prospect's phones exactly as `rows.to_json_list` writes strings that need no escapes:
# valid JSON whose elements json_each reads back as the very text between the quotes.
_PLAIN_LIST = re.compile(r'\[\]|\["[^"\\\x00-\x1f]*"(?:, "[^"\\\x00-\x1f]*")*\]')


def _phone_terms_py(value: str | None, cache: dict[str, str | None]) -> str | None:
    """`_phone_terms` for a string without NUL (or None)."""
    if value is None:
        return None
    try:
        return cache[value]
    except KeyError:
        pass
    d = value
    for sep in _PHONE_SEPARATORS:
        d = d.replace(sep, "")
    n = len(d)
    terms = None
    if 6 <= n <= 16 and d.isascii() and d.isdigit():
        terms = " ".join([d[k:] for k in range(min(_SUFFIXES_MAX, n - 3))])
    cache[value] = terms
    return terms


def _joined_py(*parts: str | None) -> str:
    """`_joined` for strings without NUL (or None)."""
    t = _MARK + " " + " ".join(["" if p is None else p for p in parts])
    if "'" in t or "\u2019" in t:
        t = t + " " + t.replace("'", "").replace("\u2019", "")
    return t


def fill_added(conn: sqlite3.Connection, after: dict[str, int]) -> None:
    """Index every findable record with an id above `after[table]`, as the insert triggers
    would have, a batch at a time: for inserts made with the triggers set aside. Runs inside
    the caller's transaction (and, for a while, in a second thread: see `_Stage`)."""
    terms: dict[str, str | None] = {}  # phone -> its digit suffixes (contacts share them)
    with _Stage(conn) as stage:
        for s in DOCUMENTS:
            if s.table not in after:
                continue
            batch = _Batches(conn, s, s.text_columns)
            rest: list[int] = []
            stage.wait()
            found = batch.after(after[s.table])
            while found:
                docs: list[tuple[int, str]] = []
                for ident, when, *values in found:  # while the previous batch is indexed
                    text = s.python_text(terms, values)
                    if text is None or type(ident) is not int:
                        rest.append(ident)
                    else:
                        docs.append((batch.bases[when] | ident, text))
                stage.wait()
                following = batch.after(found[-1][0])
                stage.put(docs)
                found = following
            for chunk in _chunks(rest):
                stage.run(
                    f"INSERT INTO {TABLE} (rowid, text) SELECT {s.rowid(s.table)}, "
                    f"{s.sql_text(s.table)} FROM {s.table} WHERE {s.table}.id IN "
                    f"({', '.join('?' * len(chunk))})",
                    chunk,
                )


class _Batches:
    """The findable records of one table after an id, a batch at a time, in id order, with
    the time and kind bits of their rowids (`bases`: when -> bits, as SQLite works them out)."""

    def __init__(self, conn: sqlite3.Connection, source: Document, names: Sequence[str]) -> None:
        self.conn, self.source = conn, source
        t = source.table
        self.sql = (
            f"SELECT id, {source.when}, {', '.join(names)} FROM {t} WHERE {t}.id > ? AND "
            f"{source.cond(t)} ORDER BY id LIMIT {_STAGE_ROWS}"
        )
        self.bases: dict[Any, int] = {}

    def after(self, ident: int) -> list[tuple]:
        found = self.conn.execute(self.sql, (ident,)).fetchall()
        for when in {row[1] for row in found} - self.bases.keys():
            self.bases[when] = self.conn.execute(
                f"SELECT (max(0, coalesce(unixepoch(?), 0)) << {TIME_SHIFT}) "
                f"| ({self.source.kind} << {KIND_BITS})",
                (when,),
            ).fetchone()[0]
        return found


_STAGE_ROWS = 16384


class _Stage:
    """Documents into the index a batch at a time through a temporary table, each batch's
    `INSERT ... SELECT` in a thread of its own: FTS5 tokenizes inside that one statement, without
    the GIL, while the caller builds the next batch's texts. One statement at a time uses the
    connection, and the caller touches it only between them (`put` and `run` wait)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.name = f"temp.{TABLE}_stage"
        self.worker: threading.Thread | None = None
        self.failed: BaseException | None = None
        self.threaded = False

    def __enter__(self) -> _Stage:
        self.conn.execute(f"DROP TABLE IF EXISTS {self.name}")
        self.conn.execute(f"CREATE TEMP TABLE {TABLE}_stage (id INTEGER PRIMARY KEY, text TEXT)")
        # A connection kept to the thread that made it: everything in this one, in turn.
        probe = threading.Thread(target=self._probe, name="recall-fill")
        probe.start()
        probe.join()
        self.threaded = self.failed is None
        self.failed = None
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None and self.worker is not None:
            self.conn.interrupt()  # the caller is failing: stop the batch in hand
            self.worker.join()
            self.worker, self.failed = None, None
        try:
            self.wait()
        finally:
            self.conn.execute(f"DROP TABLE IF EXISTS {self.name}")

    def put(self, docs: list[tuple[int, str]]) -> None:
        """Index these (rowid, text) documents, in the background."""
        self.wait()
        if not docs:
            return
        self.conn.executemany(f"INSERT INTO {self.name} (id, text) VALUES (?, ?)", docs)
        if not self.threaded:
            self._move()
            self.wait()
            return
        self.worker = threading.Thread(target=self._move, name="recall-fill", daemon=True)
        self.worker.start()

    def run(self, sql: str, params: Sequence[Any]) -> None:
        """A statement of the caller's, in turn."""
        self.wait()
        self.conn.execute(sql, params)

    def _probe(self) -> None:
        try:
            self.conn.execute("SELECT 1")
        except sqlite3.ProgrammingError as exc:
            self.failed = exc

    def _move(self) -> None:
        try:
            self.conn.execute(f"INSERT INTO {TABLE} (rowid, text) SELECT id, text FROM {self.name}")
            self.conn.execute(f"DELETE FROM {self.name}")
        except BaseException as exc:  # handed to the caller's thread
            self.failed = exc

    def wait(self) -> None:
        """Until the batch in hand is indexed: then the connection is the caller's."""
        if self.worker is not None:
            self.worker.join()
            self.worker = None
        if self.failed is not None:
            failed, self.failed = self.failed, None
            raise failed


def _expected_rowids() -> str:
    return " UNION ALL ".join(
        f"SELECT {d.rowid(d.table)} FROM {d.table} WHERE {d.cond(d.table)}" for d in DOCUMENTS
    )


def drop(conn: sqlite3.Connection) -> None:
    for statement in _drops():
        conn.execute(statement)


def rebuild(conn: sqlite3.Connection) -> None:
    """Drop and recreate the index and its triggers from the base tables, as declared now, then
    merge its segments into one. Runs inside the caller's transaction."""
    for statement in [*_drops(), *ddl(), *_fill()]:
        conn.execute(statement)
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")


def in_step(conn: sqlite3.Connection) -> bool:
    """The index exists, is internally sound, and holds exactly one document per findable
    record (each trigger present). Reads the whole index: for `doctor`, not for every search.
    FTS5's integrity check is a write statement: call this inside a write transaction."""
    names = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE ?",
            (f"{TABLE}%",),
        )
    }
    wanted = {TABLE, EDITS} | {
        f"{TABLE}_{d.table}_{suffix}" for d in DOCUMENTS for suffix in ("ai", "ad", "au")
    }
    if not wanted <= names:
        return False
    indexed = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?"
    expected = f"SELECT * FROM ({_expected_rowids()})"
    try:
        conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('integrity-check')")
        missing, extra, total, count = (
            conn.execute(f"SELECT count(*) FROM ({a} EXCEPT {b})", params).fetchone()[0]
            if b
            else conn.execute(f"SELECT count(*) FROM ({a})", params).fetchone()[0]
            for a, b, params in (
                (expected, indexed, (MARK_QUERY,)),
                (indexed, expected, (MARK_QUERY,)),
                (expected, None, ()),
                (indexed, None, (MARK_QUERY,)),
            )
        )
    except sqlite3.DatabaseError:
        return False
    return missing == 0 and extra == 0 and total == count


# --- reading ---------------------------------------------------------------------------------


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection of its own, so a search in a worker thread never waits for (or
    holds up) the Store's writes. Raises sqlite3.Error when the file cannot be opened so."""
    conn = sqlite3.connect(
        f"file:{quote(str(path))}?mode=ro",
        uri=True,
        check_same_thread=False,  # guarded by the caller's lock
        timeout=BUSY_TIMEOUT_MS / 1000,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute(f"CREATE VIRTUAL TABLE temp.{TABLE}_terms USING fts5vocab(main, {TABLE}, row)")
        conn.execute("PRAGMA query_only = 1")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def data_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA data_version").fetchone()[0]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def expression(groups: Sequence[Sequence[tuple[str, bool]]]) -> str | None:
    """An FTS5 query: each group's (term, as_prefix) pairs ORed, the groups ANDed. Every term
    is quoted, so no query text can be read as an operator."""
    parts = []
    for group in groups:
        terms = [_quoted(t) + ("*" if prefix else "") for t, prefix in dict.fromkeys(group) if t]
        if terms:
            parts.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    return " AND ".join(parts) or None


def match(conn: sqlite3.Connection, expression: str, limit: int) -> list[int]:
    """Rowids of documents matching an FTS5 expression, newest first. An expression FTS5
    refuses matches nothing (it never reaches the caller as an error)."""
    try:
        return [
            r[0]
            for r in conn.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid DESC LIMIT ?",
                (expression, limit),
            )
        ]
    except sqlite3.OperationalError as exc:
        if str(exc).startswith("fts5:"):
            return []
        raise


def words(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(term, number of documents) of every term that starts with a letter, in term order:
    digits (phone suffixes, most of the terms) and the mark are left out."""
    return conn.execute(
        f"SELECT term, doc FROM temp.{TABLE}_terms WHERE term >= 'a' AND term < char(?)",
        (MARK_CODEPOINT,),
    ).fetchall()


def split_rowid(rowid: int) -> tuple[int, int]:
    """(kind, record id) of a document."""
    return (rowid >> KIND_BITS) & 3, rowid & ID_MASK


@dataclass(frozen=True)
class Record:
    """What search shows of one document, read from its base table."""

    kind: int
    id: int
    prospect_id: int
    prospect_name: str
    template: str
    when: str | None
    slot: str | None  # pieces: the slot key; contacts: the role
    fields: tuple[str | None, ...]  # the text, field by field
    superseded: bool = False


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def fetch(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, Record]:
    """rowid -> Record for the documents whose record is still findable."""
    wanted: dict[int, dict[int, int]] = {}
    for rowid in rowids:
        kind, ident = split_rowid(rowid)
        wanted.setdefault(kind, {})[ident] = rowid
    found: dict[int, Record] = {}
    for kind, by_id in wanted.items():
        for chunk in _chunks(list(by_id)):
            sql = BY_KIND[kind].fetch_sql.format(ids=",".join("?" * len(chunk)))
            for row in conn.execute(sql, chunk):
                ident, pid, pname, template, when, slot, superseded, *fields = row
                found[by_id[ident]] = Record(
                    kind, ident, pid, pname, template, when, slot, tuple(fields), bool(superseded)
                )
    return found


def seen_now(conn: sqlite3.Connection) -> dict[str, int]:
    """The highest id of each table and of the edits log: where `changed_texts` starts."""
    seen = {
        d.table: conn.execute(f"SELECT coalesce(max(id), 0) FROM {d.table}").fetchone()[0]
        for d in DOCUMENTS
    }
    seen[EDITS] = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {EDITS}").fetchone()[0]
    return seen


def changed_texts(
    conn: sqlite3.Connection, seen: dict[str, int]
) -> tuple[list[str] | None, dict[str, int]]:
    """Texts of the records added or edited since `seen`, and how far that read: how search
    keeps its vocabulary current without rereading the index. None instead of texts when the
    edits log has moved on too far (then reread everything)."""
    top = dict(seen)
    wanted: dict[int, set[int]] = {}
    for d in DOCUMENTS:
        for (ident,) in conn.execute(f"SELECT id FROM {d.table} WHERE id > ?", (seen[d.table],)):
            top[d.table] = max(top[d.table], ident)
            wanted.setdefault(d.kind, set()).add(ident)
    oldest = conn.execute(f"SELECT min(seq) FROM {EDITS}").fetchone()[0]
    if oldest is not None and oldest > seen[EDITS] + 1 and seen[EDITS] > 0:
        return None, seen_now(conn)
    for seq, kind, ident in conn.execute(
        f"SELECT seq, kind, id FROM {EDITS} WHERE seq > ?", (seen[EDITS],)
    ):
        top[EDITS] = max(top[EDITS], seq)
        wanted.setdefault(kind, set()).add(ident)
    texts: list[str] = []
    cache: dict[str, str | None] = {}
    for kind, ids in wanted.items():
        doc = BY_KIND[kind]
        for chunk in _chunks(sorted(ids)):
            sql = (
                f"SELECT {', '.join(doc.text_columns)} FROM {doc.table} "
                f"WHERE id IN ({','.join('?' * len(chunk))})"
            )
            for values in conn.execute(sql, chunk):
                text = doc.python_text(cache, values)
                if text is None:  # only its words matter here: any rendering of them will do
                    text = " ".join(str(v) for v in values if v is not None)
                texts.append(text)
    return texts, top


def index_bytes(conn: sqlite3.Connection) -> int | None:
    """Bytes the index's shadow tables take in the file (None without the dbstat table)."""
    try:
        return conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name GLOB ?", (f"{TABLE}_*",)
        ).fetchone()[0]
    except sqlite3.Error:
        return None


if __name__ == "__main__":  # print the rebuild script, for a migration to freeze
    print(rebuild_script(), end="")
