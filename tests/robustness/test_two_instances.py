"""Two processes writing one book at once (two stores; a store and a `callbook log` loop): no
write lost, no "database is locked", and each sees the other's calls without reopening."""

from __future__ import annotations

import subprocess
import sys
import time

from harness import check_book, env, new_book, read_acks, spawn_writer

from callbook.store import Store


def test_two_writers_lose_nothing(tmp_path):
    db = new_book(tmp_path / "book.db")
    home = tmp_path / "home"
    errs = [open(tmp_path / f"err{n}", "w+") for n in range(2)]  # noqa: SIM115
    writers = [
        spawn_writer(db, tag, home, count=80, checkpoint_every=10, stderr=err)
        for tag, err in zip(("a", "b"), errs, strict=True)
    ]
    outs = [w.communicate(timeout=120)[0] for w in writers]
    for writer, err in zip(writers, errs, strict=True):
        err.seek(0)
        text = err.read()
        assert writer.returncode == 0, text
        assert "locked" not in text
    acked = {}
    for out in outs:
        acked.update(read_acks(out).calls)
    assert len(acked) == 160
    assert check_book(db, acked).calls == 160


def test_a_store_and_a_callbook_log_loop(tmp_path):
    from writer import capture_line

    db = new_book(tmp_path / "book.db")
    home = tmp_path / "home"
    writer = spawn_writer(db, "s", home, count=60, stderr=subprocess.PIPE)
    acked = {}
    for n in range(6):
        tok = f"log{n}x"
        done = subprocess.run(
            [sys.executable, "-m", "callbook", "--db", str(db), "log", "#1", capture_line(tok)],
            capture_output=True,
            text=True,
            env=env(home),
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "locked" not in done.stderr
        acked[tok] = int(done.stdout.split("#")[1].split()[0])
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert "locked" not in err
    acked.update(read_acks(out).calls)
    assert check_book(db, acked).calls == 66


def test_an_open_store_sees_another_process_calls_at_once(tmp_path):
    """What the app's live refresh rests on: `data_version` changes when another process
    commits, and the next query shows the new calls, without reopening."""
    db = new_book(tmp_path / "book.db")
    with Store.open(db) as watcher:
        assert watcher.calls() == []
        seen_version = watcher.data_version()
        writer = spawn_writer(db, "w", tmp_path / "home", count=15)
        out, _ = writer.communicate(timeout=60)
        assert writer.returncode == 0
        finished = time.monotonic()
        acked = read_acks(out).calls
        while watcher.data_version() == seen_version:
            assert time.monotonic() - finished < 1.0, "no change seen within a second"
            time.sleep(0.02)
        assert sorted(c.id for c in watcher.calls()) == sorted(acked.values())
        assert watcher.get_prospect(1).call_count == 15
