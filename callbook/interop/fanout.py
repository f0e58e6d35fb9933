"""Spreading phone normalisation over the machine's cores for big imports.

Parsing a number costs tens of microseconds in pure Python; at 100k rows that is seconds on
one core. Above a threshold the distinct numbers go to worker processes and come back as plain
tuples. Workers are forked (fast, nothing re-imported) from a single-threaded caller, and
spawned from one with threads, where a fork could inherit a lock held by another thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

from callbook import phones

PARALLEL_MIN = 20_000  # distinct numbers below which start-up costs more than it saves
MAX_WORKERS = 4


def normalize_all(requests: Iterable[tuple[str, str]]) -> dict[tuple[str, str], phones.Phone]:
    """(text, region) -> Phone for every distinct request, in parallel when it pays."""
    unique = list(dict.fromkeys(requests))
    workers = min(MAX_WORKERS, _cores())
    if len(unique) < PARALLEL_MIN or workers < 2:
        return {key: phones.normalize(*key) for key in unique}
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    size = -(-len(unique) // (workers * 4))
    chunks = [unique[start : start + size] for start in range(0, len(unique), size)]
    try:
        method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
        with ProcessPoolExecutor(workers, mp_context=get_context(method)) as pool:
            results = list(pool.map(phones.normalize_batch, chunks))
    except (OSError, RuntimeError):  # no processes allowed here: do it in this one
        return {key: phones.normalize(*key) for key in unique}
    found: dict[tuple[str, str], phones.Phone] = {}
    for chunk, rows in zip(chunks, results, strict=True):
        for key, row in zip(chunk, rows, strict=True):
            found[key] = phones.from_batch(row)
    return found


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
