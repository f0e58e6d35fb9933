"""config.toml: every setting read, every bad one reported as `file:line: key: reason` with the
default kept, and a broken file never stopping callbook."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import time
from pathlib import Path

import pytest

from callbook.config import CallingHours, Config, QueueRules, load_config


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(file=path)


def test_every_setting_is_read(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        """
timezone = "America/Chicago"
region = "gb"
default_template = "bant"
backups_keep = 3
wrap_up = false

[calling_hours]
start = "08:30"
end = "18:00"
days = ["Mon", "tue", "wed", "thu"]

[queue]
cooldown_hours = 2.5
daily_attempts = 2

[keys]
next = "down,n"
""",
    )
    assert config.errors == ()
    assert (config.timezone, config.region, config.default_template) == (
        "America/Chicago",
        "GB",
        "bant",
    )
    assert (config.backups_keep, config.wrap_up) == (3, False)
    assert config.calling_hours == CallingHours(time(8, 30), time(18, 0), (0, 1, 2, 3))
    assert config.queue == QueueRules(cooldown_hours=2.5, daily_attempts=2)
    assert config.keys == {"next": "down,n"}


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    config = load_config(file=tmp_path / "missing.toml")
    assert config == Config()
    assert config.wrap_up is True and config.errors == ()


@pytest.mark.parametrize(
    "text, error",
    [
        ('timezone = "Mars/Base"',
         "3: timezone: unknown time zone 'Mars/Base'; using the default the machine's zone"),
        ('region = "GBR"',
         "3: region: a two-letter country code, like 'GB' or 'US'; using the default 'US'"),
        ("backups_keep = -1", "3: backups_keep: a whole number of backups to keep, 0 (off) to "
         "1000; using the default 7"),
        ("backups_keep = true", "3: backups_keep: a whole number of backups to keep, 0 (off) to "
         "1000; using the default 7"),
        ('wrap_up = "yes"', "3: wrap_up: true or false; using the default True"),
        ("colour = 'red'", "3: colour: unknown setting; ignored"),
        ("default_template = 5",
         "3: default_template: a template key, like 'bant'; using the default 'cold_call'"),
        ('[calling_hours]\nstart = "9 sharp"',
         "4: start: a time like '09:00', not '9 sharp'; using the default 09:00"),
        ('[calling_hours]\ndays = ["mo", "xx"]',
         "4: days: weekday names like ['mon', 'tue']; using the default "
         "['mon', 'tue', 'wed', 'thu', 'fri']"),
        ("[calling_hours]\ndays = 5",
         "4: days: weekday names like ['mon', 'tue']; using the default "
         "['mon', 'tue', 'wed', 'thu', 'fri']"),
        ("[calling_hours]\ndays = []",
         "4: days: no calling days at all: no call could ever be offered; using the default "
         "['mon', 'tue', 'wed', 'thu', 'fri']"),
        ('[calling_hours]\nstart = "18:00"\nend = "08:00"',
         "5: end: calling hours end (08:00) at or before they start (18:00): no call could "
         "ever be offered; using the default 09:00-17:30"),
        ("[queue]\ncooldown_hours = 'long'",
         "4: cooldown_hours: a number of hours, 0 to 8760; using the default 4.0"),
        ("[queue]\ncooldown_hours = inf",
         "4: cooldown_hours: a number of hours, 0 to 8760; using the default 4.0"),
        ("[queue]\ncooldown_hours = nan",
         "4: cooldown_hours: a number of hours, 0 to 8760; using the default 4.0"),
        ("[queue]\ndaily_attempts = 0",
         "4: daily_attempts: a whole number, 1 to 100; using the default 3"),
        ("[queue]\ndaily_attempts = 10000000000000000000",
         "4: daily_attempts: a whole number, 1 to 100; using the default 3"),
        ("queue = 3", "3: queue: a table written as [queue]; using the default settings"),
        ('[keys]\nquit = ""',
         "4: quit: keys like 'ctrl+n' or 'down,n', not empty; using the default its usual key"),
        ('[keys]\nquit = "ctrl+q,,"',
         "4: quit: an empty key in 'ctrl+q,,'; using the default its usual key"),
    ],
)  # fmt: skip
def test_a_bad_setting_is_named_with_its_line_and_the_default_kept(
    tmp_path: Path, text: str, error: str
) -> None:
    config = load(tmp_path, f"# callbook\n\n{text}\n")
    assert config.errors == (f"{tmp_path / 'config.toml'}:{error}",)
    defaults = Config()
    assert (config.timezone, config.region, config.backups_keep, config.wrap_up) == (
        defaults.timezone,
        defaults.region,
        defaults.backups_keep,
        defaults.wrap_up,
    )
    assert (config.calling_hours, config.queue) == (defaults.calling_hours, defaults.queue)


def test_good_settings_beside_a_bad_one_still_apply(tmp_path: Path) -> None:
    config = load(tmp_path, 'region = "DE"\nwrap_up = 1\nbackups_keep = 2\n')
    assert (config.region, config.backups_keep, config.wrap_up) == ("DE", 2, True)
    assert config.errors == (
        f"{tmp_path / 'config.toml'}:2: wrap_up: true or false; using the default True",
    )


def test_a_file_that_is_not_toml_keeps_every_default(tmp_path: Path) -> None:
    config = load(tmp_path, 'region = "DE"\nthis is not toml\n')
    assert config.region == Config().region
    assert config.errors == (
        f"{tmp_path / 'config.toml'}:2: invalid TOML: Expected '=' after a key in a key/value "
        "pair (column 6); using every default",
    )


def test_the_readme_example_is_a_valid_config_of_the_defaults(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    config = load(tmp_path, example)
    assert config.errors == ()
    assert config == Config(timezone="Europe/London", keys={"next": "n"})


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda p: p.mkdir(), "1: is a folder, not a file; using every default"),
        (lambda p: os.mkfifo(p), "1: is a FIFO (named pipe), not a file; using every default"),
        (lambda p: p.symlink_to("/dev/zero"),
         "1: is a character device, not a file; using every default"),
        (lambda p: p.write_text("# " + "x" * 70_000),
         "1: too large (70002 bytes; the most is 65536); using every default"),
        (lambda p: p.write_text("a = " + "[" * 30_000 + "]" * 30_000),
         "1: nested too deeply (more than 8 levels); using every default"),
        (lambda p: p.write_text("[a.b.c.d.e.f.g.h.i]\nx = 1"),
         "1: nested too deeply (more than 8 levels); using every default"),
        (lambda p: p.write_bytes(b"region = \"\xff\""), "1: not UTF-8 text; using every default"),
    ],
    ids=["folder", "fifo", "dev-zero", "large", "deep-lists", "deep-tables", "not-utf8"],
)  # fmt: skip
def test_a_file_callbook_will_not_read_is_one_line_and_every_default(tmp_path, make, error):
    path = tmp_path / "config.toml"
    make(path)
    config = load_config(file=path)  # never hangs, never raises
    assert config.errors == (f"{path}:{error}",)
    assert replace(config, errors=()) == Config()


def test_an_unknown_default_template_is_a_warning(tmp_path):
    from callbook.config import with_templates

    config = with_templates(load(tmp_path, 'default_template = "nope"\n'), ["cold_call", "bant"])
    assert config.default_template == "cold_call"
    assert config.errors == (
        "default_template: no template 'nope' (in the templates folder or built in); using "
        "'cold_call'; known: cold_call, bant",
    )
    kept = load(tmp_path, 'default_template = "bant"')
    assert with_templates(kept, ["bant"]) == kept


def test_the_command_line_warns_about_an_unknown_default_template(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from callbook.cli import main

    monkeypatch.setenv("CALLBOOK_HOME", str(tmp_path / "home"))
    config = tmp_path / "home" / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('default_template = "nope"\n[queue]\ncooldown_hours = inf\n')
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "b.db"), "add", "Acme"])
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    assert warnings[0] == (
        f"callbook: warning: {config}:3: cooldown_hours: a number of hours, 0 to 8760; using "
        "the default 4.0"
    )
    assert warnings[1].startswith("callbook: warning: default_template: no template 'nope'")
    from callbook.store import Store

    with Store.open(tmp_path / "b.db") as store:
        assert store.prospects()[0].template == "cold_call"


def test_hours_and_days_are_read_in_the_shared_words(tmp_path):
    """Config reads days and times with `callbook.when`'s words, like the capture line."""
    from datetime import time

    file = tmp_path / "config.toml"
    file.write_text(
        '[calling_hours]\nstart = "9am"\nend = "5:30pm"\ndays = ["Monday", "tues", "weekend"]\n'
    )
    config = load_config(file=file)
    assert config.errors == ()
    hours = config.calling_hours
    assert (hours.start, hours.end, hours.days) == (time(9), time(17, 30), (0, 1, 5, 6))
