"""`python -m callbook` with a fault planted for the crash tests: F12 raises inside a key
handler, with the caller's capture line in the exception's message (the worst case for a
traceback on screen). Writes its process id to $CALLBOOK_TEST_PIDFILE when set."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.binding import Binding  # noqa: E402

import callbook.tui.app  # noqa: E402


class AppWithFault(callbook.tui.app.CallbookApp):
    CSS_PATH = str(Path(callbook.tui.app.__file__).with_name("callbook.tcss"))
    BINDINGS = [
        *callbook.tui.app.CallbookApp.BINDINGS,
        Binding("f12", "fault", show=False, priority=True),
    ]

    def action_fault(self) -> None:
        line = self.main.capture.value if self.main else ""
        raise RuntimeError(f"planted fault while the caller typed {line!r}")


if __name__ == "__main__":
    if os.environ.get("CALLBOOK_TEST_PIDFILE"):
        Path(os.environ["CALLBOOK_TEST_PIDFILE"]).write_text(str(os.getpid()))
    if os.environ.get("CALLBOOK_TEST_FAULT"):
        callbook.tui.app.CallbookApp = AppWithFault
    from callbook.cli import main

    main()
