"""Time recording a call (call + 3 pieces + a contact + the prospect's next call) on a large
book: 100k prospects / 1M pieces by default. Prints p50/p99 in milliseconds as JSON.
Goal: p99 <= 5 ms.

Two patterns: a burst of back-to-back commits (a `callbook log` loop), and commits with the
app's idle housekeeping (`Store.checkpoint()`: index merge step + WAL checkpoint) between them,
untimed, as a caller's seconds between calls give it.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.large_book import large_book  # noqa: E402
from callbook.model import NewCall, NewContact, Outcome, Role  # noqa: E402
from callbook.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--pieces", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    result = {
        "benchmark": "record_call",
        "book": {"prospects": args.prospects, "pieces": args.pieces},
        "calls": args.calls,
        "goal_p99_ms": 5,
    }
    for pattern, idle in (("burst", False), ("with_idle_housekeeping", True)):
        timings = run(args, idle)
        result[pattern] = {
            "p50_ms": round(statistics.median(timings), 3),
            "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 3),
            "max_ms": round(timings[-1], 3),
        }
    print(json.dumps(result))


def run(args, idle: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = large_book(args.prospects, args.pieces, copy_to=Path(tmp) / "book.db")
        store = Store.open(path)
        rnd = random.Random(1)
        now = datetime(2026, 11, 27, 15, tzinfo=UTC)
        timings = []
        for n in range(args.calls):
            pid = rnd.randint(1, args.prospects)
            new = NewCall(
                prospect_id=pid,
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
            t0 = time.perf_counter()
            store.record_call(new)
            timings.append((time.perf_counter() - t0) * 1000)
            if idle:
                store.checkpoint()
        store.close()
    timings.sort()
    return timings


if __name__ == "__main__":
    main()
