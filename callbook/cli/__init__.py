"""The `callbook` command: a click group whose commands live one topic per module."""

# Importing a module registers its commands on `main`.
from callbook.cli import core, interop, safety, search_command, stats_command  # noqa: F401
from callbook.cli.common import main

__all__ = ["main"]
