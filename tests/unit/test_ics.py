"""`callbook export --format ics`: scheduled callbacks as 15-minute events in the caller's zone,
with the numbers, the objective and who to ask for, under UIDs that stay put."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.model import NewContact, Role
from callbook.store import Store

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated: Path) -> Path:
    monkeypatch.setenv("CALLBOOK_NOW", NOW.isoformat())
    config = _isolated / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('timezone = "Europe/London"\nregion = "GB"\n')
    path = tmp_path / "book.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        acme = store.add_prospect(
            "Acme Widgets",
            company="Acme Widgets, Inc.",
            phones=["+12125550101", "+12125550102;ext=12"],
            timezone="America/New_York",
            next_call_at=datetime(2026, 11, 30, 14, 30, tzinfo=UTC),
            next_objective="ask Sarah for Tom's direct line",
        )
        store.add_contact(acme.id, NewContact("Sarah Jenkins", Role.GATEKEEPER))
        store.add_contact(
            acme.id, NewContact("Tom Li", Role.DECISION_MAKER, "Ops Director", "+12125550177")
        )
        store.add_prospect(
            "Kingsley Dental",
            phones=["+442079460958"],
            next_call_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),  # summer time in London
        )
        store.add_prospect("Not Scheduled Ltd", phones=["+442079460321"])
        store.add_prospect(
            "Gone Cold", status="lost", next_call_at=datetime(2026, 12, 1, 9, tzinfo=UTC)
        )
    return path


def export(db: Path, *args: str) -> Calendar:
    result = CliRunner().invoke(
        main, ["--db", str(db), "export", "--format", "ics", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    if "-o" in args:
        assert result.stdout == ""
        return Calendar.from_ical(Path(args[args.index("-o") + 1]).read_bytes())
    return Calendar.from_ical(result.stdout_bytes)


def events(calendar: Calendar) -> dict[str, object]:
    """Events by their prospect's part of the UID ("callbook-prospect-1"), checking that every
    UID names the one book."""
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        head, book, rest = uid.split("-", 2)
        assert head == "callbook" and len(book) == 32 and rest.endswith("@callbook"), uid
        found[f"callbook-{rest}"] = event
    return found


def test_callbacks_become_events_in_the_callers_zone(db: Path) -> None:
    calendar = export(db)
    found = events(calendar)
    assert sorted(found) == ["callbook-prospect-1@callbook", "callbook-prospect-2@callbook"]
    acme = found["callbook-prospect-1@callbook"]
    start, end = acme.decoded("DTSTART"), acme.decoded("DTEND")
    assert start == datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
    assert start.tzinfo.key == "Europe/London" and start.hour == 14  # GMT in November
    assert end - start == timedelta(minutes=15)
    assert str(acme["SUMMARY"]) == "Call Acme Widgets"
    assert str(acme["LOCATION"]) == "+1 212-555-0101"
    assert str(acme["URL"]) == "tel:+12125550101"
    assert str(acme["DESCRIPTION"]).splitlines() == [
        "Company: Acme Widgets, Inc.",
        "Phone: +1 212-555-0101, +1 212-555-0102 ext. 12",
        "Objective: ask Sarah for Tom's direct line",
        "Ask for: Tom Li (decision maker, Ops Director), +1 212-555-0177; "
        "Sarah Jenkins (gatekeeper)",
        "Their time: Mon 09:30 (America/New_York)",
        "callbook prospect #1",
    ]
    dental = found["callbook-prospect-2@callbook"]
    summer = dental.decoded("DTSTART")
    assert summer == datetime(2026, 7, 1, 8, tzinfo=UTC) and summer.hour == 9  # BST
    assert str(dental["LOCATION"]) == "020 7946 0958"  # the caller's own country: national
    # The zone travels with the file, and each event has its reminder.
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert [str(a["ACTION"]) for a in acme.walk("VALARM")] == ["DISPLAY"]


def test_reexport_updates_rather_than_duplicates(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "callbacks.ics"
    old = events(export(db, "-o", str(out)))["callbook-prospect-1@callbook"]
    with Store.open(db) as store:
        store.clock = lambda: NOW + timedelta(hours=1)
        store.update_prospect(1, next_call_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    new = events(export(db))["callbook-prospect-1@callbook"]
    assert new.decoded("DTSTART") == datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert int(new["SEQUENCE"]) > int(old["SEQUENCE"])
    assert str(new["UID"]) == str(old["UID"])


def test_two_books_never_share_a_uid(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    shutil.copyfile(db, other)  # the same book (a backup): the same events
    assert {str(e["UID"]) for e in export(other).walk("VEVENT")} == {
        str(e["UID"]) for e in export(db).walk("VEVENT")
    }
    second = tmp_path / "second.db"
    with Store.open(second) as store:
        p = store.add_prospect("Acme Widgets")
        store.update_prospect(p.id, next_call_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    ours = {str(e["UID"]) for e in export(db).walk("VEVENT")}
    theirs = {str(e["UID"]) for e in export(second).walk("VEVENT")}
    assert len(theirs) == 1 and not ours & theirs


def test_no_callbacks_is_an_empty_calendar(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store.open(db).close()
    calendar = export(db)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["PRODID"]).startswith("-//callbook//")
