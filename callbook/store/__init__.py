"""The book on disk. `Store` is the only way in; it returns model objects."""

from callbook.store.book import Store
from callbook.store.db import ReadOnlyError, StoreError

__all__ = ["Store", "StoreError", "ReadOnlyError"]
