"""The errors every layer may raise for the caller to read: one line each, nothing changed.

Kept free of imports so that the command line can catch them without loading the store.
"""


class StoreError(Exception):
    """A database problem worth one clear line to the caller; nothing was changed."""


class ReadOnlyError(StoreError):
    """The book can be read but not written (read-only file, folder or disk full)."""


class BusyError(StoreError):
    """Another process has held the book's write lock for too long; nothing was changed."""
