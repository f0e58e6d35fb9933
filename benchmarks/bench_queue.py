"""Time the queue on a large book (100k prospects / 1M pieces by default): `callbook queue
--json` end to end, and the app's refresh after a commit (`store.queue(now, limit=50)` and
`store.queue_size(now)`), at three clocks: a weekday afternoon in London (every zone of the
book open), a European morning (only Berlin open) and a Saturday night (all closed). Prints
medians in milliseconds as JSON. Goals: CLI <= 300 ms, refresh <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.large_book import cached_book, large_book  # noqa: E402
from callbook.clock import fixed_clock  # noqa: E402
from callbook.model import NewCall, Outcome  # noqa: E402
from callbook.store import Store  # noqa: E402

CLOCKS = {
    "weekday_afternoon": datetime(2026, 11, 27, 15, 0, tzinfo=UTC),
    "europe_morning": datetime(2026, 11, 27, 8, 30, tzinfo=UTC),
    "saturday_night": datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
}


def migrated_book(prospects: int, pieces: int) -> tuple[Path, float]:
    """The large book with every prospect's zone read, cached; and how long that first read
    of the zones took (0 when cached)."""
    took = [0.0]

    def read_zones(path: Path) -> None:
        large_book(prospects, pieces, copy_to=path)
        with Store.open(path) as store:
            t0 = time.perf_counter()
            store._read_zones()
            took[0] = time.perf_counter() - t0
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    return cached_book(f"book-{prospects}-{pieces}-zones", read_zones), took[0]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def timed(fn, runs: int) -> dict:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {"median_ms": ms(statistics.median(times)), "max_ms": ms(times[-1])}


def cli_runs(path: Path, now: datetime, runs: int) -> dict:
    env = {**os.environ, "CALLBOOK_NOW": now.isoformat(), "TZ": "Europe/London"}
    command = [sys.executable, "-m", "callbook", "--db", str(path), "queue", "--json"]
    imports = [sys.executable, "-c", "import callbook.cli, callbook.desk"]
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm the page cache
    return {
        "queue_json": timed(lambda: subprocess.run(command, env=env, capture_output=True), runs),
        "python_and_imports_only": timed(lambda: subprocess.run(imports, env=env), runs),
    }


def refresh_after_commit(store: Store, now: datetime, prospects: int, runs: int) -> dict:
    rnd = random.Random(3)
    queue_times, size_times = [], []
    for n in range(runs):
        at = now - timedelta(minutes=runs - n)
        store.record_call(
            NewCall(
                rnd.randint(1, prospects), at, at + timedelta(minutes=1), Outcome.GATEKEEPER,
                pieces=(("gatekeeper", f"Sarah {n}"),), next_call_at=now + timedelta(days=2),
            )
        )  # fmt: skip
        t0 = time.perf_counter()
        store.queue(now, limit=50)
        t1 = time.perf_counter()
        store.queue_size(now)
        t2 = time.perf_counter()
        queue_times.append(t1 - t0)
        size_times.append(t2 - t1)
    return {
        "queue_limit_50_median_ms": ms(statistics.median(queue_times)),
        "queue_limit_50_max_ms": ms(max(queue_times)),
        "queue_size_median_ms": ms(statistics.median(size_times)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--pieces", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    source, zones_s = migrated_book(args.prospects, args.pieces)
    result: dict = {
        "benchmark": "queue",
        "book": {"prospects": args.prospects, "pieces": args.pieces},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "goals_ms": {"cli_queue_json": 300, "refresh_after_commit": 50},
    }
    if zones_s:
        result["first_zone_read_after_upgrade_s"] = round(zones_s, 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.db"
        shutil.copyfile(source, path)
        for name, now in CLOCKS.items():
            found: dict = {"cli": cli_runs(path, now, args.runs)}
            with Store.open(path, clock=fixed_clock(now)) as store:
                t0 = time.perf_counter()
                store.queue(now, limit=50)
                found["first_queue_in_process_ms"] = ms(time.perf_counter() - t0)
                found["queue_limit_50"] = timed(lambda s=store, t=now: s.queue(t, limit=50), 15)
                found["queue_offset_5000"] = timed(
                    lambda s=store, t=now: s.queue(t, limit=50, offset=5000), 5
                )
                found["after_commit"] = refresh_after_commit(store, now, args.prospects, args.runs)
            result[name] = found
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
