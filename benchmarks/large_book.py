"""A large seeded book for the benchmarks: 100k prospects and 1M pieces by default.

Written with direct executemany inserts in one transaction on a book opened through the Store
(so the real schema, indexes and triggers apply); cached under benchmarks/out/ so that each
benchmark builds it once. Usable as a module (`large_book(...)`) or a script.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callbook.store import Store, tallies  # noqa: E402
from callbook.store.names import fill_keys  # noqa: E402
from callbook.store.schema import LATEST  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SLOTS = (
    "gatekeeper", "decision_maker", "dm_role", "dm_availability", "direct_line",
    "current_solution", "pain", "budget", "timeline", "decision_process", "next_step",
)  # fmt: skip
WORDS = (
    "renewal march budget salesforce hubspot spreadsheet tuesday friday morning afternoon "
    "director operations finance approval committee pricing demo trial security review "
    "merger holiday contract vendor onboarding reporting integration migration warehouse"
).split()
FIRST = "Sarah Tom Priya Marcus Elena James Aisha Lukas Chloé Mateo Zoë Kenji Olivia Raj".split()
LAST = "Jenkins Li Patel Okafor Rossi Walsh Khan Schneider Dubois García Ó'Brien Tanaka".split()
ZONES = ("America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin", None)


def _phrase(rnd: random.Random, n: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(n))


def build(path: Path, prospects: int, pieces: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    store = Store.open(path)
    conn = store.conn
    stamp = "2026-10-01T09:00:00Z"
    with store._write():
        conn.executemany(
            "insert into prospects (id, name, company, phones, city, timezone, priority, "
            "created_at, updated_at, call_count, next_call_at) values (?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    i,
                    f"{rnd.choice(LAST)} {rnd.choice(WORDS).title()} {i}",
                    None,
                    json.dumps([f"+1212555{i:07d}"[:12]]),
                    rnd.choice(("London", "Berlin", "Austin", "Denver")),
                    rnd.choice(ZONES),
                    rnd.randint(1, 5),
                    stamp,
                    stamp,
                    0,
                    f"2026-11-{rnd.randint(1, 30):02d}T{rnd.randint(8, 18):02d}:00:00Z"
                    if rnd.random() < 0.1
                    else None,
                )
                for i in range(1, prospects + 1)
            ),
        )
        calls = pieces // 3
        conn.executemany(
            "insert into calls (id, prospect_id, started_at, ended_at, outcome, notes) "
            "values (?,?,?,?,?,?)",
            (
                (
                    i,
                    rnd.randint(1, prospects),
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}T10:00:00Z",
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}T10:03:00Z",
                    rnd.choice(("no_answer", "voicemail", "gatekeeper", "decision_maker")),
                    _phrase(rnd, rnd.randint(4, 12)) if rnd.random() < 0.3 else None,
                )
                for i in range(1, calls + 1)
            ),
        )
        conn.executemany(
            "insert into pieces (prospect_id, slot, value, learned_at, call_id) values (?,?,?,?,?)",
            (
                (
                    rnd.randint(1, prospects),
                    rnd.choice(SLOTS),
                    f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                    if rnd.random() < 0.3
                    else _phrase(rnd, rnd.randint(1, 5)),
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}T10:03:00Z",
                    rnd.randint(1, calls),
                )
                for _ in range(pieces)
            ),
        )
        conn.executemany(
            "insert into contacts (prospect_id, name, role, created_at) values (?,?,?,?)",
            (
                (
                    rnd.randint(1, prospects),
                    f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                    rnd.choice(("gatekeeper", "decision_maker")),
                    stamp,
                )  # fmt: skip
                for _ in range(prospects // 2)
            ),
        )
    # What the Store derives from the rows it writes: lookup keys, stats tallies.
    with store._write():
        fill_keys(conn)
        tallies.rebuild_all(conn, stamp)
    # A book in use is tidied when the app is idle; start from that state.
    with store._write():
        conn.execute("INSERT INTO recall (recall) VALUES ('optimize')")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def cached_book(name: str, build: Callable[[Path], object], *, copy_to: Path | None = None):
    """A book made once by `build(path)` and kept under benchmarks/out/, keyed by `name` and
    the schema version (an older cache is never migrated inside a timed run); a fresh copy of
    it when `copy_to` is given."""
    OUT.mkdir(exist_ok=True)
    cached = OUT / f"{name}-v{LATEST}.db"
    if not cached.exists():
        partial = cached.with_suffix(".partial")
        for leftover in OUT.glob(partial.name + "*"):
            leftover.unlink()
        build(partial)
        for suffix in ("-wal", "-shm", ".lock"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(cached)
    if copy_to is None:
        return cached
    shutil.copyfile(cached, copy_to)
    return copy_to


def large_book(prospects: int = 100_000, pieces: int = 1_000_000, *, copy_to: Path | None = None):
    """The path of a cached book of that size (built on first use); a fresh copy if asked."""
    return cached_book(
        f"book-{prospects}-{pieces}",
        lambda path: build(path, prospects, pieces),
        copy_to=copy_to,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--pieces", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = large_book(args.prospects, args.pieces)
    print(json.dumps({"path": str(path), "seconds": round(time.perf_counter() - t0, 2)}))
