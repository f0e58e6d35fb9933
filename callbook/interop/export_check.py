"""Checking every value of a callbook export before it is restored.

An export is a text file: it can be edited, truncated or come from a newer callbook. Restoring
checks what the database alone would not (SQLite stores "not a date" in a date column happily,
and the app then fails reading it): the schema version it was written at, and each known
column's kind — ids, times in the book's format, statuses, roles, outcomes, priorities, time
zones, lists. Columns this module does not know (added by later schemas) are left to the
database's own checks. The first problem is reported in one line, with how many more there are.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from callbook.interop.problems import FileProblem
from callbook.model import Outcome, Role, Status


def check_schema(path: Path, head: dict[str, Any]) -> None:
    """Refuse an export written by a book of a newer schema than this callbook knows."""
    from callbook.store.schema import LATEST

    schema = head.get("schema")
    if schema is None:
        return  # early exports did not say; the columns are checked one by one
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        raise FileProblem(f"{path}: \"schema\": {schema!r} is not a schema version number")
    if schema > LATEST:
        raise FileProblem(
            f"{path} was exported from a book of schema {schema}, newer than this callbook's "
            f"({LATEST}); upgrade callbook to restore it"
        )


def _is_time(value: Any) -> bool:
    if not isinstance(value, str) or not value.endswith("Z") or len(value) != 20:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_zone(value: Any) -> bool:
    from callbook.phones import valid_timezone

    return isinstance(value, str) and valid_timezone(value) == value


def _choice(kind: type) -> Callable[[Any], bool]:
    values = {member.value for member in kind}
    return lambda value: isinstance(value, str) and value in values  # a list is not hashable


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _is_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# kind -> (check, what a right value looks like)
_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "id": (_is_id, "a whole number above 0"),
    "count": (_is_count, "a whole number, 0 or more"),
    "text": (_is_text, "text"),
    "any_text": (lambda v: isinstance(v, str), "text"),
    "time": (_is_time, "a UTC time like 2026-12-01T14:30:00Z"),
    "list": (_is_list, "a list of texts"),
    "status": (_choice(Status), "one of " + ", ".join(s.value for s in Status)),
    "role": (_choice(Role), "one of " + ", ".join(r.value for r in Role)),
    "outcome": (_choice(Outcome), "one of " + ", ".join(o.value for o in Outcome)),
    "priority": (lambda v: _is_count(v) and 1 <= v <= 5, "a priority from 1 to 5"),
    "zone": (_is_zone, "a time zone like Europe/London"),
    "object": (lambda v: isinstance(v, dict), "an object"),
}

# column -> kind; a trailing "?" allows null.
_COLUMNS: dict[str, dict[str, str]] = {
    "prospects": {
        "id": "id", "name": "text", "company": "any_text?", "phones": "list",
        "email": "any_text?", "website": "any_text?", "city": "any_text?",
        "region": "any_text?", "country": "any_text?", "timezone": "zone?", "status": "status",
        "priority": "priority", "tags": "list", "template": "text", "next_call_at": "time?",
        "next_objective": "any_text?", "last_call_at": "time?", "call_count": "count",
        "created_at": "time", "updated_at": "time",
    },
    "contacts": {
        "id": "id", "prospect_id": "id", "name": "text", "role": "role", "title": "any_text?",
        "phone": "any_text?", "email": "any_text?", "call_id": "id?", "created_at": "time",
        "undone_at": "time?",
    },
    "pieces": {
        "id": "id", "prospect_id": "id", "slot": "text", "value": "any_text",
        "learned_at": "time", "call_id": "id?", "superseded_by": "id?",
        "superseded_at": "time?", "undone_at": "time?",
    },
    "calls": {
        "id": "id", "prospect_id": "id", "session_id": "id?", "started_at": "time",
        "ended_at": "time", "objective": "any_text?", "outcome": "outcome",
        "notes": "any_text?", "next_call_at": "time?", "next_objective": "any_text?",
        "tags": "list", "small_wins": "count", "big_wins": "count", "capture": "any_text?",
        "previous_state": "object?", "undone_at": "time?",
    },
    "sessions": {"id": "id", "started_at": "time", "ended_at": "time?"},
    "do_not_call_numbers": {"number": "text", "added_at": "time", "note": "any_text?"},
    "skips": {"prospect_id": "id", "skipped_at": "time"},
}  # fmt: skip


def problems(tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every value of a known column that is not of its kind, as "table #n (id N): ..."."""
    found: list[str] = []
    for table, rows in tables.items():
        spec = _COLUMNS.get(table, {})
        for number, row in enumerate(rows, 1):
            for column, value in row.items():
                kind = spec.get(column)
                if kind is None:
                    continue
                nullable = kind.endswith("?")
                if value is None and nullable:
                    continue
                check, looks = _KINDS[kind.rstrip("?")]
                if value is None or not check(value):
                    where = f"{table} #{number}" + (f" (id {row['id']})" if "id" in row else "")
                    found.append(f"{where}: {column} {_shown(value)} is not {looks}")
    return found


def check_values(path: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Raise FileProblem naming the first value that is not of its column's kind."""
    found = problems(tables)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise FileProblem(f"{path}: {found[0]}{more}; nothing was restored")


def _shown(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"
