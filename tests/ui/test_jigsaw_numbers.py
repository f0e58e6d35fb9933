"""The jigsaw before and during a call: the number to dial first, formatted for the prospect's
country with its extension, the route, the last conversation and who answered each call."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from drive import settle

from callbook.clock import fixed_clock
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.store import Store
from callbook.tui.app import make_app


def rows_text(app) -> list[str]:
    rows = app.main.jigsaw.rows
    return [str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)]


async def test_the_number_route_and_last_conversation(tmp_path: Path, open_desk, now) -> None:
    db = tmp_path / "book.db"
    with Store.open(db, clock=fixed_clock(now - timedelta(days=2))) as store:
        p = store.add_prospect("Acme Ltd", country="GB", timezone="Europe/London",
                               phones=["+442087112817"])  # fmt: skip
        at = now - timedelta(days=2)
        store.record_call(
            NewCall(p.id, at, at + timedelta(minutes=3), Outcome.GATEKEEPER,
                    pieces=(("gatekeeper", "Lukas Patel"), ("direct_line", "ext 23"),
                            ("route", "press 3, ask for accounts")),
                    contacts=(NewContact("Lukas Patel", Role.GATEKEEPER),),
                    notes="Tom is in on Thursdays")
        )  # fmt: skip
    app = make_app(open_desk(db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        head = str(app.main.jigsaw.query_one("#jigsaw-head").render()).splitlines()
        assert head[1] == "☎ 020 8711 2817 ext 23 direct  ▸ press 3, ask for accounts"
        # A line dialled before says how it went.
        app.store.record_call(
            NewCall(p.id, now - timedelta(hours=1), now - timedelta(hours=1), Outcome.VOICEMAIL)
        )
        app._show(app.view_of(app.store.get_prospect(p.id)))
        head = str(app.main.jigsaw.query_one("#jigsaw-head").render()).splitlines()
        assert head[1] == (
            "☎ 020 8711 2817 ext 23 direct  0/1 answered  ▸ press 3, ask for accounts"
        )
        rows = rows_text(app)
        assert "Lukas Patel (gatekeeper), Wed 25 Nov 15:00:\n“Tom is in on Thursdays”" in rows
        assert rows[-1] == "☎ Wed 25 Nov 15:00 blocked at gatekeeper (Lukas Pa…"  # clipped


async def test_no_number_left_says_so(tmp_path: Path, open_desk, now) -> None:
    db = tmp_path / "book.db"
    with Store.open(db, clock=fixed_clock(now)) as store:
        p = store.add_prospect("Gone Ltd", country="GB", phones=["+442087112817"])
        store.record_call(
            NewCall(p.id, now - timedelta(days=1), now - timedelta(days=1), Outcome.WRONG_NUMBER)
        )
        q = store.add_prospect("Other Ltd", country="GB", timezone="Europe/London")
    app = make_app(open_desk(db), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        # The one with no number left is not in the queue; opened by hand it says why.
        assert [e.prospect.id for e in app.main.queue.window.entries] == [q.id]
        app._show(app.view_of(store_prospect(app, p.id)))
        head = str(app.main.jigsaw.query_one("#jigsaw-head").render()).splitlines()
        assert head[1] == "☎ no number left to dial"


def store_prospect(app, pid):
    return app.store.get_prospect(pid)


def test_the_gatekeeper_who_answered_last_comes_first() -> None:
    from datetime import UTC, datetime

    from callbook.model import Call, Contact
    from callbook.tui.widgets.jigsaw_pane import ask_for, gatekeepers

    lukas = Contact(1, 1, "Lukas Patel", Role.GATEKEEPER)
    maria = Contact(2, 1, "Maria", Role.GATEKEEPER)
    at = datetime(2026, 11, 27, 9, tzinfo=UTC)
    calls = [Call(9, 1, at, at, Outcome.GATEKEEPER, contact_id=1)]  # newest first
    assert gatekeepers([lukas, maria], calls) == [lukas, maria]
    assert gatekeepers([lukas, maria]) == [maria, lukas]  # the newest when none answered
    shown = str(ask_for([lukas, maria], calls)).splitlines()
    assert shown[1] == "gatekeeper Lukas Patel  also Maria"
