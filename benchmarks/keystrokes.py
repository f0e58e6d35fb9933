"""Count the keys a call costs beyond the words typed, per outcome, by replaying scripted calls
on the demo book (headless, 120x40) and checking each one reached the book.

A call is counted from the calling screen at rest (cursor on the queue, the next prospect
highlighted) back to the same state on the next prospect. Goals:
- no answer / voicemail by the one-key path (a / v on the queue): <= 1 key
- a call whose line sets its objective (enter to start, enter to commit): <= 2
- any other call (enter, enter, and enter at the wrap-up where one is offered): <= 3

    python benchmarks/keystrokes.py        # prints JSON
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
GOALS = {"one_key": 1, "line_sets_objective": 2, "other": 3}


def line_for(code: str, objective: bool) -> str:
    when = "" if code in ("won", "dnc") else "; @+3d" if code in ("cb", "gkcb", "ni") else ""
    learned = "gk: Sarah Jenkins; " if code not in ("na", "vm", "wrong") else ""
    return f"{learned}!{code}{when}" + ("; > ask Sarah for Tom" if objective else "")


class Replay:
    """Drives one app; `press` counts keys, `type` sends text without counting it."""

    def __init__(self, app, pilot) -> None:
        self.app, self.pilot, self.keys = app, pilot, 0

    async def settle(self) -> None:
        await self.app.workers.wait_for_complete()
        await self.pilot.pause()

    async def press(self, key: str) -> None:
        self.keys += 1
        await self.pilot.press(key)
        await self.settle()

    async def type(self, text: str) -> None:
        """One key event per character, as a terminal sends them (not counted)."""
        from textual import events
        from textual.keys import _character_to_key

        field = self.app.focused
        expected = field.value + text
        for char in text:
            self.app.post_message(events.Key(_character_to_key(char), char))
        for _ in range(200):
            await self.pilot.pause()
            if field.value == expected:
                break
        await self.settle()

    def at_rest(self) -> bool:
        app = self.app
        return app.call is None and app.wrap_up is None and app.focused is app.main.queue.rows

    async def to_rest(self) -> None:
        """The keys the caller needs to be back at rest: enter at a wrap-up (takes the offer)."""
        for _ in range(3):
            if self.at_rest():
                return
            await self.press("enter")
        raise AssertionError("the app did not come back to rest")


async def one_call(replay: Replay, plan: str, code: str) -> dict:
    """One scripted call on the highlighted prospect; the keys it took and what was recorded."""
    app = replay.app
    assert replay.at_rest(), "a call must start from rest"
    prospect = app.highlighted.prospect
    calls_before = len(app.store.calls(prospect.id))
    replay.keys = 0
    if plan == "one_key":
        await replay.press({"na": "a", "vm": "v"}[code])
    else:
        await replay.press("enter")
        await replay.type(line_for(code, plan == "line_sets_objective"))
        await replay.press("enter")
        await replay.to_rest()
    recorded = app.store.calls(prospect.id)
    assert len(recorded) == calls_before + 1, f"{plan} !{code}: the call was not recorded"
    assert recorded[0].outcome.code == code
    return {"keys": replay.keys}


async def run() -> dict:
    from callbook.clock import fixed_clock
    from callbook.demo import build_demo
    from callbook.desk import Desk
    from callbook.model import Outcome
    from callbook.paths import resolve
    from callbook.store import Store
    from callbook.tui.app import make_app

    folder = Path(tempfile.mkdtemp(prefix="callbook-keys-"))
    try:
        db = folder / "book.db"
        with Store.open(db, clock=fixed_clock(NOW)) as store:
            build_demo(store, NOW)
        desk = Desk.open(resolve(db), clock=fixed_clock(NOW))
        app = make_app(desk, clock=fixed_clock(NOW))
        results: dict[str, dict[str, int]] = {}
        async with app.run_test(size=(120, 40)) as pilot:
            replay = Replay(app, pilot)
            await replay.settle()
            for outcome in Outcome:
                code = outcome.code
                row = results.setdefault(f"!{code}", {})
                plans = ["line_sets_objective", "other"]
                if code in ("na", "vm"):
                    plans.insert(0, "one_key")
                for plan in plans:
                    row[plan] = (await one_call(replay, plan, code))["keys"]
        desk.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    worst = {plan: max(r.get(plan, 0) for r in results.values()) for plan in GOALS}
    return {
        "keys_beyond_typed_content": results,
        "worst": worst,
        "goals": GOALS,
        "met": all(worst[plan] <= goal for plan, goal in GOALS.items()),
    }


def main() -> None:
    print(json.dumps(asyncio.run(run()), indent=2))


if __name__ == "__main__":
    main()
