"""The book is open to every SQLite tool: sqlite-utils counts and lists every table and
Datasette browses every one of them, on a demo book (run for real, not mocked)."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from callbook.clock import fixed_clock
from callbook.demo import build_demo
from callbook.store import Store
from callbook.store import schema as schema_module
from callbook.store.db import connect

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("tools") / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        build_demo(store, NOW)
    return path


def sqlite_utils(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sqlite_utils", *args], capture_output=True, text=True, timeout=60
    )


def table_names(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
    finally:
        conn.close()


def test_sqlite_utils_counts_every_table(demo_book) -> None:
    result = sqlite_utils("tables", str(demo_book), "--counts")
    assert result.returncode == 0, result.stderr
    counts = {row["table"]: row["count"] for row in json.loads(result.stdout)}
    assert set(counts) == set(table_names(demo_book))
    assert counts["prospects"] > 100
    # One recall document per findable record, counted like any table.
    conn = sqlite3.connect(demo_book)
    expected = conn.execute(
        "select (select count(*) from prospects) + (select count(*) from pieces where undone_at "
        "is null) + (select count(*) from contacts where undone_at is null) + (select count(*) "
        "from calls where undone_at is null and trim(coalesce(notes, '')) != '')"
    ).fetchone()[0]
    conn.close()
    assert counts["recall"] == expected


def test_sqlite_utils_lists_the_rows_of_every_table(demo_book) -> None:
    for table in table_names(demo_book):
        result = sqlite_utils("rows", str(demo_book), table, "--limit", "5")
        assert result.returncode == 0, (table, result.stderr)
        assert isinstance(json.loads(result.stdout), list), table


def test_datasette_browses_every_table(demo_book) -> None:
    from datasette.app import Datasette

    async def browse() -> dict[str, tuple[int, int, object]]:
        ds = Datasette([str(demo_book)])
        await ds.invoke_startup()
        seen = {}
        for table in table_names(demo_book):
            page = await ds.client.get(f"/book/{table}")
            data = await ds.client.get(f"/book/{table}.json?_shape=objects")
            seen[table] = (page.status_code, data.status_code, data.json().get("error"))
        home = await ds.client.get("/book")
        seen[""] = (home.status_code, 200, None)
        return seen

    seen = asyncio.run(browse())
    assert {t: s for t, s in seen.items() if s != (200, 200, None)} == {}


def test_a_book_before_the_fix_fails_these_tools(tmp_path) -> None:
    """The check bites: the index as first shipped refuses the scan these tools make."""
    path = tmp_path / "old.db"
    conn = connect(path, create=True)
    fixed = schema_module.MIGRATIONS.index(schema_module._v5_open_book)
    schema_module.migrate(conn, path, upto=fixed)
    conn.close()
    result = sqlite_utils("tables", str(path), "--counts")
    assert result.returncode != 0
    assert "recall: table does not support scanning" in result.stderr
    upgraded = tmp_path / "upgraded.db"
    shutil.copyfile(path, upgraded)
    Store.open(upgraded).close()
    assert sqlite_utils("tables", str(upgraded), "--counts").returncode == 0


def test_doctor_checks_that_every_table_is_open_to_other_tools(tmp_path) -> None:
    from click.testing import CliRunner

    from callbook.cli import main
    from callbook.store import recall

    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        store.add_prospect("Acme Ltd")

    def checks() -> dict[str, dict]:
        result = CliRunner().invoke(main, ["--db", str(path), "doctor", "--json"])
        return {c["name"]: c for c in json.loads(result.stdout)["checks"]}

    assert checks()["open to other tools"] == {
        "name": "open to other tools", "ok": True, "detail": "every table counts and lists",
        "fixed": False,
    }  # fmt: skip
    conn = sqlite3.connect(path)
    with conn:  # the index as first shipped, which refuses a scan
        recall.drop(conn)
        recall.run_frozen(conn, "recall_v2.sql")
    conn.close()
    found = checks()["open to other tools"]
    assert not found["ok"]
    assert found["detail"] == "recall: recall: table does not support scanning"
