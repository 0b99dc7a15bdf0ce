"""A shorter source for an alternative candidate: the line without its leading interjections.

Dubbing often needs a shorter line; "¡Che, boludo! Vamos a la plaza." can lose
"¡Che, boludo!" and still say what matters.
"""

from __future__ import annotations

import re

from localize.languages import base_language

__all__ = ["drop_leading_interjections"]

# Interjections, fillers and vocatives that open a line without carrying its content.
_INTERJECTIONS: dict[str, frozenset[str]] = {
    "es": frozenset(
        [
            *["ah", "ay", "bah", "bueno", "che", "chau", "dale", "eh", "ey", "epa", "escuchá", "escucha", "hey"],
            *["hola", "mirá", "mira", "oh", "oíme", "oime", "oye", "oiga", "uf", "uh", "uy", "vamos", "vos"],
            # vocatives
            *["boludo", "boluda", "loco", "loca", "flaco", "flaca", "gordo", "gorda", "nene", "nena", "pibe"],
            *["piba", "viejo", "vieja", "amigo", "amiga", "hermano", "hermana", "querido", "querida", "mi"],
            *["amor", "señor", "señora", "chicos", "chicas"],
        ]
    ),
}
# A leading segment: "¡...!" or "... ," (one clause, no sentence punctuation inside).
_SEGMENT = re.compile(r"^\s*(?:¡([^!¡¿?.]*)!+|([^,!¡¿?.]+),)\s*")
_WORDS = re.compile(r"[^\W\d_]+")


def _is_interjection(segment: str, words: frozenset[str]) -> bool:
    tokens = _WORDS.findall(segment.lower())
    return 0 < len(tokens) <= 3 and all(token in words for token in tokens)


def drop_leading_interjections(text: str, language: str) -> str | None:
    """``text`` without its opening interjections/vocatives, or None when there are none (or nothing would remain)."""
    words = _INTERJECTIONS.get(base_language(language))
    if words is None:
        return None
    rest = text
    while match := _SEGMENT.match(rest):
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if not all(_is_interjection(part, words) for part in inner.split(",")):
            break
        rest = rest[match.end() :]
    if rest == text or len(_WORDS.findall(rest)) < 2:
        return None
    first = next(i for i, char in enumerate(rest) if char.isalpha())
    return rest[:first] + rest[first].upper() + rest[first + 1 :]
