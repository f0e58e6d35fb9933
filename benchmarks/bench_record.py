"""Time recording a call (call + 3 pieces + a contact + the prospect's next call) in a burst of
back-to-back commits (a `callbook log` loop), against the bare-SQL floor: the same rows written
by plain prepared statements through a plain sqlite3 connection with the same pragmas, on a
copy of the same book (`run_floor`). Prints JSON with p50/p99/max in milliseconds and the ratios.

Goals (store level): p99 <= 2x the floor's p99, no commit over 20 ms. SQLite's automatic
checkpoint is off on a Store's connection (a commit that crossed its threshold paid for folding
the whole log in: 100-150 ms); checkpoints run between commands and when idle. The second
pattern puts that idle housekeeping (`Store.checkpoint()`) between commits, untimed.

    python benchmarks/bench_record.py --prospects 100000 --calls 2000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.growth_book import growth_book  # noqa: E402
from callbook.model import NewCall, NewContact, Outcome, Role  # noqa: E402
from callbook.store import Store  # noqa: E402
from callbook.store.db import BUSY_TIMEOUT_MS  # noqa: E402


def _summary(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {
        "p50_ms": round(statistics.median(timings), 3),
        "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
        "max_ms": round(timings[-1], 3),
        "over_20ms": sum(t > 20 for t in timings),
    }


def _new_call(rnd: random.Random, n: int, prospects: int) -> NewCall:
    now = datetime(2026, 11, 27, 15, tzinfo=UTC) + timedelta(minutes=3 * n)
    return NewCall(
        prospect_id=rnd.randint(1, prospects),
        started_at=now,
        ended_at=now + timedelta(minutes=2),
        outcome=Outcome.GATEKEEPER,
        pieces=(
            ("gatekeeper", f"Sarah {n}"),
            ("dm_availability", "not Tuesdays"),
            ("current_solution", "spreadsheets"),
        ),
        contacts=(NewContact(f"Sarah {n}", Role.GATEKEEPER),),
        next_call_at=now + timedelta(days=2),
        next_objective="ask for the direct line",
        capture="gk: Sarah; dm avail: not Tuesdays; using: spreadsheets; !gk; @+2d",
    )


class _Floor:
    """The same rows written by plain prepared statements in one transaction each (the call,
    its pieces, its contact, the prospect's next call), no reads, on a plain connection with
    the Store's pragmas: what SQLite and the disk cost, with nothing of callbook's around it."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        pragmas = ("journal_mode = WAL", f"busy_timeout = {BUSY_TIMEOUT_MS}", "foreign_keys = ON",
                   "synchronous = FULL", "wal_autocheckpoint = 0")  # fmt: skip
        for pragma in pragmas:
            self.conn.execute(f"PRAGMA {pragma}")

    def record(self, new: NewCall) -> None:
        conn = self.conn
        start, end = new.started_at.isoformat(), new.ended_at.isoformat()
        conn.execute("BEGIN IMMEDIATE")
        call_id = conn.execute(
            "insert into calls (prospect_id, started_at, ended_at, outcome, next_call_at, "
            "next_objective, capture) values (?, ?, ?, ?, ?, ?, ?)",
            (new.prospect_id, start, end, new.outcome.value, new.next_call_at.isoformat(),
             new.next_objective, new.capture),
        ).lastrowid  # fmt: skip
        conn.executemany(
            "insert into pieces (prospect_id, slot, value, learned_at, call_id) "
            "values (?, ?, ?, ?, ?)",
            [(new.prospect_id, slot, value, end, call_id) for slot, value in new.pieces],
        )
        conn.execute(
            "insert into contacts (prospect_id, name, role, call_id, created_at) "
            "values (?, ?, ?, ?, ?)",
            (new.prospect_id, new.contacts[0].name, "gatekeeper", call_id, end),
        )
        conn.execute(
            "update prospects set next_call_at = ?, next_objective = ?, last_call_at = ?, "
            "call_count = call_count + 1 where id = ?",
            (new.next_call_at.isoformat(), new.next_objective, end, new.prospect_id),
        )
        conn.execute("COMMIT")


def run(store_path: Path, floor_path: Path, calls: int, prospects: int, idle: bool):
    """(store timings, floor timings, WAL bytes at the end): each call recorded by the Store
    and then by the floor, in turn, so that both meet the same moments of a busy disk."""
    store, floor = Store.open(store_path), _Floor(floor_path)
    rnd = random.Random(1)
    timings, floor_timings = [], []
    for n in range(calls):
        new = _new_call(rnd, n, prospects)
        t0 = time.perf_counter()
        store.record_call(new)
        t1 = time.perf_counter()
        floor.record(new)
        t2 = time.perf_counter()
        timings.append((t1 - t0) * 1000)
        floor_timings.append((t2 - t1) * 1000)
        if idle:
            store.checkpoint()
            floor.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    wal = Path(str(store_path) + "-wal")
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    store.close()
    floor.conn.close()
    return timings, floor_timings, wal_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/perf"))
    args = parser.parse_args()
    book = growth_book(args.prospects, args.folder)
    result = {"benchmark": "record_call", "prospects": args.prospects, "calls": args.calls,
              "goal": "burst p99 <= 2x floor p99, no commit over 20 ms"}  # fmt: skip
    with tempfile.TemporaryDirectory(dir=args.folder) as tmp:
        for pattern, idle in (("burst", False), ("with_idle_housekeeping", True)):
            store_copy, floor_copy = Path(tmp) / "store.db", Path(tmp) / "floor.db"
            for copy in (store_copy, floor_copy):
                shutil.copyfile(book, copy)
            timings, floor, wal_bytes = run(store_copy, floor_copy, args.calls,
                                            args.prospects, idle)  # fmt: skip
            result[pattern] = {
                "store": _summary(timings),
                "floor": _summary(floor),
                "p99_ratio": round(_summary(timings)["p99_ms"] / _summary(floor)["p99_ms"], 2),
                "wal_mb_after": round(wal_bytes / 1e6, 1),
            }
            for copy in Path(tmp).iterdir():
                copy.unlink()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
