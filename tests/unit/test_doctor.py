"""`callbook doctor`: says healthy or not (exit 0/1), and `--fix` repairs what it safely can."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.doctor import examine
from callbook.model import NewCall, Outcome
from callbook.paths import resolve
from callbook.store import Store
from callbook.store.backup import backup

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    paths = resolve(None)
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        p = store.add_prospect("Acme Ltd")
        for i in range(30):
            at = NOW + timedelta(minutes=i)
            store.record_call(
                NewCall(p.id, at, at, Outcome.GATEKEEPER, pieces=(("gatekeeper", f"Sarah {i}"),))
            )
        backup(store, paths)
    return paths


def doctor(*args):
    result = CliRunner().invoke(main, ["doctor", *args])
    return result.exit_code, result.output


def findings(*args) -> dict[str, dict]:
    code, out = doctor("--json", *args)
    data = json.loads(out)
    assert code == (0 if data["healthy"] else 1)
    return {c["name"]: c for c in data["checks"]}


def test_a_healthy_book(paths):
    code, out = doctor()
    assert code == 0, out
    assert out.splitlines()[-1] == "healthy"
    checks = findings()
    for name in ("book", "writable", "schema", "integrity", "foreign keys", "permissions"):
        assert checks[name]["ok"], checks[name]
    assert checks["recall index"]["detail"] in ("in step with the book", "not available")
    assert checks["backups"]["detail"].startswith("1 in ")


def test_files_open_to_others_are_reported_and_fixed(paths):
    (paths.log_dir).mkdir(parents=True)
    log = paths.log_dir / "crash.log"
    log.write_text("x")
    os.chmod(log, 0o644)
    os.chmod(paths.backup_dir, 0o755)
    one_backup = next(paths.backup_dir.iterdir())
    os.chmod(one_backup, 0o640)
    code, out = doctor()
    assert code == 1
    assert "✖ permissions:" in out and "--fix makes it 0700" in out
    code, out = doctor("--fix")
    assert code == 0, out
    assert "(fixed)" in out
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    assert (mode(log), mode(paths.backup_dir), mode(one_backup)) == (0o600, 0o700, 0o600)
    assert doctor()[0] == 0


def test_the_book_made_private_by_opening_counts_as_fixed(paths):
    os.chmod(paths.db, 0o644)
    report = examine(paths)
    assert report.healthy
    permissions = next(f for f in report.findings if f.name == "permissions")
    assert permissions.fixed and "callbook.db" in permissions.detail


def test_a_recall_index_out_of_step_is_rebuilt(paths):
    pytest.importorskip("callbook.search")
    conn = sqlite3.connect(paths.db)
    conn.execute("drop trigger recall_pieces_ai")
    conn.execute(
        "insert into pieces (prospect_id, slot, value, learned_at) "
        "values (1, 'pain', 'unindexed', '2026-11-27T15:00:00Z')"
    )
    conn.commit()
    conn.close()
    checks = findings()
    assert not checks["recall index"]["ok"]
    assert "--fix rebuilds it" in checks["recall index"]["detail"]
    checks = findings("--fix")
    assert checks["recall index"]["ok"] and checks["recall index"]["fixed"]
    assert findings()["recall index"]["detail"] == "in step with the book"


def test_without_recall_the_index_is_not_available(paths, monkeypatch):
    monkeypatch.setitem(sys.modules, "callbook.search", None)  # import fails
    report = examine(paths)
    recall = next(f for f in report.findings if f.name == "recall index")
    assert (recall.ok, recall.detail) == (True, "not available")


def test_broken_foreign_keys(paths):
    conn = sqlite3.connect(paths.db)
    conn.execute(
        "insert into pieces (prospect_id, slot, value, learned_at) "
        "values (999, 'pain', 'orphan', '2026-11-27T15:00:00Z')"
    )
    conn.commit()
    conn.close()
    checks = findings()
    assert not checks["foreign keys"]["ok"]
    assert "pieces" in checks["foreign keys"]["detail"]


def test_a_damaged_page_is_reported_with_the_newest_backup(paths):
    # Scribble over a page of the pieces table (not one that merely happens to sit in the
    # middle of the file: an empty index's page there hides the damage).
    conn = sqlite3.connect(paths.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (pageno,) = conn.execute(
        "select max(pageno) from dbstat where name = 'pieces' and pagetype = 'leaf'"
    ).fetchone()
    conn.close()
    data = bytearray(paths.db.read_bytes())
    page = 4096
    middle = (pageno - 1) * page
    data[middle + 8 : middle + page] = os.urandom(page - 8)
    paths.db.write_bytes(bytes(data))
    before = paths.db.read_bytes()
    code, out = doctor()
    assert code == 1
    assert "newest backup:" in out
    assert paths.db.read_bytes() == before or "integrity" in out


def test_a_missing_book_is_not_created(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    code, out = doctor()
    assert code == 1
    assert "no such callbook database" in out
    assert not resolve(None).db.exists()


def test_stats_tallies_and_name_keys_another_program_left_behind_are_rebuilt(paths):
    conn = sqlite3.connect(paths.db)
    conn.execute("update stats_days set calls = calls + 5")
    conn.execute("update prospects set name = 'Beacon Print'")  # name_key left as it was
    conn.commit()
    conn.close()
    check = findings()["stats tallies and name keys"]
    assert not check["ok"]
    assert "differ from the calls" in check["detail"]
    assert "1 prospect name key(s) do not fit their names" in check["detail"]
    assert "--fix rebuilds them" in check["detail"]
    check = findings("--fix")["stats tallies and name keys"]
    assert check["ok"] and check["fixed"]
    assert findings()["stats tallies and name keys"]["detail"] == "in step with the book"
    with Store.open(paths.db) as store:
        assert [p.name for p in store.prospects_named("beacon print")] == ["Beacon Print"]
