"""Soak: drive the app (headless, Pilot) through many calls by keys, as a caller would in a
long day, and report memory and timings early vs late as JSON.

Each call: enter on the highlighted prospect starts it, the capture line is typed one key at a
time (every key redraws the preview and saves the draft after a pause), enter commits it and
the next prospect comes up; when the line set no objective, enter keeps the one the wrap-up
offers. Measured: resident memory (RSS) at start, after a warm-up and at the
end; the time of each commit (the write) and each preview (per key) early and late in the run.

Goal: RSS growth after the warm-up under 10%, and no slowdown of commit or preview.

    python benchmarks/soak.py [--calls 2000] [--warmup 200] [--prospects 2500]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callbook.clock import running_clock  # noqa: E402
from callbook.desk import Desk  # noqa: E402
from callbook.paths import resolve  # noqa: E402
from callbook.store import Store  # noqa: E402
from callbook.tui.app import make_app  # noqa: E402

OUTCOMES = ("!gk", "!na", "!vm", "!dm", "!cb")


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def line_for(i: int) -> str:
    """A realistic, varied capture line: a piece or two, an outcome, sometimes a note."""
    parts = [f"gk: Sarah {i}"]
    if i % 3 == 0:
        parts.append("dm avail: not Tuesdays")
    parts.append(OUTCOMES[i % len(OUTCOMES)])
    if i % 4 == 0:
        parts.append(f"spoke about renewal {i}")
    return "; ".join(parts)


def timed(samples: list[float], fn: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - started) * 1000)

    return wrapper


def summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 3),
        "p95": round(ordered[int(len(ordered) * 0.95) - 1], 3),
    }


def make_book(path: Path, prospects: int) -> None:
    with Store.open(path) as store:
        store.add_prospects(
            {"name": f"Prospect {n:05d} Ltd", "phones": [f"+4420794{n:05d}"], "priority": 1 + n % 5}
            for n in range(prospects)
        )


async def soak(db: Path, calls: int, warmup: int, window: int) -> dict:
    from textual import events
    from textual.keys import _character_to_key

    # A weekday morning in London (the book's numbers): the calls are inside the legal hours
    # whenever the soak runs. The clock runs from there: cooldowns and ages move as in life.
    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    desk = Desk.open(resolve(db), clock=running_clock(start))
    commits: list[float] = []
    previews: list[float] = []
    desk.commit = timed(commits, desk.commit)
    desk.preview = timed(previews, desk.preview)
    app = make_app(desk)
    rss = {"start": rss_mb()}
    preview_marks: list[int] = []
    started = time.monotonic()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            for i in range(calls):
                if i == warmup:
                    gc.collect()
                    rss["after_warmup"] = rss_mb()
                if app.wrap_up is not None:
                    await pilot.press("enter")  # keep the objective offered for the last call
                if app.call is None:
                    if app.highlighted is None:
                        raise SystemExit(f"the queue ran dry after {i} calls")
                    await pilot.press("enter")
                preview_marks.append(len(previews))
                line = line_for(i)
                for char in line:
                    app.post_message(events.Key(_character_to_key(char), char))
                for _ in range(500):
                    await pilot.pause()
                    if app.main.capture.value == line:
                        break
                else:
                    raise SystemExit(f"call {i}: the capture never showed the typed line")
                saved = len(commits)
                await pilot.press("enter")
                await app.workers.wait_for_complete()
                await pilot.pause()
                if len(commits) != saved + 1 or app.call is not None:
                    raise SystemExit(f"call {i} was not committed: {app._error}")
            gc.collect()
            rss["end"] = rss_mb()
            recorded = len(app.store.calls(limit=calls + 10))
    finally:
        desk.close()
    seconds = time.monotonic() - started
    early_previews = previews[
        preview_marks[warmup] : preview_marks[min(warmup + window, calls - 1)]
    ]
    late_previews = previews[preview_marks[max(calls - window, warmup)] :]
    growth = (rss["end"] - rss["after_warmup"]) / rss["after_warmup"] * 100
    early_commit = summary(commits[warmup : warmup + window])
    late_commit = summary(commits[-window:])
    early_preview, late_preview = summary(early_previews), summary(late_previews)
    return {
        "calls": calls,
        "recorded": recorded,
        "seconds": round(seconds, 1),
        "rss_mb": {k: round(v, 1) for k, v in rss.items()},
        "rss_growth_after_warmup_pct": round(growth, 2),
        "commit_ms": {"early": early_commit, "late": late_commit},
        "preview_ms": {"early": early_preview, "late": late_preview},
        "goal": {
            "rss_growth_under_10pct": growth < 10,
            # "no slowdown": late medians within 50% of early ones (noise on a shared machine)
            "commit_steady": late_commit["p50"] <= early_commit["p50"] * 1.5 + 0.5,
            "preview_steady": late_preview["p50"] <= early_preview["p50"] * 1.5 + 0.5,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--window", type=int, default=200, help="calls compared early vs late")
    parser.add_argument("--prospects", type=int, default=2500)
    args = parser.parse_args()
    if args.calls <= args.warmup:
        parser.error("--calls must be more than --warmup")
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["CALLBOOK_HOME"] = str(Path(tmp) / "home")
        db = Path(tmp) / "soak.db"
        make_book(db, max(args.prospects, args.calls + 10))
        window = min(args.window, args.calls - args.warmup)
        report = asyncio.run(soak(db, args.calls, args.warmup, window))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
