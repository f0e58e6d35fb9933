"""The growth table: each operation on a caller's path, on books of 10k, 100k and 1M prospects
(`growth_book`: 10 pieces and 3.3 calls a prospect over three years), with the median time and
how it grows from the smallest book to the largest; and, for each, the longest time it held
the Store's lock (what the app's UI thread waits for: a stall of the event loop at most that
long, measured at store level).

Goal: from 10k to 1M no operation grows more than 2x; no lock held more than 50 ms at 1M.

    python benchmarks/growth.py --sizes 10000 100000 1000000

Books are built once into --folder (minutes at 1M) and reused. The queue refresh (what the app
does after each commit, skip, snooze and undo: `queue_size` and the first page) is measured
with 0, 100 and 1,000 numbers on the do-not-call list, taken from prospects' own numbers; the
numbers are taken off again afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.growth_book import growth_book, phone_of  # noqa: E402
from callbook import stats  # noqa: E402
from callbook.config import Config  # noqa: E402
from callbook.desk import Desk  # noqa: E402
from callbook.lookup import match_prospect  # noqa: E402
from callbook.model import NewCall, Outcome  # noqa: E402
from callbook.store import Store  # noqa: E402

NOW = datetime(2026, 11, 30, 15, tzinfo=UTC)
PAGE = 50  # rows of the queue the app reads at a time
DNC_COUNTS = (0, 100, 1000)


class TimedLock:
    """The Store's lock, recording how long each outermost hold lasted."""

    def __init__(self, lock) -> None:
        self._lock = lock
        self._depth = 0
        self._since = 0.0
        self.longest = 0.0
        self._owner = threading.local()

    def __enter__(self):
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1:
            self._since = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0:
            self.longest = max(self.longest, time.perf_counter() - self._since)
        self._lock.release()
        return False

    def acquire(self, *args, **kwargs):
        return self.__enter__()

    def release(self):
        self.__exit__()


def measure(operation, *, repeats: int, budget_s: float) -> tuple[float, int]:
    """(median ms, runs) of `operation()`, repeated up to `repeats` times within `budget_s`."""
    timings = []
    spent = time.perf_counter()
    while len(timings) < repeats:
        t0 = time.perf_counter()
        operation()
        timings.append((time.perf_counter() - t0) * 1000)
        if time.perf_counter() - spent > budget_s:
            break
    return statistics.median(timings), len(timings)


def _misspelt(name: str, rnd: random.Random, early: bool) -> str:
    """`name` with one letter dropped: among its first three letters when `early`."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    i = rnd.choice(letters[:3] if early else letters[3:])
    return name[:i] + name[i + 1 :]


def run_size(prospects: int, folder: Path, repeats: int, budget_s: float,
             dnc_counts: tuple[int, ...] = DNC_COUNTS) -> dict:  # fmt: skip
    path = growth_book(prospects, folder)
    store = Store.open(path, clock=lambda: NOW)
    desk = Desk.around(store, Config(timezone="UTC"))
    store.queue(NOW, limit=1)  # reads every prospect's zone once (kept in the book)
    timer = TimedLock(store._lock)
    store._lock = timer
    rnd = random.Random(prospects)
    unique = [
        name
        for (name,) in store.conn.execute(
            "select name from prospects group by name_key having count(*) = 1 limit 200"
        )
    ]
    out: dict[str, dict] = {}

    def record(name: str, operation, **kwargs) -> None:
        timer.longest = 0.0
        median, runs = measure(operation, repeats=kwargs.get("repeats", repeats),
                               budget_s=budget_s)  # fmt: skip
        out[name] = {"median_ms": round(median, 2), "runs": runs,
                     "lock_held_max_ms": round(timer.longest * 1000, 2)}  # fmt: skip

    def refresh() -> None:
        store.queue_size(NOW)
        store.queue(NOW, limit=PAGE)

    for count in dnc_counts:
        numbers = [phone_of(pid) for pid in rnd.sample(range(1, prospects + 1), count)]
        for number in numbers:
            store.add_do_not_call_number(number)
        record(f"queue_refresh_dnc_{count}", refresh)
        with store._write() as conn:
            conn.execute("delete from do_not_call_numbers")

    def record_call() -> None:
        pid = rnd.randint(1, prospects)
        store.record_call(
            NewCall(pid, NOW, NOW + timedelta(minutes=2), Outcome.GATEKEEPER,
                    pieces=(("gatekeeper", f"Sarah {rnd.random():.6f}"),))  # fmt: skip
        )

    record("record_call", record_call)
    calls = []

    def record_for_undo() -> None:
        pid = rnd.randint(1, prospects)
        calls.append(
            store.record_call(
                NewCall(pid, NOW, NOW + timedelta(minutes=2), Outcome.MEETING,
                        pieces=(("gatekeeper", f"Tom {rnd.random():.6f}"),
                                ("pain", "slow reports")))  # fmt: skip
            ).id
        )

    for _ in range(repeats):
        record_for_undo()
    record("undo", lambda: store.undo_call(calls.pop()))
    names = iter(unique * 3)
    record("lookup_exact", lambda: match_prospect(store, next(names).upper()))
    record("lookup_misspelt", lambda: match_prospect(store, _misspelt(next(names), rnd, False)))
    record("lookup_misspelt_first_letters",
           lambda: match_prospect(store, _misspelt(next(names), rnd, True)))  # fmt: skip

    def first_keystroke() -> None:
        desk.filter_queue(next(names)[:1], NOW)  # reads every name (no cache yet)

    record("filter_first_keystroke", first_keystroke)
    haystack = desk.queue_names()
    record("filter_keystroke", lambda: desk.filter_queue(next(names)[:4], NOW, names=haystack))
    record("stats_366_days", lambda: stats.summary(store, 366, NOW, UTC))
    store._lock = timer._lock
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/perf"))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds an operation is repeated for at most")  # fmt: skip
    parser.add_argument("--dnc", type=int, nargs="+", default=list(DNC_COUNTS),
                        help="do-not-call list sizes to refresh the queue with")  # fmt: skip
    args = parser.parse_args()
    table = {
        size: run_size(size, args.folder, args.repeats, args.budget, tuple(args.dnc))
        for size in args.sizes
    }
    small, large = min(args.sizes), max(args.sizes)
    rows = {}
    for op in table[small]:
        row = {str(size): table[size][op]["median_ms"] for size in args.sizes}
        row[f"ratio_{large}_{small}"] = round(
            table[large][op]["median_ms"] / max(table[small][op]["median_ms"], 1e-3), 2
        )
        row["lock_held_max_ms"] = {str(s): table[s][op]["lock_held_max_ms"] for s in args.sizes}
        rows[op] = row
    print(json.dumps({"benchmark": "growth", "sizes": args.sizes, "median_ms": rows,
                      "goal": "ratio <= 2, lock held <= 50 ms at the largest"}, indent=1))


if __name__ == "__main__":
    main()
