"""`export --for CRM`: companies, contacts and calls as activities, under the column names each
CRM's importer matches, outcomes as its dispositions; and what comes back through our presets."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.interop import crm_export
from callbook.interop.csv_import import ImportOptions, import_file
from callbook.jigsaw import load_templates
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.store import Store

NOW = datetime(2026, 11, 27, 15, tzinfo=UTC)


def book(path: Path) -> None:
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        acme = store.add_prospect(
            "Acme Widgets", company="Acme Widgets", phones=["+12125550101"],
            website="https://www.acme-widgets.example", city="New York", region="NY",
            country="US", timezone="America/New_York",
        )  # fmt: skip
        sarah = NewContact(
            "Sarah Jenkins", Role.GATEKEEPER, "Office Manager", "+12125550102",
            "sarah@acme-widgets.example",
        )  # fmt: skip
        store.add_contact(acme.id, sarah)
        start = NOW - timedelta(hours=2)
        call = NewCall(
            acme.id, start, start + timedelta(minutes=3), Outcome.VOICEMAIL,
            objective="reach Tom", notes="left a message with =cmd",
        )  # fmt: skip
        store.record_call(call)


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize(
    ("crm", "call"),
    [
        ("hubspot", {"Call Title": "Call: voicemail", "Activity date": "2026-11-27T13:00:00Z",
                     "Call duration": "180000", "Call direction": "Outbound",
                     "Call outcome": "Left voicemail", "Company name": "Acme Widgets",
                     "Company Domain Name": "acme-widgets.example"}),
        ("pipedrive", {"Activity - Subject": "Call: voicemail", "Activity - Type": "call",
                       "Activity - Due date": "2026-11-27", "Activity - Due time": "13:00",
                       "Activity - Duration": "00:03", "Activity - Done": "Done",
                       "Organization - Name": "Acme Widgets"}),
        ("salesforce", {"Subject": "Call: voicemail", "Type": "Call", "TaskSubtype": "Call",
                        "Status": "Completed", "ActivityDate": "2026-11-27",
                        "CallType": "Outbound", "CallDisposition": "voicemail",
                        "CallDurationInSeconds": "180", "Account Name": "Acme Widgets"}),
        ("close", {"lead_name": "Acme Widgets", "date_created": "2026-11-27T13:00:00Z",
                   "direction": "outbound", "duration": "180", "disposition": "vm-left"}),
    ],
)  # fmt: skip
def test_calls_go_back_as_activities(tmp_path: Path, crm: str, call: dict) -> None:
    db = tmp_path / "book.db"
    book(db)
    out = tmp_path / crm
    result = CliRunner().invoke(main, ["--db", str(db), "export", "--for", crm, "-o", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = read(out / "calls.csv")
    assert {k: row[k] for k in call} == call
    note = next(v for k, v in row.items() if k.casefold().endswith(("notes", "note",
                                                                      "description")))  # fmt: skip
    # The objective and the notes go along; text a spreadsheet would run is guarded.
    assert "Outcome: voicemail\nObjective: reach Tom\nleft a message with =cmd" in note
    (contact,) = read(out / "contacts.csv")
    assert "Sarah Jenkins" in " ".join(contact.values()) or (
        "Sarah" in contact.values() and "Jenkins" in contact.values()
    )
    assert "+12125550102" in contact.values()


def test_every_outcome_has_a_disposition() -> None:
    assert set(crm_export.HUBSPOT_OUTCOMES) == set(Outcome)
    assert set(crm_export.CLOSE_OUTCOMES) == set(Outcome)


@pytest.mark.parametrize("crm", ["hubspot", "pipedrive", "salesforce"])
def test_companies_and_contacts_come_back_through_the_presets(tmp_path: Path, crm: str) -> None:
    db = tmp_path / "book.db"
    book(db)
    out = tmp_path / crm
    with Store.open(db) as store:
        crm_export.write_for(store, crm, out)
    config = Config(timezone="Europe/London", region="US")
    with Store.open(tmp_path / "again.db") as fresh:
        report = import_file(fresh, out / "contacts.csv", ImportOptions(), config,
                             load_templates(None))  # fmt: skip
        # Salesforce's contact columns are plain enough to read as any CSV.
        assert report.preset == (crm if crm != "salesforce" else "generic")
        assert report.unmapped == []
        (prospect,) = fresh.prospects()
        assert prospect.name == "Acme Widgets"
        assert [(c.name, c.phone, c.email) for c in fresh.contacts(prospect.id)] == [
            ("Sarah Jenkins", "+12125550102", "sarah@acme-widgets.example")
        ]


def test_export_for_needs_a_known_crm_and_a_folder(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    book(db)
    runner = CliRunner()
    bad = runner.invoke(main, ["--db", str(db), "export", "--for", "zoho", "-o", str(tmp_path)])
    assert bad.stderr.strip() == (
        "callbook: --for 'zoho': one of hubspot, pipedrive, salesforce, close"
    )
    bad = runner.invoke(main, ["--db", str(db), "export", "--for", "close"])
    assert bad.stderr.strip() == (
        "callbook: --for close writes companies.csv, contacts.csv and calls.csv: give a folder "
        "with -o"
    )
