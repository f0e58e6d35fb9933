"""Taking the book out: every table, every column, pieces with their whole history.

JSON (`--what all`, the default) is the backup format: `callbook import` recognises it and
restores it, ids and history included, into an empty book. JSON Lines is the same rows, one per
line. CSV is for spreadsheets: one table per file, lists joined with "; ", with the prospect's
name beside its id; `--what all` writes one file per table into a folder. A CSV cell a
spreadsheet would run as a formula (`=...`, `+SUM(...)`, but not `-3` or `+1 212 555 0101`)
starts with an apostrophe, which `callbook import` takes off again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from callbook import __version__
from callbook.interop.formula import guard
from callbook.store import Store, bulk

EXPORT_VERSION = 1
MARKER = "callbook_export"
WHATS = (*bulk.TABLES, "all")


def tables_for(conn, what: str) -> tuple[str, ...]:
    present = bulk.tables(conn)
    if what == "all":
        return present
    if what not in present:
        raise ValueError(f"unknown table {what!r} (one of: {', '.join(WHATS)})")
    return (what,)


def _header(store: Store, tables: Iterable[str]) -> dict[str, Any]:
    return {
        MARKER: EXPORT_VERSION,
        "callbook": __version__,
        "schema": store.schema_version,
        "exported_at": bulk.now_text(store),
        "tables": list(tables),
    }


def write_json(store: Store, what: str, out: TextIO) -> dict[str, int]:
    """The export envelope with each table's rows, one row per line."""
    counts: dict[str, int] = {}
    with bulk.reading(store) as conn:
        tables = tables_for(conn, what)
        head = _header(store, tables)
        head.pop("tables")
        out.write("{\n")
        for key, value in head.items():
            out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
        out.write('"tables": {')
        for number, table in enumerate(tables):
            out.write(f"{',' if number else ''}\n{json.dumps(table)}: [")
            counts[table] = 0
            for row in bulk.dump(conn, table):
                out.write(("," if counts[table] else "") + "\n" + _dumps(row))
                counts[table] += 1
            out.write("\n]")
        out.write("\n}}\n")
    return counts


def write_jsonl(store: Store, what: str, out: TextIO) -> dict[str, int]:
    """A header line, then one line per row: `{"table": "prospects", ...columns}`."""
    counts: dict[str, int] = {}
    with bulk.reading(store) as conn:
        tables = tables_for(conn, what)
        out.write(_dumps(_header(store, tables)) + "\n")
        for table in tables:
            counts[table] = 0
            for row in bulk.dump(conn, table):
                out.write(_dumps({"table": table, **row}) + "\n")
                counts[table] += 1
    return counts


def write_csv(store: Store, table: str, out: TextIO) -> int:
    """One table as CSV; returns the number of rows."""
    if table not in bulk.TABLES:
        raise ValueError(f"unknown table {table!r}")
    with bulk.reading(store) as conn:
        names = bulk.prospect_names(conn) if table in _WITH_PROSPECT else {}
        columns = bulk.columns(conn, table)
        header = list(columns)
        if table in _WITH_PROSPECT:
            header.insert(header.index("prospect_id") + 1, "prospect_name")
        if table == "pieces":
            header.append("current")
        writer = csv.writer(out)
        writer.writerow(header)
        written = 0
        for row in bulk.dump(conn, table):
            if table in _WITH_PROSPECT:
                row["prospect_name"] = names.get(row["prospect_id"], "")
            if table == "pieces":
                row["current"] = int(row["superseded_by"] is None and row["undone_at"] is None)
            writer.writerow([_cell(row[name]) for name in header])
            written += 1
    return written


def write_csv_folder(store: Store, folder: Path) -> dict[str, Path]:
    """Every table into `folder` (created if missing) as `<table>.csv`."""
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    with bulk.reading(store) as conn:
        present = bulk.tables(conn)
    for table in present:
        path = folder / f"{table}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            write_csv(store, table, fh)
        written[table] = path
    return written


_WITH_PROSPECT = ("contacts", "pieces", "calls")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        text = "; ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return guard(text)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
