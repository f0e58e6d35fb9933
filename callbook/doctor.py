"""`callbook doctor`: check a book and its files, and fix what can be fixed without risk.

Checks: the file opens as a callbook book, it can be written (for real: a small file written
and flushed beside it, so a full disk is seen), its schema, SQLite's integrity check, foreign
keys, the recall index in step with the data, temporary files left by killed backups, restores
and exports, and that the book, its side files, backups and logs are readable by their owner
alone. `fix` rebuilds the recall index, removes the leftovers and takes group/other permissions
away; it never touches the data otherwise.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from callbook.paths import Paths


@dataclass
class Finding:
    name: str
    ok: bool
    detail: str
    fixed: bool = False  # it was wrong and `fix` put it right (ok is then True)


@dataclass
class Report:
    path: Path
    findings: list[Finding] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, name: str, ok: bool, detail: str, fixed: bool = False) -> Finding:
        finding = Finding(name, ok, detail, fixed)
        self.findings.append(finding)
        return finding

    def as_dict(self) -> dict:
        return {
            "path": str(self.path),
            "healthy": self.healthy,
            "checks": [
                {"name": f.name, "ok": f.ok, "detail": f.detail, "fixed": f.fixed}
                for f in self.findings
            ],
        }


def examine(paths: Paths, *, fix: bool = False, clock=None) -> Report:
    """Check the book at `paths.db` (never creating it) and, with `fix`, repair what is safe."""
    from callbook.store import Store, StoreError
    from callbook.store.db import writable
    from callbook.store.schema import LATEST

    report = Report(paths.db)
    db = paths.db
    try:
        os.stat(db)
    except FileNotFoundError:
        report.add("book", False, f"{db}: no such callbook database")
        return report
    except OSError as exc:
        report.add("book", False, f"{db}: cannot open the book ({exc.strerror or exc})")
        return report
    before = _open_to_others(paths)  # opening makes the book's own files private quietly
    try:
        store = Store.open(db, create=False, **({"clock": clock} if clock else {}))
    except StoreError as exc:
        report.add("book", False, str(exc) + _newest_backup_hint(paths))
        # Not a book callbook can open: its permissions are not ours to judge or change.
        _permissions(report, paths, fix, before, book_files=False)
        return report
    try:
        report.add("book", True, f"{db} opens as a callbook book")
        if not writable(db):
            report.add(
                "writable", False, "the book or its folder is read-only: nothing can be recorded"
            )
        elif problem := _write_probe(db.parent):
            report.add("writable", False, f"{problem}: nothing can be recorded")
        else:
            report.add("writable", True, "calls can be recorded")
        found = store.schema_version
        report.add("schema", found == LATEST, f"version {found} (this callbook: {LATEST})")
        _integrity(report, store, paths)
        _open_to_tools(report, store)
        _recall(report, store, fix)
        _derived(report, store, fix)
        _backups(report, paths)
    finally:
        store.close()
    _leftovers(report, paths, fix)
    _permissions(report, paths, fix, before)
    return report


PROBE_BYTES = 64 * 1024  # a few pages: what one call with its pieces needs, and then some


def _write_probe(folder: Path) -> str | None:
    """Write (and flush) a small file where the book lives, then remove it: a full disk or a
    file system gone read-only says so here, where permission bits alone would say writable.
    None when it worked, else what went wrong."""
    import errno

    probe = folder / f".callbook-probe.partial-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "the disk is full"
        if exc.errno == errno.EROFS:
            return "the file system is read-only"
        return f"cannot write in {folder} ({exc.strerror or exc})"
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    return None


def _leftovers(report: Report, paths: Paths, fix: bool) -> None:
    """Temporary files that a killed backup, restore or export left (hidden, often the size of
    the whole book): found beside the book and in the backup folder, removed with `fix`."""
    from callbook.store.backup import leftovers

    found = leftovers(paths.db.parent)
    if paths.backup_dir.is_dir() and paths.backup_dir != paths.db.parent:
        found += leftovers(paths.backup_dir)
    if not found:
        report.add("leftovers", True, "no temporary files left behind")
        return
    size = sum(_size(p) for p in found)
    names = ", ".join(str(p) for p in found[:3])
    names += f" (+{len(found) - 3} more)" if len(found) > 3 else ""
    if not fix:
        report.add("leftovers", False, f"{len(found)} temporary file(s) left by an interrupted "
                   f"backup, restore or export ({_megabytes(size)}): {names} (--fix removes "
                   "them)")  # fmt: skip
        return
    stuck = []
    for path in found:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            stuck.append(f"{path} ({exc.strerror or exc})")
    if stuck:
        report.add("leftovers", False, "cannot remove " + "; ".join(stuck[:3]))
    else:
        report.add("leftovers", True, f"removed {len(found)} temporary file(s) "
                   f"({_megabytes(size)}): {names}", fixed=True)  # fmt: skip


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _integrity(report: Report, store, paths: Paths) -> None:
    from callbook.store import StoreError

    try:
        problems = store.integrity_check()
    except StoreError as exc:
        report.add("integrity", False, str(exc) + _newest_backup_hint(paths))
        return
    keys = [p for p in problems if p.startswith("foreign key:")]
    other = [p for p in problems if not p.startswith("foreign key:")]
    if other:
        shown = "; ".join(other[:3]) + (f" (+{len(other) - 3} more)" if len(other) > 3 else "")
        report.add("integrity", False, shown + _newest_backup_hint(paths))
    else:
        report.add("integrity", True, "ok")
    if keys:
        shown = "; ".join(keys[:3]) + (f" (+{len(keys) - 3} more)" if len(keys) > 3 else "")
        report.add("foreign keys", False, shown)
    else:
        report.add("foreign keys", True, "ok")


def _open_to_tools(report: Report, store) -> None:
    """Every table counts and lists as other SQLite tools do it (through sqlite-utils)."""
    import sqlite3

    refused = []
    with store._lock:
        db = store.db
        for name in db.table_names():
            try:
                db[name].count  # noqa: B018 (the read is the check)
                next(iter(db[name].rows_where(limit=1)), None)
            except sqlite3.Error as exc:
                refused.append(f"{name}: {exc}")
    if refused:
        report.add("open to other tools", False, "; ".join(refused[:3]))
    else:
        report.add("open to other tools", True, "every table counts and lists")


def _recall(report: Report, store, fix: bool) -> None:
    from callbook.store import ReadOnlyError, StoreError

    try:
        from callbook.search import index_in_step, rebuild_index
    except ImportError:
        report.add("recall index", True, "not available")
        return
    try:
        if index_in_step(store):
            report.add("recall index", True, "in step with the book")
            return
        if not fix:
            report.add("recall index", False, "out of step with the book (--fix rebuilds it)")
            return
        rebuild_index(store)
        if index_in_step(store):
            report.add("recall index", True, "rebuilt; in step with the book", fixed=True)
        else:
            report.add("recall index", False, "still out of step after a rebuild")
    except ReadOnlyError:
        report.add("recall index", True, "not checked: the book is read-only")
    except StoreError as exc:
        report.add("recall index", False, str(exc))


def _derived(report: Report, store, fix: bool) -> None:
    """The stats tallies and name keys the Store keeps by its writes (another program's
    writes can leave them behind)."""
    from callbook.store import ReadOnlyError, StoreError

    name = "stats tallies and name keys"
    try:
        problems = store.derived_out_of_step()
        if not problems:
            report.add(name, True, "in step with the book")
            return
        if not fix:
            report.add(name, False, "; ".join(problems) + " (--fix rebuilds them)")
            return
        store.rebuild_derived()
        left = store.derived_out_of_step()
        report.add(name, not left, "; ".join(left) if left else "rebuilt; in step", fixed=True)
    except ReadOnlyError:
        report.add(name, True, "not rebuilt: the book is read-only")
    except StoreError as exc:
        report.add(name, False, str(exc))


def _backups(report: Report, paths: Paths) -> None:
    from callbook.store.backup import list_backups

    found = list_backups(paths)
    if not found:
        report.add("backups", True, f"none yet in {paths.backup_dir} (`callbook backup`)")
        return
    newest = found[0]
    report.add(
        "backups",
        True,
        f"{len(found)} in {paths.backup_dir}, newest {newest.taken_at:%Y-%m-%d %H:%M}",
    )


def _newest_backup_hint(paths: Paths) -> str:
    from callbook.store.backup import list_backups

    found = list_backups(paths)
    return f"; newest backup: {found[0].path}" if found else ""


# --- permissions -----------------------------------------------------------------------------


def private_paths(paths: Paths, *, book_files: bool = True) -> list[tuple[Path, bool]]:
    """(path, is_folder) of everything that must be readable by its owner alone, that exists:
    the book and its side files, books kept aside by restore, backups, logs, and callbook's own
    folders (a book elsewhere keeps the caller's choice of folder)."""
    db = paths.db
    items: list[tuple[Path, bool]] = []
    for folder in (paths.data_dir, paths.backup_dir, paths.log_dir):
        if folder.is_dir():
            items.append((folder, True))
    for suffix in ("", "-wal", "-shm", ".lock") if book_files else ():
        items.append((db.with_name(db.name + suffix), False))
    if db.parent.is_dir():
        items += [(p, False) for p in db.parent.glob(f"{db.name}.replaced-*") if p.is_file()]
    for folder in (paths.backup_dir, paths.log_dir):
        if folder.is_dir():
            items += [(p, False) for p in sorted(folder.iterdir()) if p.is_file()]
    return [(p, is_dir) for p, is_dir in items if p.exists()]


def _open_to_others(paths: Paths, *, book_files: bool = True) -> dict[Path, tuple[int, int]]:
    """path -> (mode, the mode it should have) for each private path open to group/others."""
    found = {}
    for path, is_dir in private_paths(paths, book_files=book_files):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            continue
        if mode & 0o077:
            found[path] = (mode, 0o700 if is_dir else mode & 0o700)
    return found


def _permissions(
    report: Report, paths: Paths, fix: bool, before: dict, *, book_files: bool = True
) -> None:
    """`before`: what was open to others before the book was opened (opening the book makes
    its own files private, so it counts as a fix)."""
    if not book_files:
        before = {p: m for p, m in before.items() if not p.name.startswith(paths.db.name)}
    wrong = []
    for path, (mode, wanted) in _open_to_others(paths, book_files=book_files).items():
        if fix:
            try:
                os.chmod(path, wanted)
                continue
            except OSError as exc:
                wrong.append(f"{path} is {mode:04o} and cannot be changed ({exc.strerror})")
                continue
        wrong.append(f"{path} is {mode:04o}, open to group or others (--fix makes it {wanted:04o})")
    if wrong:
        shown = "; ".join(wrong[:3]) + (f" (+{len(wrong) - 3} more)" if len(wrong) > 3 else "")
        report.add("permissions", False, shown)
    elif before:
        names = ", ".join(p.name for p in list(before)[:3]) + (", ..." if len(before) > 3 else "")
        report.add("permissions", True, f"made private to their owner: {names}", fixed=True)
    else:
        report.add("permissions", True, "the book, backups and logs are private to their owner")
