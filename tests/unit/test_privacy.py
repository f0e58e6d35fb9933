"""The book, its drafts, backups and logs are readable by their owner alone: files 0600,
folders 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.clock import fixed_clock
from callbook.config import Config
from callbook.crashlog import crash_log_path, record_crash, screen_message
from callbook.paths import resolve
from callbook.store import Store
from callbook.store.backup import auto_backup, backup, restore

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SECRET = "dm: Tom Li; budget 40k, wife unwell"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def open_umask():
    """The most permissive umask: privacy must not depend on the caller's."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def paths(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CALLBOOK_DB", raising=False)
    return resolve(None)


def test_the_book_and_its_side_files(paths):
    runner = CliRunner()
    assert runner.invoke(main, ["add", "Acme Ltd"]).exit_code == 0
    assert mode(paths.db) == 0o600
    assert mode(paths.data_dir) == 0o700
    with Store.open(paths.db) as store:
        store.save_draft("capture", SECRET)
        for suffix in ("-wal", "-shm", ".lock"):
            side = paths.db.with_name(paths.db.name + suffix)
            assert mode(side) == 0o600, side


def test_drafts_live_only_in_the_book(paths, tmp_path):
    with Store.open(paths.db) as store:
        store.save_draft("capture", SECRET)
        holders = {
            p.name for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()
        }
        assert holders <= {"callbook.db", "callbook.db-wal"} and holders
        assert all(mode(paths.data_dir / name) == 0o600 for name in holders)


def test_backups(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        store.add_prospect("Acme Ltd")
        store.save_draft("capture", SECRET)
        made = [backup(store, paths), auto_backup(store, paths, Config())]
    assert mode(paths.backup_dir) == 0o700
    assert all(mode(p) == 0o600 for p in made)
    assert [p.name for p in paths.backup_dir.iterdir() if mode(p) & 0o077] == []


def test_restore_keeps_both_books_private(paths):
    with Store.open(paths.db, clock=fixed_clock(NOW)) as store:
        store.add_prospect("Acme Ltd")
        made = backup(store, paths)
    aside = restore(made, paths.db, force=True)
    assert mode(paths.db) == 0o600 and mode(aside) == 0o600


def test_an_existing_book_open_to_others_is_made_private(paths):
    Store.open(paths.db).close()
    os.chmod(paths.db, 0o644)
    Store.open(paths.db).close()
    assert mode(paths.db) == 0o600


def test_a_read_only_book_is_not_made_writable(paths):
    """Making a book private takes permissions away; it never adds write permission."""
    Store.open(paths.db).close()
    os.chmod(paths.db, 0o444)
    with Store.open(paths.db) as store:
        store.count_prospects()
    assert mode(paths.db) == 0o400


def test_the_crash_log(paths):
    try:
        raise ValueError(f"cannot parse {SECRET!r}")
    except ValueError as exc:
        error = exc
    log = record_crash(paths, error)
    record_crash(paths, error)
    assert log == crash_log_path(paths)
    assert mode(log) == 0o600 and mode(paths.log_dir) == 0o700
    text = log.read_text()
    assert text.count("ValueError") >= 2 and "Traceback" in text
    shown = screen_message(error, log)
    assert SECRET not in shown and "ValueError" in shown and str(log) in shown
    assert "\n" not in shown


def test_a_crash_log_the_full_disk_refused_is_not_named(paths, monkeypatch):
    """On a full disk the log stays empty: the line on screen must not send the caller to it."""
    import errno

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    error = ValueError(f"cannot parse {SECRET!r}")
    monkeypatch.setattr(os, "write", full)
    assert record_crash(paths, error) is None
    monkeypatch.undo()
    shown = screen_message(error, None)
    assert shown == (
        "callbook stopped after an unexpected error (ValueError); the details could not be "
        "saved (disk full?)"
    )


def test_doctor_reports_a_folder_open_to_others(paths):
    Store.open(paths.db).close()
    os.chmod(paths.data_dir, 0o755)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert f"{paths.data_dir} is 0755" in result.output
    assert CliRunner().invoke(main, ["doctor", "--fix"]).exit_code == 0
    assert mode(paths.data_dir) == 0o700
