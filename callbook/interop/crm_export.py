"""Taking the calls back into the team's CRM: companies, contacts and calls as activities, in CSV
files whose column names the CRM's own importer matches without mapping by hand.

`export --for hubspot|pipedrive|salesforce|close -o FOLDER` writes `companies.csv`,
`contacts.csv` and `calls.csv`. Each call carries its time (UTC, ISO 8601, which every one of
these importers reads), its duration, its outcome mapped to the CRM's own dispositions where it
has a fixed list (HubSpot, Close, Salesforce's CallDisposition is free text), and its notes with
the objective it was made for. Rows find their company by name (and domain where the importer
associates by it). Cells a spreadsheet would run as formulas are guarded as in the CSV export.
Close's CSV importer takes leads and contacts only: its calls file carries the field names of
Close's call activities (lead_name, date_created, direction, duration, disposition, note), for
a script to post.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from callbook.interop.dedupe import domain_key
from callbook.interop.formula import guard
from callbook.model import Outcome
from callbook.store import Store, bulk

Row = dict[str, Any]
Getter = Callable[[Row], Any]


@dataclass(frozen=True)
class CrmFormat:
    key: str
    label: str
    companies: tuple[tuple[str, Getter], ...]
    contacts: tuple[tuple[str, Getter], ...]
    calls: tuple[tuple[str, Getter], ...]


# HubSpot's call outcomes (hs_call_disposition) as its importer names them.
HUBSPOT_OUTCOMES = {
    Outcome.NO_ANSWER: "No answer",
    Outcome.VOICEMAIL: "Left voicemail",
    Outcome.GATEKEEPER: "Left live message",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.DECISION_MAKER: "Connected",
    Outcome.CALLBACK: "Connected",
    Outcome.GATEKEEPER_CALLBACK: "Left live message",
    Outcome.MEETING: "Connected",
    Outcome.NOT_INTERESTED: "Connected",
    Outcome.WON: "Connected",
    Outcome.DO_NOT_CALL: "Connected",
}
# Close's call dispositions.
CLOSE_OUTCOMES = {
    Outcome.NO_ANSWER: "no-answer",
    Outcome.VOICEMAIL: "vm-left",
    Outcome.GATEKEEPER: "answered",
    Outcome.WRONG_NUMBER: "error",
    Outcome.DECISION_MAKER: "answered",
    Outcome.CALLBACK: "answered",
    Outcome.GATEKEEPER_CALLBACK: "answered",
    Outcome.MEETING: "answered",
    Outcome.NOT_INTERESTED: "answered",
    Outcome.WON: "answered",
    Outcome.DO_NOT_CALL: "answered",
}


def _first(name: str) -> str:
    parts = name.split()
    return " ".join(parts[:-1]) if len(parts) > 1 else name


def _last(name: str) -> str:
    parts = name.split()
    return parts[-1] if len(parts) > 1 else ""


def _time(text: str | None) -> str:
    return text or ""


def _date(text: str | None) -> str:
    return text[:10] if text else ""


def _clock(text: str | None) -> str:
    return text[11:16] if text else ""


def _seconds(call: Row) -> int:
    try:
        start = datetime.fromisoformat(call["started_at"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(call["ended_at"].replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return 0
    return max(0, int((end - start).total_seconds()))


def _hours_minutes(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"


def _outcome(call: Row) -> Outcome:
    return Outcome(call["outcome"])


def _note(call: Row) -> str:
    parts = [f"Outcome: {_outcome(call).label}"]
    if call.get("objective"):
        parts.append(f"Objective: {call['objective']}")
    if call.get("notes"):
        parts.append(call["notes"])
    if call.get("next_objective"):
        parts.append(f"Next: {call['next_objective']}")
    return "\n".join(parts)


def _subject(call: Row) -> str:
    return f"Call: {_outcome(call).label}"


def _phone(index: int) -> Getter:
    return lambda p: p["phones"][index] if len(p["phones"]) > index else ""


def _domain(row: Row) -> str:
    return domain_key(row.get("website")) or domain_key(
        (row.get("email") or "").rpartition("@")[2]
    )


# Calls and contacts carry their prospect's row as "_prospect".
def _p(key: str) -> Getter:
    return lambda row: row["_prospect"].get(key) or ""


def _company(row: Row) -> str:
    return row["_prospect"].get("company") or row["_prospect"]["name"]


HUBSPOT = CrmFormat(
    "hubspot",
    "HubSpot",
    companies=(
        ("Company name", lambda p: p.get("company") or p["name"]),
        ("Company Domain Name", _domain),
        ("Phone Number", _phone(0)),
        ("City", lambda p: p.get("city") or ""),
        ("State/Region", lambda p: p.get("region") or ""),
        ("Country/Region", lambda p: p.get("country") or ""),
        ("Time Zone", lambda p: p.get("timezone") or ""),
    ),
    contacts=(
        ("First Name", lambda c: _first(c["name"])),
        ("Last Name", lambda c: _last(c["name"])),
        ("Email", lambda c: c.get("email") or ""),
        ("Phone Number", lambda c: c.get("phone") or ""),
        ("Job Title", lambda c: c.get("title") or ""),
        ("Company Name", _company),
        ("Company Domain Name", lambda c: _domain(c["_prospect"])),
    ),
    calls=(
        ("Call Title", _subject),
        ("Activity date", lambda c: _time(c["started_at"])),
        ("Call duration", lambda c: _seconds(c) * 1000),  # milliseconds
        ("Call direction", lambda c: "Outbound"),
        ("Call outcome", lambda c: HUBSPOT_OUTCOMES[_outcome(c)]),
        ("Call notes", _note),
        ("Company name", _company),
        ("Company Domain Name", lambda c: _domain(c["_prospect"])),
    ),
)

PIPEDRIVE = CrmFormat(
    "pipedrive",
    "Pipedrive",
    companies=(
        ("Organization - Name", lambda p: p.get("company") or p["name"]),
        ("Organization - Website", lambda p: p.get("website") or ""),
        ("Organization - Phone", _phone(0)),
        ("Organization - City/town/village/locality of Address", lambda p: p.get("city") or ""),
        ("Organization - State/county of Address", lambda p: p.get("region") or ""),
        ("Organization - Country of Address", lambda p: p.get("country") or ""),
        ("Organization - Labels", lambda p: ", ".join(p["tags"])),
    ),
    contacts=(
        ("Person - Name", lambda c: c["name"]),
        ("Person - Email", lambda c: c.get("email") or ""),
        ("Person - Phone", lambda c: c.get("phone") or ""),
        ("Person - Job title", lambda c: c.get("title") or ""),
        ("Person - Organization", _company),
    ),
    calls=(
        ("Activity - Subject", _subject),
        ("Activity - Type", lambda c: "call"),
        ("Activity - Due date", lambda c: _date(c["started_at"])),
        ("Activity - Due time", lambda c: _clock(c["started_at"])),
        ("Activity - Duration", lambda c: _hours_minutes(_seconds(c))),
        ("Activity - Done", lambda c: "Done"),
        ("Activity - Note", _note),
        ("Organization - Name", _company),
    ),
)

SALESFORCE = CrmFormat(
    "salesforce",
    "Salesforce",
    companies=(
        ("Account Name", lambda p: p.get("company") or p["name"]),
        ("Phone", _phone(0)),
        ("Website", lambda p: p.get("website") or ""),
        ("Billing City", lambda p: p.get("city") or ""),
        ("Billing State/Province", lambda p: p.get("region") or ""),
        ("Billing Country", lambda p: p.get("country") or ""),
    ),
    contacts=(
        ("First Name", lambda c: _first(c["name"])),
        ("Last Name", lambda c: _last(c["name"]) or c["name"]),
        ("Title", lambda c: c.get("title") or ""),
        ("Phone", lambda c: c.get("phone") or ""),
        ("Email", lambda c: c.get("email") or ""),
        ("Account Name", _company),
    ),
    calls=(
        ("Subject", _subject),
        ("Type", lambda c: "Call"),
        ("TaskSubtype", lambda c: "Call"),
        ("Status", lambda c: "Completed"),
        ("ActivityDate", lambda c: _date(c["started_at"])),
        ("CallType", lambda c: "Outbound"),
        ("CallDisposition", lambda c: _outcome(c).label),
        ("CallDurationInSeconds", _seconds),
        ("Description", lambda c: f"{_time(c['started_at'])}\n{_note(c)}"),
        ("Account Name", _company),
    ),
)

CLOSE = CrmFormat(
    "close",
    "Close",
    companies=(
        ("Company", lambda p: p.get("company") or p["name"]),
        ("URL", lambda p: p.get("website") or ""),
        ("Phone", _phone(0)),
        ("Email", lambda p: p.get("email") or ""),
        ("City", lambda p: p.get("city") or ""),
        ("State", lambda p: p.get("region") or ""),
        ("Country", lambda p: p.get("country") or ""),
        ("Status", lambda p: p.get("status") or ""),
    ),
    contacts=(
        ("Company", _company),
        ("Contact Name", lambda c: c["name"]),
        ("Title", lambda c: c.get("title") or ""),
        ("Contact Phone", lambda c: c.get("phone") or ""),
        ("Contact Email", lambda c: c.get("email") or ""),
    ),
    calls=(
        ("lead_name", _company),
        ("date_created", lambda c: _time(c["started_at"])),
        ("direction", lambda c: "outbound"),
        ("duration", _seconds),
        ("disposition", lambda c: CLOSE_OUTCOMES[_outcome(c)]),
        ("phone", lambda c: c.get("dialled") or ""),
        ("note", _note),
    ),
)

FORMATS = {f.key: f for f in (HUBSPOT, PIPEDRIVE, SALESFORCE, CLOSE)}


def write_for(store: Store, crm: str, folder: Path) -> dict[str, int]:
    """companies.csv, contacts.csv and calls.csv for `crm` into `folder`; rows per file."""
    fmt = FORMATS[crm]
    with bulk.reading(store) as conn:
        prospects = {row["id"]: row for row in bulk.dump(conn, "prospects")}
        contacts = [r for r in bulk.dump(conn, "contacts") if r.get("undone_at") is None]
        calls = [r for r in bulk.dump(conn, "calls") if r.get("undone_at") is None]
    for row in contacts + calls:
        row["_prospect"] = prospects[row["prospect_id"]]
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, columns, rows in (
        ("companies", fmt.companies, list(prospects.values())),
        ("contacts", fmt.contacts, contacts),
        ("calls", fmt.calls, calls),
    ):
        path = folder / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([header for header, _ in columns])
            for row in rows:
                writer.writerow([guard(str(get(row))) for _, get in columns])
        counts[name] = len(rows)
    return counts
