"""Spreadsheet formula injection: the one rule CSV export guards by and CSV import undoes.

A spreadsheet runs a cell starting with `=`, `@`, `+`, `-`, a tab or a carriage return as a
formula, so export writes such text with a leading `'` (as OWASP recommends) and import takes
that `'` off again. Numbers and phone numbers (`-3`, `+1 212 555 0101`) are left alone.
"""

from __future__ import annotations

import re

# A signed number or phone, or a "; "-joined list of phones: digits and phone punctuation
# alone, which a spreadsheet can at most do arithmetic with, never call anything.
_NUMBER = re.compile(r"[+-][\d ().-]*(?:; \+?[\d ().-]*)*")


def is_formula(text: str) -> bool:
    """Whether export guards `text`. Guarded text behind apostrophes (`'=x`) is guarded too,
    so that `unguard(guard(text)) == text` for every text."""
    core = text.lstrip("'")
    head = core[:1]
    if head in ("=", "@", "\t", "\r"):
        return True
    if head in ("+", "-"):
        return not (_NUMBER.fullmatch(core) and any(ch.isdigit() for ch in core))
    return False


def guard(text: str) -> str:
    return "'" + text if is_formula(text) else text


def unguard(text: str) -> str:
    # Only a guard comes off: any other leading apostrophe ("'Tis Ltd") is data.
    return text[1:] if text[:1] == "'" and is_formula(text[1:]) else text
