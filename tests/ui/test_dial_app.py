"""The dial handoff when a call starts: the clipboard path writes OSC 52 with the number."""

from __future__ import annotations

import base64
from dataclasses import replace

from drive import settle

from callbook.dial import DialSettings


async def test_the_clipboard_handoff_emits_osc_52_with_the_number(demo_app) -> None:
    app = demo_app()
    app.desk.config = replace(app.desk.config, dial=DialSettings("clipboard"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        written: list[str] = []
        driver_write = app._driver.write
        app._driver.write = lambda data: (written.append(data), driver_write(data))[1]
        prospect = app.highlighted.prospect
        number = app.store.number_to_dial(prospect.id)
        assert number is not None

        await pilot.press("enter")
        await pilot.pause()
        assert app.call is not None
        expected = number.stored.replace(";ext=", ",")
        osc = f"\x1b]52;c;{base64.b64encode(expected.encode()).decode()}\a"
        assert osc in written
        # A call brought back (undo, a restored draft) takes the other way on screen, and is
        # not handed off again.
        written.clear()
        app._on_call(prospect)
        assert not any(w.startswith("\x1b]52;") for w in written)


async def test_a_failing_dialer_is_one_line_and_the_call_goes_on(demo_app, tmp_path) -> None:
    app = demo_app()
    dialer = tmp_path / "dialer"
    dialer.write_text("#!/bin/sh\nexit 3\n")
    dialer.chmod(0o755)
    app.desk.config = replace(app.desk.config, dial=DialSettings("command", f"{dialer} {{number}}"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert app.call is not None  # started at once, the dialer not waited for
        for _ in range(100):
            await pilot.pause(0.05)
            if app._notifications:
                break
        assert [n.message for n in app._notifications] == [
            f"dial handoff: {dialer} exited with status 3"
        ]
        assert app.call is not None and app.focused is app.main.capture.input
