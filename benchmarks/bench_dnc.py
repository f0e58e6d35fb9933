"""The do-not-call list on a large book: `queue_size` and the queue's refresh (`queue(now,
limit=50)`) with 0, 100 and 1,000 numbers on the list, each number held by a prospect (half of
them that prospect's only number, so it leaves the queue). "before" is the check the queue made
until numbers were rows (a correlated `instr` over every prospect's JSON list for each number),
run on the same book. Prints medians in milliseconds as JSON; goal: flat in the list's size.

    python benchmarks/bench_dnc.py [--prospects 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callbook.clock import fixed_clock  # noqa: E402
from callbook.store import (
    Store,  # noqa: E402
    phone_rows,  # noqa: E402
)

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
STAMP = "2026-11-01T09:00:00Z"
NOW_TEXT = "2026-11-27T15:00:00Z"

# The queue's check before the phones table, verbatim.
BEFORE = (
    "select p.phones from prospects p where p.status in ('new', 'active', 'meeting') "
    "and (p.next_call_at is null or p.next_call_at <= ?) and exists (select 1 from "
    "do_not_call_numbers d where instr(p.phones, '\"' || d.number) > 0)"
)


def number(i: int, second: bool = False) -> str:
    return f"+4420{7 if second else 8}{i:07d}"


def build(path: Path, prospects: int) -> float:
    """A book of `prospects` London prospects, each with one or two numbers; seconds taken by
    the migration's step that makes the rows."""
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        conn = store.conn
        conn.execute("BEGIN")
        conn.executemany(
            "insert into prospects (id, name, phones, timezone, priority, created_at, "
            "updated_at) values (?, ?, ?, 'Europe/London', ?, ?, ?)",
            (
                (i, f"Prospect {i}",
                 json.dumps([number(i)] if i % 2 else [number(i), number(i, True)]),
                 1 + i % 5, STAMP, STAMP)
                for i in range(1, prospects + 1)
            ),
        )  # fmt: skip
        t0 = time.perf_counter()
        phone_rows.move_lists(conn)
        took = time.perf_counter() - t0
        conn.commit()
        store._read_zones()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return took


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before-runs", type=int, default=1)
    args = parser.parse_args()
    out: dict = {"prospects": args.prospects, "runs": args.runs, "lists": {}}
    with tempfile.TemporaryDirectory(prefix="bench_dnc_") as folder:
        path = Path(folder) / "book.db"
        out["rows_from_lists_s"] = round(build(path, args.prospects), 2)
        with Store.open(path, clock=fixed_clock(NOW)) as store:
            listed = 0
            for size in (0, 100, 1000):
                step = max(1, args.prospects // max(size, 1))
                while listed < size:
                    # Odd ids hold one number: banning it takes them out of the queue.
                    store.add_do_not_call_number(number(1 + listed * step))
                    listed += 1
                after_size = median_ms(lambda: store.queue_size(NOW), args.runs)
                after_refresh = median_ms(lambda: store.queue(NOW, limit=50), args.runs)
                # With an empty list the old check returned before its query.
                before = size and median_ms(
                    lambda: store.conn.execute(BEFORE, (NOW_TEXT,)).fetchall(), args.before_runs
                )
                out["lists"][str(size)] = {
                    "queue_size_ms": after_size,
                    "refresh_ms": after_refresh,
                    "before_dnc_check_ms": before,
                    "queue_size": store.queue_size(NOW),
                }
    sizes = out["lists"]
    out["queue_size_ratio_1000_vs_0"] = round(
        sizes["1000"]["queue_size_ms"] / max(sizes["0"]["queue_size_ms"], 0.01), 2
    )
    out["refresh_ratio_1000_vs_0"] = round(
        sizes["1000"]["refresh_ms"] / max(sizes["0"]["refresh_ms"], 0.01), 2
    )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
