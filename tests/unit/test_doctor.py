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


# --- leftovers and a real write --------------------------------------------------------------


def _dead_pid() -> int:
    import subprocess

    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_doctor_finds_and_fix_removes_what_killed_backups_and_restores_left(paths):
    dead = _dead_pid()
    left = [
        paths.db.with_name(f".{paths.db.name}.restoring-{dead}"),
        paths.backup_dir / f".callbook-20261127-150000.db.partial-{dead}",
        paths.db.with_name(f".export.json.partial-{dead}"),
    ]
    for path in left:
        path.write_bytes(b"\0" * 300_000)
    alive = paths.backup_dir / f".callbook-20261127-160000.db.partial-{os.getpid()}"
    alive.write_bytes(b"being written right now")
    found = findings()["leftovers"]
    assert not found["ok"]
    assert found["detail"].startswith(
        "3 temporary file(s) left by an interrupted backup, restore or export (0.9 MB): "
    )
    assert all(str(p) in found["detail"] for p in left)
    assert all(p.exists() for p in left)
    fixed = findings("--fix")["leftovers"]
    assert fixed["ok"] and fixed["fixed"] and fixed["detail"].startswith("removed 3 temporary")
    assert not any(p.exists() for p in left)
    assert alive.exists()  # its process is still running: not a leftover
    assert findings()["leftovers"]["detail"] == "no temporary files left behind"


def test_doctor_says_not_writable_on_a_full_disk(tmp_path, monkeypatch):
    import subprocess

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
    ).returncode:
        pytest.skip("cannot mount a small file system here")
    try:
        db = disk / "book.db"
        with Store.open(db) as store:
            store.add_prospect("Acme Ltd")
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        monkeypatch.setenv("CALLBOOK_DB", str(db))
        found = findings()["writable"]
        assert not found["ok"]
        assert found["detail"] == "the disk is full: nothing can be recorded"
        filler.unlink()
        assert findings()["writable"]["ok"]
        assert not [p.name for p in disk.iterdir() if "probe" in p.name]
    finally:
        import gc

        gc.collect()
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


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
