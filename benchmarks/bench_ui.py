"""Time the calling screen on the demo book and on a large book (100k prospects / 1M pieces):

- launch -> first paint: from spawning `python` to the queue and jigsaw painted (a fresh
  process each run, imports included); goal <= 0.5 s on the demo book, <= 1 s on the large one
- keystroke -> preview painted: a key sent to the capture line until the preview under it has
  been redrawn; goal <= 20 ms
- commit -> next prospect painted: enter on a full capture line until the jigsaw shows the next
  prospect; goal <= 50 ms; measured apart for lines that set no objective (the wrap-up then
  reads the called prospect's jigsaw to offer one)

"Painted" is the first screen refresh after the change (`call_after_refresh`), headless at
120x40; keys come 40-120 ms apart, as typed. Prints medians (and 90th percentiles) in
milliseconds as JSON.

    python benchmarks/bench_ui.py [--calls 20] [--launches 5] [--skip-large]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SIZE = (120, 40)
# Between two keys, as a fast typist: also keeps keys from landing in step with the frame clock
# (Textual paints at most 60 times a second), which would measure the frame period instead.
TYPING_GAP = (0.04, 0.12)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    p90 = samples[min(len(samples) - 1, int(len(samples) * 0.9))]
    return {"median_ms": ms(statistics.median(samples)), "p90_ms": ms(p90), "n": len(samples)}


# --- books ---------------------------------------------------------------------------------


def demo_book(folder: Path) -> Path:
    """A working copy of the demo book at NOW (built once under benchmarks/out/)."""
    from benchmarks.large_book import cached_book

    def build(path: Path) -> None:
        from callbook.clock import fixed_clock
        from callbook.demo import build_demo
        from callbook.store import Store

        with Store.open(path, clock=fixed_clock(NOW)) as store:
            build_demo(store, NOW)
            store.queue(NOW)  # the queue reads each prospect's zone once
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    return cached_book(f"demo-{NOW:%Y%m%dT%H%M}", build, copy_to=folder / "demo.db")


def large_book(folder: Path) -> Path:
    """A working copy of the cached large book (built once under benchmarks/out/)."""
    from benchmarks.bench_queue import migrated_book

    cached, _ = migrated_book(100_000, 1_000_000)
    copy = folder / "large.db"
    shutil.copyfile(cached, copy)
    return copy


# --- launch -> first paint (a child process per run) ----------------------------------------


# Run in a fresh process: open the book, run the app, note when the queue is painted (in a
# file: the app owns stdout while it runs). Inline, so the child imports what the app does and
# nothing of this script.
CHILD = """
import json, sys, time
from pathlib import Path
from callbook.tui.app import CallbookApp
from callbook.desk import Desk
from callbook.paths import resolve

class Timed(CallbookApp):
    # Textual calls each class's handler in turn: this one, then the app's.
    def on_queue_loaded(self, message):
        self.call_after_refresh(self.painted)

    def painted(self):
        Path(sys.argv[2]).write_text(json.dumps({"painted": time.time()}))
        self.exit()

desk = Desk.open(resolve(sys.argv[1]))
try:
    Timed(desk).run(headless=True, size=(120, 40))
finally:
    desk.close()
"""


def first_paint(db: Path, env: dict[str, str], runs: int) -> dict:
    report = db.with_suffix(".paint.json")
    command = [sys.executable, "-c", CHILD, str(db), str(report)]
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm the page cache
    samples = []
    for _ in range(runs):
        started = time.time()
        subprocess.run(command, env=env, capture_output=True, check=True)
        samples.append(json.loads(report.read_text())["painted"] - started)
    return summary(samples)


# --- keystrokes and commits (in process) ---------------------------------------------------


async def call_loop(db: Path, calls: int) -> dict:
    from textual import events
    from textual.keys import _character_to_key

    from callbook.clock import fixed_clock
    from callbook.desk import Desk
    from callbook.paths import resolve
    from callbook.tui.app import CallbookApp

    class Timed(CallbookApp):
        waiting: asyncio.Event | None = None
        what = ""
        painted_at = 0.0

        def preview_of(self, line: str):
            if self.what == "preview":
                self.call_after_refresh(self._painted)
            return super().preview_of(line)

        def _show_highlighted(self) -> None:
            super()._show_highlighted()
            if self.what == "next" and self.call is None:
                self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            if self.waiting is not None and not self.waiting.is_set():
                self.painted_at = time.perf_counter()
                self.waiting.set()

        async def timed_key(self, key: str, char: str | None, what: str) -> float:
            self.what, self.waiting = what, asyncio.Event()
            started = time.perf_counter()
            self.post_message(events.Key(key, char))
            try:
                await asyncio.wait_for(self.waiting.wait(), 5)
            except TimeoutError:
                print("DEBUG", repr(self.main.capture.value), self.call, self.focused, self.screen)
                raise
            self.what = ""
            return self.painted_at - started

    desk = Desk.open(resolve(db), clock=fixed_clock(NOW))
    keys, commits, wrap_ups = [], [], []
    rnd = random.Random(5)
    try:
        app = Timed(desk)
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            app.main.capture.input.focus()
            await pilot.pause()
            for n in range(calls):
                if app.wrap_up is not None:
                    await pilot.press("enter")  # keep the objective offered
                await pilot.press("enter")  # start the call on the highlighted prospect
                await app.workers.wait_for_complete()
                # Every other line plans the next call; the others end in the wrap-up.
                plan = "; > ask Sam for the DM" if n % 2 == 0 else ""
                line = f"gk: Sam Rivers {n}; dm avail: mornings only; !gk; @+3d{plan}"
                for char in line:
                    await asyncio.sleep(rnd.uniform(*TYPING_GAP))
                    keys.append(await app.timed_key(_character_to_key(char), char, "preview"))
                await asyncio.sleep(rnd.uniform(*TYPING_GAP))
                (commits if plan else wrap_ups).append(await app.timed_key("enter", None, "next"))
                await app.workers.wait_for_complete()
                await pilot.pause()
    finally:
        desk.close()
    return {
        "keystroke_to_preview": summary(keys),
        "commit_to_next_prospect": summary(commits),
        "commit_to_next_prospect_with_wrap_up": summary(wrap_ups),
    }


# --- main ----------------------------------------------------------------------------------


def measure(name: str, db: Path, env: dict[str, str], launches: int, calls: int) -> dict:
    result = {"first_paint": first_paint(db, env, launches)}
    result.update(asyncio.run(call_loop(db, calls)))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    goals = {"first_paint": {"demo": 500, "large": 1000}, "keystroke_to_preview": 20}
    results: dict = {"goals_ms": {**goals, "commit_to_next_prospect": 50}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text('timezone = "Europe/London"\n')
        os.environ["CALLBOOK_HOME"] = str(home)
        os.environ.pop("CALLBOOK_DB", None)
        env = {**os.environ, "CALLBOOK_NOW": NOW.isoformat(), "PYTHONPATH": str(ROOT)}
        os.environ["CALLBOOK_NOW"] = NOW.isoformat()
        books = {"demo": demo_book(folder)}
        if not args.skip_large:
            books["large"] = large_book(folder)
        for name, db in books.items():
            results[name] = measure(name, db, env, args.launches, args.calls)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
