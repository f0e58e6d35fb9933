"""vCard (.vcf) in and out: what phones, Google and Apple Contacts exchange.

Reading turns each card into a row of a `Sheet` with fixed column names, so that a vCard file
goes through the same import as a CSV (the `vcard` preset, labelled numbers, regions,
duplicates, the report). Writing gives one card per prospect (its numbers, the first preferred)
and one per named contact with a phone or an email, in vCard 3.0 (what most phones read) or
4.0.

Own parser of the small subset callers' files use (RFC 2426 and RFC 6350: FN, N, ORG, TITLE,
TEL, EMAIL, URL, ADR, NOTE, CATEGORIES, TZ; grouped Apple labels `item1.X-ABLabel`; vCard 2.1's
bare types and quoted-printable) rather than a library: the subset is a few dozen lines, the
maintained libraries are much larger and one more dependency for a feature this size, and a
parser of our own reports a fault by its line like the CSV reader does.
"""

from __future__ import annotations

import quopri
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from callbook import __version__, phones
from callbook.interop.problems import FileProblem, Problem
from callbook.interop.sheet import Sheet, decode, read_bytes

VERSIONS = ("3.0", "4.0")
_BEGIN = re.compile(r"\s*begin:vcard\s*$", re.IGNORECASE)
_APPLE_LABEL = re.compile(r"_\$!<(.+?)>!\$_")


def looks_like_vcard(data: bytes) -> bool:
    head = data[:256]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as some address books write
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(b"begin:vcard")


@dataclass
class Card:
    line: int
    values: dict[str, list[tuple[str, dict[str, list[str]]]]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        found = self.values.get(name)
        return found[0][0] if found else ""

    def all(self, name: str) -> list[tuple[str, dict[str, list[str]]]]:
        return self.values.get(name, [])


# --- reading --------------------------------------------------------------------------------


def _unfold(text: str) -> list[tuple[int, str]]:
    """Logical lines with the line each starts on: a line starting with a space or a tab
    continues the one before; a quoted-printable line ending in "=" continues on the next."""
    out: list[tuple[int, str]] = []
    pending_qp = False
    for number, raw in enumerate(text.splitlines(), 1):
        if out and (raw[:1] in (" ", "\t")):
            out[-1] = (out[-1][0], out[-1][1] + raw[1:])
        elif out and pending_qp:
            out[-1] = (out[-1][0], out[-1][1][:-1] + raw)
        else:
            out.append((number, raw))
        current = out[-1][1] if out else ""
        pending_qp = "quoted-printable" in current.split(":", 1)[0].casefold() and current.endswith(
            "="
        )
    return out


def _split_line(line: str) -> tuple[str, dict[str, list[str]], str] | None:
    """`item1.TEL;TYPE=work,voice;PREF=1:+1 212` -> ("TEL", {"type": [...], ...}, value)."""
    head, colon, value = line.partition(":")
    if not colon:
        return None
    parts = _split_unquoted(head, ";")
    name = parts[0].rsplit(".", 1)[-1].strip().upper()
    group = parts[0].rsplit(".", 1)[0].casefold() if "." in parts[0] else ""
    params: dict[str, list[str]] = {"group": [group]} if group else {}
    for part in parts[1:]:
        key, eq, val = part.partition("=")
        if not eq:  # vCard 2.1: a bare type ("TEL;WORK;VOICE:")
            key, val = "type", key
        items = [v.strip() for v in val.replace('"', "").split(",")]
        params.setdefault(key.strip().casefold(), []).extend(i for i in items if i)
    return name, params, value


def _split_unquoted(text: str, separator: str) -> list[str]:
    parts, current, quoted = [], "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == separator and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def _components(value: str) -> list[str]:
    """A structured value (N, ADR, ORG) split on unescaped semicolons, each unescaped."""
    return [_unescape(p) for p in re.split(r"(?<!\\);", value)]


def _decoded(value: str, params: dict[str, list[str]]) -> str:
    if "quoted-printable" in [e.casefold() for e in params.get("encoding", [])]:
        charset = (params.get("charset") or ["utf-8"])[0]
        try:
            return quopri.decodestring(value.encode("latin-1", "replace")).decode(charset)
        except (LookupError, UnicodeDecodeError):
            return value
    return value


def read_cards(path: Path, text: str) -> tuple[list[Card], list[Problem]]:
    cards: list[Card] = []
    problems: list[Problem] = []
    labels: dict[str, str] = {}  # group -> Apple's label for the card being read
    card: Card | None = None
    for number, line in _unfold(text):
        if not line.strip():
            continue
        if _BEGIN.fullmatch(line):
            if card is not None:
                problems.append(Problem(card.line, None, "BEGIN:VCARD without END:VCARD"))
            card, labels = Card(number), {}
            continue
        if line.strip().casefold() == "end:vcard":
            if card is None:
                problems.append(Problem(number, None, "END:VCARD without BEGIN:VCARD"))
            else:
                _apply_labels(card, labels)
                cards.append(card)
            card = None
            continue
        if card is None:
            problems.append(Problem(number, None, f"outside any card: {line[:40]!r}"))
            continue
        split = _split_line(line)
        if split is None:
            problems.append(Problem(number, None, f"not a vCard line (no ':'): {line[:40]!r}"))
            continue
        name, params, value = split
        value = _decoded(value, params)
        if name == "X-ABLABEL" and params.get("group"):
            labels[params["group"][0]] = _APPLE_LABEL.sub(r"\1", _unescape(value))
            continue
        card.values.setdefault(name, []).append((value, params))
    if card is not None:
        problems.append(Problem(card.line, None, "BEGIN:VCARD without END:VCARD"))
    if not cards:
        raise FileProblem(f"{path}: no vCards in the file (a card starts with BEGIN:VCARD)")
    return cards, problems


def _apply_labels(card: Card, labels: dict[str, str]) -> None:
    for entries in card.values.values():
        for _, params in entries:
            group = params.get("group", [""])[0]
            if group in labels:
                params.setdefault("type", []).append(labels[group])


def _tel(value: str) -> str:
    text = _unescape(value).strip()
    return text[4:] if text.casefold().startswith("tel:") else text


HEADER_FIXED = [
    "Name", "First Name", "Middle Name", "Last Name", "Organization", "Title", "Website",
    "City", "Region", "Country", "Notes", "Categories", "Time Zone",
]  # fmt: skip


def read_sheet(path: Path, encoding: str | None = None) -> Sheet:
    """A vCard file as a Sheet: one row per card, its line the card's BEGIN line."""
    text, used, notices = decode(path, read_bytes(path), encoding)
    cards, problems = read_cards(path, text)
    tels = max((len(c.all("TEL")) for c in cards), default=0)
    emails = max((len(c.all("EMAIL")) for c in cards), default=0)
    header = list(HEADER_FIXED)
    for n in range(1, tels + 1):
        header += [f"Phone {n}", f"Phone {n} Type"]
    header += [f"Email {n}" for n in range(1, emails + 1)]
    rows = []
    for card in cards:
        family, given, middle = (_components(card.first("N")) + ["", "", ""])[:3]
        org = _components(card.first("ORG"))[0] if card.first("ORG") else ""
        adr = (_components(card.first("ADR")) + [""] * 7)[:7] if card.first("ADR") else [""] * 7
        zone = _unescape(card.first("TZ")).strip()
        person = _unescape(card.first("FN"))
        if person.casefold() == org.casefold():  # a company's own card: no person in it
            person = given = middle = family = ""
        cells = [
            person, given, middle, family, org,
            _unescape(card.first("TITLE")), _unescape(card.first("URL")), adr[3], adr[4],
            adr[6], _unescape(card.first("NOTE")), _unescape(card.first("CATEGORIES")),
            zone,  # an offset ("-05:00") is no zone: the import says so and leaves it out
        ]  # fmt: skip
        entries = card.all("TEL")
        # PREF first: the number the card's owner marked as the one to use.
        entries = sorted(entries, key=lambda e: not _preferred(e[1]))
        for n in range(tels):
            if n < len(entries):
                value, params = entries[n]
                kinds = [t for t in params.get("type", []) if t.casefold() not in ("pref", "voice")]
                cells += [_tel(value), " ".join(kinds)]
            else:
                cells += ["", ""]
        mails = card.all("EMAIL")
        cells += [_unescape(mails[n][0]) if n < len(mails) else "" for n in range(emails)]
        rows.append((card.line, cells))
    unread = Counter(name for card in cards for name in card.values if name not in _READ)
    if unread:
        shown = ", ".join(f"{name} ({n} card{'s' if n > 1 else ''})" for name, n in sorted(
            unread.items()))  # fmt: skip
        notices.append(f"not imported, no field for them: {shown}")
    several = Counter(
        name for card in cards for name in _SINGLE if len(card.all(name)) > 1
    )
    for name, n in sorted(several.items()):
        notices.append(f"{n} card(s) had more than one {name}; the first was kept")
    return Sheet(path, used, "vcard", header, 1, rows, problems, notices)


# Properties read once per card: a second one is named in the report.
_SINGLE = ("N", "ORG", "TITLE", "URL", "ADR", "NOTE", "TZ", "CATEGORIES")
# Properties the import reads, or that only describe the card itself.
_READ = frozenset(
    "BEGIN END VERSION PRODID UID REV FN N ORG TITLE TEL EMAIL URL ADR NOTE CATEGORIES TZ "
    "KIND SOURCE".split()
)


def _preferred(params: dict[str, list[str]]) -> bool:
    return "pref" in [t.casefold() for t in params.get("type", [])] or "pref" in params


# --- writing --------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (RFC 6350 3.2)."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)


def _tel_line(number: str, kinds: list[str], preferred: bool, version: str) -> str:
    if version == "4.0":
        types = ",".join(kinds)
        uri = phones.tel_uri(number) or number
        pref = ";PREF=1" if preferred else ""
        return f"TEL;VALUE=uri;TYPE={types}{pref}:{uri}"
    types = ",".join(k.upper() for k in kinds + (["pref"] if preferred else []))
    return f"TEL;TYPE={types}:{_escape(number)}"


def card_lines(
    version: str,
    uid: str,
    full_name: str,
    *,
    organization: str | None = None,
    title: str | None = None,
    role: str | None = None,
    numbers: Iterable[tuple[str, list[str]]] = (),
    email: str | None = None,
    website: str | None = None,
    place: tuple[str | None, str | None, str | None] = (None, None, None),
    note: str | None = None,
    categories: Iterable[str] = (),
    zone: str | None = None,
) -> list[str]:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"PRODID:-//callbook//{__version__}//EN"]
    lines.append(f"UID:{uid}")
    lines.append(f"FN:{_escape(full_name)}")
    if organization:
        lines.append(f"ORG:{_escape(organization)}")
    elif version == "3.0":
        lines.append(f"N:{_escape(full_name)};;;;")  # 3.0 requires N
    if title:
        lines.append(f"TITLE:{_escape(title)}")
    if role:
        lines.append(f"ROLE:{_escape(role)}")
    for index, (number, kinds) in enumerate(numbers):
        lines.append(_tel_line(number, kinds, index == 0, version))
    if email:
        lines.append(f"EMAIL;TYPE={'work' if version == '4.0' else 'INTERNET,WORK'}:{email}")
    if website:
        lines.append(f"URL:{_escape(website)}")
    city, region, country = place
    if city or region or country:
        parts = ["", "", "", city or "", region or "", "", country or ""]
        lines.append("ADR;TYPE=work:" + ";".join(_escape(p) for p in parts))
    if zone:
        lines.append(f"TZ:{zone}" if version == "4.0" else f"TZ;VALUE=text:{zone}")
    tags = [t for t in categories if t]
    if tags:
        lines.append("CATEGORIES:" + ",".join(_escape(t) for t in tags))
    if note:
        lines.append(f"NOTE:{_escape(note)}")
    lines.append("END:VCARD")
    return [_fold(line) for line in lines]


def write_vcards(store, out, version: str = "3.0") -> int:
    """Every prospect as a card (its numbers, the first preferred), and every contact with a
    phone or an email as a card of its own; returns the number of cards."""
    if version not in VERSIONS:
        raise ValueError(f"vCard version {version!r}: one of {', '.join(VERSIONS)}")
    written = 0
    for prospect in store.prospects():
        numbers = [(n, ["work", "voice"]) for n in prospect.phones]
        next_call = f"Next call: {prospect.next_objective}" if prospect.next_objective else None
        lines = card_lines(
            version, f"callbook-prospect-{prospect.id}", prospect.name,
            organization=prospect.company or prospect.name, numbers=numbers,
            email=prospect.email, website=prospect.website,
            place=(prospect.city, prospect.region, prospect.country), note=next_call,
            categories=prospect.tags, zone=prospect.timezone,
        )  # fmt: skip
        out.write("\r\n".join(lines) + "\r\n")
        written += 1
        for contact in store.contacts(prospect.id):
            if not (contact.phone or contact.email):
                continue
            kinds = ["work", "voice"]
            lines = card_lines(
                version, f"callbook-contact-{contact.id}", contact.name,
                organization=prospect.company or prospect.name, title=contact.title,
                role=contact.role.label if contact.role.value != "other" else None,
                numbers=[(contact.phone, kinds)] if contact.phone else [],
                email=contact.email, zone=prospect.timezone,
            )  # fmt: skip
            out.write("\r\n".join(lines) + "\r\n")
            written += 1
    return written
