"""Helpers the edge tests share: the one line a failure must be, and a process that holds a
book's write lock.

Imported as `from one_line import ...` (tests/ is on sys.path, as for tmux_driver)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_HOLDER = """
import sys, time
sys.argv = ["callbook", "import", "big.csv"]
from callbook.store import Store
store = Store.open(sys.stdin.readline().strip())
with store._write():
    print("HOLDING", flush=True)
    time.sleep(120)
"""


def one_line(text: str) -> str:
    """The only non-blank line of `text`, which holds no traceback and no last-resort catch."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text and "unexpected error" not in text, text
    return lines[0]


@contextmanager
def lock_held(db: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """Another process (calling itself `callbook import big.csv`) holding the book's write
    lock until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        proc.stdin.write(f"{db}\n")
        proc.stdin.flush()
        assert proc.stdout.readline() == "HOLDING\n"
        yield proc
    finally:
        proc.kill()
        proc.wait()
