"""Inputs built to hurt: endless files, huge numbers, JSON nested 200,000 deep, values `show`
could not display. Each ends in one line, a non-zero exit, and an unchanged book."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from one_line import one_line

from callbook.cli import main
from callbook.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def export(tmp_path) -> dict:
    """A callbook export of a small book, as a document to spoil."""
    db = tmp_path / "source.db"
    with Store.open(db) as store:
        p = store.add_prospect("Acme Ltd", phones=["+442079460000"])
        store.add_piece(p.id, "gatekeeper", "Sarah Jenkins")
    out = tmp_path / "export.json"
    result = CliRunner().invoke(main, ["--db", str(db), "export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def import_(tmp_path, document: dict | str) -> tuple[object, Path]:
    source = tmp_path / "spoilt.json"
    source.write_text(document if isinstance(document, str) else json.dumps(document))
    book = tmp_path / "target.db"
    result = CliRunner().invoke(main, ["--db", str(book), "import", str(source)])
    return result, book


def prospects_in(book: Path) -> int:
    with Store.open(book) as store:
        return store.count_prospects()


@pytest.mark.parametrize(
    "field, value",
    [("priority", 10**30), ("priority", "high"), ("priority", 99),
     ("next_call_at", "yesterday"), ("status", "weird")],
)  # fmt: skip
def test_a_restore_refuses_values_callbook_could_not_show(tmp_path, export, field, value):
    export["tables"]["prospects"][0][field] = value
    result, book = import_(tmp_path, export)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert "id 1" in result.stderr and "prospects" in result.stderr
    assert last.endswith(("nothing was imported", "nothing was restored")), last
    assert prospects_in(book) == 0


def test_json_nested_200k_deep_is_one_line(tmp_path):
    deep = '{"callbook_export": 1, "tables": ' + "[" * 200_000 + "]" * 200_000 + "}"
    result, book = import_(tmp_path, deep)
    assert result.exit_code == 1
    said = "spoilt.json: nested too deeply to be a callbook export"
    assert one_line(result.stderr).endswith(said)
    assert not book.exists() or prospects_in(book) == 0


@pytest.mark.parametrize("source", ["/dev/zero", "fifo", "folder"])
def test_import_of_an_endless_file_is_one_line_and_no_hang(tmp_path, source):
    if source == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
        said = "is a FIFO (named pipe), not a file to import"
    elif source == "folder":
        path = tmp_path
        said = "is a folder, not a file"
    else:
        path = Path(source)
        said = "/dev/zero is a character device, not a file to import"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(tmp_path / "home")}
    env.pop("CALLBOOK_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(tmp_path / "b.db"), "import", str(path)],
        capture_output=True, text=True, env=env, timeout=30,
    )  # fmt: skip
    assert done.returncode == 1
    assert said in one_line(done.stderr)


def test_an_import_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from callbook.interop import sheet

    big = tmp_path / "big.csv"
    big.write_text("name\n" + "Acme\n" * 1000)
    monkeypatch.setattr(sheet, "MAX_IMPORT_BYTES", 1000)
    read = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: read.append(a[0]) or real_open(*a, **k))
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "b.db"), "import", str(big)])
    assert result.exit_code == 1
    assert one_line(result.stderr) == (
        f"callbook: {big} is too large to import (5005 bytes; the most is 1000 bytes); split "
        "it into smaller files"
    )
    assert str(big) not in map(str, read)
