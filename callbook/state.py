"""What the app remembers between runs that is not the book: the theme chosen in the palette.

Kept in `state.json` in the user data folder (0600), beside the default book, so that it
follows the caller, not one book. The palette's choice wins over `theme` in config.toml until
that setting is changed: editing the config later is the newer wish, and it wins then.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from callbook.paths import Paths, private_dir, private_file

STATE_FILE = "state.json"


def _file(paths: Paths) -> Path:
    return paths.data_dir / STATE_FILE


def _read(paths: Paths) -> dict:
    try:
        data = json.loads(_file(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def chosen_theme(paths: Paths | None, configured: str | None) -> str | None:
    """The theme to start with: the one last chosen in the palette, unless config.toml's
    `theme` changed since; else config.toml's; None for Textual's default."""
    if paths is None:
        return configured
    theme = _read(paths).get("theme")
    if isinstance(theme, dict) and theme.get("config") == configured:
        name = theme.get("name")
        if isinstance(name, str) and name:
            return name
    return configured


def remember_theme(paths: Paths | None, name: str, configured: str | None) -> None:
    """Keep `name` as the caller's theme (best effort: a read-only folder forgets it)."""
    if paths is None or chosen_theme(paths, configured) == name:
        return
    data = _read(paths)
    data["theme"] = {"name": name, "config": configured}
    target = _file(paths)
    with contextlib.suppress(OSError):
        private_dir(target.parent)
        tmp = target.with_name(f".{STATE_FILE}.{os.getpid()}")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        private_file(tmp)
        os.replace(tmp, target)
