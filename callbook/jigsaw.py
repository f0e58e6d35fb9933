"""Templates and the pure jigsaw logic: which slots of a prospect are known, which are missing.

Templates are TOML files: the built-ins ship in `callbook/templates/`, users add their own in
the config folder. Nothing here touches Textual or SQLite.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from callbook import toml_errors
from callbook.model import Piece, Role, Slot, TalkCard, Template

DEFAULT_TEMPLATE = "cold_call"

_TOP_KEYS = ("key", "name", "description", "slots", "talk_tracks")
_SLOT_KEYS = ("key", "label", "question", "weight", "aliases", "role", "availability")
_CARD_KEYS = ("title", "lines")
_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_SLOTS = 200  # the built-ins have 8 to 14; MEDDPICC-sized templates fit many times over
MAX_TEMPLATE_BYTES = 256 * 1024


class TemplateError(ValueError):
    """A template file that cannot be used; the message reads `<file>:<line>: <reason>`."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        super().__init__(f"{source}:{line}: {reason}")
        self.source = source
        self.line = line
        self.reason = reason


_Fail = Callable[[int, str], TemplateError]


# --- slot names ----------------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """Fold case and treat runs of spaces, underscores and hyphens as one space."""
    return re.sub(r"[\s_\-]+", " ", name.casefold()).strip()


@functools.lru_cache(maxsize=64)
def _name_index(template: Template) -> dict[str, Slot]:
    index: dict[str, Slot] = {}
    # Keys win over labels, labels over aliases, in case an unvalidated template repeats a name.
    slots = template.slots
    pairs = [(s.key, s) for s in slots] + [(s.label, s) for s in slots]
    pairs += [(alias, s) for s in slots for alias in s.aliases]
    for name, slot in pairs:
        index.setdefault(normalize_name(name), slot)
    return index


def resolve_slot(template: Template, name: str) -> Slot | None:
    """The slot whose key, label or alias is `name`, ignoring case, spaces, `_` and `-`."""
    return _name_index(template).get(normalize_name(name))


def suggest_slot(template: Template, name: str) -> Slot | None:
    """The slot `name` most likely meant ("budjet" -> budget), or None when nothing is close."""
    from rapidfuzz import fuzz, process

    wanted = normalize_name(name)
    if not wanted:
        return None
    index = _name_index(template)
    if wanted in index:
        return index[wanted]
    match = process.extractOne(wanted, list(index), scorer=fuzz.ratio, score_cutoff=75)
    if match is not None:
        return index[match[0]]
    # A clear abbreviation ("decision p") is a prefix of exactly one slot's names.
    if len(wanted) >= 3:
        slots = {id(s): s for n, s in index.items() if n.startswith(wanted)}
        if len(slots) == 1:
            return next(iter(slots.values()))
    return None


# --- loading templates ---------------------------------------------------------------------


class _Locator:
    """Best-effort line numbers for a parsed TOML document, found by scanning its text."""

    _HEADER = re.compile(r"\s*\[\[?\s*([\w\-. \"']+?)\s*\]\]?\s*(?:#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[tuple[str, int]] = []  # (table name, 0-based line)
        in_string: str | None = None
        for number, line in enumerate(self.lines):
            if in_string is None:
                match = self._HEADER.match(line)
                if match:
                    self.headers.append((match.group(1).strip("\"'"), number))
            # Skip header-looking lines inside multi-line strings.
            for quote in ('"""', "'''"):
                if in_string in (None, quote) and line.count(quote) % 2 == 1:
                    in_string = quote if in_string is None else None

    def _span(self, table: str | None, index: int = 0) -> tuple[int, int] | None:
        if table is None:
            end = self.headers[0][1] if self.headers else len(self.lines)
            return 0, end
        starts = [line for name, line in self.headers if name == table]
        if index >= len(starts):
            return None
        start = starts[index]
        end = next((line for _, line in self.headers if line > start), len(self.lines))
        return start, end

    def table(self, table: str, index: int) -> int:
        """The header line of the `index`-th `[[table]]`, else the line that assigns `table`."""
        span = self._span(table, index)
        if span is not None:
            return span[0] + 1
        return self.key(None, 0, table)

    def key(self, table: str | None, index: int, key: str) -> int:
        """The line assigning `key` in that table; its header line (or 1) if not found."""
        span = self._span(table, index)
        if span is None:
            return self.table(table, 0) if table else 1
        start, end = span
        pattern = re.compile(
            rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*="
        )
        for number in range(start, end):
            if pattern.match(self.lines[number]):
                return number + 1
        if table is None:
            # A top-level key may also be written as its own table: [key] or [[key]].
            for name, line in self.headers:
                if name == key:
                    return line + 1
            return 1
        return start + 1

    def text(self, table: str, index: int, key: str, needle: str) -> int:
        """The line in that table holding the string `needle` (in quotes), else the key's line."""
        span = self._span(table, index)
        if span is not None:
            for number in range(*span):
                line = self.lines[number]
                if f'"{needle}"' in line or f"'{needle}'" in line:
                    return number + 1
        return self.key(table, index, key)

    def end(self) -> int:
        return max(len(self.lines), 1)


def _string(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> tuple[str, str] | None:
    """The first key not in `allowed`, with the reason to give for it."""
    for name in data:
        if name not in allowed:
            return name, f"unknown key {name!r} (expected one of: {', '.join(allowed)})"
    return None


def load_template(text: str, source: str) -> Template:
    """Parse and validate one template file's text; `source` names it in errors.

    Raises TemplateError("<source>:<line>: <reason>") for the first problem found.
    """
    where = _Locator(text)

    def fail(line: int, reason: str) -> TemplateError:
        return TemplateError(source, line, reason)

    try:
        data = toml_errors.loads(text)
    except toml_errors.TomlFileError as exc:
        raise fail(exc.line, exc.reason) from None

    if unknown := _unknown(data, _TOP_KEYS):
        raise fail(where.key(None, 0, unknown[0]), unknown[1])
    for name in ("key", "name"):
        if name not in data:
            raise fail(1, f"missing {name!r}")
        if not _string(data[name]):
            raise fail(where.key(None, 0, name), f"{name!r} must be a non-empty string")
    if not _KEY_RE.fullmatch(data["key"]):
        raise fail(
            where.key(None, 0, "key"),
            f"key {data['key']!r} must be lowercase letters, digits and _, starting with a letter",
        )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise fail(where.key(None, 0, "description"), "'description' must be a string")

    raw_slots = data.get("slots")
    if raw_slots is None:
        raise fail(1, "no slots: add at least one [[slots]] table")
    if not isinstance(raw_slots, list) or not all(isinstance(s, dict) for s in raw_slots):
        raise fail(where.key(None, 0, "slots"), "'slots' must be tables written as [[slots]]")
    if not raw_slots:
        raise fail(where.key(None, 0, "slots"), "no slots: add at least one [[slots]] table")
    if len(raw_slots) > MAX_SLOTS:
        raise fail(
            where.table("slots", MAX_SLOTS),
            f"too many slots ({len(raw_slots)}; a template holds at most {MAX_SLOTS})",
        )

    slots: list[Slot] = []
    keys: set[str] = set()
    owners: dict[str, str] = {}  # normalized name -> key of the slot that has it
    for index, raw in enumerate(raw_slots):
        slot = _load_slot(raw, index, where, fail)
        if slot.key in keys:
            raise fail(where.key("slots", index, "key"), f"duplicate slot key {slot.key!r}")
        keys.add(slot.key)
        seen_aliases: set[str] = set()
        names = [("key", slot.key), ("label", slot.label), *(("alias", a) for a in slot.aliases)]
        for kind, name in names:
            folded = normalize_name(name)

            # Found only for an error: scanning the text for every name made loading quadratic.
            def line(kind=kind, name=name, index=index) -> int:
                if kind == "alias":
                    return where.text("slots", index, "aliases", name)
                return where.key("slots", index, kind)

            if kind == "alias":
                if not folded:
                    raise fail(line(), f"slot {slot.key!r}: alias {name!r} is empty")
                if folded in seen_aliases:
                    raise fail(line(), f"slot {slot.key!r}: duplicate alias {name!r}")
                seen_aliases.add(folded)
            owner = owners.setdefault(folded, slot.key)
            if owner != slot.key:
                raise fail(
                    line(),
                    f"slot {slot.key!r}: {kind} {name!r} is already a name of slot {owner!r}",
                )
        slots.append(slot)

    raw_cards = data.get("talk_tracks", [])
    if not isinstance(raw_cards, list) or not all(isinstance(c, dict) for c in raw_cards):
        raise fail(
            where.key(None, 0, "talk_tracks"),
            "'talk_tracks' must be tables written as [[talk_tracks]]",
        )
    cards = tuple(_load_card(raw, index, where, fail) for index, raw in enumerate(raw_cards))

    return Template(
        key=data["key"],
        name=data["name"].strip(),
        slots=tuple(slots),
        description=description.strip(),
        talk_tracks=cards,
        source=source,
    )


def _load_slot(raw: dict[str, Any], index: int, where: _Locator, fail: _Fail) -> Slot:
    name = f"slot {raw['key']!r}" if _string(raw.get("key")) else f"slot {index + 1}"
    if unknown := _unknown(raw, _SLOT_KEYS):
        raise fail(where.key("slots", index, unknown[0]), f"{name}: {unknown[1]}")
    for required in ("key", "label", "question"):
        if required not in raw:
            raise fail(where.table("slots", index), f"{name}: missing {required!r}")
        if not _string(raw[required]):
            raise fail(
                where.key("slots", index, required),
                f"{name}: {required!r} must be a non-empty string",
            )
    if not _KEY_RE.fullmatch(raw["key"]):
        raise fail(
            where.key("slots", index, "key"),
            f"{name}: key must be lowercase letters, digits and _, starting with a letter",
        )
    weight = raw.get("weight", 1.0)
    if (
        isinstance(weight, bool)
        or not isinstance(weight, int | float)
        or not math.isfinite(weight)
        or weight <= 0
    ):
        raise fail(
            where.key("slots", index, "weight"),
            f"{name}: weight must be a positive number, got {weight!r}",
        )
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise fail(
            where.key("slots", index, "aliases"), f"{name}: 'aliases' must be a list of strings"
        )
    role = raw.get("role")
    if role is not None:
        try:
            role = Role(role)
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise fail(
                where.key("slots", index, "role"),
                f"{name}: unknown role {role!r} (expected one of: {choices})",
            ) from None
    availability = raw.get("availability", False)
    if not isinstance(availability, bool):
        raise fail(
            where.key("slots", index, "availability"),
            f"{name}: 'availability' must be true or false",
        )
    return Slot(
        key=raw["key"],
        label=raw["label"].strip(),
        question=raw["question"].strip(),
        weight=float(weight),
        aliases=tuple(a.strip() for a in aliases),
        role=role,
        availability=availability,
    )


def _load_card(raw: dict[str, Any], index: int, where: _Locator, fail: _Fail) -> TalkCard:
    name = f"talk track {index + 1}"
    if unknown := _unknown(raw, _CARD_KEYS):
        raise fail(where.key("talk_tracks", index, unknown[0]), f"{name}: {unknown[1]}")
    for required in _CARD_KEYS:
        if required not in raw:
            raise fail(where.table("talk_tracks", index), f"{name}: missing {required!r}")
    if not _string(raw["title"]):
        raise fail(
            where.key("talk_tracks", index, "title"), f"{name}: 'title' must be a non-empty string"
        )
    lines = raw["lines"]
    if not isinstance(lines, list) or not lines or not all(_string(line) for line in lines):
        raise fail(
            where.key("talk_tracks", index, "lines"),
            f"{name}: 'lines' must be a non-empty list of non-empty strings",
        )
    return TalkCard(title=raw["title"].strip(), lines=tuple(line.strip() for line in lines))


@functools.cache
def _builtins() -> dict[str, Template]:
    folder = resources.files("callbook").joinpath("templates")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: (entry.name != f"{DEFAULT_TEMPLATE}.toml", entry.name),
    )
    templates: dict[str, Template] = {}
    for entry in files:
        template = load_template(entry.read_text(encoding="utf-8"), entry.name)
        templates[template.key] = replace(template, source="built-in")
    return templates


def builtin_templates() -> dict[str, Template]:
    """The templates shipped with callbook, cold_call first, keyed by template key."""
    return dict(_builtins())


@dataclass
class TemplateSet:
    """Every usable template, and one line per user file that could not be loaded."""

    templates: dict[str, Template]
    errors: list[str] = field(default_factory=list)

    @property
    def default(self) -> Template:
        return self.templates.get(DEFAULT_TEMPLATE) or builtin_templates()[DEFAULT_TEMPLATE]

    def get(self, key: str | None) -> Template:
        """The template `key`, or the default (cold_call) when there is no such template."""
        if key is not None and key in self.templates:
            return self.templates[key]
        return self.default


def load_templates(templates_dir: Path | None) -> TemplateSet:
    """The built-in templates plus every `*.toml` file in `templates_dir` (if given).

    A user template with the same key as a built-in replaces it. A file that cannot be read or
    does not validate is skipped and reported in `errors`; the other templates still load. When
    two user files share a key, the first by file name wins and the second is an error.
    """
    templates = builtin_templates()
    errors: list[str] = []
    if templates_dir is None or not templates_dir.is_dir():
        return TemplateSet(templates, errors)
    from_user: dict[str, Path] = {}
    for path in sorted(templates_dir.glob("*.toml")):
        try:  # a link to /dev/zero or a FIFO is refused before it is read
            text = toml_errors.read_text(path, MAX_TEMPLATE_BYTES)
        except toml_errors.TomlFileError as exc:
            errors.append(f"{path}:{exc.line}: {exc.reason}")
            continue
        try:
            template = load_template(text, str(path))
        except TemplateError as exc:
            errors.append(str(exc))
            continue
        if template.key in from_user:
            line = _Locator(text).key(None, 0, "key")
            first = from_user[template.key].name
            errors.append(
                f"{path}:{line}: template key {template.key!r} is already used by {first}"
            )
            continue
        from_user[template.key] = path
        templates[template.key] = template
    return TemplateSet(templates, errors)


# --- the jigsaw ----------------------------------------------------------------------------


def current_pieces(pieces: Iterable[Piece]) -> dict[str, Piece]:
    """The current piece of each slot key: not superseded, not undone, newest learned_at."""
    best: dict[str, Piece] = {}
    for piece in pieces:
        if not piece.current:
            continue
        held = best.get(piece.slot)
        if held is None or (piece.learned_at, piece.id) > (held.learned_at, held.id):
            best[piece.slot] = piece
    return best


@dataclass(frozen=True)
class KnownSlot:
    slot: Slot
    piece: Piece


@dataclass(frozen=True)
class Jigsaw:
    """A prospect's slots, each known (with its current piece) or missing, in template order."""

    template: Template
    known: tuple[KnownSlot, ...]
    missing: tuple[Slot, ...]
    extra: tuple[Piece, ...]  # current pieces in slots the template lacks: shown, not counted
    completion: float  # weight of the known slots / weight of all slots, 0..1
    suggested_objective: str | None  # the question of the most important missing slot

    @property
    def most_important_missing(self) -> Slot | None:
        """The heaviest missing slot; the first in template order on a tie."""
        best: Slot | None = None
        for slot in self.missing:
            if best is None or slot.weight > best.weight:
                best = slot
        return best

    def known_values(self) -> dict[str, str]:
        """Slot key -> current value, for the template's known slots."""
        return {k.slot.key: k.piece.value for k in self.known}


def build_jigsaw(template: Template, pieces: Iterable[Piece]) -> Jigsaw:
    """Lay a prospect's pieces (any order, any history) onto its template."""
    current = current_pieces(pieces)
    known = tuple(KnownSlot(s, current[s.key]) for s in template.slots if s.key in current)
    missing = tuple(s for s in template.slots if s.key not in current)
    keys = {s.key for s in template.slots}
    extra = tuple(
        sorted(
            (p for p in current.values() if p.slot not in keys),
            key=lambda p: (p.learned_at, p.id),
            reverse=True,
        )
    )
    total = sum(s.weight for s in template.slots)
    completion = sum(k.slot.weight for k in known) / total if total > 0 else 0.0
    jigsaw = Jigsaw(template, known, missing, extra, completion, None)
    target = jigsaw.most_important_missing
    return replace(jigsaw, suggested_objective=target.question if target else None)
