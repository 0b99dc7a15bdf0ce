"""What layer rules share: words with offsets, a change to a span of the text, capitalisation."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WORD", "Change", "cased", "overlaps"]

WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Change:
    """Replace text[start:end] with ``replacement``; ``rule`` says which layer rule or term asked for it."""

    start: int
    end: int
    replacement: str
    rule: str


def cased(replacement: str, original: str) -> str:
    """``replacement`` capitalised like ``original``'s first letter."""
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[0].upper() + replacement[1:]
    return replacement


def overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) overlaps any of ``spans``."""
    return any(start < stop and begin < end for begin, stop in spans)
