"""Spanish as a target: opening question and exclamation marks."""

from __future__ import annotations

import re

from localize.stages.translate.postedit.base import Context

__all__ = ["inverted_marks"]

_SENTENCE = re.compile(r"[^.!?…]*[!?]+")


def inverted_marks(text: str, context: Context) -> str:
    """¿ and ¡ where a question or exclamation starts ("Qué hora es?" -> "¿Qué hora es?")."""

    def opened(found: re.Match[str]) -> str:
        sentence = found.group()
        mark = "¿" if sentence.rstrip().endswith("?") else "¡"
        body = sentence.lstrip()
        lead = sentence[: len(sentence) - len(body)]
        return sentence if body.startswith(mark) or not body else f"{lead}{mark}{body}"

    return _SENTENCE.sub(opened, text)
