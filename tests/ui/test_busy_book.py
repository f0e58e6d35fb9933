"""Another process holding the book's write lock (a long import, a stopped callbook) never
freezes the screen: it opens at once, a commit says who is writing and keeps the line, and
enter records it once the other process is done."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from drive import settle

from callbook.app import make_app
from callbook.clock import fixed_clock

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
sys.argv = ["callbook", "import", "big.csv"]
from callbook.store import Store
store = Store.open(sys.stdin.readline().strip())
with store._write():
    print("HOLDING", flush=True)
    time.sleep(120)
"""


async def test_a_busy_book_never_freezes_the_screen(
    demo_db, open_desk, now, type_text, monkeypatch
) -> None:
    monkeypatch.setenv("CALLBOOK_LOCK_WAIT", "30")  # a freeze would be long enough to see
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        holder.stdin.write(f"{demo_db}\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "HOLDING\n"
        app = make_app(open_desk(demo_db), clock=fixed_clock(now))
        started = time.monotonic()
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            assert app.main is not None and app.session is None
            assert time.monotonic() - started < 15
            notes = [n.message for n in app._notifications]
            assert f"no session yet: the book is busy in process {holder.pid} " in " ".join(notes)
            await pilot.press("enter")
            await type_text(pilot, "gk: Tom Li; !gk")
            pressed = time.monotonic()
            await pilot.press("enter")
            await pilot.pause()
            assert time.monotonic() - pressed < 5  # not the lock's 30 s
            assert app.call is not None
            assert app._error == (
                f"not saved yet: the book is busy in process {holder.pid} (callbook import "
                "big.csv); enter tries again"
            )
            assert app.main.capture.value == "gk: Tom Li; !gk"
            holder.kill()
            holder.wait()
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.call is None and app.last_saved is not None
            saved, prospect = app.last_saved
            assert app.store.calls(prospect.id)[0].id == saved.id
            assert [p.value for p in app.store.pieces_of_call(saved.id)] == ["Tom Li"]
    finally:
        holder.kill()
        holder.wait()
