"""Files callbook writes for the caller (exports, calendars): whole or not at all, private from
the first byte, and never in place of something that must not be replaced.

A file is written under a temporary name beside its destination (created 0600, so not even a
moment of it is readable by others), flushed, and only then given its name. An existing file
is replaced only when the caller says `force`; the book and its side files never are, and
neither is anything but a regular file (a symlink, a device, a FIFO, a folder). Any failure is
one line (`OutputError`) and leaves no partial file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from callbook.errors import StoreError

# Beside a book: its write-ahead log, shared memory, rollback journal and write lock.
BOOK_SIDE_FILES = ("", "-wal", "-shm", "-journal", ".lock")


class OutputError(StoreError):
    """An output that could not be written; one line, and nothing was left behind."""


def protected(book: Path) -> list[Path]:
    """The files an output must never replace: the book and its side files."""
    book = Path(book)
    return [book.with_name(book.name + suffix) for suffix in BOOK_SIDE_FILES]


def check_destination(path: Path, *, force: bool, keep: Iterable[Path] = ()) -> None:
    """Refuse `path` as an output unless it is absent, or a regular file and `force`."""
    target = _absolute(path)
    for guarded in keep:
        if target == _absolute(guarded) or _same_file(path, guarded):
            raise OutputError(f"{path} is the book or one of its files; choose another name")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({why(exc)})") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{path} is a symbolic link; give the name of a new file")
    if not stat.S_ISREG(st.st_mode):
        from callbook.store.db import file_kind

        raise OutputError(f"{path} is {file_kind(st.st_mode)}; give the name of a new file")
    if not force:
        raise OutputError(f"{path} already exists; add --force to replace it")


def write_file(path: Path, data: bytes, *, force: bool = False, keep: Iterable[Path] = ()) -> None:
    """Write `data` to `path` whole or not at all, 0600 (see the module's rules)."""
    write_files({Path(path): data}, force=force, keep=keep)


def write_files(
    files: dict[Path, bytes], *, force: bool = False, keep: Iterable[Path] = ()
) -> None:
    """Write several files as one: all checked first, all written under temporary names, then
    all given their names. A failure before the names leaves none of them."""
    keep = list(keep)
    for path in files:
        check_destination(path, force=force, keep=keep)
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"{path}: no such folder {folder}")
    temps: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            temps[path] = _write_temp(path, data)
        for path, temp in temps.items():
            _place(temp, path, force=force)
            _fsync_folder(path.parent)
    except OSError as exc:
        raise OutputError(f"{next(iter(files))}: cannot write the file ({why(exc)}); "
                          "nothing was written") from None  # fmt: skip
    finally:
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()


def temp_name(path: Path) -> Path:
    """The temporary name of an output being written (`doctor` finds those a kill left)."""
    return path.with_name(f".{path.name}.partial-{os.getpid()}")


def _write_temp(path: Path, data: bytes) -> Path:
    temp = temp_name(path)
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    os.close(fd)
    return temp


def _place(temp: Path, path: Path, *, force: bool) -> None:
    """Give the finished file its name; without `force` never over a file that appeared since."""
    if force:
        check_destination(path, force=True)
        os.replace(temp, path)
    elif not link_new(temp, path):
        raise OutputError(f"{path} already exists; add --force to replace it")


def link_new(temp: Path, path: Path) -> bool:
    """Give `temp` the name `path` only if nothing has it (a hard link, so that a file that
    appeared meanwhile is never replaced; a rename where the file system has no links).
    False when the name is taken."""
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(path):
            return False
        os.rename(temp, path)
    return True


def fsync(path: Path) -> None:
    """Flush a file or a folder (a folder: the names in it) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fsync(folder)


def _absolute(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def why(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EPIPE:
        return "the reader closed the pipe"
    return exc.strerror or type(exc).__name__
