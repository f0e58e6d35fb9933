"""What users expect of every command: versioned JSON objects, no folders made for a mistyped
`--db`, and one clear line instead of a hang without a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from callbook.cli import main

NOW = "2026-11-27T15:00:00+00:00"  # a Friday


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CALLBOOK_NOW", NOW)
    monkeypatch.setenv("TZ", "Europe/London")
    monkeypatch.delenv("CALLBOOK_DB", raising=False)
    return tmp_path / "book.db"


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args])


JSON_COMMANDS = [
    ("add", "Beta Ltd", "--phone", "+44 20 7946 0001"),
    ("log", "acme", "gk: Sarah Jenkins; !gk"),
    ("show", "acme"),
    ("queue",),
    ("templates",),
    ("search", "sarah"),
    ("stats", "--days", "3"),
    ("snooze", "acme", "tomorrow 9:30"),
    ("dnc",),
    ("doctor",),
    ("backup",),
    ("import", "leads.csv", "--dry-run"),
]


@pytest.mark.parametrize("command", JSON_COMMANDS, ids=lambda c: c[0])
def test_every_json_is_an_object_with_its_version_first(db, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leads.csv").write_text("Company,Phone\nGamma,(212) 555-0101\n")
    assert run(db, "add", "Acme Ltd", "--phone", "+44 20 7946 0000").exit_code == 0
    assert run(db, "log", "acme", "gk: Sarah Jenkins; !gk").exit_code == 0
    result = run(db, *command, "--json")
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    assert list(document)[:1] == ["version"] and document["version"] == 1


def test_a_db_in_a_folder_that_does_not_exist_is_an_error_for_every_command(tmp_path, db):
    missing = tmp_path / "no" / "such" / "book.db"
    commands = [["queue"], ["demo"], ["add", "X"], ["backup"], ["doctor"], ["search", "x"], []]
    for command in commands:
        result = CliRunner().invoke(main, ["--db", str(missing), *command])
        assert result.exit_code == 1, (command, result.output)
        assert result.stderr == (
            f"callbook: --db {missing}: no folder {missing.parent} (create it first)\n"
        )
    env_result = CliRunner().invoke(main, ["queue"], env={"CALLBOOK_DB": str(missing)})
    assert env_result.exit_code == 1
    assert not (tmp_path / "no").exists()


def test_without_a_terminal_the_app_says_so_and_exits_2(tmp_path):
    env = {**os.environ, "CALLBOOK_HOME": str(tmp_path / "home")}
    env.pop("CALLBOOK_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(tmp_path / "book.db")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "callbook: the calling screen needs a terminal (stdin and stdout are not one); "
        "scripts use the commands: `callbook --help`\n"
    )
    assert done.stdout == ""
    assert not (tmp_path / "book.db").exists()


def test_ci_runs_the_readmes_test_command_exactly() -> None:
    from pathlib import Path

    root = Path(__file__).parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```sh\n")[1:3]  # Set up: the app, then the tests
    app, tests = (b.split("\n```")[0].strip() for b in blocks)
    assert app == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/callbook"
    assert tests.startswith("python3 -m venv .venv && ")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == tests
