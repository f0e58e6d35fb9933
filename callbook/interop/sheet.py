"""Reading a CSV file into a header and rows, each row with the line it starts on.

Refuses, with one clear line, what is not a CSV: a missing or empty file, a spreadsheet or
database or other binary file, a NUL byte anywhere (named by its line), a first line that is data
rather than column names. Text is UTF-8 (with or without BOM) or UTF-16 (with BOM, or without
one when every other byte is zero); failing those, charset-normalizer weighs the legacy
encodings and the file is read only when one reading stands out, else refused with the
candidates so that `--encoding` can name the right one (a wrong guess mangles every accented
name silently). Invisible format characters (zero-width spaces, direction marks, soft hyphens)
are taken out of every value: they make names unfindable and numbers unreadable.

What CRMs put around the table is recognised and reported, never read as rows: Excel's `sep=;`
first line, instruction rows before the column names (Pipedrive's import template), and report
footers (Salesforce's "Grand Totals (N records)", "Confidential Information - Do Not
Distribute", copyright lines).
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from callbook.interop.problems import FileProblem, Problem

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", "vcard": "none"}
_MAGIC = (
    (b"PK\x03\x04", "a zip archive or Excel workbook (.xlsx); save it as CSV first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls); save it as CSV first"),
    (b"SQLite format 3\x00", "an SQLite database, not a CSV file"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"\x89PNG", "a PNG image, not a CSV file"),
    (b"\xff\xd8\xff", "a JPEG image, not a CSV file"),
)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_LOOKS_LIKE_DATA = re.compile(r"[^@\s]+@[^@\s]+\.\w+|https?://|^\+?[\d\s().\-]{7,}$", re.IGNORECASE)


@dataclass
class Sheet:
    path: Path
    encoding: str  # "utf-8", "utf-8 (BOM)", "utf-16", "cp1252"
    delimiter: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line the row starts on, cells padded to the header)
    problems: list[Problem] = field(default_factory=list)  # rows that cannot be read
    notices: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return _DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


# Files are read whole before parsing: past this size (about 2 million CRM rows) an import is
# refused up front rather than filling the memory. A device or FIFO (/dev/zero, a pipe) is
# refused before it is read at all: it could never end.
MAX_IMPORT_BYTES = 512 * 1024 * 1024


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    limit = MAX_IMPORT_BYTES if limit is None else limit
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            from callbook.store.db import file_kind

            raise FileProblem(f"{path} is {file_kind(st.st_mode)}, not a file to import")
        if st.st_size > limit:
            raise FileProblem(f"{path} is too large to import ({_size(st.st_size)}; the most "
                              f"is {_size(limit)}); split it into smaller files")  # fmt: skip
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise FileProblem(f"{path} is too large to import (over {_size(limit)})")
        return data
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileProblem(f"{path} is a folder, not a file") from None
    except PermissionError:
        raise FileProblem(f"{path}: permission denied") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot read ({exc.strerror or exc})") from None


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def decode(path: Path, data: bytes, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding, notices); raises FileProblem for binary or undecodable files, and for
    text holding a NUL character. `encoding` (a codec name) skips the guessing."""
    text, used, notices = _decode(path, data, encoding)
    nul = text.find("\x00")
    if nul >= 0:  # a wide (UTF-16) file's NUL, or one in a named encoding
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise FileProblem(
            f"{path}:{line}: a NUL character at character {column} of the line: the file is "
            "damaged or not text; nothing was imported"
        )
    return text, used, notices


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise FileProblem(f"{path}: the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise FileProblem(f"{path} is {what}")
    if encoding is not None:
        return _decode_as(path, data, encoding), encoding, []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise FileProblem(f"{path}: not readable as UTF-16 text ({exc.reason})") from None
    wide = _utf16_without_bom(data)
    if wide is not None:
        try:
            return data.decode(wide), wide, [f"{path} is {wide.upper()} without a byte order mark"]
        except UnicodeDecodeError:
            pass
    head = data[:65536]
    if _control_share(head) > 0.05:
        raise FileProblem(f"{path} is a binary file, not CSV text")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        column = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise FileProblem(
            f"{path}:{line}: a NUL byte (0x00) at byte {column} of the line: the file is damaged "
            "or not text; nothing was imported"
        )
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8 (BOM)", []
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        # Real UTF-8 letters beside a few stray bytes: a mix, which no one decoding reads
        # right. (A legacy multibyte file, Shift-JIS, forms UTF-8 by chance far more rarely
        # than it breaks it.)
        valid = sum(1 for m in _UTF8_MULTIBYTE.finditer(data) if _decodes(m.group()))
        invalid = data.decode("utf-8", errors="replace").count("\ufffd")
        if valid and valid * 4 >= invalid:
            raise FileProblem(
                f"{path}:{bad_line}: byte 0x{byte:02X} is not UTF-8, in a file that is "
                "otherwise UTF-8; save it again as UTF-8"
            ) from None
    return _legacy(path, data)


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise FileProblem(
            f"--encoding {encoding!r}: not an encoding Python knows (try cp1252, iso-8859-2, "
            "cp1251, mac_roman, shift_jis, utf-16-le)"
        ) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            f"{path}:{line}: byte 0x{data[exc.start]:02X} is not {encoding} text"
        ) from None
    return text.removeprefix("\ufeff")


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the text is mostly ASCII written two bytes a letter:
    zero bytes at every odd (or even) position and almost nowhere else."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    sample = sample[: len(sample) // 2 * 2]
    even, odd = sample[0::2], sample[1::2]
    even_zero, odd_zero = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zero > 0.6 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.6 and odd_zero < 0.05:
        return "utf-16-be"
    return None


# Names a reader knows, preferred over an obscure codec that reads the same text.
_COMMON = (
    "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1253", "iso8859_7",
    "cp1254", "cp1257", "mac_roman", "cp932", "shift_jis", "euc_jp", "gb18030", "big5",
    "cp949", "cp1255", "cp1256", "cp874",
)  # fmt: skip
_FEW_LETTERS = 8  # non-ASCII bytes below which no language fit is trusted
_CHAOS_MARGIN = 0.05  # readings this close to the least chaotic are all candidates
_COHERENCE_LEAD = 0.03  # how far the likeliest language fit must lead to be trusted
# A reading no one writes: a C1 control, or a sign or symbol between two letters ("Ł" read as
# "£" in "£ódź", "ż" as "¿"); apostrophes, quotes and dashes between letters are fine.
_IMPLAUSIBLE = re.compile(
    "[\x80-\x9f]|(?<=[^\\W\\d_])[\u00a1-\u00bf\u00d7\u00f7\u02c6-\u02dd\u2020-\u2022"
    "\u2030\u20a0-\u20cf\u2100-\u2bff](?=[^\\W\\d_])"
)


_SAMPLE = 1 << 20  # bytes weighed for the encoding; the whole file is then decoded


def _legacy(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """Not UTF-8: read it with the one legacy encoding that stands out, else refuse with the
    candidates. Imported here: charset-normalizer costs time only for such files."""
    from charset_normalizer import from_bytes

    sample = data
    if len(data) > _SAMPLE:
        sample = data[: data.rfind(b"\n", 0, _SAMPLE) + 1 or _SAMPLE]
    results = list(from_bytes(sample, threshold=0.3))
    if not results:
        raise FileProblem(
            f"{path}: neither UTF-8 nor any text encoding recognised; save the file as UTF-8"
        )
    # Each reading worth weighing: under a common code page's name (a DOS or HP code page few
    # programs still write reads as well as a common one by chance), plausible as text.
    weighed = []
    for result in results:
        text = str(result)
        codec = _common_name(sample, text, result.encoding)
        if codec not in _COMMON or _IMPLAUSIBLE.search(text):
            continue
        if codec.startswith("mac") and not result.coherence:
            continue  # old Mac code pages read any byte as a letter: only with a language fit
        language = result.language if result.language != "Unknown" else None
        weighed.append((result.chaos, text, codec, result.coherence, language))
    if not weighed:
        raise FileProblem(
            f"{path} is not UTF-8 and no common encoding reads it as text; save the file as "
            "UTF-8 or give its encoding with --encoding"
        )
    least = min(chaos for chaos, *_ in weighed)
    readings: dict[str, tuple[str, float, str | None]] = {}  # text -> (codec, fit, language)
    for chaos, text, codec, fit, language in weighed:
        if chaos <= least + _CHAOS_MARGIN and (text not in readings or fit > readings[text][1]):
            readings[text] = (codec, fit, language)
    ranked = sorted(readings.items(), key=lambda item: -item[1][1])
    (text, (codec, fit, language)), *others = ranked
    # No language fit at all (CJK scripts, which the library does not weigh): its own order.
    few = sum(1 for byte in sample if byte > 0x7F) < _FEW_LETTERS
    if others and (few or (fit > 0 and fit - others[0][1][1] < _COHERENCE_LEAD)):
        shown = ", ".join(_named(c, lang) for _, (c, _f, lang) in ranked[:5])
        raise FileProblem(
            f"{path} is not UTF-8 and its encoding is unclear: it reads as {shown}; give the "
            "right one with --encoding (or save the file as UTF-8)"
        )
    notice = f"{path} is not UTF-8: read it as {_named(codec, language)}"
    if others:
        also = ", ".join(_named(c, lang) for _, (c, _f, lang) in others[:3])
        notice += f"; {also} read less well (--encoding chooses another)"
    if sample is not data:
        text = _decode_as(path, data, codec)
    return text.removeprefix("\ufeff"), codec, [notice]


def _common_name(data: bytes, text: str, codec: str) -> str:
    """The first common codec reading `data` as `text` (cp1252 before cp1250 when both do)."""
    for name in _COMMON:
        try:
            if data.decode(name) == text:
                return name
        except UnicodeDecodeError:
            continue
    return codec


_SCRIPTS = {
    "cp1252": "Western European", "iso8859_15": "Western European", "cp1250": "Central European",
    "iso8859_2": "Central European", "cp1251": "Cyrillic", "koi8_r": "Cyrillic",
    "cp1253": "Greek", "iso8859_7": "Greek", "cp1254": "Turkish", "cp1257": "Baltic",
    "mac_roman": "Mac Western", "cp932": "Japanese", "shift_jis": "Japanese",
    "euc_jp": "Japanese", "gb18030": "Chinese", "big5": "Traditional Chinese",
    "cp949": "Korean", "cp1255": "Hebrew", "cp1256": "Arabic", "cp874": "Thai",
}  # fmt: skip


def _named(codec: str, language: str | None = None) -> str:
    script = _SCRIPTS.get(codec)
    return f"{codec} ({script})" if script else codec


def _decodes(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _control_share(head: bytes) -> float:
    if not head:
        return 0.0
    controls = sum(1 for b in head if b < 32 and b not in (0, 9, 10, 13, 12))
    controls += head.count(0) if head.count(0) > 16 else 0  # a stray NUL is named, not binary
    return controls / len(head)


def sniff(text: str) -> str:
    """The delimiter giving the header the most columns, agreeing with the next rows."""
    sample = text[:65536]
    best, best_key = ",", (1, 0)
    for delimiter in DELIMITERS:
        counts = []
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            for record in reader:
                if record:
                    counts.append(len(record))
                if len(counts) >= 6:
                    break
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        agreeing = sum(1 for n in counts[1:] if n == counts[0])
        key = (counts[0] if agreeing or len(counts) == 1 else 1, agreeing)
        if key > best_key:
            best, best_key = delimiter, key
    return best


# Zero-width and other invisible format characters; a joiner stays between two letters of a
# script that needs it (Persian, Indic, emoji sequences), comes out next to ASCII.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ufff9-\ufffb]|(?<=[\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?=[\x00-\x7f])|"
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"
)
_INVISIBLE_ANY = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ufff9-\ufffb\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"
)
_SEP_LINE = re.compile(r'"?sep=(.)"?\r?\n', re.IGNORECASE)
# A report's lines after (or around) its table: totals, confidentiality, copyright, who ran it.
_FOOTER = re.compile(
    r"(grand |sub-?)?totals?( \(\d[\d,.]* records?\)|:.*| \d[\d,.]*)?|\(?\d[\d,.]* records?\)?|"
    r"confidential information\b.*|.*\bdo not distribute\b.*|copyright (©|\(c\)|\d).*|"
    r"(©|\(c\)) ?\d{4}.*|.*\ball rights reserved\.?|generated by:? .*|filtered by:? .*|"
    r"report (generated|run) (on|at|by)\b.*",
    re.IGNORECASE,
)
_TOTALS = re.compile(r"(grand |sub-?)?totals?( \(\d[\d,.]* records?\))?:?", re.IGNORECASE)
# A count or a sum beside it: short, no spaces (a phone number is not one).
_AMOUNT = re.compile(r"[$€£¥]?-?\d{1,3}(,\d{3})*(\.\d+)?%?|[$€£¥]?-?\d{1,9}(\.\d+)?%?")
_HEADER_SEARCH = 15  # records looked at for the column names when the first is not them


def read_sheet(
    path: Path,
    encoding: str | None = None,
    is_header: Callable[[str], bool] | None = None,
) -> Sheet:
    """Decode, sniff and split `path`; row problems are collected, file problems raised.
    `is_header` tells a known column name: with it, instruction rows before the column names
    are recognised and skipped."""
    text, encoding, notices = decode(path, read_bytes(path), encoding)
    removed = 0
    if _INVISIBLE_ANY.search(text):  # a plain class scans fast; the full pattern does not
        text, removed = _INVISIBLE.subn("", text)
    if removed:
        notices.append(
            f"took out {removed} invisible character(s) (zero-width spaces, direction marks, "
            "soft hyphens) from the values"
        )
    line_offset = 0
    sep = _SEP_LINE.match(text)
    if sep and sep.group(1) in DELIMITERS:
        delimiter = sep.group(1)
        text = text[sep.end() :]
        line_offset = 1
        notices.append(f"line 1 ({sep.group().strip()!r}) names the delimiter for Excel: skipped")
    else:
        delimiter = sniff(_past_preamble(text, is_header))
    records, problems = _records(text, delimiter, line_offset)
    header_at = _header_index(records, is_header)
    if header_at is None:
        raise FileProblem(f"{path}: the file is empty")
    if header_at:
        first, last = records[0][0], records[header_at][0] - 1
        shown = _short(" ".join(c.strip() for c in records[0][1] if c.strip()))
        notices.append(
            f"lines {first}-{last} come before the column names (instructions or a title: "
            f"{shown}): skipped"
        )
    header_line, header_cells = records[header_at]
    header = [cell.strip() for cell in header_cells]
    _check_header(path, header, header_line)
    width = len(header)
    rows: list[tuple[int, list[str]]] = []
    footers: list[tuple[int, str]] = []
    for start, record in records[header_at + 1 :]:
        filled = len(record) - record.count("")
        if width > 1 and filled == 1:  # one cell filled: a footer?
            cell = next(c for c in record if c).strip()
            if _FOOTER.fullmatch(cell):
                footers.append((start, cell))
                continue
        elif filled > 1 and _TOTALS.fullmatch(record[0].strip()) and all(
            _AMOUNT.fullmatch(c.strip()) for c in record[1:] if c.strip()
        ):  # a summary report's "Total" row with its counts and sums
            footers.append((start, " ".join(c.strip() for c in record if c.strip())))
            continue
        if len(record) > width:
            extra = record[width:]
            if any(cell.strip() for cell in extra):
                problems.append(
                    Problem(
                        start,
                        None,
                        f"{len(record)} cells but the header has {width} columns "
                        f"(a {_DELIMITER_NAMES.get(delimiter, delimiter)} inside an unquoted "
                        "value?)",
                    )
                )
                continue
            record = record[:width]
        elif len(record) < width:
            record = record + [""] * (width - len(record))
        rows.append((start, record))
    if footers:
        notices.append(_footer_notice(footers, len(rows)))
    problems.sort(key=lambda p: p.line or 0)
    return Sheet(path, encoding, delimiter, header, header_line, rows, problems, notices)


def _records(text: str, delimiter: str, offset: int) -> tuple[list[tuple[int, list[str]]],
                                                              list[Problem]]:  # fmt: skip
    """Every non-blank record with the line it starts on; a cell run over several lines keeps
    its line breaks as \\n."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    last_line = 0
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(start + offset, None, f"malformed CSV: {exc}"))
            break
        last_line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if last_line > start:
            record = [c.replace("\r\n", "\n") if "\r" in c else c for c in record]
        records.append((start + offset, record))
    return records, problems


def _known(record: list[str], is_header: Callable[[str], bool]) -> int:
    return sum(1 for cell in record if cell.strip() and is_header(cell))


def _header_index(records: list[tuple[int, list[str]]],
                  is_header: Callable[[str], bool] | None) -> int | None:  # fmt: skip
    """Which record holds the column names: the first, unless it names fewer known columns
    than a later one among the first few (rows of instructions or a report title above)."""
    if not records:
        return None
    if is_header is None:
        return 0
    best, best_known = 0, _known(records[0][1], is_header)
    if best_known >= 2 and len([c for c in records[0][1] if c.strip()]) > 1:
        return 0
    for index, (_, record) in enumerate(records[1:_HEADER_SEARCH], 1):
        known = _known(record, is_header)
        if known >= 2 and known > best_known:
            best, best_known = index, known
    return best


def _past_preamble(text: str, is_header: Callable[[str], bool] | None) -> str:
    """The text from the column names on, for sniffing: a preamble's one long cell would
    otherwise vote for no delimiter. Guessed per delimiter: the first whose header is found
    after a preamble wins."""
    if is_header is None:
        return text
    sample = text[:65536]
    for delimiter in DELIMITERS:
        records, _ = _records(sample, delimiter, 0)
        index = _header_index(records[:_HEADER_SEARCH], is_header)
        if index and _known(records[index][1], is_header) >= 2:
            lines = sample.splitlines(keepends=True)
            return "".join(lines[records[index][0] - 1 :])
    return text


def _footer_notice(footers: list[tuple[int, str]], rows: int) -> str:
    lines = [line for line, _ in footers]
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
    said = "; ".join(_short(text) for _, text in footers)
    notice = f"{where}: a report's footer, not rows ({said}): skipped"
    for _, text in footers:
        total = re.search(r"\((\d+) records?\)", text)
        if total and int(total.group(1)) != rows:
            notice += f"; the report counts {total.group(1)} records, {rows} rows were read"
    return notice


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _check_header(path: Path, header: list[str], line: int) -> None:
    if not any(header):
        raise FileProblem(f"{path}:{line}: no column names in the first line")
    for cell in header:
        if _LOOKS_LIKE_DATA.search(cell):
            raise FileProblem(
                f"{path}:{line}: the first line looks like data ({cell!r}), not column names; "
                "add a header line naming the columns"
            )
