"""A possessive before a put-in rendering agrees with the noun the source said.

A term the glossary or a regional layer renders is hidden from the translator behind
a placeholder, so the translator cannot know its gender: Spanish "mi novia" comes
back as "mon QZXA" / "meu QZXA", and with the rendering put in, "mon copine",
"meu namorada". Spanish possessives (mi, tu, su) carry no gender, but the noun does
(a person noun in -a is a woman, in -o a man): the French and Portuguese possessive
right before the rendering is given that gender ("ma copine", "minha namorada").
"""

from __future__ import annotations

import re

from localize.languages import base_language

__all__ = ["noun_gender", "possessive_agreeing"]

_FEMININE = {
    "fr": {"mon": "ma", "ton": "ta", "son": "sa"},
    "pt": {"meu": "minha", "teu": "tua", "seu": "sua", "meus": "minhas", "teus": "tuas", "seus": "suas"},
}
"""Masculine possessives and their feminine, per target language (French plurals have no gender)."""
_MASCULINE_IN_A = frozenset(
    ("día", "mapa", "papá", "sofá", "tema", "problema", "sistema", "programa", "idioma", "clima", "planeta", "poema", "drama")
)
"""Spanish nouns in -a that are masculine ("mi problema")."""
_VOWEL = re.compile(r"[aeiouyâàéèêëîïôûh]", re.IGNORECASE)


def noun_gender(surface: str, source: str) -> str | None:
    """ "f" or "m" for a Spanish noun said as ``surface`` that ends like one ("novia", "primos"); None otherwise."""
    if base_language(source) != "es" or " " in surface.strip():
        return None
    word = surface.strip().lower()
    if word in _MASCULINE_IN_A or word.removesuffix("s") in _MASCULINE_IN_A:
        return "m"
    if re.search(r"as?$", word):
        return "f"
    if re.search(r"os?$", word):
        return "m"
    return None


def possessive_agreeing(before: str, rendering: str, gender: str | None, target: str) -> str:
    """``before`` (the translation up to a put-in ``rendering``) with its last word, a possessive, agreeing in
    ``gender``; French keeps "mon" before a vowel ("mon amie")."""
    table = _FEMININE.get(base_language(target))
    found = re.search(r"(\w+)(\s+)$", before)
    if table is None or gender is None or found is None:
        return before
    word = found.group(1)
    lower = word.lower()
    masculine = {feminine: male for male, feminine in table.items()}
    if gender == "f" and lower in table and not (base_language(target) == "fr" and _VOWEL.match(rendering)):
        wanted = table[lower]
    elif gender == "m" and lower in masculine:
        wanted = masculine[lower]
    else:
        return before
    wanted = wanted.capitalize() if word[:1].isupper() else wanted
    return before[: found.start(1)] + wanted + found.group(2)
