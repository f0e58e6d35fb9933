"""SQLite errors are told apart by their result code (`sqlite_errorname`), not their wording;
an SQLite library too old for the book is refused at open with one line."""

from __future__ import annotations

import os
import sqlite3

import pytest

from callbook.errors import ReadOnlyError
from callbook.store import Store
from callbook.store import db as db_module
from callbook.store.db import StoreError, describe_sqlite_error, error_kind


def raised(sql_steps) -> sqlite3.Error:
    try:
        sql_steps()
    except sqlite3.Error as exc:
        return exc
    raise AssertionError("no error")


def test_errors_are_classified_by_result_code(tmp_path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 200)
    not_a_db = raised(lambda: sqlite3.connect(garbage).execute("select * from sqlite_master"))
    assert not_a_db.sqlite_errorname == "SQLITE_NOTADB"
    assert error_kind(not_a_db) == "damaged"

    book = tmp_path / "book.db"
    sqlite3.connect(book).execute("create table t (x)").connection.commit()
    ro = sqlite3.connect(f"file:{book}?mode=ro", uri=True)
    readonly = raised(lambda: ro.execute("insert into t values (1)"))
    assert error_kind(readonly) == "read-only"
    assert describe_sqlite_error(book, readonly).startswith(f"{book} is read-only (")

    missing = raised(lambda: sqlite3.connect(f"file:{tmp_path}/no/such.db?mode=ro", uri=True))
    assert error_kind(missing) == "cannot open"
    syntax = raised(lambda: ro.execute("selec 1"))
    assert error_kind(syntax) is None
    assert describe_sqlite_error(book, syntax) == f"{book}: {syntax}"


def test_a_message_that_merely_mentions_a_word_is_not_that_error(tmp_path) -> None:
    """Text matching took any message with "full" or "locked" in it for those errors."""
    conn = sqlite3.connect(":memory:")
    error = raised(lambda: conn.execute("select * from locked_full_readonly_table"))
    assert error_kind(error) is None


def test_a_full_disk_is_a_read_only_error_for_the_store(tmp_path, monkeypatch) -> None:
    with Store.open(tmp_path / "book.db") as store:
        full = sqlite3.OperationalError("database or disk is full")
        full.sqlite_errorname = "SQLITE_FULL"
        assert isinstance(store._error(full), ReadOnlyError)
        other = sqlite3.OperationalError("no such table: full")
        other.sqlite_errorname = "SQLITE_ERROR"
        assert not isinstance(store._error(other), ReadOnlyError)


def test_an_sqlite_too_old_is_refused_at_open_with_one_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(db_module.sqlite3, "sqlite_version_info", (3, 37, 2))
    monkeypatch.setattr(db_module.sqlite3, "sqlite_version", "3.37.2")
    path = tmp_path / "book.db"
    with pytest.raises(StoreError) as caught:
        Store.open(path)
    assert str(caught.value) == (
        "callbook needs SQLite 3.38.0 or newer; this Python has SQLite 3.37.2 — use a newer "
        "Python build"
    )
    assert not os.path.exists(path)
