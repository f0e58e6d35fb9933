"""Rows <-> model objects, and the one text format for instants in the database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from callbook.model import Answerer, Call, Contact, Outcome, Piece, Prospect, Role, Session, Status


def to_db_time(when: datetime | None) -> str | None:
    """UTC, seconds, `Z`: sorts as text and reads well in any SQLite tool."""
    if when is None:
        return None
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_db_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # made once: imports write 100k lists


def to_json_list(items) -> str:
    return _ENCODE(list(items or ()))


def from_json_list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return (text,)
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


PROSPECT_COLUMNS = (
    "id, name, company, phones, email, website, city, region, country, timezone, status, "
    "priority, tags, template, next_call_at, next_objective, last_call_at, call_count, created_at"
)


def prospect(row) -> Prospect:
    (pid, name, company, phones, email, website, city, region, country, tz, status, priority,
     tags, template, next_call_at, next_objective, last_call_at, call_count,
     created_at) = row  # fmt: skip
    return Prospect(
        id=pid,
        name=name,
        company=company,
        phones=from_json_list(phones),
        email=email,
        website=website,
        city=city,
        region=region,
        country=country,
        timezone=tz,
        status=Status(status),
        priority=priority,
        tags=from_json_list(tags),
        template=template,
        next_call_at=from_db_time(next_call_at),
        next_objective=next_objective,
        last_call_at=from_db_time(last_call_at),
        call_count=call_count,
        created_at=from_db_time(created_at),
    )


CONTACT_COLUMNS = "id, prospect_id, name, role, title, phone, email, call_id, created_at"


def contact(row) -> Contact:
    cid, pid, name, role, title, phone, email, call_id, created_at = row
    return Contact(
        id=cid,
        prospect_id=pid,
        name=name,
        role=Role(role),
        title=title,
        phone=phone,
        email=email,
        call_id=call_id,
        created_at=from_db_time(created_at),
    )


PIECE_COLUMNS = (
    "id, prospect_id, slot, value, learned_at, call_id, superseded_by, superseded_at, undone_at, "
    "confirmed_at"
)


def piece(row) -> Piece:
    pid_, pid, slot, value, learned_at, call_id, sup_by, sup_at, undone_at, confirmed = row
    return Piece(
        id=pid_,
        prospect_id=pid,
        slot=slot,
        value=value,
        learned_at=from_db_time(learned_at),
        call_id=call_id,
        superseded_by=sup_by,
        superseded_at=from_db_time(sup_at),
        undone_at=from_db_time(undone_at),
        confirmed_at=from_db_time(confirmed),
    )


CALL_COLUMNS = (
    "id, prospect_id, started_at, ended_at, outcome, session_id, objective, notes, "
    "next_call_at, next_objective, tags, small_wins, big_wins, undone_at, outside_hours, "
    "phone_id, dialled, answered_by, contact_id"
)


def call(row) -> Call:
    (cid, pid, started, ended, outcome, session_id, objective, notes, next_call_at,
     next_objective, tags, small, big, undone_at, outside_hours, phone_id, dialled,
     answered_by, contact_id) = row  # fmt: skip
    return Call(
        id=cid,
        prospect_id=pid,
        started_at=from_db_time(started),
        ended_at=from_db_time(ended),
        outcome=Outcome(outcome),
        session_id=session_id,
        objective=objective,
        notes=notes,
        next_call_at=from_db_time(next_call_at),
        next_objective=next_objective,
        tags=from_json_list(tags),
        small_wins=small,
        big_wins=big,
        undone_at=from_db_time(undone_at),
        outside_hours=bool(outside_hours),
        phone_id=phone_id,
        dialled=dialled,
        answered_by=Answerer(answered_by) if answered_by else None,
        contact_id=contact_id,
    )


def session(row) -> Session:
    sid, started, ended = row
    return Session(id=sid, started_at=from_db_time(started), ended_at=from_db_time(ended))
