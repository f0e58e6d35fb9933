"""Shared fixtures: every test runs away from the caller's real data and settings."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

# A Friday afternoon in London: callbacks due, some prospects in hours, some not.
NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
CONFIG = 'timezone = "Europe/London"\n'


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """CALLBOOK_HOME in a temporary folder; nothing from the caller's environment leaks in."""
    home = tmp_path / "callbook-home"
    monkeypatch.setenv("CALLBOOK_HOME", str(home))
    for name in ("CALLBOOK_DB", "CALLBOOK_NOW", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo book built once at NOW; copy it (`demo_db`) before writing to it."""
    from callbook.clock import fixed_clock
    from callbook.demo import build_demo
    from callbook.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Store.open(path, clock=fixed_clock(NOW)) as store:
        build_demo(store, NOW)
        store.queue(NOW)  # the queue reads and keeps each prospect's zone once: do it here
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def demo_db(demo_book: Path, tmp_path: Path, _isolated: Path) -> Path:
    """A private copy of the demo book, with a config that pins the caller's time zone."""
    target = tmp_path / "book.db"
    shutil.copyfile(demo_book, target)
    config_dir = _isolated / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "config.toml").write_text(CONFIG, encoding="utf-8")
    return target
