"""Bad book files: one clear line, the file never modified, nothing made in its place, a clean
exit — through the store, the command line and the app's entry. Then read-only books and full
disks: reading works, writing is refused with one line, and nothing committed is lost.

The tests run as root, which ignores permission bits: read-only files and folders are made with
read-only bind mounts, and a full disk with a small tmpfs (both skipped where mounting is not
allowed; as another user, plain chmod does the read-only part).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from callbook.cli import main
from callbook.model import NewCall, NewContact, Outcome, Role
from callbook.paths import resolve
from callbook.store import ReadOnlyError, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


# --- making bad files ----------------------------------------------------------------------


_BOOKS: dict[int, bytes] = {}


def real_book(path: Path, calls: int = 120) -> Path:
    """A closed book with `calls` calls (made once per size, then copied)."""
    if calls not in _BOOKS:
        made = path.with_name(f".made-{calls}.db")
        _make_book(made, calls)
        _BOOKS[calls] = made.read_bytes()
        made.unlink()
    path.write_bytes(_BOOKS[calls])
    os.chmod(path, 0o600)
    return path


def _make_book(path: Path, calls: int) -> None:
    with Store.open(path) as store:
        p = store.add_prospect("Acme Ltd", phones=["+442079460000"])
        for i in range(calls):
            at = NOW + timedelta(minutes=i)
            store.record_call(
                NewCall(
                    p.id, at, at, Outcome.GATEKEEPER,
                    pieces=(("gatekeeper", f"Sarah {i}"),),
                    contacts=(NewContact(f"Sarah {i}", Role.GATEKEEPER),),
                    notes=f"notes of call {i} " * 20,
                )
            )  # fmt: skip


def _text(path: Path) -> None:
    path.write_text("name,phone\nAcme,+44 20 7946 0000\n" * 50)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("create table invoices (id integer primary key, total real)")
    conn.execute("insert into invoices (total) values (12.5)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    real_book(path, calls=2)
    conn = sqlite3.connect(path)
    conn.execute("pragma user_version = 99")
    conn.commit()
    conn.close()


def _truncated(path: Path) -> None:
    real_book(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _other_app_id(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("pragma application_id = 1234")
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()


BAD = {
    "text": (_text, "is not a callbook database (not an SQLite file)"),
    "foreign": (_foreign, "SQLite database of another program (tables: invoices)"),
    "other-app-id": (_other_app_id, "belongs to another program (application id 0x4d2)"),
    "newer": (_newer, "was written by a newer callbook (schema 99"),
    "truncated": (_truncated, "is damaged (cut short:"),
}


@pytest.fixture(params=sorted(BAD))
def bad(request, tmp_path) -> tuple[Path, str]:
    folder = tmp_path / "books"
    folder.mkdir()
    path = folder / "book.db"
    make, message = BAD[request.param]
    make(path)
    return path, message


def snapshot(path: Path) -> tuple:
    """Everything about a file and its folder that opening must leave as it was."""
    st = os.stat(path)
    return (
        path.read_bytes(),
        st.st_mtime_ns,
        st.st_mode,
        sorted(p.name for p in path.parent.iterdir()),
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("callbook: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLBOOK_HOME": str(home)}
    env.pop("CALLBOOK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "callbook", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=ROOT,
    )


# --- bad files -----------------------------------------------------------------------------


def test_the_store_refuses_and_leaves_the_file_alone(bad):
    path, message = bad
    before = snapshot(path)
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Store.open(path)
    with pytest.raises(StoreError):
        Store.open(path, create=False)
    assert snapshot(path) == before


COMMANDS = [
    ("queue",),
    ("show", "acme"),
    ("log", "acme", "gk: Sarah; !gk"),
    ("add", "Beta Ltd"),
    ("backup",),
    ("open",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_refuses_with_one_line(bad, command, tmp_path):
    path, message = bad
    before = snapshot(path)
    result = CliRunner().invoke(main, ["--db", str(path), *command])
    assert result.exit_code == 1, result.output
    assert message in one_line(result.stderr)
    assert snapshot(path) == before
    assert not (tmp_path / "callbook-home" / "data" / "backups").exists()


def test_doctor_reports_a_bad_file_and_leaves_it_alone(bad):
    path, message = bad
    before = snapshot(path)
    for args in (["doctor"], ["doctor", "--fix"]):
        result = CliRunner().invoke(main, ["--db", str(path), *args])
        assert result.exit_code == 1
        assert message in result.output
    assert snapshot(path) == before


def test_the_app_entry_refuses_with_one_line(bad, capsys):
    from callbook.tui.app import run_app

    path, message = bad
    before = snapshot(path)
    assert run_app(resolve(path)) == 1
    captured = capsys.readouterr()
    assert message in one_line(captured.err)
    assert captured.out == ""
    assert snapshot(path) == before


def test_a_real_process_exits_cleanly(tmp_path):
    """`callbook --db X` (the app) and a command, as real processes, on a truncated book."""
    path = tmp_path / "books" / "book.db"
    path.parent.mkdir()
    _truncated(path)
    before = snapshot(path)
    for args in (["--db", str(path)], ["--db", str(path), "queue"]):
        done = cli(tmp_path / "home", *args)
        assert done.returncode == 1
        assert "is damaged (cut short:" in one_line(done.stderr)
        assert done.stdout == ""
    assert snapshot(path) == before


def test_a_folder_where_the_book_should_be(tmp_path):
    path = tmp_path / "book.db"
    path.mkdir()
    result = CliRunner().invoke(main, ["--db", str(path), "queue"])
    assert result.exit_code != 0
    assert path.is_dir() and not any(path.iterdir())


def test_a_missing_book_is_never_made_by_checks(tmp_path):
    path = tmp_path / "nope.db"
    for args in (["doctor"], ["backup"]):
        result = CliRunner().invoke(main, ["--db", str(path), *args])
        assert result.exit_code == 1
    assert not any(p.name.startswith("nope") for p in tmp_path.iterdir())


# --- read-only books -----------------------------------------------------------------------


def _run(*args: str) -> bool:
    try:
        return subprocess.run(list(args), capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


def _unmount(target: Path) -> None:
    for _ in range(50):
        gc.collect()  # a connection not yet collected keeps the mount busy
        if _run("umount", str(target)):
            return
        time.sleep(0.1)
    _run("umount", "-l", str(target))


@contextlib.contextmanager
def read_only(target: Path) -> Iterator[None]:
    """Make a file or folder read-only for this process, root included."""
    if os.geteuid() != 0:
        mode = os.stat(target).st_mode
        os.chmod(target, 0o500 if target.is_dir() else 0o400)
        try:
            yield
        finally:
            os.chmod(target, mode)
        return
    if not _run("mount", "--bind", str(target), str(target)):
        pytest.skip("running as root and not allowed to mount: cannot make a book read-only")
    try:
        if not _run("mount", "-o", "remount,ro,bind", str(target)):
            pytest.skip("cannot remount read-only")
        assert not os.access(target, os.W_OK)
        yield
    finally:
        _unmount(target)


@pytest.fixture(params=["file", "folder"])
def read_only_book(request, tmp_path) -> Iterator[Path]:
    folder = tmp_path / "books"
    folder.mkdir()
    path = real_book(folder / "book.db", calls=5)
    with read_only(path if request.param == "file" else folder):
        yield path


def test_a_read_only_book_reads_and_refuses_writes(read_only_book):
    path = read_only_book
    before = path.read_bytes()
    with Store.open(path) as store:
        assert store.count_prospects() == 1
        assert len(store.calls()) == 5
        with pytest.raises(ReadOnlyError, match="is read-only"):
            store.add_prospect("Beta")
        with pytest.raises(ReadOnlyError, match="is read-only"):
            store.save_draft("capture", "gk: Sarah")
        assert store.integrity_check() == []
    assert path.read_bytes() == before


def test_read_only_book_on_the_command_line(read_only_book, tmp_path):
    path = read_only_book
    before = path.read_bytes()
    for args in (["queue"], ["show", "acme"], ["doctor"], ["backup", str(tmp_path / "b.db")]):
        result = CliRunner().invoke(main, ["--db", str(path), *args])
        assert "Traceback" not in result.output
        assert result.exit_code == (1 if args == ["doctor"] else 0), result.output
    assert "is read-only" in CliRunner().invoke(main, ["--db", str(path), "doctor"]).output
    assert path.read_bytes() == before


def test_writing_a_read_only_book_from_the_command_line_is_one_line(read_only_book, tmp_path):
    done = cli(tmp_path / "home", "--db", str(read_only_book), "log", "acme", "gk: Tom; !gk")
    assert done.returncode == 1
    assert "is read-only" in one_line(done.stderr)


def test_a_new_book_in_a_read_only_folder_is_one_line(tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(StoreError, match="the folder is read-only"):
            Store.open(folder / "book.db")
        assert list(folder.iterdir()) == []


# --- full disks ----------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not _run(
        # Room for a new book's log and a few calls (~100 kB of log each: a call touches ~25
        # pages), so that the space freed after filling the disk holds the next call.
        "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)
    ):
        pytest.skip("cannot mount a small file system here")
    try:
        yield mount
    finally:
        _unmount(mount)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    return filler


def _call(store: Store, prospect_id: int, i: int) -> NewCall:
    at = NOW + timedelta(minutes=i)
    return NewCall(
        prospect_id, at, at, Outcome.GATEKEEPER,
        pieces=(("gatekeeper", f"Sarah {i}"),),
        contacts=(NewContact(f"Sarah {i}", Role.GATEKEEPER),),
        notes="n" * 2000,
    )  # fmt: skip


def test_a_full_disk_refuses_the_call_and_keeps_the_rest(small_disk):
    path = small_disk / "book.db"
    store = Store.open(path)
    p = store.add_prospect("Acme Ltd")
    saved = [store.record_call(_call(store, p.id, i)).id for i in range(3)]
    filler = _fill(small_disk)
    refused = 0
    for i in range(3, 200):
        try:
            saved.append(store.record_call(_call(store, p.id, i)).id)
        except ReadOnlyError as exc:
            assert "the disk is full" in str(exc)
            refused += 1
            if refused == 3:
                break
    assert refused == 3
    assert store.integrity_check() == []
    assert sorted(c.id for c in store.calls()) == sorted(saved)
    # every call whole: its piece and its contact
    for call_id in saved:
        assert len(store.pieces_of_call(call_id)) == 1
    filler.unlink()
    saved.append(store.record_call(_call(store, p.id, 999)).id)
    store.close()
    with Store.open(path) as again:
        assert sorted(c.id for c in again.calls()) == sorted(saved)
        assert again.integrity_check() == []


def test_a_backup_onto_a_full_disk_leaves_nothing(small_disk, tmp_path):
    from callbook.store.backup import BackupError, backup

    path = real_book(tmp_path / "book.db", calls=60)
    _fill(small_disk)
    with Store.open(path) as store:
        with pytest.raises(BackupError, match="disk is full"):
            backup(store, resolve(path), small_disk / "copy.db")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_an_injected_write_failure_changes_nothing(tmp_path):
    """The same as a full disk, anywhere: a statement in the middle of a call fails."""

    class Failing:
        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql.lstrip().lower().startswith("insert into contacts"):
                full = sqlite3.OperationalError("database or disk is full")
                full.sqlite_errorname = "SQLITE_FULL"  # as SQLite's own error carries it
                raise full
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    with Store.open(tmp_path / "book.db") as store:
        p = store.add_prospect("Acme Ltd")
        store.record_call(_call(store, p.id, 0))
        real = store.conn
        store.conn = Failing(real)
        try:
            with pytest.raises(ReadOnlyError, match="the disk is full; nothing was changed"):
                store.record_call(_call(store, p.id, 1))
        finally:
            store.conn = real
        assert len(store.calls()) == 1
        assert len(store.pieces(p.id)) == 1
        assert store.get_prospect(p.id).call_count == 1


# --- a book this process already has open --------------------------------------------------


def test_opening_a_book_twice_in_one_process_keeps_the_first_ones_locks(tmp_path):
    """POSIX drops all of a process's locks on a file when any descriptor of it is closed. If
    opening the book a second time read its header with open()/close(), the first connection
    would lose its lock; another process closing the book would then think it was the last,
    and delete the write-ahead log under the first (measured: later commits lost)."""
    path = real_book(tmp_path / "book.db", calls=1)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    other = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('select count(*) from calls').fetchone(); c.close()"
    )
    with Store.open(path) as first:
        first.calls()
        with Store.open(path) as second:
            second.calls()
        subprocess.run([sys.executable, "-c", other, str(path)], check=True, env=env)
        assert path.with_name("book.db-wal").exists(), "the other process took the log away"
