"""The victim of the crash and two-instance tests: records calls in a loop through the desk
(the app's and `callbook log`'s path) and prints an acknowledgement only once each is on disk.

    python writer.py DB TAG [--count N] [--checkpoint-every K]

Prints `READY` once the book is open, then for each call `i`: `DRAFT i` after the draft of the
line is saved, `ACK <call id> <token>` after the call is committed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from callbook.desk import Desk  # noqa: E402
from callbook.store import Store  # noqa: E402

DRAFT_KEY = "crash-test"


def token(tag: str, i: int) -> str:
    return f"{tag}n{i}"


def capture_line(tok: str) -> str:
    """Two pieces (one of them names a contact), an outcome and a note, all carrying `tok`."""
    return f"gk: Sarah {tok}; dm avail: not {tok}; !gk; note {tok}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("tag")
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--checkpoint-every", type=int, default=0)
    args = parser.parse_args()
    store = Store.open(args.db, create=False)
    desk = Desk.around(store)
    prospect = store.prospects(limit=1)[0]
    print("READY", flush=True)
    i = 0
    while args.count is None or i < args.count:
        tok = token(args.tag, i)
        store.save_draft(DRAFT_KEY, capture_line(tok))
        print(f"DRAFT {i}", flush=True)
        call = desk.commit(prospect, capture_line(tok))
        print(f"ACK {call.id} {tok}", flush=True)
        if args.checkpoint_every and i % args.checkpoint_every == args.checkpoint_every - 1:
            store.checkpoint()
        i += 1
    store.close()


if __name__ == "__main__":
    main()
