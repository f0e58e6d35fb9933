"""`callbook restore --force` killed at each of its steps (a power cut at any moment): the book's
name always holds a whole book, and every call acknowledged before the restore is either in it
or in the copy kept aside, which later writes to the book never touch.

The old book has a write-ahead log pending (its writer was killed): a restore that renamed the
backup over the book without folding that log in first lost every call the log held."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest
from harness import check_book, env, new_book, read_acks, spawn_writer

from callbook.store import Store
from callbook.store.db import wal_pending

# Every fault point of restore, in order (backup._restore_under_lock).
STEPS = ("restore:folded", "restore:copied", "restore:kept", "restore:sides", "restore:replaced")
ACKED = 30


def _book_with_a_pending_log(tmp_path):
    """A book whose writer was killed after acknowledging ACKED calls, and a backup of it
    taken before any of them."""
    home = tmp_path / "home"
    db = new_book(tmp_path / "book.db")
    backup = tmp_path / "before.db"
    subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), "backup", str(backup)],
        check=True, capture_output=True, env=env(home),
    )  # fmt: skip
    writer = spawn_writer(db, "rs", home)
    out = ""
    while out.count("ACK ") < ACKED:
        line = writer.stdout.readline()
        assert line, "the writer stopped early"
        out += line
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    acked = read_acks(out).calls
    assert len(acked) >= ACKED and wal_pending(db)
    return db, backup, acked, home


def _calls(path) -> set[int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("select id from calls")}
    finally:
        conn.close()


@pytest.mark.parametrize("step", STEPS)
def test_restore_killed_at_each_step_loses_no_acknowledged_call(tmp_path, step):
    db, backup, acked, home = _book_with_a_pending_log(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), "restore", "--force", str(backup)],
        capture_output=True, text=True, env={**env(home), "CALLBOOK_FAULT": step},
    )  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, (step, proc.returncode, proc.stderr)
    asides = sorted(db.parent.glob("book.db.replaced-*[0-9]"))
    assert len(asides) <= 1
    # The book's name holds a whole book: the old one with every call, or the restored one.
    state = check_book(db)
    if state.calls:
        check_book(db, acked)
    else:
        assert asides, f"{step}: the restored book is in place but the old one is gone"
    # Whatever holds the old book holds every acknowledged call, by itself (no log beside it).
    old = db if state.calls else asides[0]
    assert set(acked.values()) <= _calls(old), step
    # The book is used again: the kept copy does not change (it is not a second name for it).
    kept = {a: a.read_bytes() for a in asides}
    with Store.open(db, create=False) as store:
        assert store.integrity_check() == []
        store.add_prospect("After the crash")
    for aside, data in kept.items():
        assert aside.read_bytes() == data
        check_book(aside, acked)
    # And restore finishes the job when run again.
    again = subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), "restore", "--force", str(backup)],
        capture_output=True, text=True, env=env(home),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert check_book(db).calls == 0
    assert not list(db.parent.glob(".book.db*"))  # no temporary file left behind
