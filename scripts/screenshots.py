"""Make the pictures in screenshots/: the calling screen on the demo book at a fixed clock.

    python scripts/screenshots.py [--out screenshots]

Writes SVGs (what Textual draws) and, where `rsvg-convert` exists (Debian: librsvg2-bin), PNGs.
Same clock, same demo book, same pictures: rerun it after changing the screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "ui"))  # the snapshot tests' `ready`: same pictures

from drive import ready  # noqa: E402

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday afternoon in London
SIZE = (120, 40)
TYPING = "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tues"
LINE = "gk: Sarah Jenkins; dm: Tom Li, Ops Director; dm avail: not Tuesdays; !gk; @thu 9:30; > ask Sarah for Tom's direct line"  # noqa: E501


async def main_screen(pilot) -> None:
    await ready(pilot)


async def capture_typing(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *TYPING)
    await ready(pilot)


async def capture_errors(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *"gk: Sarah Jenkins; dm avial: not Tuesdays; @someday")
    await ready(pilot)


async def after_commit(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *LINE, "enter")
    await ready(pilot)


async def wrap_up(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *"dm: Tom Li; budget: 20k a year; !dm; @mon 10:00", "enter")
    await ready(pilot)


async def stats(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *LINE, "enter", "escape", "w")
    await ready(pilot)


async def detail(pilot) -> None:
    await ready(pilot)
    first = pilot.app.highlighted.prospect.id
    await pilot.press("enter", *"gk: Sarah Jenkins; !gk; tried the switchboard", "enter")
    await ready(pilot)
    pilot.app.open_detail(first)  # the queue has moved on to the next prospect
    await ready(pilot)


async def recall(pilot) -> None:
    await ready(pilot)
    await pilot.press("enter", *"gk: Sarah", "escape", "slash", *"tuesdy")
    await ready(pilot)
    await pilot.pause(0.2)


async def help_screen(pilot) -> None:
    await ready(pilot)
    await pilot.press("c", "f1")
    await ready(pilot)


SHOTS: dict[str, Callable[..., Awaitable[None]]] = {
    "main": main_screen,
    "capture-typing": capture_typing,
    "capture-errors": capture_errors,
    "after-commit": after_commit,
    "wrap-up": wrap_up,
    "stats": stats,
    "detail": detail,
    "recall": recall,
    "help": help_screen,
}


def build_book(folder: Path) -> Path:
    from callbook.clock import fixed_clock
    from callbook.demo import build_demo
    from callbook.store import Store

    config = folder / "home" / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('timezone = "Europe/London"\n', encoding="utf-8")
    book = folder / "demo.db"
    with Store.open(book, clock=fixed_clock(NOW)) as store:
        build_demo(store, NOW)
        store.queue(NOW)
    return book


async def shoot(book: Path, name: str, steps, out: Path) -> Path:
    from callbook.clock import fixed_clock
    from callbook.desk import Desk
    from callbook.paths import resolve
    from callbook.tui.app import make_app

    copy = book.with_name(f"{name}.db")
    shutil.copyfile(book, copy)
    desk = Desk.open(resolve(copy), clock=fixed_clock(NOW))
    try:
        app = make_app(desk, clock=fixed_clock(NOW))
        async with app.run_test(size=SIZE) as pilot:
            await steps(pilot)
            return Path(app.save_screenshot(filename=f"{name}.svg", path=str(out)))
    finally:
        desk.close()


def to_png(svg: Path) -> Path | None:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        return None
    # rsvg drops leading spaces in <text> unless told to keep them.
    text = svg.read_text(encoding="utf-8").replace("<svg ", '<svg xml:space="preserve" ', 1)
    png = svg.with_suffix(".png")
    subprocess.run([converter, "-o", str(png)], input=text.encode(), check=True)
    return png


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(SHOTS)}")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    names = args.names or list(SHOTS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["CALLBOOK_HOME"] = str(folder / "home")
        for name in ("CALLBOOK_DB", "CALLBOOK_NOW", "NO_COLOR"):
            os.environ.pop(name, None)
        book = build_book(folder)
        for name in names:
            svg = asyncio.run(shoot(book, name, SHOTS[name], args.out))
            png = to_png(svg)
            print(svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg,
                  "+ png" if png else "")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
