"""Books for the growth table: N prospects with 10N pieces, N/2 contacts and 3.3N calls spread
over three years (a heavy user's book), built in minutes even at 1M prospects.

Why the old single-transaction builder never finished at 1M: every row went through the recall
index's triggers and the whole book through the write-ahead log (a 2 GB log). Here the book is
created through the Store (the real schema), then filled with the journal off and the recall
triggers set aside, in chunks, and the recall index is filled once at the end
(`bulk.recall_deferred`), as an import does. A build is a fresh file: nothing to protect yet.

    python benchmarks/growth_book.py --prospects 1000000 --out /tmp/perf/growth-1000000.db
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.books import COMPANY_KINDS, COMPANY_SUFFIX, SYLLABLES  # noqa: E402
from benchmarks.large_book import FIRST, LAST, SLOTS, WORDS, ZONES  # noqa: E402
from callbook.store import Store, tallies  # noqa: E402
from callbook.store.names import fill_keys  # noqa: E402
from callbook.store.schema import LATEST  # noqa: E402

OUTCOMES = (
    "no_answer", "no_answer", "no_answer", "voicemail", "voicemail", "gatekeeper",
    "decision_maker", "callback", "meeting", "not_interested",
)  # fmt: skip
END = datetime(2026, 11, 30, 18, tzinfo=UTC)
YEARS = 3
CHUNK = 200_000


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def phone_of(pid: int) -> str:
    """Prospect `pid`'s first number (the growth script blocks some of these)."""
    return f"+1212{pid:07d}"


def _companies(rnd: random.Random, count: int) -> list[str]:
    """`count` company names (stem, kind, suffix), stems of 2-4 syllables: room for millions."""
    stems: set[str] = set()
    while len(stems) < count:
        stems.add("".join(rnd.choice(SYLLABLES) for _ in range(rnd.choice((2, 3, 3, 4)))))
    return [
        " ".join(p for p in (stem.capitalize(), rnd.choice(COMPANY_KINDS),
                             rnd.choice(COMPANY_SUFFIX)) if p)  # fmt: skip
        for stem in sorted(stems)
    ]


def _chunks(rows, size: int = CHUNK):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(path: Path, prospects: int, *, seed: int = 7, recall: bool = True) -> dict:
    rnd = random.Random(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Store.open(path).close()  # the real schema, migrated to the latest version
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    span = int(timedelta(days=365 * YEARS).total_seconds())
    start = END - timedelta(seconds=span)
    n_calls = prospects * 33 // 10
    n_pieces = prospects * 10
    counts = {}
    t0 = time.perf_counter()

    def call_time() -> datetime:
        # working hours, Monday to Friday, in the caller's day
        day = start + timedelta(days=rnd.randrange(span // 86400))
        while day.weekday() >= 5:
            day -= timedelta(days=2)
        return day.replace(hour=rnd.randint(13, 21), minute=rnd.randrange(60))

    conn.execute("BEGIN")
    from callbook.store.bulk import recall_deferred

    with recall_deferred(conn) if recall else _nothing():
        stamp = _stamp(start)
        # Company names as varied as a real book's (generated stems, kinds and suffixes): a
        # name lookup meets as many near neighbours as it would there.
        companies = _companies(rnd, max(200, prospects // 3))
        for batch in _chunks(
            (
                i,
                rnd.choice(companies),
                None,
                json.dumps([phone_of(i)]),
                rnd.choice(("London", "Berlin", "Austin", "Denver")),
                rnd.choice(ZONES),
                rnd.randint(1, 5),
                stamp,
                stamp,
                _stamp(END + timedelta(days=rnd.randint(-5, 20))) if rnd.random() < 0.1 else None,
            )
            for i in range(1, prospects + 1)
        ):
            conn.executemany(
                "insert into prospects (id, name, company, phones, city, timezone, priority, "
                "created_at, updated_at, next_call_at) values (?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
        counts["prospects"] = prospects
        calls_of: list[tuple[int, str]] = []
        for batch in _chunks(
            (
                i,
                rnd.randint(1, prospects),
                call_time(),
                rnd.choice(OUTCOMES),
                " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 12)))
                if rnd.random() < 0.3
                else None,
            )
            for i in range(1, n_calls + 1)
        ):
            rows = []
            for i, pid, at, outcome, note in batch:
                big = int(outcome in ("decision_maker", "callback", "meeting"))
                rows.append((i, pid, _stamp(at), _stamp(at + timedelta(minutes=3)), outcome,
                             note, rnd.randint(0, 3), big))  # fmt: skip
                calls_of.append((pid, _stamp(at + timedelta(minutes=3))))
            conn.executemany(
                "insert into calls (id, prospect_id, started_at, ended_at, outcome, notes, "
                "small_wins, big_wins) values (?,?,?,?,?,?,?,?)",
                rows,
            )
        counts["calls"] = n_calls
        conn.execute(
            "update prospects set call_count = c.n, last_call_at = c.last from (select "
            "prospect_id, count(*) as n, max(ended_at) as last from calls group by "
            "prospect_id) as c where c.prospect_id = prospects.id"
        )
        for batch in _chunks(
            (
                i,
                rnd.randrange(n_calls),
                rnd.choice(SLOTS),
                f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
                if rnd.random() < 0.3
                else " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 5))),
            )
            for i in range(1, n_pieces + 1)
        ):
            conn.executemany(
                "insert into pieces (id, prospect_id, learned_at, slot, value, call_id) "
                "values (?,?,?,?,?,?)",
                [(i, *calls_of[k], slot, value, k + 1) for i, k, slot, value in batch],
            )
        counts["pieces"] = n_pieces
        # Older pieces of a slot superseded by the newest (history kept, as the Store does).
        conn.execute(
            "update pieces set superseded_by = n.top, superseded_at = n.at from (select "
            "prospect_id, slot, max(id) as top, max(learned_at) as at from pieces group by "
            "prospect_id, slot) as n where n.prospect_id = pieces.prospect_id and "
            "n.slot = pieces.slot and pieces.id < n.top"
        )
        for batch in _chunks(
            (
                rnd.randint(1, prospects),
                f"{rnd.choice(FIRST)} {rnd.choice(LAST)}",
                rnd.choice(("gatekeeper", "decision_maker")),
                rnd.randint(1, n_calls) if rnd.random() < 0.5 else None,
                stamp,
            )
            for _ in range(prospects // 2)
        ):
            conn.executemany(
                "insert into contacts (prospect_id, name, role, call_id, created_at) "
                "values (?,?,?,?,?)",
                batch,
            )
        counts["contacts"] = prospects // 2
        # What the Store derives from the rows: lookup keys, the tracked zones' stats tallies.
        fill_keys(conn)
        tallies.rebuild_all(conn, _stamp(END))
        counts["filled_s"] = round(time.perf_counter() - t0, 1)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    # Open through the Store once more: it fills what its migrations derive from the rows.
    store = Store.open(path)
    store.checkpoint()
    store.close()
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    counts["mb"] = round(path.stat().st_size / 1e6)
    return counts


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def growth_book(prospects: int, folder: Path, *, recall: bool = True) -> Path:
    """The book of `prospects` prospects in `folder`, built on first use and reused."""
    # Keyed by the schema version: an older book is built again, never migrated in a timed run.
    path = Path(folder) / f"growth-{prospects}{'' if recall else '-norecall'}-v{LATEST}.db"
    if not path.exists():
        partial = path.with_suffix(".partial")
        for leftover in partial.parent.glob(partial.name + "*"):
            leftover.unlink()
        build(partial, prospects, recall=recall)
        for suffix in ("-wal", "-shm", ".lock"):
            Path(str(partial) + suffix).unlink(missing_ok=True)
        partial.rename(path)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prospects", type=int, default=10_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/perf"))
    parser.add_argument("--no-recall", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    path = growth_book(args.prospects, args.folder, recall=not args.no_recall)
    print(json.dumps({"path": str(path), "seconds": round(time.perf_counter() - t0, 1),
                      "mb": round(path.stat().st_size / 1e6)}))  # fmt: skip
