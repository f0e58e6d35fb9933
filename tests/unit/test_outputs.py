"""Outputs the caller asks for (`export -o`, csv folders, calendars, standard output): never over
an existing file without --force, never over the book or its side files, never over anything
but a regular file; private from the first byte; and every write error (full disk, /dev/full,
a closed pipe) one line, a non-zero exit and no partial file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from one_line import one_line

from callbook.cli import main
from callbook.output import OutputError, write_file
from callbook.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def book(tmp_path) -> Path:
    db = tmp_path / "e2.db"
    with Store.open(db) as store:
        p = store.add_prospect("Acme Ltd", phones=["+442079460000"])
        store.add_piece(p.id, "gatekeeper", "Sarah Jenkins")
    return db


def export(book: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(book), "export", *args])


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_export_onto_the_book_is_refused_even_with_force(book):
    before = files_of(book.parent)
    for name in ("e2.db", "e2.db-wal", "e2.db.lock"):
        for force in ((), ("--force",)):
            result = export(book, "-o", str(book.with_name(name)), *force)
            assert result.exit_code == 1
            assert "is the book or one of its files" in one_line(result.stderr)
    # by another name for the same file, too
    (book.parent / "alias.db").symlink_to(book)
    result = export(book, "-o", str(book.parent / "alias.db"), "--force")
    assert result.exit_code == 1
    assert (book.parent / "alias.db").is_symlink()
    (book.parent / "alias.db").unlink()
    assert files_of(book.parent) == before
    with Store.open(book) as store:
        assert store.count_prospects() == 1


def test_an_existing_file_is_kept_without_force(book, tmp_path):
    out = tmp_path / "mine.json"
    out.write_text("precious")
    for args in ((), ("--format", "csv"), ("--format", "ics")):
        result = export(book, *args, "-o", str(out))
        assert result.exit_code == 1
        assert f"{out} already exists; add --force to replace it" in one_line(result.stderr)
        assert out.read_text() == "precious"
    result = export(book, "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert '"Acme Ltd"' in out.read_text()
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_symlinks_devices_and_fifos_are_never_replaced(book, tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for dest, said in (
        (link, "is a symbolic link"),
        (fifo, "is a FIFO (named pipe)"),
        (Path("/dev/null"), "is a character device"),
    ):
        result = export(book, "-o", str(dest), "--force")
        assert result.exit_code == 1
        assert said in one_line(result.stderr)
    assert link.is_symlink() and target.read_text() == "keep"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_csv_folder_files_are_private_from_the_first_byte_and_never_overwritten(book, tmp_path):
    folder = tmp_path / "out"
    seen_modes = []
    real_open = os.open

    def spying_open(path, flags, mode=0o777, *args, **kwargs):
        fd = real_open(path, flags, mode, *args, **kwargs)
        if str(path).startswith(str(folder)) and flags & os.O_CREAT:
            seen_modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    old_umask = os.umask(0o022)
    try:
        os.open = spying_open
        result = export(book, "--format", "csv", "--what", "all", "-o", str(folder))
    finally:
        os.open = real_open
        os.umask(old_umask)
    assert result.exit_code == 0, result.output
    assert seen_modes and set(seen_modes) == {0o600}  # created private, not tightened after
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in folder.iterdir())
    before = files_of(folder)
    again = export(book, "--format", "csv", "--what", "all", "-o", str(folder))
    assert again.exit_code == 1 and "already exists; add --force" in one_line(again.stderr)
    assert files_of(folder) == before


def test_a_failed_write_leaves_nothing(tmp_path, monkeypatch):
    out = tmp_path / "x.json"

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    said = r"cannot write the file \(the disk is full\); nothing was written"
    with pytest.raises(OutputError, match=said):
        write_file(out, b"{}" * 1000)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def _cli(db: Path, *args: str, stdout) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(db.parent / "home")}
    env.pop("CALLBOOK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "callbook", "--db", str(db), *args],
        stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("export",),
        ("export", "--format", "csv"),
        ("export", "--format", "ics"),
        ("queue",),
        ("search", "Sarah"),
        ("show", "acme"),
    ],
    ids=lambda a: "-".join(a),
)
def test_dev_full_as_standard_output_is_one_line(book, args):
    with open("/dev/full", "w") as full:
        done = _cli(book, *args, stdout=full)
    assert done.returncode == 1, done.stderr
    assert one_line(done.stderr) == "callbook: cannot write the output (the disk is full); stopped"


def test_a_closed_pipe_is_one_line(book):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(book.parent / "home")}
    with Store.open(book) as store:
        store.add_prospects([{"name": f"P{i}", "phones": [f"+4420794{i:05d}"]}
                             for i in range(3000)])  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "callbook", "--db", str(book), "export"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert proc.returncode == 1
    said = "callbook: cannot write the output (the reader closed the pipe); stopped"
    assert one_line(err) == said
