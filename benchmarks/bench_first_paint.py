"""First paint of the calling screen against a hello-world Textual app, side by side in one run:
each launch a fresh `python` (imports included), the two apps in turn so that both meet the
same moments of a busy machine. Prints medians in milliseconds and the ratio as JSON.

- hello: an App with one Static, from spawning python to its first frame painted
- callbook_painted: the calling screen's queue and jigsaw painted (`bench_ui.CHILD`)

Goal: callbook's first paint <= 1.5x hello's.

    python benchmarks/bench_first_paint.py [--launches 7] [--bytecode compiled-each-launch]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_ui import CHILD  # noqa: E402

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

HELLO = """
import json, sys, time
from pathlib import Path
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("hello")

    def on_mount(self):
        self.call_after_refresh(self.painted)

    def painted(self):
        Path(sys.argv[2]).write_text(json.dumps({"first_frame": time.time()}))
        self.exit()

Hello().run(headless=True, size=(120, 40))
"""

# The calling screen painted (queue and jigsaw), as `bench_ui.py` measures it.
CALLBOOK = CHILD


def launch(code: str, db: Path, report: Path, env: dict[str, str]) -> dict[str, float]:
    started = time.time()
    subprocess.run([sys.executable, "-c", code, str(db), str(report)], env=env,
                   capture_output=True, check=True)  # fmt: skip
    return {k: (v - started) * 1000 for k, v in json.loads(report.read_text()).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--launches", type=int, default=7)
    parser.add_argument("--bytecode", choices=("cached", "compiled-each-launch"),
                        default="cached")  # fmt: skip
    args = parser.parse_args()
    from callbook.clock import fixed_clock
    from callbook.demo import build_demo
    from callbook.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        with Store.open(db, clock=fixed_clock(NOW)) as store:
            build_demo(store, NOW)
        env = {**os.environ, "CALLBOOK_HOME": str(Path(tmp) / "home"),
               "CALLBOOK_NOW": NOW.isoformat(), "PYTHONPATH": str(ROOT)}  # fmt: skip
        if args.bytecode == "cached":
            # As installed (pip compiles every module): Textual's are, a source tree's are
            # not, and compiling callbook's modules at each launch costs ~0.3 s.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        report = Path(tmp) / "report.json"
        launch(HELLO, db, report, env)  # warm the page cache
        launch(CALLBOOK, db, report, env)
        samples: dict[str, list[float]] = {}
        for _ in range(args.launches):
            for name, code in (("hello", HELLO), ("callbook", CALLBOOK)):
                for mark, ms in launch(code, db, report, env).items():
                    samples.setdefault(f"{name}_{mark}", []).append(ms)
    medians = {k: round(statistics.median(v), 1) for k, v in samples.items()}
    hello = medians["hello_first_frame"]
    print(json.dumps({
        "benchmark": "first_paint", "launches": args.launches, "bytecode": args.bytecode,
        "median_ms": medians,
        "ratio": round(medians["callbook_painted"] / hello, 2),
        "goal": "callbook <= 1.5x hello",
    }))  # fmt: skip


if __name__ == "__main__":
    main()
