"""`callbook import` and `callbook export`: CSV exports of the usual CRMs in, the whole book
(or its callbacks, as a calendar) out."""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from callbook.cli.common import (
    Context,
    echo_json,
    echo_json_stream,
    fail,
    json_option,
    main,
    pass_context,
)

PROGRESS_MIN_ROWS = 2000
_PRESET_HELP = (
    "auto, hubspot, salesforce, pipedrive, close, apollo, zoominfo, leadlist (Lusha, Cognism), "
    "salesnav (LinkedIn Sales Navigator), google, outlook, callbook, generic"
)
_FIELD_HELP = (
    "name, company, contact, first_name, middle_name, last_name, title, phone, email, website, "
    "city, region, country, location, timezone, status, priority, tags, template, "
    "next_call_at, next_objective, notes, ignore"
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
    help="A row that matches a prospect (same phone, same personal email, same website "
    "domain and a similar company, or a near-identical company name in the same place; "
    "never a first name alone): merge (fill gaps, add phones, contacts and pieces; never "
    "change a known value, and list every value kept), skip, or new.",
)
@click.option(
    "--region",
    metavar="XX",
    help="Country assumed for phone numbers without a country code when the row's country "
    "column, email or website does not say (default: the country most of the book is in, "
    "else the config's region).",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="The file's text encoding (cp1252, iso-8859-2, cp1251, mac_roman, shift_jis, "
    "utf-16-le ...) when it is not UTF-8 and cannot be told from the bytes.",
)
@click.option(
    "--date-order",
    default="mdy",
    show_default=True,
    metavar="ORDER",
    help="How a numeric date that could be either reads: mdy (3/4/2027 is March 4) or dmy "
    "(3 April). Dotted dates (14.03.2027) are always day first.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be added, merged and skipped; write nothing."
)
@json_option
@pass_context
def import_(
    ctx: Context, file: Path, preset: str, maps: tuple[str, ...], template: str | None,
    on_duplicate: str, region: str | None, encoding: str | None, date_order: str,
    dry_run: bool, as_json: bool,
) -> None:  # fmt: skip
    """Import FILE: a CSV export from HubSpot, Salesforce, Pipedrive, Close, Apollo, ZoomInfo,
    a lead list, Sales Navigator, Google Contacts or Outlook; a vCard file (.vcf); or a
    callbook JSON export (restored into an empty book).

    All or nothing: if any row is in error, the errors are listed (FILE:LINE: column: reason)
    and nothing is written. Phone numbers are stored in E.164 (numbers that do not parse are
    kept as typed and flagged; words beside a number are kept as its note), labelled and
    ordered so that the number most likely to reach the person comes first; time zones come
    from the numbers or the country/state columns when the file has none. Instruction rows
    above the column names and report footers are skipped and reported. Columns nothing reads
    are reported; map them with --map.
    """
    from callbook.interop import restore
    from callbook.interop.csv_import import ImportOptions, book_region, prepare, run
    from callbook.interop.problems import FileProblem, ImportFailed
    from callbook.interop.sheet import read_bytes
    from callbook.jigsaw import load_templates

    config = ctx.config()
    options = ImportOptions(
        preset=preset.strip().casefold(), maps=maps, template=template,
        on_duplicate=on_duplicate.strip().casefold(), region=region, dry_run=dry_run,
        details=as_json, encoding=encoding, date_order=date_order.strip().casefold(),
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
        if region is None and ctx.paths.db.exists():
            options.book_region = book_region(ctx.store())
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
        echo_json_stream(_report_json(report))  # 100k rows: written as they are encoded
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
    if report.kind == "vcard":
        head = f"{report.path}: {report.preset_label}; {report.encoding}"
        rows = _plural(report.counts["rows"], "card")
    else:
        head = (
            f"{report.path}: {report.preset_label} ({how}); {report.encoding}, "
            f"{report.delimiter}-separated"
        )
        rows = _plural(report.counts["rows"], "row")
    click.echo(f"{head}; {rows}")
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
    labelled = {d["number"]: d for d in changes.get("phone_details", ())}
    for key, value in changes.get("fields", {}).items():
        if key == "phones" and labelled:
            value = [_labelled(labelled.get(number), number) for number in value]
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key} {value}")
    for key in ("phones", "tags"):
        if changes.get(key):
            shown = changes[key]
            if key == "phones":
                shown = [_labelled(labelled.get(number), number) for number in shown]
            parts.append(f"+{key} {', '.join(shown)}")
    if changes.get("contacts"):
        parts.append("contacts " + ", ".join(changes["contacts"]))
    if changes.get("contacts_completed"):
        parts.append("completed " + ", ".join(changes["contacts_completed"]))
    for slot, value in changes.get("pieces", {}).items():
        parts.append(f"{slot}: {value}")
    for key, (old, new) in changes.get("kept", {}).items():
        parts.append(f"kept {key} {_shown(old)} (file: {_shown(new)})")
    return "; ".join(parts)


def _labelled(detail: dict | None, number: str) -> str:
    """`+61412345678 (mobile: tina)`: a number with its label and note."""
    if detail is None or (detail["label"] == "other" and not detail.get("note")):
        return number
    note = f": {detail['note']}" if detail.get("note") else ""
    return f"{number} ({detail['label']}{note})"


def _shown(value) -> str:
    if isinstance(value, list):
        return repr(", ".join(str(v) for v in value))
    return repr(value) if isinstance(value, str) else str(value)


# --- export --------------------------------------------------------------------------------


@main.command("export")
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    metavar="FORMAT",
    help="json (the backup: `callbook import` restores it), jsonl, csv, ics "
    "(scheduled callbacks as calendar events), or vcf (prospects and contacts as vCards for "
    "a phone's address book).",
)
@click.option(
    "--for",
    "crm",
    metavar="CRM",
    help="Files the CRM's own importer reads: hubspot, pipedrive, salesforce or close. "
    "Writes companies.csv, contacts.csv and calls.csv (the calls as activities, outcomes as "
    "the CRM's dispositions) into the folder given with -o.",
)
@click.option(
    "--vcard-version",
    default="3.0",
    show_default=True,
    metavar="VERSION",
    help="For --format vcf: 3.0 (what most phones read) or 4.0.",
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
@click.option("--force", is_flag=True, help="Replace an existing file given with -o.")
@pass_context
def export(ctx: Context, fmt: str, crm: str | None, vcard_version: str, what: str | None,
           output: Path | None, force: bool) -> None:  # fmt: skip
    """Export the book: everything it holds, pieces with their history, calls and sessions;
    or, with --format ics, the scheduled callbacks for a calendar (re-importing the file
    updates the events rather than duplicating them)."""
    from callbook.interop import export as ex

    if crm is not None:
        _export_for(ctx, crm.strip().casefold(), output)
        return
    fmt = fmt.strip().casefold()
    if fmt not in ("json", "jsonl", "csv", "ics", "vcf"):
        fail(f"--format {fmt!r}: one of json, jsonl, csv, ics, vcf")
    if fmt == "vcf":
        from callbook.interop import vcard

        if what is not None:
            fail("--what does not apply to --format vcf (it exports prospects and contacts)")
        if vcard_version not in vcard.VERSIONS:
            fail(f"--vcard-version {vcard_version!r}: one of {', '.join(vcard.VERSIONS)}")
        if output is not None:
            _check_output(ctx, output, force)
        store = ctx.store(create=False)
        with _output(ctx, output, force) as out:
            vcard.write_vcards(store, out, vcard_version)
        return
    if fmt == "ics":
        if what is not None:
            fail("--what does not apply to --format ics (it exports scheduled callbacks)")
        _export_ics(ctx, output, force)
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
        _write_csv_folder(ctx, store, output, force)
        return
    if output is not None:  # refused before the book is read
        _check_output(ctx, output, force)
    writers = {"json": ex.write_json, "jsonl": ex.write_jsonl}
    with _output(ctx, output, force) as out:
        if fmt == "csv":
            ex.write_csv(store, what, out)
        else:
            writers[fmt](store, what, out)


def _export_for(ctx: Context, crm: str, output: Path | None) -> None:
    from callbook.interop import crm_export
    from callbook.paths import private_file

    if crm not in crm_export.FORMATS:
        fail(f"--for {crm!r}: one of {', '.join(crm_export.FORMATS)}")
    if output is None:
        fail(f"--for {crm} writes companies.csv, contacts.csv and calls.csv: give a folder with -o")
    if output.exists() and not output.is_dir():
        fail(f"{output} is a file; --for {crm} needs a folder")
    store = ctx.store(create=False)
    counts = crm_export.write_for(store, crm, output)
    for name in counts:
        private_file(output / f"{name}.csv")
    label = crm_export.FORMATS[crm].label
    shown = ", ".join(f"{name}.csv ({n} rows)" for name, n in counts.items())
    click.echo(f"Wrote {shown} for {label}'s importer to {output}")


def _export_ics(ctx: Context, output: Path | None, force: bool) -> None:
    from callbook.interop import ics

    if output is not None:
        _check_output(ctx, output, force)
    config = ctx.config()
    store = ctx.store(create=False)
    data = ics.calendar(
        ics.callbacks(store), config.tz, store.clock(), book=ics.book_id(store),
        home_region=config.region,
    )  # fmt: skip
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_outputs(ctx, {output: data}, force)


def _write_csv_folder(ctx: Context, store, folder: Path, force: bool) -> None:
    """One private file per table in `folder`, all written or none (callbook.output)."""
    from callbook.interop import export as ex
    from callbook.paths import private_dir
    from callbook.store import bulk

    with bulk.reading(store) as conn:
        present = bulk.tables(conn)
    files = {}
    for table in present:
        buffer = io.StringIO(newline="")
        ex.write_csv(store, table, buffer)
        files[folder / f"{table}.csv"] = buffer.getvalue().encode("utf-8-sig")
    try:
        private_dir(folder)
    except OSError as exc:
        fail(f"{folder}: cannot create the folder ({exc.strerror or exc})")
    _write_outputs(ctx, files, force)
    click.echo(f"Wrote {', '.join(p.name for p in files)} to {folder}")


@contextlib.contextmanager
def _output(ctx: Context, output: Path | None, force: bool) -> Iterator[io.TextIOBase]:
    if output is None:
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    encoding = "utf-8-sig" if output.suffix.casefold() in (".csv", ".tsv") else "utf-8"
    _write_outputs(ctx, {output: buffer.getvalue().encode(encoding)}, force)


def _check_output(ctx: Context, output: Path, force: bool) -> None:
    from callbook.output import OutputError, check_destination, protected

    try:
        check_destination(output, force=force, keep=protected(ctx.paths.db))
    except OutputError as exc:
        fail(str(exc))


def _write_outputs(ctx: Context, files: dict[Path, bytes], force: bool) -> None:
    """Whole or not at all, private, never over the book (see callbook.output)."""
    from callbook.output import OutputError, protected, write_files

    try:
        write_files(files, force=force, keep=protected(ctx.paths.db))
    except OutputError as exc:
        fail(str(exc))
