"""What can go wrong bringing a file in, each said in one line: `FILE:LINE: column 'X': reason`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SHOWN = 20  # errors listed before "... and N more"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) at a line, and maybe a column, of a file."""

    line: int | None
    column: str | None
    message: str

    def format(self, path: str | Path) -> str:
        where = f"{path}:{self.line}" if self.line is not None else f"{path}"
        column = f" column {self.column!r}:" if self.column is not None else ""
        return f"{where}:{column} {self.message}"

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


class FileProblem(Exception):
    """The file as a whole cannot be imported (missing, empty, binary, no header ...)."""


class ImportFailed(Exception):
    """Rows that cannot be imported; nothing was written."""

    def __init__(self, path: str | Path, problems: list[Problem], report=None) -> None:
        super().__init__(f"{path}: {len(problems)} error(s)")
        self.path = path
        self.problems = problems
        self.report = report

    def lines(self, shown: int = SHOWN) -> list[str]:
        return listing(self.path, self.problems, shown)


def listing(path: str | Path, problems: Iterable[Problem], shown: int = SHOWN) -> list[str]:
    """The first `shown` problems, one line each, then "... and N more"."""
    problems = list(problems)
    lines = [p.format(path) for p in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"... and {len(problems) - shown} more")
    return lines
