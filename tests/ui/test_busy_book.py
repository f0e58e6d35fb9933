"""Another process holding the book's write lock (a long import, a stopped callbook) never
freezes the screen: it opens at once, a commit says who is writing and keeps the line, and
enter records it once the other process is done."""

from __future__ import annotations

import time

from drive import settle
from one_line import lock_held

from callbook.clock import fixed_clock
from callbook.tui.app import make_app


async def test_a_busy_book_never_freezes_the_screen(
    demo_db, open_desk, now, type_text, monkeypatch
) -> None:
    monkeypatch.setenv("CALLBOOK_LOCK_WAIT", "30")  # a freeze would be long enough to see
    with lock_held(demo_db) as holder:
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
                "big.csv); enter tries again",
                "gk: Tom Li; !gk",
            )
            assert app.main.capture.value == "gk: Tom Li; !gk"
            holder.kill()
            holder.wait()
            await pilot.press("enter")
            await settle(app, pilot)
            assert app.call is None and app.flow.last is not None
            saved, prospect = app.flow.last.call, app.flow.last.prospect
            assert app.store.calls(prospect.id)[0].id == saved.id
            assert [p.value for p in app.store.pieces_of_call(saved.id)] == ["Tom Li"]
