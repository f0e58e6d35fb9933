"""The command line's daily backup: made by a detached process after the command, once a day,
its failure said once by the next command."""

from __future__ import annotations

import time

from click.testing import CliRunner

from callbook.cli import daily_backup, main
from callbook.desk import Desk
from callbook.paths import resolve
from callbook.store.backup import list_backups, verify_book


def _wait_for(check, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_the_daily_backup_is_made_by_a_process_of_its_own_once_a_day(tmp_path):
    db = tmp_path / "book.db"
    paths = resolve(db)
    desk = Desk.open(paths)
    desk.store.add_prospect("Acme Ltd")
    assert daily_backup.due(desk, paths)
    result = CliRunner().invoke(main, ["--db", str(db), "queue", "--json"])
    assert result.exit_code == 0, result.output
    assert _wait_for(lambda: any(b.auto for b in list_backups(paths, db)))
    made = [b for b in list_backups(paths, db) if b.auto]
    assert len(made) == 1 and verify_book(made[0].path) > 0
    assert not daily_backup.due(desk, paths)
    desk.close()


def test_an_empty_book_needs_no_backup(tmp_path):
    paths = resolve(tmp_path / "book.db")
    desk = Desk.open(paths)
    try:
        assert not daily_backup.due(desk, paths)
    finally:
        desk.close()


def test_a_failed_backup_is_said_once_by_the_next_command(tmp_path):
    db = tmp_path / "book.db"
    paths = resolve(db)
    paths.backup_dir.mkdir(parents=True)
    (paths.backup_dir / daily_backup.FAILED).write_text("the disk is full\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["--db", str(db), "queue", "--json"])
    second = runner.invoke(main, ["--db", str(db), "queue", "--json"])
    assert first.stderr == "callbook: warning: daily backup skipped: the disk is full\n"
    assert second.stderr == ""
    assert not (paths.backup_dir / daily_backup.FAILED).exists()


def test_the_backup_process_remembers_why_it_failed(tmp_path):
    db = tmp_path / "missing.db"
    assert daily_backup.run(str(db)) == 1
    assert daily_backup.last_failure(resolve(db)) == f"{db}: no such callbook database"
