"""The headless core never imports Textual: the CLI and scripts stay fast and testable.

The layout is the rule: `callbook/tui/` is the only package that may import Textual, and every
other module of `callbook` is core. The list of core modules is read from the package, so a new
module is checked the day it is added.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import callbook

PACKAGE = Path(callbook.__file__).parent
SHELL = PACKAGE / "tui"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def core_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if SHELL not in path.parents and path.name != "__main__.py"
    )


def textual_imports(path: Path) -> list[str]:
    """Every `import textual…` / `from textual… import` in a file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        found += [f"{path.name}:{node.lineno}" for n in names if n.split(".")[0] == "textual"]
    return found


def imported_after(*modules: str) -> set[str]:
    code = (
        "import sys, importlib\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        "print(*sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_layout_has_a_shell_and_a_core():
    assert (SHELL / "app.py").is_file()
    assert len(core_files()) > 40  # the walk found the package, not an empty folder


def test_no_core_file_imports_textual():
    offenders = [hit for path in core_files() for hit in textual_imports(path)]
    assert offenders == []


def test_the_shell_is_where_textual_is_imported():
    # The check above can fail: it sees the shell's own imports.
    assert textual_imports(SHELL / "app.py")


def test_importing_every_core_module_loads_no_textual():
    # Indirect imports too (a core module importing a module that imports Textual).
    loaded = imported_after(*(module_name(path) for path in core_files()))
    assert "callbook.store" in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_no_module_name_stands_in_two_layers():
    """`jigsaw`, `queue`, `stats`, `drafts`…: one name, one module, so a newcomer looking for
    one job finds it in one place (package __init__ files aside)."""
    seen: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("__init__.py", "__main__.py"):
            seen.setdefault(path.stem, []).append(module_name(path))
    assert {name: where for name, where in seen.items() if len(where) > 1} == {}


def test_cli_start_up_stays_light():
    # Heavy libraries load inside the commands that need them, not when `callbook` starts.
    loaded = imported_after("callbook.cli")
    for heavy in ("textual", "rapidfuzz", "phonenumbers", "icalendar", "sqlite_utils"):
        assert heavy not in loaded, heavy
