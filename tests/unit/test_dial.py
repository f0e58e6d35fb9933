"""The dial handoff's plan (what runs, with which number) and its detached launch."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callbook.config import load_config
from callbook.dial import DialSettings, launch, plan, tel_uri


@pytest.mark.parametrize(
    ("settings", "platform", "argv", "clipboard"),
    [
        (DialSettings("tel"), "linux", ("xdg-open", "tel:+442087112817;ext=23"), None),
        (DialSettings("tel"), "darwin", ("open", "tel:+442087112817;ext=23"), None),
        (DialSettings("command", "sip-call --to {number} --ext '{ext}' {x}"), "linux",
         ("sip-call", "--to", "+442087112817", "--ext", "23", "{x}"), None),
        (DialSettings("clipboard"), "linux", (), "+442087112817,23"),
    ],
)  # fmt: skip
def test_plan(settings, platform, argv, clipboard):
    dial = plan(settings, "+442087112817;ext=23", platform)
    assert (dial.argv, dial.clipboard, dial.shown) == (
        argv, clipboard, "+442087112817 ext. 23",
    )  # fmt: skip


def test_nothing_to_hand_over():
    assert plan(DialSettings("none"), "+442087112817") is None
    assert plan(DialSettings("tel"), None) is None
    assert plan(DialSettings("command", "dial '{number}"), "+442087112817") is None
    assert tel_uri("+44 20 8711-2817") == "tel:+442087112817"


def test_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[dial]\nhandoff = "command"\ncommand = "softphone {number}"\n')
    assert load_config(file=path).dial == DialSettings("command", "softphone {number}")
    path.write_text('[dial]\nhandoff = "fax"\n')
    config = load_config(file=path)
    # The one-line error names the file and the setting (its line, where config finds it).
    [error] = config.errors
    assert config.dial == DialSettings() and error.startswith(f"{path}:")
    assert "handoff: one of tel, command, clipboard, none, not 'fax'" in error
    path.write_text('[dial]\nhandoff = "command"\n')
    [error] = load_config(file=path).errors
    assert 'handoff: handoff = "command" needs command = "... {number}"' in error


def test_launch_does_not_wait_and_a_failure_is_one_line(tmp_path):
    said: list[str] = []
    started = time.monotonic()
    assert launch(("sh", "-c", "sleep 0.3; exit 3"), said.append) is None
    assert time.monotonic() - started < 0.2  # returned before the command finished
    deadline = time.monotonic() + 5
    while not said and time.monotonic() < deadline:
        time.sleep(0.02)
    assert said == ["dial handoff: sh exited with status 3"]
    missing = tmp_path / "no-such-dialer"
    assert launch((str(missing), "+44"), said.append) == (
        f"dial handoff: cannot run {missing}: No such file or directory"
    )


@given(st.text(max_size=60), st.text(max_size=30))
def test_a_command_of_any_text_gives_an_argv_or_nothing(command, stored):
    dial = plan(DialSettings("command", command), stored)
    assert dial is None or (dial.argv and all(isinstance(part, str) for part in dial.argv))
