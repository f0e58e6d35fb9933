"""Keeping the book safe: `callbook backup`, `callbook restore` and `callbook doctor`."""

from __future__ import annotations

from pathlib import Path

import click

from callbook.cli.common import Context, echo_json, fail, json_option, main, pass_context


@main.command("backup")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@json_option
@pass_context
def backup_cmd(ctx: Context, dest: Path | None, as_json: bool) -> None:
    """Copy the book, consistently even while callbook is writing it: to DEST (a new file, or a
    folder), else to the backup folder under a dated name."""
    from callbook.store import StoreError
    from callbook.store.backup import backup

    desk = ctx.desk(create=False)
    try:
        made = backup(desk.store, ctx.paths, dest, tz=desk.config.tz)
    except StoreError as exc:
        fail(str(exc))
    if as_json:
        echo_json({"path": made, "bytes": made.stat().st_size})
    else:
        click.echo(f"backed up {desk.store.path} to {made}")


@main.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing book (it is kept aside).")
@pass_context
def restore_cmd(ctx: Context, backup_file: Path, force: bool) -> None:
    """Put BACKUP in place of the book. An existing book is only replaced with --force, and is
    kept beside it as <name>.replaced-<date>-<time>. Close callbook first."""
    from callbook.store import StoreError
    from callbook.store.backup import restore

    try:
        aside = restore(backup_file, ctx.paths.db, force=force)
    except StoreError as exc:
        fail(str(exc))
    kept = f"; the replaced book is kept as {aside}" if aside else ""
    click.echo(f"restored {ctx.paths.db} from {backup_file}{kept}")


@main.command("doctor")
@click.option("--fix", is_flag=True, help="Rebuild the recall index and make files private.")
@json_option
@pass_context
def doctor_cmd(ctx: Context, fix: bool, as_json: bool) -> None:
    """Check the book: integrity, foreign keys, recall index, schema, file permissions.
    Exits 0 when healthy, 1 when not."""
    from callbook.doctor import examine

    report = examine(ctx.paths, fix=fix, clock=ctx.clock)
    if as_json:
        echo_json(report.as_dict())
    else:
        for finding in report.findings:
            mark = "✔" if finding.ok else "✖"
            fixed = " (fixed)" if finding.fixed else ""
            click.echo(f"{mark} {finding.name}: {finding.detail}{fixed}")
        problems = sum(not f.ok for f in report.findings)
        click.echo("healthy" if report.healthy else f"{problems} problem(s) found")
    raise SystemExit(0 if report.healthy else 1)
