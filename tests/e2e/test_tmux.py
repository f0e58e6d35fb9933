"""The app in a real terminal: tmux runs `python -m callbook` at 120×40, keys go in with
send-keys, the screen comes back with capture-pane, and the database is checked afterwards."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from callbook.model import Outcome
from callbook.store import Store

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]
LINE = "gk: Sarah Jenkins; dm avail: not Tuesdays; !gk; @tomorrow 9:30; > ask Sarah for Tom"


class Tmux:
    """One tmux server of our own (its own socket), one session running the app."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        # The server inherits this environment: COLUMNS/LINES (pytest may set them) would
        # override the pane's real size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
            capture_output=True, text=True, check=check, env=env,
        )  # fmt: skip

    def start(self, command: list[str], env: dict[str, str]) -> None:
        flags = [item for key, value in env.items() for item in ("-e", f"{key}={value}")]
        self.run("new-session", "-d", "-x", "120", "-y", "40", "-s", "cb", *flags,
                 " ".join(command))  # fmt: skip

    def screen(self) -> str:
        found = self.run("capture-pane", "-p", "-t", "cb", check=False)
        return found.stdout

    def alive(self) -> bool:
        return self.run("has-session", "-t", "cb", check=False).returncode == 0

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "cb", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "cb", "-l", text)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; the screen:\n{self.screen()}")

    def wait_gone(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return
            time.sleep(0.05)
        raise AssertionError(f"the app did not exit; the screen:\n{self.screen()}")

    def pane_pid(self) -> int:
        return int(self.run("display", "-p", "-t", "cb", "#{pane_pid}").stdout.strip())

    def kill_server(self) -> None:
        self.run("kill-server", check=False)


@pytest.fixture
def tmux(tmp_path: Path):
    terminal = Tmux(tmp_path / "tmux.sock")
    yield terminal
    terminal.kill_server()


@pytest.fixture
def app_env(now: datetime) -> dict[str, str]:
    return {
        "CALLBOOK_HOME": os.environ["CALLBOOK_HOME"],
        "CALLBOOK_NOW": now.isoformat(),
        "PYTHONPATH": str(ROOT),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
    }


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n")[0]
    except (OSError, IndexError):
        return "gone"


def command(db: Path) -> list[str]:
    return [sys.executable, "-m", "callbook", "--db", str(db)]


def test_record_a_call_in_a_real_terminal(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.wait_for(lambda s: "of 1" in s and "due" in s and "enter calls" in s, "the queue")

    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type(LINE)
    screen = tmux.wait_for(lambda s: "objective ask Sarah for Tom" in s, "the live preview")
    assert "Sarah Jenkins" in screen and "tomorrow 09:30" in screen, screen

    tmux.keys("Enter")
    tmux.wait_for(lambda s: "✔ saved" in s, "the commit")
    tmux.wait_for(lambda s: "calls" in s and "1" in s.split("calls", 1)[1][:20], "the score")
    tmux.keys("C-q")
    tmux.wait_gone()

    with Store.open(demo_db) as store:
        call = store.calls(limit=1)[0]
        assert call.outcome is Outcome.GATEKEEPER
        assert call.session_id is not None
        assert call.next_call_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
        assert call.next_objective == "ask Sarah for Tom"
        assert call.small_wins >= 1
        learned = {p.slot: p.value for p in store.pieces_of_call(call.id)}
        assert learned == {"gatekeeper": "Sarah Jenkins", "dm_availability": "not Tuesdays"}
        assert store.get_session(call.session_id).ended_at is not None
        assert store.load_draft("capture") is None


def test_a_closed_terminal_keeps_the_draft(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.wait_for(lambda s: "enter calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type("pain: slow quotes; budget: 20k")
    tmux.wait_for(lambda s: "+2 small" in s, "the preview")
    # Closing the terminal sends SIGHUP; the handler writes the draft before leaving.
    pid = tmux.pane_pid()
    tmux.kill_server()

    deadline = time.monotonic() + 10
    draft = None
    while time.monotonic() < deadline:
        with Store.open(demo_db) as store:
            draft = store.load_draft("capture")
        if draft:
            break
        time.sleep(0.05)
    assert draft is not None
    assert json.loads(draft)["line"] == "pain: slow quotes; budget: 20k"
    # ... and the app is gone, not left spinning on a dead terminal.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid)

    # The next start brings the call back, line and all.
    restarted = Tmux(tmux.socket.with_name("tmux2.sock"))
    try:
        restarted.start(command(demo_db), app_env)
        screen = restarted.wait_for(lambda s: "pain: slow quotes" in s, "the restored draft")
        assert "on call with" in screen
    finally:
        restarted.kill_server()


def test_sigterm_saves_the_draft_and_exits(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.run("set-option", "-t", "cb", "remain-on-exit", "on")
    tmux.wait_for(lambda s: "enter calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type("dm avail: mornings")
    tmux.wait_for(lambda s: "✔ DM availability" in s, "the preview")
    os.kill(tmux.pane_pid(), 15)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        dead = tmux.run("display", "-p", "-t", "cb", "#{pane_dead} #{pane_dead_status}").stdout
        if dead.startswith("1"):
            break
        time.sleep(0.05)
    assert dead.startswith("1"), "the app did not exit"
    assert dead.split()[1:] in ([], ["143"])  # 128 + SIGTERM (tmux does not always say)
    assert "Queue" not in tmux.screen()  # the terminal was given back
    with Store.open(demo_db) as store:
        assert json.loads(store.load_draft("capture"))["line"] == "dm avail: mornings"
        last = store._read("select max(id) from sessions")[0][0]
        assert store.get_session(last).ended_at is not None
