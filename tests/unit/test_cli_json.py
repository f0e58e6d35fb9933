"""JSON printed a member at a time says exactly what the one-piece printer says."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

import click
from click.testing import CliRunner

from callbook.cli.common import echo_json, echo_json_stream


class Kind(Enum):
    CSV = "csv"


@dataclass(frozen=True)
class Change:
    field: str
    kind: Kind
    at: datetime
    values: tuple[str, ...]


VALUE = {
    "ok": True,
    "file": "Zoë's leads.csv",
    "counts": {"rows": 3, "added": 2},
    "rows": [{"line": 2, "name": "Müller"}, {"line": 3, "at": datetime(2026, 1, 2, tzinfo=UTC)}],
    "warnings": [],
    "changes": [Change("phones", Kind.CSV, datetime(2026, 1, 2, 9, tzinfo=UTC), ("+1", "+2"))],
    "columns": ("a", "b"),
}


def _printed(printer) -> str:
    @click.command()
    def show() -> None:
        printer(VALUE)

    result = CliRunner().invoke(show)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_streamed_json_is_the_same_json():
    streamed = _printed(echo_json_stream)
    assert json.loads(streamed) == json.loads(_printed(echo_json))
    lines = streamed.splitlines()
    # one item of a list a line: a large report is written as it is encoded
    assert '  {"line": 2, "name": "Müller"},' in lines
    assert '"warnings": [],' in lines
