"""The folded form of a prospect's name or company that lookups compare: case and accents
folded as recall folds them, runs of spacing made one space. Kept in `prospects.name_key` and
`prospects.company_key` (indexed), so an exact lookup is an index seek at any size."""

from __future__ import annotations


def name_key(text: str | None) -> str | None:
    if text is None:
        return None
    folded = text.lower()
    if not folded.isascii():  # most names are ASCII: the fold's import waits for one that is not
        from callbook.search import fold

        folded = fold(folded)
    return " ".join(folded.split()) or None


def fill_keys(conn, *, only_missing: bool = False) -> None:
    """Write the keys of every prospect (or of those without one), in the caller's
    transaction: after a migration, a restore, or rows another program wrote."""
    conn.create_function("callbook_name_key", 1, name_key, deterministic=True)
    conn.execute(
        "UPDATE prospects SET name_key = callbook_name_key(name), "
        "company_key = callbook_name_key(company)"
        + (" WHERE name_key IS NULL" if only_missing else "")
    )


NEAR_PREFIX = 6  # letters of a key that a misspelt lookup's candidates are found by
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "


def near_prefixes(key: str, length: int = NEAR_PREFIX) -> set[str]:
    """The prefixes (of up to `length` letters) that a key one typo away from `key` in its
    first `length` letters starts with: a letter changed, left out, added or two swapped. A
    typo further on keeps the first letters, so `key[:length]` covers it."""
    head = key[: length + 1]
    found = {key[:length]}
    for i in range(min(len(head), length)):
        found.add((head[:i] + head[i + 1 :])[:length])  # a letter typed that is not there
        if i + 1 < len(head):
            found.add((head[:i] + head[i + 1] + head[i] + head[i + 2 :])[:length])  # swapped
        for c in _ALPHABET:
            found.add((head[:i] + c + head[i + 1 :])[:length])  # a letter mistyped
            found.add((head[:i] + c + head[i:])[:length])  # a letter left out
    for c in _ALPHABET:
        found.add((head + c)[:length])  # left out at the end of a short key
    return {p for p in found if p.strip()}


def stale_keys(conn) -> int:
    """How many prospects' keys are missing or no longer fit their name and company (rows
    another program wrote or changed)."""
    conn.create_function("callbook_name_key", 1, name_key, deterministic=True)
    return conn.execute(
        "select count(*) from prospects where name_key is not callbook_name_key(name) "
        "or company_key is not callbook_name_key(company)"
    ).fetchone()[0]
