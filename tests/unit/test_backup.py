"""Backups: consistent online copies (while another process writes), the daily automatic one
and its rotation, and restore (checked, refused without --force, the replaced book kept)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.paths import resolve
from callbook.store import Store, StoreError
from callbook.store.backup import (
    BackupError,
    auto_backup,
    backup,
    list_backups,
    prune,
    restore,
    verify_book,
)

ROBUSTNESS = Path(__file__).resolve().parents[1] / "robustness"
sys.path.insert(0, str(ROBUSTNESS))

from harness import check_book, new_book, read_acks, spawn_writer  # noqa: E402

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
LONDON = Config(timezone="Europe/London")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def record(store: Store, n: int, start: int = 0) -> None:
    p = store.prospects(limit=1)[0] if store.count_prospects() else store.add_prospect("Acme")
    for i in range(start, start + n):
        at = NOW + timedelta(minutes=i)
        store.record_call(
            NewCall(
                p.id, at, at, Outcome.GATEKEEPER,
                pieces=(("gatekeeper", f"Sarah {i}"),),
                contacts=(NewContact(f"Sarah {i}", Role.GATEKEEPER),),
                notes=f"note {i}",
            )
        )  # fmt: skip


def calls_in(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("select count(*) from calls").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def paths(tmp_path):
    return resolve(None, {"CALLBOOK_HOME": str(tmp_path / "home")})


@pytest.fixture
def book(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 5)
        yield store


# --- backing up ----------------------------------------------------------------------------


def test_a_backup_is_a_private_whole_copy(book, paths):
    made = backup(book, paths)
    assert made.parent == paths.backup_dir
    assert made.name == "callbook-20261127-150000.db"
    assert mode(made) == 0o600 and mode(paths.backup_dir) == 0o700
    assert verify_book(made) >= 1
    assert calls_in(made) == 5
    # a single self-contained file: no write-ahead log needed, none left beside it
    assert sorted(p.name for p in paths.backup_dir.iterdir()) == [made.name]
    assert made.read_bytes()[18:20] == b"\x01\x01"


def test_a_backup_holds_commits_not_yet_folded_into_the_file(book, paths):
    record(book, 3, start=100)  # still in the write-ahead log
    assert book.path.with_name(book.path.name + "-wal").stat().st_size > 0
    assert calls_in(backup(book, paths)) == 8


def test_a_copy_that_fails_its_check_never_takes_the_final_name(
    book, paths, tmp_path, monkeypatch
):
    """The copy is checked before it is named: a copy spoilt between VACUUM INTO and the name
    (a failing disk, a bug) is refused and removed, and no backup appears under its name. If
    the check were dropped the spoilt copy would be named a backup: this test would fail."""
    import callbook.store.backup as backup_module

    real_fsync = backup_module.fsync
    spoilt = []

    def spoil_then_fsync(path):
        if ".partial-" in path.name:  # the finished copy, still under its temporary name
            data = bytearray(path.read_bytes())
            data[4096 * 2 : 4096 * 3] = b"\xff" * 4096  # a page of the copy overwritten
            path.write_bytes(bytes(data))
            spoilt.append(path)
        real_fsync(path)

    monkeypatch.setattr(backup_module, "fsync", spoil_then_fsync)
    dest = tmp_path / "spoilt.db"
    with pytest.raises(StoreError, match="is damaged"):
        backup(book, paths, dest)
    assert spoilt, "the copy was never made"
    assert not dest.exists()
    assert not list(tmp_path.glob(".spoilt.db*"))
    monkeypatch.undo()
    assert verify_book(backup(book, paths, dest)) >= 1  # and a sound copy is named


def test_a_backup_never_takes_the_name_of_the_books_side_files(book, paths):
    for suffix in ("-wal", "-shm", "-journal", ".lock"):
        side = book.path.with_name(book.path.name + suffix)
        existed = side.exists()
        with pytest.raises(BackupError, match="cannot take the name of one of the book's files"):
            backup(book, paths, side)
        assert side.exists() == existed
    assert book.integrity_check() == []


def test_a_book_reached_through_a_symlink_keeps_its_backup_names(tmp_path):
    real = tmp_path / "real-home"
    (tmp_path / "home").symlink_to(real, target_is_directory=True)
    paths = resolve(None, {"CALLBOOK_HOME": str(tmp_path / "home")})
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 1)
        made = backup(store, paths)
    assert made.name.startswith("callbook-20261127-")  # the default book's own name
    assert [b.path for b in list_backups(paths)] == [made]


def test_backup_destinations(book, paths, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    into_folder = backup(book, paths, folder)
    assert into_folder.parent == folder and into_folder.name.startswith("callbook-")
    again = backup(book, paths, folder)
    assert again != into_folder and again.name.endswith("-2.db")  # same second
    target = tmp_path / "named.db"
    target.write_text("precious")
    with pytest.raises(BackupError, match="already exists"):
        backup(book, paths, target)
    assert target.read_text() == "precious"
    with pytest.raises(BackupError, match="cannot replace the book itself"):
        backup(book, paths, book.path)


def test_other_books_get_their_own_names(paths, tmp_path):
    with Store.open(tmp_path / "a" / "book.db", clock=fixed_clock(NOW)) as a:
        record(a, 1)
        made_a = backup(a, paths)
    with Store.open(tmp_path / "b" / "book.db", clock=fixed_clock(NOW)) as b:
        record(b, 1)
        made_b = backup(b, paths)
    assert made_a.name.startswith("book-") and made_b.name.startswith("book-")
    assert made_a.name != made_b.name
    assert [x.path for x in list_backups(paths, tmp_path / "a" / "book.db")] == [made_a]


def test_a_backup_while_another_process_writes_is_consistent(tmp_path, paths):
    db = new_book(tmp_path / "live.db")
    writer = spawn_writer(db, "bk", tmp_path / "home", count=250, checkpoint_every=25)
    assert writer.stdout.readline() == "READY\n"
    made = []
    with Store.open(db) as store:
        for _ in range(4):
            made.append(backup(store, paths))
    out = writer.stdout.read()
    writer.wait(timeout=120)
    assert writer.returncode == 0
    counts = [check_book(copy).calls for copy in made]  # every call in every copy whole
    assert counts == sorted(counts)
    total = check_book(db, read_acks(out).calls).calls
    assert total == 250 and counts[-1] <= total


# --- the daily backup ----------------------------------------------------------------------


def test_auto_backup_once_a_day_keeping_the_newest(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 2)
        manual = backup(store, paths)
    config = replace(LONDON, backups_keep=3)
    made = []
    for day in range(5):
        at = NOW + timedelta(days=day)
        with Store.open(paths.db, clock=fixed_clock(at)) as store:
            first = auto_backup(store, paths, config)
            assert first is not None and first.name.endswith("-auto.db")
            assert auto_backup(store, paths, config) is None  # once a day
            made.append(first)
    kept = [b.path for b in list_backups(paths) if b.auto]
    assert kept == made[::-1][:3]
    assert manual.exists()  # rotation only takes automatic ones
    assert all(mode(p) == 0o600 for p in kept)


def test_the_day_is_the_callers_day(paths):
    late = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # already the 28th in Tokyo
    with Store.open(paths.db, clock=fixed_clock(late)) as store:
        record(store, 1)
        assert auto_backup(store, paths, Config(timezone="Europe/London")) is not None
        assert auto_backup(store, paths, Config(timezone="Asia/Tokyo")) is not None
        assert auto_backup(store, paths, Config(timezone="Asia/Tokyo")) is None


def test_no_auto_backup_when_off_or_empty(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        assert auto_backup(store, paths, LONDON) is None  # nothing worth keeping yet
        record(store, 1)
        assert auto_backup(store, paths, replace(LONDON, backups_keep=0)) is None
    assert list_backups(paths) == []


def test_auto_backup_skips_while_another_process_makes_it(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 1)
        paths.backup_dir.mkdir(parents=True, mode=0o700)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT);"
                " fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
                str(paths.backup_dir / ".lock"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline() == "held\n"
            assert auto_backup(store, paths, LONDON) is None
        finally:
            holder.kill()
            holder.wait()
        assert auto_backup(store, paths, LONDON) is not None


def test_prune_leaves_manual_backups(book, paths):
    manual = backup(book, paths)
    autos = [backup(book, paths, auto=True) for _ in range(4)]
    removed = prune(paths, book.path, 1)
    assert sorted(removed) == sorted(autos[:3])
    assert manual.exists() and autos[3].exists()


# --- restoring -----------------------------------------------------------------------------


def test_restore_refuses_without_force_and_keeps_the_replaced_book(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 3)
        made = backup(store, paths)
        record(store, 4, start=50)  # after the backup
    before = paths.db.read_bytes()
    with pytest.raises(BackupError, match="add --force to replace it"):
        restore(made, paths.db)
    assert paths.db.read_bytes() == before
    aside = restore(made, paths.db, force=True)
    assert aside is not None and aside.name.startswith("callbook.db.replaced-")
    assert aside.read_bytes() == before and mode(aside) == 0o600
    assert calls_in(paths.db) == 3
    assert calls_in(aside) == 7
    assert mode(paths.db) == 0o600
    assert made.exists() and verify_book(made)


def test_restore_folds_the_replaced_books_log_into_the_copy_it_keeps(paths, tmp_path):
    """A book left with a write-ahead log (its program was killed) is kept aside whole: its
    log folded into the file first, so the file alone holds every call, and a copy of its
    own, not a hard link (a second name for the same file changes with its next writer)."""
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 2)
        made = backup(store, paths)
    code = (
        "import os, sys; sys.path.insert(0, sys.argv[2]); from callbook.store import Store;"
        " from callbook.model import NewCall, Outcome; from datetime import datetime, UTC;"
        " s = Store.open(sys.argv[1]); t = datetime.now(UTC);"
        " [s.record_call(NewCall(1, t, t, Outcome.NO_ANSWER)) for _ in range(5)]; os._exit(0)"
    )
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", code, str(paths.db), root], check=True)
    assert paths.db.with_name("callbook.db-wal").stat().st_size > 0
    aside = restore(made, paths.db, force=True)
    assert not paths.db.with_name("callbook.db-wal").exists()
    assert not aside.with_name(aside.name + "-wal").exists()  # folded in, not carried along
    assert os.stat(aside).st_nlink == 1 and os.stat(paths.db).st_nlink == 1
    assert calls_in(aside) == 7  # every call the log held is in the kept file
    assert calls_in(paths.db) == 2


def test_restore_checks_the_backup_first(paths, tmp_path):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 2)
        good = backup(store, paths)
    before = paths.db.read_bytes()
    text = tmp_path / "notes.txt"
    text.write_text("not a book\n" * 20)
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table invoices (id)")
    conn.commit()
    conn.close()
    cut = tmp_path / "cut.db"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for bad, message in (
        (text, "not a callbook database"),
        (foreign, "another program"),
        (cut, "damaged"),
        (empty, "not a callbook book"),
        (tmp_path / "missing.db", "no such backup"),
        (paths.db, "the book itself"),
    ):
        with pytest.raises(StoreError, match=message):
            restore(bad, paths.db, force=True)
        assert paths.db.read_bytes() == before
    assert not list(paths.data_dir.glob("*.replaced-*"))


def test_restore_refuses_a_book_open_elsewhere(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        record(store, 2)
        made = backup(store, paths)
        with pytest.raises(BackupError, match="is open in another program"):
            restore(made, paths.db, force=True)  # open in this process
    root = str(Path(__file__).resolve().parents[2])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[2]); from callbook.store import Store;"
            " s = Store.open(sys.argv[1]); s.calls(); print('open', flush=True); time.sleep(30)",
            str(paths.db),
            root,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "open\n"
        before = paths.db.read_bytes()
        with pytest.raises(BackupError, match="is open in another program"):
            restore(made, paths.db, force=True)
        assert paths.db.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    assert restore(made, paths.db, force=True) is not None


def test_restore_onto_no_book(paths, tmp_path):
    with Store.open(tmp_path / "src.db", clock=fixed_clock(NOW)) as store:
        record(store, 2)
        made = backup(store, paths, tmp_path / "copy.db")
    assert restore(made, paths.db) is None
    assert calls_in(paths.db) == 2 and mode(paths.db) == 0o600
    assert mode(paths.data_dir) == 0o700


# --- the commands --------------------------------------------------------------------------


def test_backup_and_restore_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", NOW.isoformat())
    db = tmp_path / "book.db"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--db", str(db), *args])

    assert run("add", "Acme Ltd").exit_code == 0
    assert run("log", "acme", "gk: Sarah; !gk").exit_code == 0
    done = run("backup", "--json")
    assert done.exit_code == 0, done.output
    import json

    made = Path(json.loads(done.output)["path"])
    assert made.exists() and mode(made) == 0o600
    dest = tmp_path / "copy.db"
    done = run("backup", str(dest))
    assert done.output == f"backed up {db} to {dest}\n"
    assert run("backup", str(dest)).exit_code == 1
    assert run("log", "acme", "!na").exit_code == 0
    refused = run("restore", str(made))
    assert refused.exit_code == 1
    assert "add --force to replace it" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    done = run("restore", str(made), "--force")
    assert done.exit_code == 0, done.output
    assert "the replaced book is kept as" in done.output
    assert calls_in(db) == 1
    assert run("restore", str(tmp_path / "nothing.db"), "--force").exit_code == 1
    assert run("backup", "--help").exit_code == 0
