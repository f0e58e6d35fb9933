"""The theme: `theme = "..."` in config.toml, and the one chosen in the palette remembered."""

from __future__ import annotations

import json

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.paths import resolve
from callbook.state import STATE_FILE
from callbook.tui.app import make_app


async def run_once(paths, now, change_to: str | None = None) -> str:
    desk = Desk.open(paths, clock=fixed_clock(now))
    try:
        app = make_app(desk, clock=fixed_clock(now), paths=paths)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            started = app.theme
            if change_to:
                app.theme = change_to  # what the palette's "Change theme" does
                await pilot.pause()
            app.shutdown()
        return started
    finally:
        desk.close()


def with_theme(paths, line: str) -> None:
    """The test config (it pins the caller's zone) with a theme line first."""
    kept = [x for x in paths.config_file.read_text().splitlines() if not x.startswith("theme")]
    paths.config_file.write_text("\n".join([line, *kept]) + "\n")


async def test_config_theme_then_the_palettes_choice_is_remembered(demo_db, now) -> None:
    paths = resolve(demo_db)
    with_theme(paths, 'theme = "nord"')

    assert await run_once(paths, now, change_to="gruvbox") == "nord"
    state = json.loads((paths.data_dir / STATE_FILE).read_text())
    assert state["theme"] == {"name": "gruvbox", "config": "nord"}
    assert await run_once(paths, now) == "gruvbox"
    # Editing the config later is the newer wish.
    with_theme(paths, 'theme = "dracula"')
    assert await run_once(paths, now) == "dracula"


async def test_an_unknown_theme_is_a_warning_and_the_default(demo_db, now) -> None:
    paths = resolve(demo_db)
    with_theme(paths, 'theme = "no-such-theme"')
    desk = Desk.open(paths, clock=fixed_clock(now))
    try:
        app = make_app(desk, clock=fixed_clock(now), paths=paths)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.theme == "textual-dark"
            notes = [n.message for n in app._notifications]
            assert "config: theme: no theme 'no-such-theme' (the palette lists them)" in notes
            app.shutdown()
    finally:
        desk.close()
    assert not (paths.data_dir / STATE_FILE).exists()
