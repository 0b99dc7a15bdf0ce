"""French typography and Apertium's French slips."""

from __future__ import annotations

import re

from localize.stages.translate.postedit.base import Context

__all__ = ["NBSP", "french_spacing", "french_words"]

NBSP = "\u00a0"
"""The no-break space French puts before ; : ! ? » and after « (a plain one: subtitle fonts all have it)."""


def french_spacing(text: str, context: Context) -> str:
    """A no-break space before ; : ! ? and inside « », never a plain one ("Quoi?" -> "Quoi ?")."""
    text = re.sub(r"[ \u00a0\u202f]*([;:!?»]+)", lambda m: NBSP + m.group(1), text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(rf"^{NBSP}", "", text)
    return re.sub(rf"(\d){NBSP}:(?=\d)", r"\1:", text)  # times (11:45) keep their colon tight


_WORDS = {"mil": "mille"}
"""Apertium's Spanish leftovers in French output."""


def french_words(text: str, context: Context) -> str:
    """Words Apertium leaves in Spanish form ("mil pesos" -> "mille pesos")."""
    return re.sub(r"\b(" + "|".join(_WORDS) + r")\b", lambda m: _WORDS[m.group(1)], text)
