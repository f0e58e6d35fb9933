"""Helpers the Pilot tests share: waiting for the app to settle and reading what it shows."""

from __future__ import annotations

from callbook.app import CallbookApp


async def settle(app: CallbookApp, pilot) -> None:
    """Until the workers (queue loads, saves) are done and their messages handled."""
    await app.workers.wait_for_complete()
    await pilot.pause()


def preview_text(app: CallbookApp) -> str:
    """The text under the capture line."""
    return str(app.main.capture.query_one("#capture-preview").render())
