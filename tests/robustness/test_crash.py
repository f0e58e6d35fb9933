"""kill -9 at random moments, through the store and through `callbook log`: after every kill
the book is sound and holds every call that was acknowledged, each one whole.

Normal suite: a short run of each; `--stress`: at least 100 kills of each."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

from harness import (
    Acks,
    check_book,
    check_draft,
    env,
    new_book,
    read_acks,
    recall_in_step,
    spawn_writer,
)

from callbook.store import Store

SHORT_KILLS = 12
STRESS_KILLS = 100


def test_kill_the_store_writer_at_random(tmp_path, stress, record_property):
    db = new_book(tmp_path / "book.db")
    rng = random.Random(6)
    kills = STRESS_KILLS if stress else SHORT_KILLS
    acked: dict[str, int] = {}
    for round_no in range(kills):
        tag = f"r{round_no}x"
        proc = spawn_writer(db, tag, tmp_path / "home", checkpoint_every=rng.choice((0, 5, 40)))
        if rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 0.5))  # anywhere: start-up, opening, the first calls
            early = ""
        else:
            early = proc.stdout.readline()
            assert early == "READY\n"
            time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        out = early + proc.stdout.read()
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        acks = read_acks(out, Acks())
        acked.update(acks.calls)
        state = check_book(db, acked)
        check_draft(state, tag, acks.last_draft)
    assert recall_in_step(db) in (True, None)
    with Store.open(db, create=False) as store:
        assert store.integrity_check() == []
    record_property("kills", kills)
    record_property("acknowledged", len(acked))
    print(f"store writer: {kills} kills survived, {len(acked)} calls acknowledged, 0 lost")


def _log(db, home, line):
    return subprocess.Popen(
        [sys.executable, "-m", "callbook", "--db", str(db), "log", "#1", line],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(home),
    )


def test_kill_callbook_log_at_random(tmp_path, stress, record_property):
    from writer import capture_line

    db = new_book(tmp_path / "book.db")
    home = tmp_path / "home"
    rng = random.Random(7)
    wanted = STRESS_KILLS if stress else SHORT_KILLS // 2
    # How long one `callbook log` takes here (kept up to date: the machine may be busy), so
    # that kills land all through its life, most of them late (opening the book, committing)
    # rather than while importing; about one run in five finishes.
    durations = []
    acked: dict[str, int] = {}
    for tok in ("baseline0", "baseline1"):
        started = time.monotonic()
        out, err = _log(db, home, capture_line(tok)).communicate(timeout=60)
        durations.append(time.monotonic() - started)
        acked[tok] = int(out.split("#")[1].split()[0])
    kills = rounds = 0
    while kills < wanted:
        tok = f"c{rounds}x"
        rounds += 1
        typical = sorted(durations[-9:])[len(durations[-9:]) // 2]
        started = time.monotonic()
        proc = _log(db, home, capture_line(tok))
        try:
            out, err = proc.communicate(timeout=rng.uniform(0.6, 1.15) * typical)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            kills += 1
        else:
            assert proc.returncode == 0, err
            acked[tok] = int(out.split("#")[1].split()[0])
            durations.append(time.monotonic() - started)
        state = check_book(db, acked)
    # Calls in the book that were never acknowledged: kills that landed after the commit.
    late = state.calls - len(acked)
    record_property("kills", kills)
    record_property("acknowledged", len(acked))
    print(
        f"callbook log: {kills} kills survived in {rounds} runs, {len(acked)} acknowledged, "
        f"{late} committed but killed before saying so, 0 lost"
    )


def _version(db) -> int:
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_a_fresh_book_killed_while_opening_still_opens(tmp_path):
    """Killed during the very first open, inside each migration (before and after its
    commit): the book is left at the version before or after that step, never between, and
    the next open finishes the job. The kill is planted at the step (CALLBOOK_FAULT), so it
    cannot land before the upgrade starts or after it ends."""
    from callbook.store.schema import LATEST

    for step in range(1, LATEST + 1):
        for moment, left_at in (("uncommitted", step - 1), ("committed", step)):
            db = tmp_path / f"fresh-{step}-{moment}.db"
            proc = subprocess.run(
                [sys.executable, "-m", "callbook", "--db", str(db), "queue"],
                capture_output=True,
                env={**env(tmp_path / "home"), "CALLBOOK_FAULT": f"migrate:{step}:{moment}"},
            )
            assert proc.returncode == -signal.SIGKILL, (step, moment, proc.stderr)
            assert _version(db) == left_at, (step, moment)
            with Store.open(db) as store:
                assert store.schema_version == LATEST
                assert store.integrity_check() == []
                assert store.count_prospects() == 0
