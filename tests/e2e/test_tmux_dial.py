"""The dial handoff in a real terminal: a recording command is given the number dialled."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import pytest
from tmux_driver import Tmux, needs_tmux, wait_until

from callbook.clock import fixed_clock
from callbook.store import Store

pytestmark = [pytest.mark.e2e, needs_tmux]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tmux(tmp_path: Path):
    terminal = Tmux(tmp_path, "dial")
    yield terminal
    terminal.kill_server()


def test_the_handoff_runs_the_command_with_the_number(tmux, demo_db: Path, tmp_path: Path,
                                                      now: datetime) -> None:  # fmt: skip
    record = tmp_path / "dialled.txt"
    script = tmp_path / "record-dial"
    script.write_text(f'#!/bin/sh\nprintf "%s|%s\\n" "$1" "$2" >> "{record}"\n')
    script.chmod(0o755)
    config = Path(os.environ["CALLBOOK_HOME"]) / "config" / "config.toml"
    config.write_text(
        config.read_text() + f'\n[dial]\nhandoff = "command"\ncommand = "{script} {{number}} '
        '{ext}"\n'
    )
    with Store.open(demo_db, clock=fixed_clock(now)) as store:
        first = store.queue(now, limit=1)[0].prospect
        number = store.number_to_dial(first.id)
    assert number is not None

    env = {
        "CALLBOOK_HOME": os.environ["CALLBOOK_HOME"],
        "CALLBOOK_NOW": now.isoformat(),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
    }
    tmux.start([sys.executable, "-m", "callbook", "--db", str(demo_db)], env)
    tmux.wait_for(lambda s: "⏎ calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    wait_until(record.exists, 10, "the dial command never ran")
    assert record.read_text() == f"{number.number}|{number.extension or ''}\n"
    tmux.keys("C-q")
    tmux.wait_gone()
