"""Recall search on seeded books of 10k, 100k and 1M records: query time (p50/p95) over a fixed
set of short prefixes, typos, multi-word and phone queries; index build time; size on disk and
the index's share; recall@10 on typo'd queries whose intended record is known. Prints JSON.
Goals: p95 <= 3 ms at 1M, recall@10 >= 0.98 on a mix where a third of the typos are in words
of 3-4 letters.

    python benchmarks/bench_search.py --sizes 10000          # quick
    python benchmarks/bench_search.py                         # 10k, 100k, 1M
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.books import recall_book  # noqa: E402
from callbook.search import Recall, fold, rebuild_index  # noqa: E402
from callbook.store import Store  # noqa: E402
from callbook.store import recall as index  # noqa: E402

FIXED = {
    "prefix": "s sa sar j je jen tue mar bud sal gat pa re wed ops".split(),
    "word": "tuesdays salesforce renewal gatekeeper march budget receptionist hubspot".split(),
    "typo": (
        "tuesdy jenkns salesfroce renwal budgte gatekeper mrach recepionist hubspt pipedrvie "
        "wensdays procurment"
    ).split(),
    "short_typo": ["ana", "nis", "tmo", "emam", "jonh", "lia", "sven", "olag", "kim"],
    "both_typo": ["nis jenkns", "ana patle", "sarh jnkins", "tmo smiht"],
    "multi": [
        "not tues",
        "sarah jen",
        "call back march",
        "renewal salesforce",
        "budget 50k",
        "demo tuesday",
        "ops director",
        "spoke to someone in march",
    ],
    "phone": ["555", "(212) 55", "415-55", "+1 312", "0123"],
    "accent": ["zoe", "muller", "zurich", "obrien", "koln"],
}


def _typo(rnd: random.Random, word: str) -> str:
    """One realistic slip: a wrong, missing, extra or swapped letter, anywhere in the word."""
    i = rnd.randrange(len(word))
    op = rnd.choice(("sub", "del", "ins", "swap"))
    letter = rnd.choice("abcdefghijklmnopqrstuvwxyz")
    if op == "sub":
        return word[:i] + letter + word[i + 1 :]
    if op == "del":
        return word[:i] + word[i + 1 :]
    if op == "ins":
        return word[:i] + letter + word[i:]
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _misspell(rnd: random.Random, word: str) -> str:
    """The word with the edits the query contract allows for what is typed: one edit for
    words of 3-6 letters, one or two from 7 (about one per 4 letters); what is typed keeps at
    least 3 letters. The word itself when no such slip exists."""
    if len(word) < 3 or not word.isalpha():
        return word
    for _ in range(20):
        edits = 2 if len(word) >= 8 and rnd.random() < 0.5 else 1
        typed = word
        for _ in range(edits):
            typed = _typo(rnd, typed)
        budget = 1 if len(typed) <= 6 else min((len(typed) + 1) // 4, 2)
        if len(typed) >= 3 and typed.lower() != word.lower() and edits <= budget:
            return typed
    return word


SHORT = (3, 4)  # letters in the words whose typos the mix must hold a third of
SHORT_SHARE = 1 / 3


def labelled(conn: sqlite3.Connection, count: int, seed: int = 3) -> list[dict]:
    """Typo'd queries with the record each one means: a contact's name, a prospect's company,
    a named gatekeeper or decision maker, or a note's rarer words. A query is kept only when its
    correctly spelt form picks out at most 10 records, so "the intended record" is well defined.
    Half the two-word queries have both words misspelt; queries are kept so that about a third
    of all the misspelt words have 3-4 letters (short first names: "Ana" for Anna)."""
    rnd = random.Random(seed)
    top = {
        "contacts": conn.execute("select max(id) from contacts").fetchone()[0],
        "prospects": conn.execute("select max(id) from prospects").fetchone()[0],
        "pieces": conn.execute("select max(id) from pieces").fetchone()[0],
        "calls": conn.execute("select max(id) from calls").fetchone()[0],
    }
    sql = {
        "contacts": ("contact", "select name from contacts where id = ? and undone_at is null"),
        "prospects": ("prospect", "select name from prospects where id = ?"),
        "pieces": (
            "piece",
            "select value from pieces where id = ? and undone_at is null and superseded_by is "
            "null and slot in ('gatekeeper', 'decision_maker')",
        ),
        "calls": ("note", "select notes from calls where id = ? and undone_at is null"),
    }
    out: list[dict] = []
    short = typos = 0
    tries = 0
    while len(out) < count and tries < count * 200:
        tries += 1
        table = rnd.choice(("contacts", "prospects", "pieces", "calls"))
        ident = rnd.randint(1, top[table])
        kind, query = sql[table]
        row = conn.execute(query, (ident,)).fetchone()
        if not row or not row[0]:
            continue
        words = [w.strip(".,;'") for w in row[0].split() if len(w.strip(".,;'")) >= 3]
        words = [w for w in words if w.isalpha()]
        if kind == "note":
            words = [w for w in words if len(w) >= 4]
            if len(words) < 3:
                continue
            words = rnd.sample(words, 3)
        else:
            words = words[:2]
        if not words:
            continue
        exact = index.expression([[(fold(w), False)] for w in words])
        try:
            matches = len(index.match(conn, exact, 11))
        except sqlite3.Error:
            continue
        if not 1 <= matches <= 10:
            continue
        both = len(words) == 2 and rnd.random() < 0.5
        chosen = set(range(len(words))) if both else {rnd.randrange(len(words))}
        typed = [_misspell(rnd, w) if i in chosen else w for i, w in enumerate(words)]
        slips = [w for w, t in zip(words, typed, strict=True) if t != w]
        if not slips or (both and len(slips) < 2):
            continue
        new_short = sum(len(w) in SHORT for w in slips)
        # Keeps the share of short typos near a third: below it, only queries with a short
        # typo are taken; above it, only those with a longer one.
        if short < SHORT_SHARE * typos and not new_short:
            continue
        if short > SHORT_SHARE * typos and new_short == len(slips):
            continue
        short, typos = short + new_short, typos + len(slips)
        out.append(
            {
                "query": " ".join(typed),
                "kind": kind,
                "id": ident,
                "meant": row[0],
                "mix": "both" if len(slips) == 2 else ("short" if new_short else "long"),
                "short": new_short,
                "typos": len(slips),
            }
        )
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(size: int, *, repeat: int, labelled_count: int) -> dict:
    t0 = time.perf_counter()
    cached = recall_book(size)
    build_s = time.perf_counter() - t0
    result: dict = {"records": size, "book_build_s": round(build_s, 2)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.db"
        shutil.copyfile(cached, path)
        store = Store.open(path)
        conn = sqlite3.connect(path)
        result["rows"] = {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("prospects", "contacts", "calls", "pieces")
        }
        result["documents"] = len(index.match(conn, index.MARK_QUERY, 10**9))
        labels = labelled(conn, labelled_count)

        # The first search loads the vocabulary (the app does it in a worker at start-up);
        # then query time on the warm Recall.
        recall = Recall(store)
        t0 = time.perf_counter()
        recall.search("tuesdy")
        result["first_query_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        queries = [(cat, q) for cat, qs in FIXED.items() for q in qs]
        queries += [("labelled", item["query"]) for item in labels[:50]]
        for _, q in queries:
            recall.search(q)
        timings: dict[str, list[float]] = {}
        cpu: list[float] = []
        for _ in range(repeat):
            for cat, q in queries:
                t0, c0 = time.perf_counter(), time.thread_time()
                recall.search(q)
                cpu.append((time.thread_time() - c0) * 1000)
                timings.setdefault(cat, []).append((time.perf_counter() - t0) * 1000)
        every = [t for ts in timings.values() for t in ts]
        result["query_ms"] = {
            "p50": round(statistics.median(every), 2),
            "p95": round(_percentile(every, 0.95), 2),
            "max": round(max(every), 2),
            "queries": len(every),
            "by_kind_p95": {c: round(_percentile(ts, 0.95), 2) for c, ts in timings.items()},
            # CPU time of the searching thread: the same work without other processes' noise
            "cpu_p50": round(statistics.median(cpu), 2),
            "cpu_p95": round(_percentile(cpu, 0.95), 2),
        }

        # recall@10 on the labelled typo'd queries
        found: dict[str, list[bool]] = {}
        misses = []
        for item in labels:
            hits = recall.search(item["query"], limit=10)
            hit = any(h.kind == item["kind"] and h.record_id == item["id"] for h in hits)
            found.setdefault(item["mix"], []).append(hit)
            if not hit and len(misses) < 10:
                misses.append({"query": item["query"], "meant": item["meant"]})
        every_hit = [h for hs in found.values() for h in hs]
        result["recall_at_10"] = {
            "value": round(sum(every_hit) / len(every_hit), 3) if every_hit else None,
            "queries": len(labels),
            # one typo in a 3-4 letter word / one in a longer word / both words misspelt
            "by_mix": {m: [round(sum(hs) / len(hs), 3), len(hs)] for m, hs in found.items()},
            "misses": misses,
        }
        result["recall_at_10"]["short_typo_share"] = (
            round(sum(i["short"] for i in labels) / sum(i["typos"] for i in labels), 3)
            if labels
            else None
        )
        recall.close()

        # Size on disk, then the index rebuilt from scratch.
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        file_bytes = path.stat().st_size
        index_bytes = index.index_bytes(conn)
        result["disk"] = {
            "file_mb": round(file_bytes / 1e6, 1),
            "index_mb": round(index_bytes / 1e6, 1) if index_bytes else None,
            "index_share": round(index_bytes / file_bytes, 3) if index_bytes else None,
        }
        conn.close()
        t0 = time.perf_counter()
        rebuild_index(store)
        result["index_build_s"] = round(time.perf_counter() - t0, 2)
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rebuilt = index.index_bytes(conn)
        result["disk"]["index_mb_after_rebuild"] = round(rebuilt / 1e6, 1) if rebuilt else None
        store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated record counts (default: 10000,100000,1000000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the queries")
    parser.add_argument("--labelled", type=int, default=300, help="typo'd queries for recall@10")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    report = [measure(n, repeat=args.repeat, labelled_count=args.labelled) for n in sizes]
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
