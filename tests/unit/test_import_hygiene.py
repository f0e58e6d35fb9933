"""The headless core never imports Textual: the CLI and scripts stay fast and testable."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "callbook.model",
    "callbook.clock",
    "callbook.paths",
    "callbook.config",
    "callbook.store",
    "callbook.jigsaw",
    "callbook.capture.grammar",
    "callbook.capture.preview",
    "callbook.capture.apply",
    "callbook.desk",
    "callbook.lookup",
    "callbook.demo",
    "callbook.timefmt",
    "callbook.search",
    "callbook.interop",
    "callbook.phones",
    "callbook.cli",
    "callbook.when",
    "callbook.availability",
    "callbook.queue",
]


def imported_after(module: str) -> set[str]:
    code = f"import sys, importlib; importlib.import_module({module!r}); print(*sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_imports_no_textual():
    for module in CORE:
        loaded = imported_after(module)
        assert not any(m == "textual" or m.startswith("textual.") for m in loaded), module


def test_cli_start_up_stays_light():
    # Heavy libraries load inside the commands that need them, not when `callbook` starts.
    loaded = imported_after("callbook.cli")
    for heavy in ("textual", "rapidfuzz", "phonenumbers", "icalendar", "sqlite_utils"):
        assert heavy not in loaded, heavy
