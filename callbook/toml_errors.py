"""One line for a TOML file that does not parse (config and templates): the line and the reason,
as Python's tomllib reports them (the line number is in the message before Python 3.14)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_AT = re.compile(r" \(at line (\d+), column (\d+)\)$")
_AT_END = " (at end of document)"


def describe(exc: tomllib.TOMLDecodeError, last_line: int) -> tuple[int, str]:
    """(line, "invalid TOML: reason (column N)") for `exc`; `last_line` when it is at the end."""
    message = str(exc)
    lineno = getattr(exc, "lineno", None)  # Python 3.14+
    colno = getattr(exc, "colno", None)
    match = _AT.search(message)
    if match:
        lineno, colno = int(match.group(1)), int(match.group(2))
        message = message[: match.start()]
    elif message.endswith(_AT_END):
        message = message.removesuffix(_AT_END)
        return lineno or last_line, f"invalid TOML: {message} (at end of file)"
    else:
        message = getattr(exc, "msg", message)
    where = f" (column {colno})" if colno else ""
    return lineno or 1, f"invalid TOML: {message}{where}"


# --- reading a small TOML file safely (config and templates) ---------------------------------

MAX_DEPTH = 8  # tables and lists inside each other: callbook's files need three


class TomlFileError(ValueError):
    """A TOML file callbook will not read; `line` and `reason` make its one line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"{line}: {reason}")
        self.line = line
        self.reason = reason


def read_text(path: Path, max_bytes: int) -> str:
    """The text of a small settings file. Refused with TomlFileError, before reading a byte
    of it, when it is not a regular file (a FIFO or /dev/zero would hang or never end) or is
    larger than `max_bytes`; and when it is not UTF-8."""
    import os
    import stat

    try:
        st = os.stat(path)
    except OSError as exc:
        raise TomlFileError(1, f"cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        from callbook.store.db import file_kind

        raise TomlFileError(1, f"is {file_kind(st.st_mode)}, not a file")
    if st.st_size > max_bytes:
        raise TomlFileError(1, f"too large ({st.st_size} bytes; the most is {max_bytes})")
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise TomlFileError(1, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise TomlFileError(1, f"too large (over {max_bytes} bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TomlFileError(data.count(b"\n", 0, exc.start) + 1, "not UTF-8 text") from None


def loads(text: str, max_depth: int = MAX_DEPTH) -> dict:
    """tomllib.loads with its failures as TomlFileError: a syntax error (line, reason), and
    tables or lists nested deeper than `max_depth` (a hostile file nested thousands deep
    exhausts the parser's recursion: that is caught and said the same way)."""
    refused = TomlFileError(1, f"nested too deeply (more than {max_depth} levels)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(*describe(exc, max(len(text.splitlines()), 1))) from None
    except RecursionError:
        raise refused from None
    if _depth(data, max_depth + 1) > max_depth:
        raise refused
    return data


def _depth(value, limit: int) -> int:
    """How deep `value` nests (1 for a flat table), counting no further than `limit`."""
    if limit <= 0 or not isinstance(value, dict | list):
        return 0
    children = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(child, limit - 1) for child in children), default=0)
