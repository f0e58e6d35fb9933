"""The cross-process write lock: a bounded wait, then one line naming the process that holds it
(pid and command); signals still work while waiting; nothing is written meanwhile."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from one_line import lock_held

from callbook.store import Store
from callbook.store.db import BusyError, WriteLock

ROOT = Path(__file__).resolve().parents[2]

def _env(home: Path, wait: str = "1") -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(home)}
    env["CALLBOOK_LOCK_WAIT"] = wait
    env.pop("CALLBOOK_DB", None)
    return env


@pytest.fixture
def held(tmp_path):
    """A book whose write lock another process holds (as `callbook import big.csv` would)."""
    db = tmp_path / "book.db"
    with Store.open(db) as store:
        store.add_prospect("Acme Ltd")
    with lock_held(db, _env(tmp_path / "home")) as proc:
        yield db, proc


def test_a_write_waits_a_bounded_time_then_names_the_holder(held, tmp_path):
    db, holder = held
    before = db.read_bytes()
    for args in (("log", "acme", "gk: Sarah; !gk"), ("add", "Beta Ltd")):
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "callbook", "--db", str(db), *args],
            capture_output=True, text=True, env=_env(tmp_path / "home"), timeout=30,
        )  # fmt: skip
        took = time.monotonic() - started
        assert done.returncode == 1, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"process {holder.pid} (callbook import big.csv)" in lines[0]
        assert "has held its write lock for over 1 s; nothing was changed" in lines[0]
        assert took < 10
    assert db.read_bytes() == before


def test_the_lock_in_process_raises_busy_after_its_wait(held):
    db, holder = held
    lock = WriteLock(db, wait=0.3)
    started = time.monotonic()
    with pytest.raises(BusyError, match=f"process {holder.pid} "):
        with lock.hold():
            pass
    assert 0.25 < time.monotonic() - started < 3
    lock.close()


def _wait_until_waiting(pid: int, db: Path, timeout: float = 30) -> None:
    """Until process `pid` has the book's lock file open (it is in the wait), however long a
    busy machine takes to start it."""
    lock = str(db.with_name(db.name + ".lock"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            fds = []
        if lock in fds:
            time.sleep(0.3)
            return
        time.sleep(0.05)
    raise AssertionError("the command never started waiting for the lock")


def test_sigterm_and_sigint_end_a_waiting_command(held, tmp_path):
    db, _ = held
    for sig, code in ((signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "callbook", "--db", str(db), "add", "Gamma"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=_env(tmp_path / "home", wait="60"),
        )  # fmt: skip
        _wait_until_waiting(proc.pid, db)
        assert proc.poll() is None
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == code, (sig, proc.returncode, err)
        assert "Traceback" not in err


def test_reading_the_queue_does_not_wait_for_the_lock(held, tmp_path):
    """`queue` only writes a cache of zones: with the lock held elsewhere it reads them
    instead (it hung past 20 s)."""
    db, _ = held
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), "queue"],
        capture_output=True, text=True, env=_env(tmp_path / "home", wait="60"), timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Acme Ltd" in done.stdout
    assert time.monotonic() - started < 15  # the lock's own wait here is 60 s


def test_a_screen_can_ask_who_holds_the_lock_without_waiting(held):
    db, holder = held
    with Store.open(db) as store:
        started = time.monotonic()
        assert store.write_busy() == f"process {holder.pid} (callbook import big.csv)"
        assert time.monotonic() - started < 0.5
        holder.kill()
        holder.wait()
        assert store.write_busy() is None
        store.add_prospect("Beta")  # and the lock is free to take
