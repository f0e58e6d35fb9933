"""What every command shares: the group, `--db`, opening the book, one-line failures, JSON."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import click

from callbook import __version__
from callbook.clock import clock_from_env
from callbook.config import load_config
from callbook.errors import StoreError
from callbook.paths import Paths, resolve


class Context:
    """Per-invocation state, reached through `click.pass_obj`."""

    def __init__(self, db: str | None) -> None:
        self.paths: Paths = resolve(db)
        self.clock = clock_from_env()
        self._desk = None

    def desk(self, *, create: bool = True):
        """Open the book (once) with its templates and settings. A book that cannot be opened
        ends the command with its reason."""
        if self._desk is None:
            from callbook.desk import Desk
            from callbook.store import StoreError

            try:
                self._desk = Desk.open(
                    self.paths, clock=self.clock, create=create, announce=self._announce
                )
            except StoreError as exc:
                fail(str(exc))
            for problem in (*self._desk.config.errors, *self._desk.templates.errors):
                click.echo(f"callbook: warning: {problem}", err=True)
            self._say_backup_failure()
            # The daily backup starts once the command's own work is done, in a process of
            # its own: never in front of the caller's command.
            click.get_current_context().call_on_close(self._daily_backup)
        return self._desk

    @staticmethod
    def _announce(line: str) -> None:
        click.echo(line, err=True)

    def _say_backup_failure(self) -> None:
        from callbook.cli.daily_backup import last_failure

        failure = last_failure(self.paths)
        if failure:
            click.echo(f"callbook: warning: daily backup skipped: {failure}", err=True)

    def _daily_backup(self) -> None:
        from callbook.cli import daily_backup
        from callbook.store.db import writable

        if self._desk is None or not writable(self._desk.store.path):
            return
        try:
            if daily_backup.due(self._desk, self.paths):
                daily_backup.start(self._desk.store.path)
        except (OSError, StoreError) as exc:
            click.echo(f"callbook: warning: daily backup skipped: {exc}", err=True)

    def store(self, *, create: bool = True):
        return self.desk(create=create).store

    def config(self):
        return self.desk().config if self._desk else load_config(self.paths)

    def close(self) -> None:
        if self._desk is not None:
            # Fold this command's writes into the book now, after its output: the commits of
            # the next commands never pay for a checkpoint (the app also does it when idle).
            with contextlib.suppress(StoreError):
                self._desk.store.checkpoint(tidy=False)
            self._desk.close()
            self._desk = None


class CallbookGroup(click.Group):
    """A group whose commands end with one line, never a traceback: when the book refuses,
    when the output cannot be written (a full disk, a closed pipe, /dev/full), when the caller
    presses ctrl+c (exit 130), and, as the last resort, on a bug (its traceback goes to the
    crash log)."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            _flush_stdout()
            return result
        except (click.ClickException, click.exceptions.Exit):
            raise  # usage errors and --help: click's own one line and exit code
        except StoreError as exc:
            fail(str(exc))
        except (KeyboardInterrupt, click.Abort):
            _quiet_stdout()
            fail("interrupted; nothing more was done", 130)
        except OSError as exc:
            if exc.filename is not None:  # a path the system refused (too long, a loop...)
                fail(f"{exc.filename}: {_why(exc)}")
            if not _output_error(exc):
                raise
            _quiet_stdout()
            fail(f"cannot write the output ({_why(exc)}); stopped")
        except RecursionError:
            fail("the input is nested too deeply to read; nothing was changed")
        except MemoryError:
            fail("the input is too large to read; nothing was changed")
        except Exception as exc:  # a bug: its traceback to the crash log, one line here
            from callbook.crashlog import record_crash

            obj = ctx.find_object(Context)
            log = record_crash(obj.paths if obj else resolve(None), exc)
            where = f"details are in {log}" if log else "the crash log could not be written"
            fail(f"unexpected error ({type(exc).__name__}); {where}")


def _flush_stdout() -> None:
    with contextlib.suppress(ValueError):  # a closed stream (test runners)
        sys.stdout.flush()


def _output_error(exc: OSError) -> bool:
    """Whether `exc` is standard output failing (the command's own files say so themselves)."""
    return exc.errno in (errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG)


def _quiet_stdout() -> None:
    """Standard output is gone: point it at /dev/null, so that the interpreter's last flush of
    what is still buffered does not print a second error."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _why(exc: OSError) -> str:
    from callbook.output import why

    return why(exc)


@click.group(
    cls=CallbookGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=str),
    envvar="CALLBOOK_DB",
    help="The book to use (default: the user data folder; or set CALLBOOK_DB).",
)
@click.version_option(__version__, prog_name="callbook")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """callbook: every call wins something. Run with no command to open the calling screen."""
    ctx.obj = Context(db)
    folder = ctx.obj.paths.db.parent
    if (db or os.environ.get("CALLBOOK_DB")) and not folder.is_dir():
        # A mistyped path never makes folders and an empty book behind the caller's back.
        fail(f"--db {ctx.obj.paths.db}: no folder {folder} (create it first)")
    ctx.call_on_close(ctx.obj.close)
    if ctx.invoked_subcommand is None:
        from callbook.cli.core import open_app

        ctx.invoke(open_app)


pass_context = click.pass_obj


def fail(message: str, code: int = 1) -> None:
    """End the command with one line on stderr and a non-zero exit."""
    click.echo(f"callbook: {message}", err=True)
    sys.exit(code)


def to_jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def _plain(value: Any) -> Any:
    """`json.dumps`'s hook for what it cannot encode itself, one level at a time (it calls
    again for what this returns): the same values as `to_jsonable`, without copying a whole
    nested dataclass first as `asdict` does (half the time of a 100k-row report)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclass_fields(value)}
    if isinstance(value, set | frozenset):
        return list(value)
    plain = to_jsonable(value)  # a leaf: a time, an enum, a path
    if plain is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return plain


# The shape of every command's --json: an object whose "version" says which shape it is (raised
# only when a field is removed or changes meaning; new fields keep it).
JSON_VERSION = 1


def echo_json(value: Any, key: str | None = None) -> None:
    """Print a command's JSON: an object with "version" first, then the object's fields, or
    `key` holding the value (a list, or a record of its own)."""
    if key is None and not isinstance(value, dict):
        raise TypeError("echo_json: a value that is not an object needs a key")
    fields = {key: value} if key is not None else value
    document = {"version": JSON_VERSION, **to_jsonable(fields)}
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def echo_json_stream(value: dict[str, Any]) -> None:
    """`echo_json` of an object a member at a time, each item of a list member on a line of
    its own: a report of 100k rows is written as it is encoded, never held as one string (and
    without the indentation that doubled its size)."""
    pending: list[str] = []
    size = 0

    def write(text: str) -> None:
        nonlocal size
        pending.append(text)
        size += len(text)
        if size >= 1 << 16:
            click.echo("".join(pending), nl=False)
            pending.clear()
            size = 0

    write("{")
    for index, (key, member) in enumerate({"version": JSON_VERSION, **value}.items()):
        write(("," if index else "") + "\n" + json.dumps(key) + ": ")
        if isinstance(member, list | tuple):
            write("[")
            for position, item in enumerate(member):
                write(("," if position else "") + "\n  ")
                write(json.dumps(item, ensure_ascii=False, default=_plain))
            write("\n]" if member else "]")
        else:
            write(json.dumps(member, ensure_ascii=False, default=_plain))
    write("\n}")
    click.echo("".join(pending))


json_option: Callable = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
