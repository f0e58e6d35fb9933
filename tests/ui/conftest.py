"""Fixtures for driving the app with Pilot: a desk on a copy of the demo book, at a fixed time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.paths import resolve
from callbook.tui.app import CallbookApp, make_app


@pytest.fixture
def open_desk(now) -> Iterator[Callable[[Path], Desk]]:
    """Open a Desk on a book at NOW (closed after the test)."""
    desks: list[Desk] = []

    def opener(db: Path) -> Desk:
        desk = Desk.open(resolve(db), clock=fixed_clock(now))
        desks.append(desk)
        return desk

    yield opener
    for desk in desks:
        try:
            desk.close()
        except Exception:
            pass


@pytest.fixture
def demo_app(demo_db: Path, open_desk, now) -> Callable[[], CallbookApp]:
    """A factory for the app on the test's copy of the demo book."""

    def build() -> CallbookApp:
        return make_app(open_desk(demo_db), clock=fixed_clock(now))

    return build


@pytest.fixture
def type_text():
    """Type text into the focused widget as a terminal would: one key event per character,
    sent to the app without the idle wait Pilot makes after every key."""
    from textual import events
    from textual.keys import _character_to_key

    async def typer(pilot, text: str) -> None:
        app = pilot.app
        widget = app.focused
        expected = getattr(widget, "value", "") + text
        for char in text:
            app.post_message(events.Key(_character_to_key(char), char))
        for _ in range(100):
            await pilot.pause()
            if getattr(widget, "value", None) == expected:
                break

    return typer
