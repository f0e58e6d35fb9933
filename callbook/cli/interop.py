"""`callbook import` and `callbook export`: CSV exports of the usual CRMs in, the whole book
(or its callbacks, as a calendar) out."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from callbook.cli.common import Context, echo_json, fail, json_option, main, pass_context

PROGRESS_MIN_ROWS = 2000
_PRESET_HELP = "auto, hubspot, salesforce, pipedrive, close, google, outlook, callbook, generic"
_FIELD_HELP = (
    "name, company, contact, first_name, middle_name, last_name, title, phone, email, website, "
    "city, region, country, timezone, status, priority, tags, template, next_call_at, "
    "next_objective, notes, ignore"
)


class ProgressBar:
    """A progress bar on stderr for big files, and only when stderr is a terminal."""

    def __init__(self, stream=None) -> None:
        self._stream = stream
        self._bar = None

    def start(self, label: str, total: int) -> None:
        stream = self._stream or sys.stderr
        if total >= PROGRESS_MIN_ROWS and stream.isatty():
            self._bar = click.progressbar(length=total, label=label, file=stream)
            self._bar.__enter__()

    def advance(self, count: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--preset",
    default="auto",
    show_default=True,
    metavar="NAME",
    help=f"Whose export the file is: {_PRESET_HELP}.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar='"COLUMN=FIELD"',
    help="Read a column into a field, or into a template slot as a piece "
    f'("Budget=budget", "Notes=piece:pain"). Fields: {_FIELD_HELP}. '
    "Repeat for more columns.",
)
@click.option(
    "--template",
    metavar="KEY",
    help="Template of the new prospects, whose slots --map can name "
    "(default: the config's default_template).",
)
@click.option(
    "--on-duplicate",
    default="merge",
    show_default=True,
    metavar="ACTION",
    help="A row that matches a prospect (same phone, email or website domain, or "
    "a near-identical company name): merge (fill gaps, add phones, contacts "
    "and pieces; never change a known value), skip, or new.",
)
@click.option(
    "--region",
    metavar="XX",
    help="Country assumed for phone numbers without a country code (default: the config's region).",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be added, merged and skipped; write nothing."
)
@json_option
@pass_context
def import_(
    ctx: Context, file: Path, preset: str, maps: tuple[str, ...], template: str | None,
    on_duplicate: str, region: str | None, dry_run: bool, as_json: bool,
) -> None:  # fmt: skip
    """Import FILE: a CSV export from HubSpot, Salesforce, Pipedrive, Close, Google Contacts,
    Outlook or a lead vendor, or a callbook JSON export (restored into an empty book).

    All or nothing: if any row is in error, the errors are listed (FILE:LINE: column: reason)
    and nothing is written. Phone numbers are stored in E.164 (numbers that do not parse are
    kept as typed and flagged); time zones come from the numbers or the country/state columns
    when the file has none. Columns nothing reads are reported; map them with --map.
    """
    from callbook.interop import restore
    from callbook.interop.csv_import import ImportOptions, prepare, run
    from callbook.interop.problems import FileProblem, ImportFailed
    from callbook.interop.sheet import read_bytes
    from callbook.jigsaw import load_templates

    config = ctx.config()
    options = ImportOptions(
        preset=preset.strip().casefold(), maps=maps, template=template,
        on_duplicate=on_duplicate.strip().casefold(), region=region, dry_run=dry_run,
        details=as_json,
    )  # fmt: skip
    bar = ProgressBar()
    try:
        head = read_bytes(file)
        if restore.looks_like_export(head):
            if maps or preset != "auto":
                raise FileProblem(f"{file} is a callbook export: --map and --preset do not apply")
            with _book(ctx, dry_run) as store:
                restored = restore.restore_file(store, file, head, dry_run=dry_run)
            _show_restore(restored, as_json)
            return
        if restore.looks_like_json(head):
            raise FileProblem(f"{file} is JSON but not a callbook export; import CSV files here")
        prepared = prepare(file, options, config, load_templates(config.templates_dir), bar)
        with _book(ctx, dry_run) as store:
            report = run(store, prepared, options, bar)
    except FileProblem as exc:
        if as_json:
            echo_json({"ok": False, "file": str(file), "errors": [{"message": str(exc)}]})
        fail(str(exc))
    except ImportFailed as exc:
        if as_json:
            echo_json({"ok": False, "file": str(file),
                       "errors": [p.as_dict() for p in exc.problems]})  # fmt: skip
        for line in exc.lines():
            click.echo(line, err=True)
        fail(f"{file}: {_plural(len(exc.problems), 'error')}; nothing was imported")
    if as_json:
        echo_json(_report_json(report))
    else:
        _show_report(report, config.region)


@contextlib.contextmanager
def _book(ctx: Context, dry_run: bool) -> Iterator:
    """The book; for a dry run on a book that does not exist yet, an empty stand-in, so that
    nothing at all is written."""
    if dry_run and not ctx.paths.db.exists():
        from callbook.store import Store

        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "dry-run.db", clock=ctx.clock)
            try:
                yield store
            finally:
                store.close()
        return
    yield ctx.store()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _show_restore(restored, as_json: bool) -> None:
    if as_json:
        echo_json({"ok": True, "file": str(restored.path), "kind": "callbook export",
                   "format": restored.format, "dry_run": restored.dry_run,
                   "counts": restored.counts})  # fmt: skip
        return
    from callbook.interop.restore import describe

    counts = describe(restored.counts)
    verb = "would restore" if restored.dry_run else "restored"
    click.echo(f"{restored.path}: callbook export ({restored.format}); {verb} {counts}")
    if restored.dry_run:
        click.echo("Dry run: nothing was written.")


def _report_json(report) -> dict:
    return {
        "ok": True,
        "file": str(report.path),
        "kind": report.kind,
        "preset": report.preset,
        "preset_detected": report.detected,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "dry_run": report.dry_run,
        "on_duplicate": report.on_duplicate,
        "counts": report.counts,
        "columns": [
            {"column": c.label, "field": c.target, "by": c.origin or None} for c in report.columns
        ],
        "unmapped": [{"column": c, "values": n} for c, n in report.unmapped],
        "notices": report.notices,
        "warnings": [w.as_dict() for w in report.warnings],
        "rows": report.rows,
    }


def _show_report(report, home_region: str) -> None:
    from callbook.interop.problems import listing

    if report.preset == "generic":
        how = "no CRM's columns recognised; read by common column names"
    else:
        how = "detected from its columns" if report.detected else "as asked"
    click.echo(
        f"{report.path}: {report.preset_label} ({how}); {report.encoding}, "
        f"{report.delimiter}-separated; {_plural(report.counts['rows'], 'row')}"
    )
    for notice in report.notices:
        click.echo(f"Note: {notice}")
    if report.unmapped:
        shown = ", ".join(f"{c!r} ({_plural(n, 'value')})" for c, n in report.unmapped)
        click.echo(f'Not imported, no field for them (use --map "Column=field"): {shown}')
    if report.dry_run:
        mapped = [c for c in report.columns if c.target not in (None, "ignore")]
        click.echo("Columns: " + ", ".join(f"{c.label!r} -> {c.target}" for c in mapped))
    if report.warnings:
        click.echo(f"{_plural(len(report.warnings), 'warning')}:")
        for line in listing(report.path, report.warnings):
            click.echo(f"  {line}")
    duplicates = [r for r in report.rows if r.duplicate_of]
    if duplicates and not report.dry_run:
        click.echo(f"{_plural(len(duplicates), 'duplicate')}:")
        for row in duplicates:
            click.echo(f"  {_row_line(row, report.dry_run)}")
    if report.dry_run:
        click.echo("Rows:")
        for row in report.rows:
            click.echo(f"  {_row_line(row, True)}")
    c = report.counts
    summary = (
        f"{_plural(c['added'], 'prospect')} added, {c['merged']} merged, {c['skipped']} "
        f"skipped ({_plural(c['contacts'], 'contact')}, {_plural(c['pieces'], 'piece')})"
    )
    if report.dry_run:
        click.echo(f"Dry run, nothing was written: would have {summary}.")
    else:
        click.echo(summary[0].upper() + summary[1:] + ".")


def _row_line(row, dry_run: bool) -> str:
    head = f"line {row.line} {row.name!r}: "
    if row.action == "skip":
        return head + f"skipped, duplicate of {row.duplicate_of} ({row.reason})"
    if row.action == "merge":
        text = head + f"merged into {row.duplicate_of} ({row.reason})"
        detail = _changes(row.changes)
        return text + (f": {detail}" if detail else ": nothing new")
    text = head + ("add" if dry_run else f"added as #{row.prospect_id}")
    if row.duplicate_of:
        text += f" although it duplicates {row.duplicate_of} ({row.reason})"
    detail = _changes(row.changes) if dry_run else ""
    return text + (f": {detail}" if detail else "")


def _changes(changes: dict) -> str:
    parts = []
    for key, value in changes.get("fields", {}).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key} {value}")
    for key in ("phones", "tags"):
        if changes.get(key):
            parts.append(f"+{key} {', '.join(changes[key])}")
    if changes.get("contacts"):
        parts.append("contacts " + ", ".join(changes["contacts"]))
    if changes.get("contacts_completed"):
        parts.append("completed " + ", ".join(changes["contacts_completed"]))
    for slot, value in changes.get("pieces", {}).items():
        parts.append(f"{slot}: {value}")
    for key, (old, new) in changes.get("kept", {}).items():
        parts.append(f"kept {key} {old!r} (file: {new!r})")
    return "; ".join(parts)


# --- export --------------------------------------------------------------------------------


@main.command("export")
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    metavar="FORMAT",
    help="json (the backup: `callbook import` restores it), jsonl, csv, or ics "
    "(scheduled callbacks as calendar events).",
)
@click.option(
    "--what",
    metavar="TABLE",
    help="prospects, contacts, pieces (with their history), calls, sessions, "
    "do_not_call_numbers, skips, phones, or all (default: all; for csv: prospects). csv with all "
    "writes one file per table into the folder given with -o.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Write here instead of to standard output (a folder for csv with all). "
    "The file is readable by its owner alone.",
)
@pass_context
def export(ctx: Context, fmt: str, what: str | None, output: Path | None) -> None:
    """Export the book: everything it holds, pieces with their history, calls and sessions;
    or, with --format ics, the scheduled callbacks for a calendar (re-importing the file
    updates the events rather than duplicating them)."""
    from callbook.interop import export as ex

    fmt = fmt.strip().casefold()
    if fmt not in ("json", "jsonl", "csv", "ics"):
        fail(f"--format {fmt!r}: one of json, jsonl, csv, ics")
    if fmt == "ics":
        if what is not None:
            fail("--what does not apply to --format ics (it exports scheduled callbacks)")
        _export_ics(ctx, output)
        return
    what = (what or ("prospects" if fmt == "csv" else "all")).strip().casefold()
    if what not in ex.WHATS:
        fail(f"--what {what!r}: one of {', '.join(ex.WHATS)}")
    if output is not None and output.is_dir() and not (fmt == "csv" and what == "all"):
        fail(f"{output} is a folder; give a file name (a folder is only for csv with --what all)")
    store = ctx.store(create=False)
    if fmt == "csv" and what == "all":
        if output is None:
            fail("--format csv --what all writes one file per table: give a folder with -o")
        if output.exists() and not output.is_dir():
            fail(f"{output} is a file; --format csv --what all needs a folder")
        from callbook.paths import private_file

        written = ex.write_csv_folder(store, output)
        for path in written.values():
            private_file(path)
        click.echo(f"Wrote {', '.join(p.name for p in written.values())} to {output}")
        return
    writers = {"json": ex.write_json, "jsonl": ex.write_jsonl}
    with _output(output) as out:
        if fmt == "csv":
            ex.write_csv(store, what, out)
        else:
            writers[fmt](store, what, out)


def _export_ics(ctx: Context, output: Path | None) -> None:
    from callbook.interop import ics

    config = ctx.config()
    store = ctx.store(create=False)
    data = ics.calendar(ics.callbacks(store), config.tz, store.clock(), home_region=config.region)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_private(output, data)


@contextlib.contextmanager
def _output(output: Path | None) -> Iterator[io.TextIOBase]:
    if output is None:
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    encoding = "utf-8-sig" if output.suffix.casefold() in (".csv", ".tsv") else "utf-8"
    _write_private(output, buffer.getvalue().encode(encoding))


def _write_private(path: Path, data: bytes) -> None:
    """Write whole or not at all (temp file, then rename), readable by the owner alone."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        fail(f"{path}: no such folder {folder}")
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
