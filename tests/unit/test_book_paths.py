"""What may stand at the book's path, and what may stand beside it: a regular file or nothing
(a FIFO, a device, a folder: one line, nothing opened for writing, nothing chmod-ed), a symlink
resolved once (one book, one lock), and a write-ahead log that belongs to another book refused
before SQLite applies it, both files kept."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from one_line import one_line

from callbook.cli import main
from callbook.store import Store, StoreError
from callbook.store.db import wal_pending

ROOT = Path(__file__).resolve().parents[2]


def run(db: Path, *args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(db.parent / "home")}
    env.pop("CALLBOOK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), *args],
        capture_output=True, text=True, env=env, timeout=timeout,
    )  # fmt: skip


def test_a_fifo_as_the_book_is_one_line_and_no_hang(tmp_path):
    fifo = tmp_path / "book.db"
    os.mkfifo(fifo, 0o644)
    said = "is a FIFO (named pipe), not a callbook database"
    for args in (("queue",), ("log", "acme", "!na")):
        done = run(fifo, *args, timeout=20)  # it hung forever, reading the header
        assert done.returncode == 1, (args, done.stderr)
        assert said in one_line(done.stderr)
    doctor = run(fifo, "doctor", timeout=20)
    assert doctor.returncode == 1 and said in doctor.stdout
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_IMODE(os.stat(fifo).st_mode) == 0o644


def test_a_character_device_as_the_book_is_never_chmod_ed(tmp_path):
    device = Path("/dev/null")
    mode = stat.S_IMODE(os.stat(device).st_mode)
    result = CliRunner().invoke(main, ["--db", str(device), "queue"])
    assert result.exit_code == 1
    assert "is a character device, not a callbook database" in one_line(result.stderr)
    assert stat.S_IMODE(os.stat(device).st_mode) == mode


def test_a_folder_as_the_book_is_one_line(tmp_path):
    folder = tmp_path / "book.db"
    folder.mkdir()
    with pytest.raises(StoreError, match="is a folder, not a callbook database"):
        Store.open(folder)


def test_a_symlinked_book_is_one_book_with_one_lock(tmp_path):
    real = tmp_path / "real" / "book.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    with Store.open(real) as store:
        store.add_prospect("Acme")
    link.symlink_to(real)
    with Store.open(link) as store:
        assert store.path == real
        store.add_prospect("Beta")
    assert not (tmp_path / "link.db.lock").exists()  # the lock is the real book's
    assert (real.parent / "book.db.lock").exists()
    assert link.is_symlink()
    with Store.open(real) as store:
        assert store.count_prospects() == 2


# --- a write-ahead log that is not the book's ------------------------------------------------


def _killed_writer(db: Path, names: list[str]) -> None:
    """Add prospects and die without closing: the book keeps a pending log."""
    code = (
        "import os, sys; from callbook.store import Store; s = Store.open(sys.argv[1]);"
        " [s.add_prospect(n) for n in sys.argv[2:]]; os._exit(0)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code, str(db), *names], check=True, env=env)
    assert wal_pending(db)


def test_a_log_from_another_book_is_refused_and_both_files_kept(tmp_path):
    mine, other = tmp_path / "mine.db", tmp_path / "other.db"
    with Store.open(mine) as store:
        store.add_prospect("Mine Ltd")
    with Store.open(other) as store:
        store.add_prospect("Other Ltd")
    _killed_writer(other, ["Other 2", "Other 3"])
    stray = mine.with_name("mine.db-wal")
    shutil.copyfile(other.with_name("other.db-wal"), stray)
    book_before, log_before = mine.read_bytes(), stray.read_bytes()
    with pytest.raises(StoreError, match="does not belong to mine.db") as raised:
        Store.open(mine)
    assert "\n" not in str(raised.value)
    result = CliRunner().invoke(main, ["--db", str(mine), "doctor"])
    assert result.exit_code == 1 and "does not belong to mine.db" in result.output
    assert mine.read_bytes() == book_before and stray.read_bytes() == log_before
    stray.unlink()
    with Store.open(mine) as store:  # without it, the book is its own again
        assert [p.name for p in store.prospects()] == ["Mine Ltd"]


def test_a_log_from_another_program_is_refused(tmp_path):
    import sqlite3

    mine = tmp_path / "mine.db"
    with Store.open(mine) as store:
        store.add_prospect("Mine Ltd")
    foreign = tmp_path / "foreign.db"
    code = (
        "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute('pragma journal_mode=wal'); c.execute('pragma application_id=7');"
        " c.execute('create table invoices (id)'); c.commit(); os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, str(foreign)], check=True)
    shutil.copyfile(foreign.with_name("foreign.db-wal"), mine.with_name("mine.db-wal"))
    with pytest.raises(StoreError, match="written by another program"):
        Store.open(mine)
    del sqlite3


def test_the_books_own_log_after_a_crash_is_applied(tmp_path):
    mine = tmp_path / "mine.db"
    with Store.open(mine) as store:
        store.add_prospect("Mine Ltd")
    _killed_writer(mine, ["Mine 2"])
    with Store.open(mine) as store:
        assert store.count_prospects() == 2
