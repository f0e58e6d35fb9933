"""Text in terminal cells: a CJK character or an emoji takes two cells, so padding and cutting
count cells (rich's tables of character widths), never characters. Every column of text the
CLI and the app line up goes through here."""

from __future__ import annotations

from rich.cells import cell_len

__all__ = ["cell_len", "clip", "fit", "pad"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def clip(text: str, width: int) -> str:
    """`text` on one line, cut to at most `width` cells with an ellipsis."""
    text = _one_line(text)
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    kept, used = [], 0
    for ch in text:  # whole characters only: a wide one that does not fit is left out
        used += cell_len(ch)
        if used > width - 1:
            break
        kept.append(ch)
    return "".join(kept) + "…"


def pad(text: str, width: int, align: str = "<") -> str:
    """`text` padded with spaces to `width` cells ("<" left, ">" right); longer text stays."""
    gap = " " * max(0, width - cell_len(text))
    return gap + text if align == ">" else text + gap


def fit(text: str, width: int) -> str:
    """`text` on exactly `width` cells: cut with an ellipsis, or padded."""
    return pad(clip(text, width), width)
