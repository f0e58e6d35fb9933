"""A book the app may only read opens with a banner and records nothing, in one line; a line
that could not be saved (a full disk, a read-only book) is printed to the terminal on exit."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from drive import settle

from callbook.clock import fixed_clock
from callbook.store import ReadOnlyError
from callbook.tui.app import make_app, say_unsaved


def _run(*args: str) -> bool:
    return subprocess.run(list(args), capture_output=True).returncode == 0


@pytest.fixture
def read_only_demo(demo_db: Path):
    """The demo book in a folder this process may not write (a read-only bind mount)."""
    folder = demo_db.parent
    if os.geteuid() != 0:
        os.chmod(folder, 0o500)
        yield demo_db
        os.chmod(folder, 0o700)
        return
    if not _run("mount", "--bind", str(folder), str(folder)):
        pytest.skip("cannot mount here")
    try:
        if not _run("mount", "-o", "remount,ro,bind", str(folder)):
            pytest.skip("cannot remount read-only")
        yield demo_db
    finally:
        import gc

        gc.collect()
        _run("umount", "-l", str(folder))


async def test_a_read_only_book_opens_with_a_banner_and_refuses_a_commit(
    read_only_demo, open_desk, now, type_text, capsys
) -> None:
    before = read_only_demo.read_bytes()
    app = make_app(open_desk(read_only_demo), clock=fixed_clock(now))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.is_running and app.main is not None  # no "unexpected error"
        assert app.sub_title == "READ-ONLY: nothing can be recorded"
        notes = [(n.title, n.message) for n in app._notifications]
        assert ("read-only book", app.read_only) in notes
        assert "is read-only" in app.read_only
        await pilot.press("enter")
        await type_text(pilot, "gk: Tom Li; !gk")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.call is not None  # not recorded: the call is still open
        message, line = app._error
        assert "is read-only" in message and "\n" not in message and line == "gk: Tom Li; !gk"
        assert not [n for n in app._notifications if n.title == "draft failed"]
        await pilot.press("ctrl+q")
    say_unsaved(app)
    assert capsys.readouterr().err == (
        "callbook: this line could not be saved, copy it: gk: Tom Li; !gk\n"
    )
    assert read_only_demo.read_bytes() == before


async def test_a_line_the_full_disk_refused_is_printed_after_sigterm(
    demo_app, type_text, capsys, monkeypatch
) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "budget: 20k; !cb")

        def full(*_args, **_kwargs):
            raise ReadOnlyError("book.db: the disk is full; nothing was changed")

        from callbook.service import draft_keeper as drafts

        monkeypatch.setattr(drafts.rows, "save", full)  # the disk fills up under the caller
        app.call_later(app._on_signal, signal.SIGTERM)
    assert app.return_code == 143
    say_unsaved(app)
    assert capsys.readouterr().err == (
        "callbook: this line could not be saved, copy it: budget: 20k; !cb\n"
    )


async def test_nothing_is_printed_when_the_line_was_saved(demo_app, type_text, capsys) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "budget: 20k")
        app.call_later(app._on_signal, signal.SIGTERM)
    say_unsaved(app)
    assert capsys.readouterr().err == ""
