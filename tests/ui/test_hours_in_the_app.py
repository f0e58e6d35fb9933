"""Calling hours in the app: the preview says their time and yours, and a call outside the
legal hours is recorded only when forced (enter twice), kept as such in the database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from drive import preview_text, settle

from callbook.clock import fixed_clock
from callbook.desk import Desk
from callbook.paths import resolve
from callbook.store import Store
from callbook.tui.app import make_app

NIGHT = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)  # Friday 22:00 in Austin, 04:00 in London


@pytest.fixture
def db(tmp_path):
    """A book with one prospect in Austin."""
    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NIGHT)) as store:
        store.add_prospect("Austin Co", timezone="America/Chicago")
    return path


@pytest.fixture
def night_app(db):
    """The app on that book at NIGHT (its desk closed after the test)."""
    desk = Desk.open(resolve(db), clock=fixed_clock(NIGHT))
    yield make_app(desk, clock=fixed_clock(NIGHT))
    desk.close()


async def test_a_call_outside_the_legal_hours_needs_enter_twice(db, night_app, type_text):
    app = night_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        entry = app.highlighted
        assert entry.prospect.name == "Austin Co" and not entry.callable
        await pilot.press("enter")
        assert app.call is not None
        await type_text(pilot, "!na; @mon 9:30")
        await pilot.pause()
        shown = preview_text(app)
        assert "Mon 30 Nov 09:30 their time · 15:30 yours" in shown
        await pilot.press("enter")
        await settle(app, pilot)
        assert "outside the legal calling hours" in preview_text(app)
        assert "enter again to force it" in preview_text(app)
        assert app.store.calls(entry.prospect.id) == []
        await pilot.press("enter")
        await settle(app, pilot)
        [call] = app.store.calls(entry.prospect.id)
        assert call.outside_hours
    conn = sqlite3.connect(db)
    rows = conn.execute("select outside_hours, next_call_at from calls").fetchall()
    conn.close()
    assert rows == [(1, "2026-11-30T15:30:00Z")]


async def test_snooze_previews_both_times_and_warns(night_app, type_text) -> None:
    from textual.widgets import Static

    app = night_app
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("z")
        await pilot.pause()
        await type_text(pilot, "mon 3am")
        await pilot.pause()
        shown = str(app.screen.query_one("#snooze-error", Static).render())
        assert "Mon 30 Nov 03:00 their time · 09:00 yours" in shown
        assert "outside the legal hours (08:00–21:00 their time)" in shown
        await pilot.press("enter")
        await settle(app, pilot)
        snoozed = app.store.get_prospect(app.store.scheduled()[0].id).next_call_at
        assert snoozed == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
