"""Importing a CSV export into the book, all or nothing.

Steps: read the file (`sheet`; a vCard file through `vcard`, as rows of fixed columns),
choose a preset and map the columns (`presets`), turn every row into a prospect record
(`records`) — stopping there if any row is in error — then, inside one
write transaction, find duplicates against the book and earlier rows (`dedupe`), decide per
`--on-duplicate`, and write: merges into the book row by row under savepoints, new prospects in
bulk (re-run row by row only to name the row when the bulk insert fails). Any failure names its
line and rolls the whole import back. A dry run takes the same decisions in a read transaction
and writes nothing. Cells first lose the apostrophe a spreadsheet-safe export puts before text
a spreadsheet would run as a formula (`formula`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import sqlite3
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from callbook.config import Config
from callbook.interop import fanout
from callbook.interop import presets as P
from callbook.interop.dedupe import (
    DuplicateIndex,
    Keys,
    Match,
    company_key,
    domain_key,
    keys_for,
)
from callbook.interop.formula import unguard
from callbook.interop.problems import FileProblem, ImportFailed, Problem
from callbook.interop.records import NAME_TARGETS, Candidate, RowContext, RowReader
from callbook.interop.records import country_code as cached_country_code
from callbook.interop.sheet import Sheet, read_sheet
from callbook.jigsaw import TemplateSet
from callbook.model import NewContact, same_value
from callbook.phones import country_code
from callbook.store import Store, bulk

ON_DUPLICATE = ("merge", "skip", "new")
DATE_ORDERS = ("mdy", "dmy")
# Regions tried on numbers that do not read in the file's region, to say which would.
_REGIONS_TRIED = ("US", "GB", "AU", "CA", "NZ", "IE", "DE", "FR", "ES", "IT", "NL", "IN", "ZA",
                  "SG", "BR", "MX", "PL", "SE", "CH", "AT", "BE", "JP")  # fmt: skip
# A merge fills what the book lacks; these it never changes.
_NEVER_MERGED = frozenset({"name", "template"})


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector while building many small objects: each of its full
    passes walks every object made so far, which made big imports quadratic."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Progress(Protocol):
    def start(self, label: str, total: int) -> None: ...
    def advance(self, count: int) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class ImportOptions:
    preset: str = "auto"
    maps: tuple[str, ...] = ()
    template: str | None = None
    on_duplicate: str = "merge"
    region: str | None = None
    dry_run: bool = False
    details: bool = True  # what each added row holds, in the report (a dry run always has it)
    encoding: str | None = None  # the file's encoding, when detection cannot tell
    date_order: str = "mdy"  # numeric dates that could be either: "mdy" (3/4 is March 4) or "dmy"
    book_region: str | None = None  # the country most of the book's numbers are in


@dataclass
class RowResult:
    line: int
    action: str  # "add", "merge" or "skip"
    name: str
    prospect_id: int | None = None
    duplicate_of: str | None = None  # "#12 Acme Corp" or "line 4 Acme Corp"
    reason: str | None = None  # why it is a duplicate
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportReport:
    path: Path
    kind: str = "csv"  # or "vcard"
    preset: str = ""
    preset_label: str = ""
    detected: bool = False
    encoding: str = ""
    delimiter: str = ""
    columns: list[P.Column] = field(default_factory=list)
    unmapped: list[tuple[str, int]] = field(default_factory=list)  # (column, values in it)
    notices: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False
    on_duplicate: str = "merge"
    counts: dict[str, int] = field(default_factory=dict)


# --- preparing -----------------------------------------------------------------------------


@dataclass
class Prepared:
    sheet: Sheet
    report: ImportReport
    candidates: list[Candidate]
    distinct: bool = False  # rows are distinct prospects (callbook's own export): never merged


@_quiet_gc()
def prepare(
    path: Path,
    options: ImportOptions,
    config: Config,
    templates: TemplateSet,
    progress: Progress | None = None,
) -> Prepared:
    """Read, map and check every row. Raises FileProblem (the file as a whole) or
    ImportFailed (rows in error); nothing touches the book."""
    progress = progress or NoProgress()
    if options.on_duplicate not in ON_DUPLICATE:
        raise FileProblem(f"--on-duplicate must be one of {', '.join(ON_DUPLICATE)}")
    if options.date_order not in DATE_ORDERS:
        raise FileProblem(f"--date-order must be one of {', '.join(DATE_ORDERS)}")
    if options.preset not in P.CHOICES:
        raise FileProblem(f"unknown preset {options.preset!r} (presets: {', '.join(P.CHOICES)})")
    template_key = options.template or config.default_template
    if template_key not in templates.templates:
        raise FileProblem(
            f"unknown template {template_key!r} "
            f"(templates: {', '.join(sorted(templates.templates))})"
        )
    template = templates.templates[template_key]
    region = (options.region or options.book_region or config.region or "US").upper()
    from callbook.phones import is_region

    if not is_region(region):
        raise FileProblem(f"--region {region!r}: not a two-letter country code such as US or GB")
    maps = []
    for option in options.maps:
        try:
            maps.append(P.parse_map(option))
        except P.MapError as exc:
            raise FileProblem(str(exc)) from None

    from callbook.interop import vcard

    is_vcard = vcard.looks_like_vcard(_head(path))
    if is_vcard:
        if options.preset != "auto":
            raise FileProblem(f"{path} is a vCard file: --preset does not apply")
        sheet = vcard.read_sheet(path, options.encoding)
    else:
        sheet = read_sheet(path, options.encoding, P.is_known_header)
        _unguard(sheet)
    if is_vcard:
        preset, score, detected = P.VCARD, 1, True
    elif options.preset == "auto":
        preset, score = P.detect(sheet.header)
        detected = True
    else:
        preset, score, detected = P.PRESETS[options.preset], 0, False
    try:
        columns = P.map_columns(sheet.header, preset, template, maps)
    except P.MapError as exc:
        raise FileProblem(str(exc)) from None
    report = ImportReport(
        path=path,
        kind="vcard" if is_vcard else "csv",
        preset=preset.key,
        preset_label=preset.label,
        detected=detected and score > 0,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter_name,
        columns=columns,
        notices=list(sheet.notices),
        dry_run=options.dry_run,
        on_duplicate=options.on_duplicate,
    )
    if not any(c.target in NAME_TARGETS for c in columns):
        shown = ", ".join(repr(c.label) for c in columns[:20])
        raise FileProblem(
            f"{path}: no column gives a prospect's name or company ({preset.label}; "
            f'columns: {shown}); map one with --map "Column=name" or "Column=company"'
        )
    if not sheet.rows and not sheet.problems:
        raise FileProblem(f"{path}: the file has column names but no rows; nothing to import")
    report.unmapped = _unmapped(sheet, columns)

    context = RowContext(
        region=region,
        tz=config.tz,
        day_start=config.calling_hours.start,
        template=template_key,
        templates=frozenset(templates.templates),
        multi_value=preset.multi_value,
        date_order=options.date_order,
        verbatim=preset is P.CALLBOOK,
    )
    reader = RowReader(columns, context)
    if len(sheet.rows) >= fanout.PARALLEL_MIN:
        reader.known = fanout.normalize_all(reader.phone_requests(sheet.rows))
    errors = list(sheet.problems)
    candidates: list[Candidate] = []
    progress.start(f"Reading {path.name}", len(sheet.rows))
    try:
        for done, (line, cells) in enumerate(sheet.rows, 1):
            candidate, row_errors, row_warnings = reader.read(line, cells)
            errors += row_errors
            report.warnings += row_warnings
            if candidate is not None:
                candidates.append(candidate)
            if done % 1000 == 0:
                progress.advance(1000)
    finally:
        progress.finish()
    for name, rows in sorted(context.several.items()):
        fed_by = [c.label for c in columns if c.target in (name, f"piece:{name}")]
        report.notices.append(
            f"{rows} row(s) had more than one {name.replace('_', ' ')} "
            f"(columns {', '.join(repr(c) for c in fed_by)}); the first was kept"
        )
    from_book = options.book_region and not options.region and options.book_region != (
        config.region or "US").upper()  # fmt: skip
    if from_book and context.numbers["default_region"]:
        report.notices.append(
            f"{context.numbers['default_region']} number(s) without a country code read as "
            f"{region} numbers (most of the book is there; a row's country, email or website "
            "would have said otherwise); --region changes it"
        )
    suggestion = _region_suggestion(context, region)
    if suggestion:
        report.notices.append(suggestion)
    errors.sort(key=lambda p: p.line or 0)
    if errors:
        raise ImportFailed(path, errors, report)
    return Prepared(sheet, report, candidates, distinct=preset is P.CALLBOOK)


def _region_suggestion(context: RowContext, region: str) -> str | None:
    """When most numbers of the file do not read, the region that reads most of them."""
    flagged, read = context.numbers["flagged"], context.numbers["read"]
    if flagged < 3 or flagged <= read:
        return None
    from callbook import phones

    sample = context.flagged
    best, best_count = None, 0
    for other in _REGIONS_TRIED:
        if other == region:
            continue
        count = sum(1 for typed in sample if phones.normalize(typed, other).ok)
        if count > best_count:
            best, best_count = other, count
    total = flagged + read
    text = f"{flagged} of {total} numbers do not read as {region} numbers"
    if best is None or best_count * 2 < len(sample):
        return text + "; none of the usual regions reads them either"
    return (
        f"{text}; as {best} numbers {best_count} of the {len(sample)} looked at would: "
        f"try --region {best}"
    )


def book_region(store: Store) -> str | None:
    """The country most of the book's prospects are in (their country, else their first
    number's), when more than half agree; None for an empty book."""
    from collections import Counter

    from callbook import phones
    from callbook.store import rows

    votes: Counter = Counter()
    with bulk.reading(store) as conn:
        sample = bulk.country_sample(conn)
    for country, numbers in sample:
        code = phones.country_code(country) if country else None
        if code is None:
            first = next(iter(rows.from_json_list(numbers)), None)
            if first and first.startswith("+"):
                code = phones.normalize(first).region
        if code:
            votes[code] += 1
    if not votes:
        return None
    code, count = votes.most_common(1)[0]
    return code if count * 2 > sum(votes.values()) else None


def _head(path: Path) -> bytes:
    """The file's first bytes, to tell a vCard file; b"" when unreadable (the reader then
    says why)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(256)
    except OSError:
        return b""


def _unguard(sheet: Sheet) -> None:
    """Take off, in place, the apostrophe a CSV export (ours or a CRM's) puts before text a
    spreadsheet would run as a formula."""
    for _, cells in sheet.rows:
        # One join tells whether any cell of the row starts with an apostrophe; few do.
        if "\0'" in "\0" + "\0".join(cells):
            cells[:] = [unguard(cell) for cell in cells]


def _unmapped(sheet: Sheet, columns: list[P.Column]) -> list[tuple[str, int]]:
    """Columns nothing reads, with how many values they hold; empty ones are not worth it."""
    out = []
    for column in columns:
        if column.target is not None:
            continue
        filled = sum(1 for _, cells in sheet.rows if cells[column.index].strip())
        if filled:
            out.append((column.label, filled))
    return out


# --- deciding and writing ------------------------------------------------------------------


@dataclass
class _Contact:
    id: int | None  # None until written
    contact: NewContact
    fill: NewContact | None = None  # what a merge brings to a known contact's gaps


@dataclass
class _Target:
    """A prospect rows may merge into: one in the book, or one this import adds."""

    label: str
    fields: dict[str, Any]
    contacts: list[_Contact] = field(default_factory=list)
    pieces: dict[str, str] = field(default_factory=dict)
    prospect_id: int | None = None


@_quiet_gc()
def run(
    store: Store,
    prepared: Prepared,
    options: ImportOptions,
    progress: Progress | None = None,
) -> ImportReport:
    """Decide add / merge / skip for every row against the book, then write it all (or, for a
    dry run, nothing). Raises ImportFailed, with the book unchanged, if any row fails."""
    progress = progress or NoProgress()
    report = prepared.report
    candidates = prepared.candidates
    path = prepared.sheet.path
    policy = options.on_duplicate
    decided = stamp = None
    if options.dry_run:
        transaction = bulk.reading(store)
    else:
        # The duplicate checks read the book and decide every row without writing: done in a
        # read transaction first, so that the write lock is held for the writing alone; taken
        # again under the lock only if the book changed in between (`bulk.book_stamp`).
        with bulk.reading(store) as conn:
            stamp = bulk.book_stamp(conn)
            decided = _plan(conn, candidates, policy, prepared.distinct)
        transaction = bulk.writing(store)
    with transaction as conn:
        if decided is None or bulk.book_stamp(conn) != stamp:
            decided = _plan(conn, candidates, policy, prepared.distinct)
        decisions, targets = decided
        results = []
        for candidate, action, key, match in decisions:
            result = RowResult(candidate.line, action, candidate.name)
            if match is not None:
                result.duplicate_of = targets[match.target].label
                result.reason = match.reason
            if action == "merge":
                result.changes = _merge(targets[key], candidate)
            results.append((result, key))
        if options.details or options.dry_run:
            for result, key in results:
                if result.action == "add":
                    result.changes = _summary(targets[key])
        if not options.dry_run:
            problems = _write(store, conn, results, targets, progress)
            if problems:
                report.rows = [r for r, _ in results]
                raise ImportFailed(path, problems, report)
    for result, key in results:
        if key is not None and result.prospect_id is None:
            result.prospect_id = targets[key].prospect_id
    report.rows = [r for r, _ in results]
    report.counts = _counts(results, targets, len(candidates))
    return report


def _plan(conn, candidates: list[Candidate], policy: str, distinct: bool = False):
    """`_decide`, and what the book holds of each prospect rows merge into. Reads only, and
    changes no candidate: it can be thrown away and done again."""
    decisions, targets = _decide(conn, candidates, policy, distinct)
    book_ids = [k[1] for k in targets if k[0] == "book"]
    for pid, state in bulk.prospect_states(conn, book_ids).items():
        target = targets[("book", pid)]
        target.fields = state.fields
        target.contacts = [_Contact(cid, c) for cid, c in state.contacts]
        target.pieces = dict(state.pieces)
        target.prospect_id = pid
    return decisions, targets


def _decide(conn, candidates: list[Candidate], policy: str, distinct: bool = False):
    """Each row's action. With `distinct`, rows are matched against the book only: one
    export's rows are different prospects even where they share a number or an address."""
    index = DuplicateIndex()
    names: dict[int, str] = {}
    places = bulk.book_places(conn)
    for pid, name, company, phones, email, website in bulk.book_keys(conn):
        city, country = places.get(pid, (None, None))
        index.add(
            ("book", pid),
            keys_for(phones, email, website, company or name, name, (city, _country(country))),
        )
        names[pid] = name
    targets: dict[Hashable, _Target] = {}
    decisions: list[tuple[Candidate, str, Hashable | None, Match | None]] = []
    for candidate in candidates:
        keys = _keys(candidate)
        match = None
        if distinct and names.get(candidate.source_id) == candidate.name:
            # The book it was exported from: the row is the prospect with its id.
            match = Match(("book", candidate.source_id), f"same id #{candidate.source_id}")
        match = match or index.find(keys)
        if match is not None and match.target not in targets:
            pid = match.target[1]
            targets[match.target] = _Target(f"#{pid} {names[pid]}", {})
        if match is None or policy == "new":
            key = ("row", candidate.line)
            targets[key] = _Target(
                f"line {candidate.line} {candidate.name}",
                candidate.fields,  # the candidate is not read again: its dicts can grow here
                [_Contact(None, c) for c in candidate.contacts],
                candidate.pieces,
            )
            if not distinct:
                index.add(key, keys)
            decisions.append((candidate, "add", key, match))
        elif policy == "skip":
            decisions.append((candidate, "skip", None, match))
        else:
            index.add(match.target, keys)
            decisions.append((candidate, "merge", match.target, match))
    return decisions, targets


def _keys(candidate: Candidate) -> Keys:
    fields = candidate.fields
    company = fields.get("company")
    person = None
    if company is None:
        if any(c.name == fields["name"] for c in candidate.contacts):
            person = fields["name"]  # a person alone: only the very same name is a duplicate
        else:
            company = fields["name"]  # a name column that is not a person's name
    return keys_for(
        fields.get("phones", ()), fields.get("email"), fields.get("website"), company, person,
        (fields.get("city"), _country(fields.get("country"))),
    )


def _country(value: str | None) -> str | None:
    return (cached_country_code(value) or value) if value else None


def _merge(target: _Target, candidate: Candidate) -> dict[str, Any]:
    """Fold a duplicate row into its target: fill what is empty, add new phones, tags,
    contacts and pieces; never change a value already known (those are listed as kept)."""
    filled: dict[str, Any] = {}
    kept: dict[str, list] = {}
    changes: dict[str, Any] = {}
    for key, value in candidate.fields.items():
        if key in _NEVER_MERGED or key == "phone_details":
            continue
        current = target.fields.get(key)
        if key in ("phones", "tags"):
            have = list(current or [])
            new = [v for v in value if v not in have]
            if new:
                target.fields[key] = have + new
                changes[key] = new
                if key == "phones":
                    added = [d for d in candidate.phone_details if d["number"] in new]
                    target.fields.setdefault("phone_details", []).extend(added)
                    if added:
                        changes["phone_details"] = added
        elif current in (None, ""):
            target.fields[key] = value
            filled[key] = plain(value)
        elif _differs(current, value) and not _same_thing(key, current, value, candidate):
            kept[key] = [plain(current), plain(value)]
    added, completed = [], []
    for contact in candidate.contacts:
        for known in target.contacts:
            if known.contact.name.casefold() == contact.name.casefold():
                old = known.contact
                merged = dataclasses.replace(
                    old,
                    title=old.title or contact.title,
                    phone=old.phone or contact.phone,
                    email=old.email or contact.email,
                )
                if merged != old:
                    known.contact = merged
                    known.fill = merged
                    completed.append(contact.name)
                break
        else:
            target.contacts.append(_Contact(None, contact))
            added.append(contact.name)
    pieces: dict[str, str] = {}
    for slot, value in candidate.pieces.items():
        current = target.pieces.get(slot)
        if current is None:
            target.pieces[slot] = value
            pieces[slot] = value
        elif not same_value(current, value):
            kept[f"piece {slot}"] = [current, value]
    for contact in candidate.contacts:
        # A colleague's details that differ from the known contact's: named, never dropped.
        for known in target.contacts:
            old = known.contact
            if old.name.casefold() != contact.name.casefold():
                continue
            for attr in ("title", "phone", "email"):
                mine, theirs = getattr(old, attr), getattr(contact, attr)
                if mine and theirs and _differs(mine, theirs):
                    kept[f"{contact.name} {attr}"] = [mine, theirs]
    if filled:
        changes["fields"] = filled
    if added:
        changes["contacts"] = added
    if completed:
        changes["contacts_completed"] = completed
    if pieces:
        changes["pieces"] = pieces
    if kept:
        changes["kept"] = kept
    return changes


def _same_thing(key: str, current: Any, value: Any, candidate: Candidate) -> bool:
    """Differences not worth listing: "Acme Corp" for "ACME Corporation", another page of the
    same website, "USA" for "US", and a colleague's email, which stays on their contact."""
    if key == "company":
        return company_key(current) == company_key(value)
    if key == "website":
        return domain_key(current) == domain_key(value) != ""
    if key == "country":
        return country_code(current) == country_code(value) is not None
    if key == "email":
        return any(c.email == value for c in candidate.contacts)
    return False


def _differs(current: Any, value: Any) -> bool:
    if isinstance(current, str) and isinstance(value, str):
        return not same_value(current, value)
    return plain(current) != plain(value)


def plain(value: Any) -> Any:
    """A value as the report shows it: a status's word, a time in ISO 8601, a list's items;
    never a Python object's repr."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _summary(target: _Target) -> dict[str, Any]:
    fields = {
        k: plain(v)
        for k, v in target.fields.items()
        if k not in ("name", "template", "phone_details") and v
    }
    summary: dict[str, Any] = {"fields": fields}
    if target.fields.get("phone_details"):
        summary["phone_details"] = target.fields["phone_details"]
    if target.contacts:
        summary["contacts"] = [c.contact.name for c in target.contacts]
    if target.pieces:
        summary["pieces"] = dict(target.pieces)
    return summary


def _write(store: Store, conn, results, targets, progress: Progress) -> list[Problem]:
    """Merges into the book first, row by row under savepoints; then every new prospect in a
    few bulk statements (re-run row by row only to name the row when one fails)."""
    now = bulk.now_text(store)
    problems: list[Problem] = []
    adds = [(r, targets[k]) for r, k in results if r.action == "add"]
    merges = [(r, k) for r, k in results if r.action == "merge" and k[0] == "book"]
    progress.start("Writing", len(adds) + len(merges))
    try:
        written: set[Hashable] = set()
        for result, key in merges:
            progress.advance(1)
            if key in written:
                continue  # every row merging into it is folded in: written once
            try:
                with bulk.savepoint(conn):
                    _write_merge(store, conn, targets[key], now)
                written.add(key)
            except (ValueError, TypeError, sqlite3.Error) as exc:
                problems.append(Problem(result.line, None, f"cannot merge: {exc}"))
        with bulk.recall_deferred(conn):
            problems += _write_new(store, conn, adds, now)
        progress.advance(len(adds))
    finally:
        progress.finish()
    return problems


def _write_new(store: Store, conn, adds: list[tuple[RowResult, _Target]],
               now: str) -> list[Problem]:  # fmt: skip
    # The details leave the fields here: the store's prospect row has no such column.
    records = [
        bulk.NewProspect(
            t.fields, [c.contact for c in t.contacts], t.pieces, t.fields.pop("phone_details", None)
        )
        for _, t in adds
    ]
    try:
        with bulk.savepoint(conn, "import_adds"):
            ids, invalid = bulk.add_many(store, conn, records, now)
    except sqlite3.Error:
        return _write_new_slowly(store, conn, adds, now)
    if invalid:
        return [Problem(adds[index][0].line, None, reason) for index, reason in invalid]
    for (_, target), pid in zip(adds, ids, strict=True):
        target.prospect_id = pid
    return []


def _write_new_slowly(store: Store, conn, adds, now: str) -> list[Problem]:
    problems = []
    for result, target in adds:
        try:
            with bulk.savepoint(conn):
                fields = {k: v for k, v in target.fields.items() if k != "phone_details"}
                pid = bulk.insert_prospect(store, conn, fields, now)
                for known in target.contacts:
                    bulk.insert_contact(conn, pid, known.contact, now)
                for slot, value in target.pieces.items():
                    bulk.insert_piece(conn, pid, slot, value, now)
            target.prospect_id = pid
        except (ValueError, TypeError, sqlite3.Error) as exc:
            problems.append(Problem(result.line, None, f"cannot add: {exc}"))
    return problems


def _write_merge(store: Store, conn, target: _Target, now: str) -> None:
    pid = target.prospect_id
    state = bulk.prospect_states(conn, [pid])[pid]
    changed = {
        k: v
        for k, v in target.fields.items()
        if k not in _NEVER_MERGED
        and k != "phone_details"
        and v != state.fields.get(k)
        and v not in (None, "")
    }
    if changed:
        bulk.update_prospect(store, conn, pid, changed, now)
    for known in target.contacts:
        if known.id is None:
            known.id = bulk.insert_contact(conn, pid, known.contact, now)
        elif known.fill is not None:
            bulk.fill_contact(conn, known.id, known.fill)
    for slot, value in target.pieces.items():
        if slot not in state.pieces:
            bulk.insert_piece(conn, pid, slot, value, now)


def _counts(results: list[tuple[RowResult, Hashable | None]], targets: dict[Hashable, _Target],
            total: int) -> dict[str, int]:  # fmt: skip
    counts = {"rows": total, "added": 0, "merged": 0, "skipped": 0, "contacts": 0, "pieces": 0}
    for row, key in results:
        counts[{"add": "added", "merge": "merged", "skip": "skipped"}[row.action]] += 1
        if row.action == "merge" and key[0] == "book":
            counts["contacts"] += len(row.changes.get("contacts", ()))
            counts["pieces"] += len(row.changes.get("pieces", ()))
    for key, target in targets.items():
        if key[0] == "row":  # added, with whatever later rows merged into it
            counts["contacts"] += len(target.contacts)
            counts["pieces"] += len(target.pieces)
    return counts


def import_file(
    store: Store,
    path: Path,
    options: ImportOptions,
    config: Config,
    templates: TemplateSet,
    progress: Progress | None = None,
) -> ImportReport:
    """Prepare and run an import in one go."""
    prepared = prepare(path, options, config, templates, progress)
    return run(store, prepared, options, progress)
