"""Everyday commands: open the app, add, log, show, queue, templates, demo."""

from __future__ import annotations

import click

from callbook.cli.common import main


@main.command("open", hidden=True)
def open_app() -> None:
    """Open the calling screen."""
    click.echo("callbook: the calling screen is not built yet")
