"""Reading a CSV file into a header and rows, each row with the line it starts on.

Refuses, with one clear line, what is not a CSV: a missing or empty file, a spreadsheet or
database or other binary file, undecodable text, a first line that is data rather than column
names. Text is UTF-8 (with or without BOM) or UTF-16 with BOM; failing that, legacy 8-bit
Windows-1252, which is announced. The delimiter (comma, semicolon, tab or bar) is sniffed.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from callbook.interop.problems import FileProblem, Problem

DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
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


def decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """(text, encoding, notices); raises FileProblem for binary or undecodable files."""
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise FileProblem(f"{path}: the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise FileProblem(f"{path} is {what}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise FileProblem(f"{path}: not readable as UTF-16 text ({exc.reason})") from None
    head = data[:65536]
    if b"\x00" in head or _control_share(head) > 0.05:
        raise FileProblem(f"{path} is a binary file, not CSV text")
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8"), "utf-8 (BOM)", []
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        # Real UTF-8 letters elsewhere in the file: a mix, which no one decoding reads right.
        valid_multibyte = any(_decodes(m.group()) for m in _UTF8_MULTIBYTE.finditer(data))
        if valid_multibyte:
            raise FileProblem(
                f"{path}:{bad_line}: byte 0x{byte:02X} is not UTF-8, in a file that is "
                "otherwise UTF-8; save it again as UTF-8"
            ) from None
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        raise FileProblem(
            f"{path}:{bad_line}: byte 0x{data[exc.start]:02X} is neither UTF-8 nor "
            "Windows-1252 text; save the file as UTF-8"
        ) from None
    notice = (
        f"{path} is not UTF-8: read it as Windows-1252 (legacy 8-bit); "
        "check that accented letters came out right"
    )
    return text, "cp1252", [notice]


def _decodes(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _control_share(head: bytes) -> float:
    if not head:
        return 0.0
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13, 12))
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


def read_sheet(path: Path) -> Sheet:
    """Decode, sniff and split `path`; row problems are collected, file problems raised."""
    text, encoding, notices = decode(path, read_bytes(path))
    delimiter = sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    last_line = 0
    while True:
        start = last_line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(start, None, f"malformed CSV: {exc}"))
            break
        last_line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip() for cell in record]
            header_line = start
            _check_header(path, header, start)
            continue
        width = len(header)
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
        if last_line > start:  # a cell ran over several lines: keep its line breaks as \n
            record = [c.replace("\r\n", "\n") if "\r" in c else c for c in record]
        rows.append((start, record))
    if header is None:
        raise FileProblem(f"{path}: the file is empty")
    return Sheet(path, encoding, delimiter, header, header_line, rows, problems, notices)


def _check_header(path: Path, header: list[str], line: int) -> None:
    if not any(header):
        raise FileProblem(f"{path}:{line}: no column names in the first line")
    for cell in header:
        if _LOOKS_LIKE_DATA.search(cell):
            raise FileProblem(
                f"{path}:{line}: the first line looks like data ({cell!r}), not column names; "
                "add a header line naming the columns"
            )
