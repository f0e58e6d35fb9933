"""Helpers the Pilot tests (and scripts/screenshots.py) share: waiting for the app to settle
and reading what it shows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from callbook.tui.app import CallbookApp


def read(db: Path, sql: str, *args) -> list[tuple]:
    """Rows from the book, read as another program would (read-only)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def settle(app: CallbookApp, pilot) -> None:
    """Until the workers (queue loads, saves) are done and their messages handled."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def preview_text(app: CallbookApp) -> str:
    """The text under the capture line."""
    return str(app.main.capture.query_one("#capture-preview").render())


async def ready(pilot) -> None:
    """Until the screen is as a caller would see it a moment after a key: the workers done,
    the usual day read (just after the first paint), the cursor steady (a blinking cursor
    would make a picture flaky)."""
    from textual.widgets import Input

    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(200):
        if pilot.app.screen.query("FooterKey") and pilot.app.usual is not None:
            break
        await pilot.pause(0.01)
        await pilot.app.workers.wait_for_complete()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
