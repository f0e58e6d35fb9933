"""Where callbook keeps things: the database, the config, drafts' logs and backups.

The database path comes from `--db`, else `CALLBOOK_DB`, else the platformdirs user data folder.
`CALLBOOK_HOME` moves every folder at once (the tests use it to stay away from the caller's data).
Folders are created 0700 and files 0600: a book of calls is nobody else's business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "callbook"
DB_FILENAME = "callbook.db"


@dataclass(frozen=True)
class Paths:
    db: Path
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def templates_dir(self) -> Path:
        return self.config_dir / "templates"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "callbook.log"


def resolve(db: str | os.PathLike | None = None, environ: dict[str, str] | None = None) -> Paths:
    env = os.environ if environ is None else environ
    home = env.get("CALLBOOK_HOME")
    if home:
        base = Path(home).expanduser()
        data_dir, config_dir, log_dir = base / "data", base / "config", base / "logs"
    else:
        import platformdirs

        data_dir = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        config_dir = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
        log_dir = Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    chosen = db if db is not None else env.get("CALLBOOK_DB") or None
    db_path = Path(chosen).expanduser() if chosen else data_dir / DB_FILENAME
    return Paths(db=db_path.absolute(), data_dir=data_dir, config_dir=config_dir, log_dir=log_dir)


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing; a folder callbook creates is 0700."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is masked by the umask
    return path


def private_file(path: Path) -> None:
    """Make an existing file readable by its owner alone."""
    try:
        os.chmod(path, 0o600)
    except FileNotFoundError:
        pass
