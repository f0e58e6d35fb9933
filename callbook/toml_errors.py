"""One line for a TOML file that does not parse (config and templates): the line and the reason,
as Python's tomllib reports them (the line number is in the message before Python 3.14)."""

from __future__ import annotations

import re
import tomllib

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
