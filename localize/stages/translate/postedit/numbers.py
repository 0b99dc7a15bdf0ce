"""Number formats: Spanish 3.500 and 1,5 as the target writes them."""

from __future__ import annotations

import re

from localize.stages.translate.postedit.base import Context

__all__ = ["english_numbers", "french_numbers"]

_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d,]|\.\d)")
_DECIMAL = re.compile(r"(?<![\d.,])(\d+),(\d+)(?![\d,])")


def english_numbers(text: str, context: Context) -> str:
    """Thousands with a comma, decimals with a point (3.500 -> 3,500; 1,5 -> 1.5)."""
    text = _DECIMAL.sub(r"\1.\2", text)
    return _THOUSANDS.sub(lambda m: m.group().replace(".", ","), text)


def french_numbers(text: str, context: Context) -> str:
    """Thousands with a no-break space (3.500 -> 3 500); the decimal comma stays."""
    return _THOUSANDS.sub(lambda m: m.group().replace(".", "\u00a0"), text)
