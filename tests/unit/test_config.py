"""config.toml: every setting read, every bad one reported as `file:line: key: reason` with the
default kept, and a broken file never stopping callbook."""

from __future__ import annotations

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
        ('timezone = "Mars/Base"', "3: timezone: unknown time zone 'Mars/Base'"),
        ('region = "GBR"', "3: region: a two-letter country code, like 'GB' or 'US'"),
        ("backups_keep = -1",
         "3: backups_keep: a whole number of backups to keep (0 turns them off)"),
        ('wrap_up = "yes"', "3: wrap_up: true or false"),
        ("colour = 'red'", "3: colour: unknown setting"),
        ('[calling_hours]\nstart = "9 sharp"', "4: start: a time like '09:00', not '9 sharp'"),
        ('[calling_hours]\ndays = ["mo", "xx"]', "4: days: weekday names like ['mon', 'tue']"),
        ("[queue]\ncooldown_hours = 'long'", "4: cooldown_hours: a number of hours"),
        ("[queue]\ndaily_attempts = 0", "4: daily_attempts: a whole number above 0"),
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
    assert config.errors == (f"{tmp_path / 'config.toml'}:2: wrap_up: true or false",)


def test_a_file_that_is_not_toml_keeps_every_default(tmp_path: Path) -> None:
    config = load(tmp_path, 'region = "DE"\nthis is not toml\n')
    assert config.region == Config().region
    assert config.errors == (
        f"{tmp_path / 'config.toml'}:2: invalid TOML: Expected '=' after a key in a key/value "
        "pair (column 6)",
    )


def test_the_readme_example_is_a_valid_config_of_the_defaults(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    config = load(tmp_path, example)
    assert config.errors == ()
    assert config == Config(timezone="Europe/London", keys={"next": "n"})


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
