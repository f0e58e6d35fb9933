"""The app in a real terminal: tmux runs `python -m callbook` at 120×40, keys go in with
send-keys, the screen comes back with capture-pane, and the database is checked afterwards."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tmux_driver import Tmux, needs_tmux, wait_process_gone, wait_until

from callbook.model import Outcome
from callbook.store import Store
from callbook.store.drafts import all_rows


def capture_draft(store: Store) -> str | None:
    """The text of the capture draft (each app has one of its own; these tests run one)."""
    found = all_rows(store)
    return found[-1].text if found else None

pytestmark = [pytest.mark.e2e, needs_tmux]

ROOT = Path(__file__).resolve().parents[2]
LINE = "gk: Sarah Jenkins; dm avail: not Tuesdays; !gk; @tomorrow 9:30; > ask Sarah for Tom"


@pytest.fixture
def tmux(tmp_path: Path):
    terminal = Tmux(tmp_path)
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


def command(db: Path) -> list[str]:
    return [sys.executable, "-m", "callbook", "--db", str(db)]


def test_record_a_call_in_a_real_terminal(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.wait_for(lambda s: "of 1" in s and "due" in s and "⏎ calls" in s, "the queue")

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
        assert capture_draft(store) is None


def test_a_closed_terminal_keeps_the_draft(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.wait_for(lambda s: "⏎ calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type("pain: slow quotes; budget: 20k")
    tmux.wait_for(lambda s: "+2 small" in s, "the preview")
    # Closing the terminal sends SIGHUP; the handler writes the draft before leaving.
    pid = tmux.pane_pid()
    tmux.kill_server()

    def draft() -> str | None:
        with Store.open(demo_db) as store:
            return capture_draft(store)

    saved = wait_until(draft, 10, "the draft was not saved")
    assert json.loads(saved)["line"] == "pain: slow quotes; budget: 20k"
    # ... and the app is gone, not left spinning on a dead terminal.
    wait_process_gone(pid, timeout=10)

    # The next start brings the call back, line and all (a server of its own: the first one
    # may still be going down).
    restarted = Tmux(tmux.socket.parent, name="tmux2")
    try:
        restarted.start(command(demo_db), app_env)
        screen = restarted.wait_for(lambda s: "pain: slow quotes" in s, "the restored draft")
        assert "on call with" in screen
    finally:
        restarted.kill_server()


def test_sigterm_saves_the_draft_and_exits(tmux: Tmux, demo_db: Path, app_env) -> None:
    tmux.start(command(demo_db), app_env)
    tmux.run("set-option", "-t", tmux.session, "remain-on-exit", "on")
    tmux.wait_for(lambda s: "⏎ calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type("dm avail: mornings")
    tmux.wait_for(lambda s: "✔ DM availability" in s, "the preview")
    os.kill(tmux.pane_pid(), 15)

    def pane_dead() -> str | None:
        found = tmux.run("display", "-p", "-t", tmux.session, "#{pane_dead} #{pane_dead_status}")
        return found.stdout if found.stdout.startswith("1") else None

    dead = wait_until(pane_dead, 10, "the app did not exit")
    assert dead.split()[1:] in ([], ["143"])  # 128 + SIGTERM (tmux does not always say)
    assert "Queue" not in tmux.screen()  # the terminal was given back
    with Store.open(demo_db) as store:
        assert json.loads(capture_draft(store))["line"] == "dm avail: mornings"
        last = store._read("select max(id) from sessions")[0][0]
        assert store.get_session(last).ended_at is not None


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("sig, code", [(3, 131), (2, 130)], ids=["SIGQUIT", "SIGINT"])
def test_sigquit_and_sigint_give_the_terminal_back(tmux: Tmux, demo_db: Path, app_env, sig, code):
    """Killed by SIGQUIT (ctrl+\\ from another terminal) or SIGINT, the app leaves the way it
    leaves on ctrl+q: the draft saved, the terminal out of raw mode (typing echoes again)."""
    tmux.start(command(demo_db), app_env, keep=True)
    tmux.wait_for(lambda s: "⏎ calls" in s, "the queue")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "on call with" in s, "the call to start")
    tmux.type("pain: slow quotes")
    tmux.wait_for(lambda s: "✔ Pain" in s, "the preview")
    (app,) = wait_until(lambda: _children(tmux.pane_pid()), 5, "no app process")
    os.kill(app, sig)
    assert tmux.exit_code() == code
    assert "Queue" not in tmux.screen()
    tmux.type("echoed-back")  # read by `sleep`'s terminal: shown only if echo is on again
    tmux.wait_for("echoed-back", "the typed text to echo (the terminal left in raw mode?)")
    with Store.open(demo_db) as store:  # this app's own draft: an unsent line now
        found = "select text from drafts where key like 'capture:%'"
        (text,) = store.conn.execute(found).fetchone()
        assert json.loads(text)["line"] == "pain: slow quotes"
