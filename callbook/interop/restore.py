"""Bringing back a callbook export (JSON or JSON Lines): the same book, ids and history included.

`callbook import` recognises an export by its marker and hands it here instead of to the CSV
importer. An export restores into an empty book only: merging two books' histories has no single
right answer, and the ids that tie pieces, calls and sessions together stay as they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from callbook.interop import export_check
from callbook.interop.export import MARKER
from callbook.interop.problems import FileProblem, ImportFailed, Problem
from callbook.store import Store, bulk


@dataclass
class Restored:
    path: Path
    format: str  # "json" or "jsonl"
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def looks_like_export(data: bytes) -> bool:
    """Quick check of the first bytes: a JSON object that carries callbook's marker."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and MARKER.encode() in head


def looks_like_json(data: bytes) -> bool:
    return data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"["))


def load(path: Path, data: bytes) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """("json" | "jsonl", {table: rows}) from an export's bytes; FileProblem if it is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(f"{path}:{line}: a callbook export is UTF-8; this byte is not") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise FileProblem(f"{path}: nested too deeply to be a callbook export") from None
    except json.JSONDecodeError as whole:
        try:
            lines = _jsonl(path, text)
        except RecursionError:
            raise FileProblem(f"{path}: nested too deeply to be a callbook export") from None
        if lines is None:
            raise FileProblem(f"{path}:{whole.lineno}: not valid JSON ({whole.msg})") from None
        return "jsonl", lines
    if not isinstance(document, dict) or MARKER not in document:
        raise FileProblem(f"{path} is JSON but not a callbook export")
    _check_version(path, document)
    export_check.check_schema(path, document)
    tables = document.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(v, list) for v in tables.values()):
        raise FileProblem(f"{path}: a callbook export needs a 'tables' object of row lists")
    for table, rows in tables.items():
        for number, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise FileProblem(f"{path}: {table} #{number} is not an object")
    export_check.check_values(path, tables)
    return "json", tables


def _jsonl(path: Path, text: str) -> dict[str, list[dict[str, Any]]] | None:
    lines = text.splitlines()
    try:
        head = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError:
        return None
    if not isinstance(head, dict) or MARKER not in head:
        return None
    _check_version(path, head)
    export_check.check_schema(path, head)
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in head.get("tables", [])}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileProblem(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("table"), str):
            raise FileProblem(f'{path}:{number}: a row needs a "table" name')
        tables.setdefault(row.pop("table"), []).append(row)
    export_check.check_values(path, tables)
    return tables


def _check_version(path: Path, head: dict) -> None:
    from callbook.interop.export import EXPORT_VERSION

    version = head.get(MARKER)
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise FileProblem(
            f"{path} was exported by a newer callbook (format {version!r}); upgrade callbook"
        )


def restore_file(store: Store, path: Path, data: bytes, *, dry_run: bool = False) -> Restored:
    """Restore an export into the (empty) book; a dry run checks it and counts the rows."""
    kind, tables = load(path, data)
    unknown = sorted(set(tables) - set(bulk.TABLES))
    if unknown:
        raise FileProblem(f"{path}: unknown table(s) {', '.join(unknown)}")
    _check_horizon(path, tables, store.clock())
    counts = {t: len(tables[t]) for t in bulk.TABLES if t in tables}
    result = Restored(path, kind, counts, dry_run)
    if dry_run:
        with bulk.reading(store) as conn:
            held = {t: bulk.count(conn, t) for t in bulk.tables(conn)}
        if any(held.values()):
            raise FileProblem(_not_empty(path, held))
        return result
    try:
        result.counts = bulk.restore(store, tables)
    except bulk.RestoreError as exc:
        if exc.held:
            raise FileProblem(_not_empty(path, exc.held)) from None
        raise ImportFailed(path, [Problem(None, None, p) for p in exc.problems]) from None
    return result


def _check_horizon(path: Path, tables: dict[str, list[dict[str, Any]]], now) -> None:
    """No time in the file past the horizon of `callbook.when` (a next call in the year 9999
    breaks every calendar): FileProblem naming the first, else nothing."""
    from callbook.store.rows import from_db_time
    from callbook.when import WhenError, check_instant

    for table, rows_in in tables.items():
        for number, row in enumerate(rows_in, 1):
            if not isinstance(row, dict):
                continue
            for column, value in row.items():
                if not column.endswith("_at") or not isinstance(value, str) or not value:
                    continue
                try:
                    when = from_db_time(value)
                except (ValueError, OverflowError):
                    continue  # not a time: the restore itself says so
                try:
                    check_instant(when, now, value)
                except WhenError as exc:
                    raise FileProblem(f"{path}: {table} row {number}: {column} {exc}") from None


_NAMES = {
    "prospects": ("prospect", "prospects"),
    "contacts": ("contact", "contacts"),
    "pieces": ("piece", "pieces"),
    "calls": ("call", "calls"),
    "sessions": ("session", "sessions"),
    "do_not_call_numbers": ("do-not-call number", "do-not-call numbers"),
    "skips": ("skip", "skips"),
    "phones": ("phone number", "phone numbers"),
}


def describe(counts: dict[str, int], *, zeros: bool = True) -> str:
    """ "3 prospects, 1 session, ..." in export order."""
    parts = []
    for table in bulk.TABLES:
        if table in counts and (zeros or counts[table]):
            one, many = _NAMES[table]
            parts.append(f"{counts[table]} {one if counts[table] == 1 else many}")
    return ", ".join(parts)


def _not_empty(path: Path, held: dict[str, int]) -> str:
    return (
        f"{path}: an export restores into an empty book only; this one holds "
        f"{describe(held, zeros=False)}; import it with --db NEW.db"
    )
