"""Number agreement for glossary renderings: "unos mates" becomes "uns chimarrões", not "uns chimarrão".

Terms and renderings are written in dictionary (singular) form. When a source
occurrence is plural, the rendering put in its place is made plural by the
target language's regular rules; where several rules apply (pt "-ão" gives
"-ões", "-ães" or "-ãos"), the spaCy lookup lemma table picks the form it
knows. Languages without rules here keep the rendering as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from localize.glossary.match import TermMatch, lemmas_of
from localize.languages import base_language

__all__ = ["is_plural", "pluralize", "rendering_for"]

# Languages whose noun phrases put the head noun last ("bus stop"); the others here put it first ("dulce de leche").
_HEAD_LAST = frozenset({"en", "de", "nl"})
_S_PLURAL_SOURCES = frozenset({"es", "pt", "fr", "en", "ca", "gl"})


def _english(word: str) -> list[str]:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return [word + "es"]
    if re.search(r"[^aeiou]y$", word):
        return [word[:-1] + "ies"]
    if word.endswith("fe"):
        return [word + "s", word[:-2] + "ves"]
    if word.endswith("f"):
        return [word + "s", word[:-1] + "ves"]
    return [word + "s"]


_UNACCENTED = str.maketrans("áéíóú", "aeiou")


def _spanish(word: str) -> list[str]:
    if word.endswith("z"):
        return [word[:-1] + "ces"]
    if re.search(r"[aeiouáéó]$", word):
        return [word + "s"]
    if re.search(r"[áéíóú][sn]$", word):  # the stress mark goes: autobús -> autobuses, camión -> camiones
        return [word[:-2] + word[-2].translate(_UNACCENTED) + word[-1] + "es"]
    if re.search(r"[sx]$", word):
        return [word]
    return [word + "es", word + "s"]


def _portuguese(word: str) -> list[str]:
    if word.endswith("ão"):
        return [word[:-2] + "ões", word[:-2] + "ães", word + "s"]
    if re.search(r"[aeou]l$", word):
        return [word[:-1] + "is", word[:-2] + {"a": "ais", "e": "éis", "o": "óis", "u": "uis"}[word[-2]]]
    if word.endswith("il"):
        return [word[:-1] + "s", word[:-2] + "eis"]
    if word.endswith("m"):
        return [word[:-1] + "ns"]
    if re.search(r"[rz]$", word) or re.search(r"[áéíóú]s$", word):
        return [word + "es"]
    if re.search(r"[sx]$", word):
        return [word]
    return [word + "s"]


def _french(word: str) -> list[str]:
    if re.search(r"[sxz]$", word):
        return [word]
    if re.search(r"(eau|au|eu)$", word):
        return [word + "x", word + "s"]
    if word.endswith("al"):
        return [word[:-2] + "aux", word + "s"]
    return [word + "s"]


def _italian(word: str) -> list[str]:
    if word.endswith(("co", "go")):
        return [word[:-1] + "hi", word[:-1] + "i"]
    if word.endswith(("o", "e")):
        return [word[:-1] + "i"]
    if word.endswith("a"):
        return [word[:-1] + "e"]
    return [word]


def _catalan(word: str) -> list[str]:
    if word.endswith("a"):
        return [word[:-1] + "es", word + "s"]
    return [word + "s", word + "os"]


_RULES: dict[str, Callable[[str], list[str]]] = {
    "en": _english,
    "es": _spanish,
    "gl": _spanish,
    "pt": _portuguese,
    "fr": _french,
    "it": _italian,
    "ca": _catalan,
}


def _plural_word(word: str, language: str) -> str:
    rule = _RULES.get(base_language(language))
    if rule is None or not word[:1].isalpha():
        return word
    lower = word.lower()
    candidates = rule(lower)
    known = next((c for c in candidates if lower in lemmas_of(c, language)), candidates[0])
    if word.isupper() and len(word) > 1:
        return known.upper()
    return word[: len(lower) - len(lower.lstrip())] + (known[0].upper() + known[1:] if word[0].isupper() else known)


def pluralize(rendering: str, language: str) -> str:
    """``rendering`` with its head noun in the plural (last word in English, first in Romance languages)."""
    words = rendering.split(" ")
    head = len(words) - 1 if base_language(language) in _HEAD_LAST else 0
    words[head] = _plural_word(words[head], language)
    return " ".join(words)


def is_plural(match: TermMatch, language: str) -> bool:
    """The source occurrence is a plural of one of its term's singular forms ("mates" of "mate", "lápices" of "lápiz")."""
    if base_language(language) not in _S_PLURAL_SOURCES or match.entry.pos.lower() not in ("", "noun"):
        return False
    head = -1 if base_language(language) in _HEAD_LAST else 0
    words = match.surface.split()
    surface = words[head].lower() if words else ""
    if not surface.endswith("s"):
        return False
    singulars = {form.split()[head].lower() for form in match.entry.forms if form.split()} - {surface}
    lemmas = lemmas_of(surface, language)
    return any(not h.endswith("s") and (surface in (h + "s", h + "es") or h in lemmas) for h in singulars)


def rendering_for(match: TermMatch, rendering: str, source: str, target: str) -> str:
    """``rendering`` in the grammatical number of the source occurrence."""
    return pluralize(rendering, target) if is_plural(match, source) else rendering
