"""The folded form of a prospect's name or company that lookups compare: case and accents
folded as recall folds them, runs of spacing made one space. Kept in `prospects.name_key` and
`prospects.company_key` (indexed), so an exact lookup is an index seek at any size."""

from __future__ import annotations


def name_key(text: str | None) -> str | None:
    if text is None:
        return None
    from callbook.search import fold

    return " ".join(fold(text).split()) or None


def fill_keys(conn, *, only_missing: bool = False) -> None:
    """Write the keys of every prospect (or of those without one), in the caller's
    transaction: after a migration, a restore, or rows another program wrote."""
    conn.create_function("callbook_name_key", 1, name_key, deterministic=True)
    conn.execute(
        "UPDATE prospects SET name_key = callbook_name_key(name), "
        "company_key = callbook_name_key(company)"
        + (" WHERE name_key IS NULL" if only_missing else "")
    )
