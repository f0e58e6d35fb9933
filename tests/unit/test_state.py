"""`theme` in config.toml, and the palette's choice kept in the state file."""

from __future__ import annotations

import json

from callbook.config import load_config
from callbook.paths import resolve
from callbook.state import STATE_FILE, chosen_theme, remember_theme


def test_theme_setting(tmp_path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n')
    assert load_config(file=config).theme == "nord"
    config.write_text('region = "GB"\ntheme = 3\n')
    loaded = load_config(file=config)
    assert loaded.theme is None
    assert loaded.errors == (
        f'{config}:2: theme: a theme name, like "nord" (the command palette lists them); using '
        "the default callbook's own",
    )


def test_the_palettes_choice_wins_until_the_config_changes(tmp_path) -> None:
    paths = resolve(tmp_path / "book.db", environ={"CALLBOOK_HOME": str(tmp_path / "home")})
    assert chosen_theme(paths, None) is None
    assert chosen_theme(paths, "nord") == "nord"
    remember_theme(paths, "gruvbox", "nord")
    assert chosen_theme(paths, "nord") == "gruvbox"
    assert chosen_theme(paths, "dracula") == "dracula"
    state = paths.data_dir / STATE_FILE
    assert json.loads(state.read_text()) == {"theme": {"name": "gruvbox", "config": "nord"}}
    assert state.stat().st_mode & 0o077 == 0
    state.write_text("{not json")
    assert chosen_theme(paths, "nord") == "nord"  # a damaged file is forgotten, not fatal
    assert chosen_theme(None, "nord") == "nord"
    remember_theme(None, "gruvbox", "nord")  # no paths (tests): nothing kept
