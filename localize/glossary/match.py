"""Find glossary terms in source text and renderings in target text, inflection-aware.

Words are compared through spaCy's tokenizer and lookup lemma tables (from
spacy-lookups-data). A text word matches a term word when the term word equals
the text word, its lemma or, for languages with an -s plural, its singular.
Terms are therefore written in dictionary form ("mate" matches "mates"), and
irregular forms are listed as variants. Languages without tables fall back to a
lowercase comparison.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from spacy.language import Language

from localize.languages import base_language, blank_pipeline

if TYPE_CHECKING:
    from localize.glossary.model import Entry, Glossary

__all__ = [
    "RenderingMatch",
    "TermMatch",
    "find_rendering",
    "find_terms",
    "is_stop_word",
    "knows_word",
    "lemma_table",
    "lemmas_of",
    "log_probability",
    "sentence_initial",
]

log = logging.getLogger(__name__)

# Languages whose plurals mostly add -s/-es: a cheap fallback when a form is missing from the tables.
_S_PLURAL = frozenset({"es", "pt", "fr", "en", "ca", "gl", "oc", "ast"})
_SENTENCE_END = re.compile(r"[.!?…:;]$")
_OPENERS = " \t¡¿\"'«“‘—–-(["
# Markup and symbol characters read as spaces (same length, so offsets hold): "<i>Martín</i>" has the word "Martín".
_BLANKS = str.maketrans({char: " " for char in "<>/\\[]{}|*_#@=+~^"})


@dataclass(frozen=True)
class TermMatch:
    """A glossary entry found in a source text, at character offsets [start, end)."""

    entry: Entry
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class RenderingMatch:
    """A rendering found in a target text, at character offsets [start, end)."""

    rendering: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    keys: frozenset[str]

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class _Analyzer:
    nlp: Language
    lemmas: dict[str, Any] | None
    s_plural: bool

    def keys(self, word: str) -> frozenset[str]:
        lower = word.lower()
        keys = {lower}
        lemma = self.lemmas.get(lower) if self.lemmas is not None else None
        if isinstance(lemma, str):
            keys.add(lemma)
        elif lemma:
            keys.update(lemma)
        if self.s_plural and len(lower) > 3 and lower.endswith("s"):
            keys.add(lower[:-1])
            if lower.endswith("es"):
                keys.add(lower[:-2])
        return frozenset(keys)

    def tokens(self, text: str) -> list[_Token]:
        tokens = self.nlp.tokenizer(text.translate(_BLANKS))
        return [_Token(t.text, t.idx, self.keys(t.text)) for t in tokens if not t.is_space]


@cache
def _analyzer(language: str) -> _Analyzer:
    """A tokenizer and lemma table for a language, built once per language."""
    code = base_language(language)
    return _Analyzer(blank_pipeline(code), lookup_table(code, "lemma_lookup"), code in _S_PLURAL)


@cache
def lookup_table(language: str, name: str) -> dict[str, Any] | None:
    """One of spaCy's lookup tables for a language (spacy-lookups-data), read once as a plain dict; None without one.

    Read straight from its JSON rather than through spaCy's ``Table``, which hashes every key again (several
    seconds a language for lemma tables of a million forms).
    """
    from spacy.util import load_language_data, registry

    try:
        files = registry.lookups.get(base_language(language))
        table = load_language_data(files[name])
    except (KeyError, ValueError, OSError) as exc:  # no table, or no data for the language (a RegistryError)
        log.info("no %s table for '%s' (%s)", name, language, exc)
        return None
    return table if isinstance(table, dict) else None


def log_probability(word: str, language: str) -> float | None:
    """How common ``word`` is in general use (natural log of its probability), None when unknown or no table."""
    table = lookup_table(language, "lexeme_prob")
    value = table.get(word) if table is not None else None
    return float(value) if isinstance(value, int | float) else None


def lemma_table(language: str) -> dict[str, Any] | None:
    """The language's lookup table of word form -> lemma(s), if spaCy has one."""
    return _analyzer(language).lemmas


@cache
def _lemma_values(language: str) -> frozenset[str]:
    table = lemma_table(language)
    return frozenset(value for value in (table.values() if table is not None else []) if isinstance(value, str))


def knows_word(word: str, language: str) -> bool | None:
    """Whether the language's lemma table has ``word`` (lowercase) as a form or a lemma; None without a table."""
    table = lemma_table(language)
    if table is None:
        return None
    lower = word.lower()
    return lower in table or lower in _lemma_values(language) or is_stop_word(lower, language)


def lemmas_of(word: str, language: str) -> frozenset[str]:
    """The lemmas the language's lookup table gives ``word`` (empty when it has no entry, or the language no table)."""
    table = lemma_table(language)
    lemma = table.get(word.lower()) if table is not None else None
    if not lemma:
        return frozenset()
    return frozenset([lemma] if isinstance(lemma, str) else lemma)


@lru_cache(maxsize=32768)
def _form_words(language: str, form: str) -> tuple[str, ...]:
    """The words of a term or rendering, as the language's tokenizer splits them."""
    return tuple(t.text for t in _analyzer(language).nlp.tokenizer(form) if not t.is_space)


def _positions(tokens: Sequence[_Token]) -> dict[str, list[int]]:
    """Token indices by every key a token answers to."""
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        for key in token.keys:
            positions.setdefault(key, []).append(i)
    return positions


def _matches_at(tokens: Sequence[_Token], i: int, words: tuple[str, ...], case_sensitive: bool) -> bool:
    if not words or i + len(words) > len(tokens):
        return False
    for token, word in zip(tokens[i : i + len(words)], words, strict=False):
        if case_sensitive:
            if token.text != word:
                return False
        elif word.lower() not in token.keys:
            return False
    return True


def _entries(glossary: Glossary, target: str | None) -> Iterable[Entry]:
    if target is None:
        return glossary.terms
    return (entry for entry in glossary.terms if entry.rule(target).constrains)


@lru_cache(maxsize=4096)
def _tokenized(language: str, text: str) -> tuple[tuple[_Token, ...], dict[str, list[int]]]:
    """A text's tokens and their positions by key, computed once per text (layers and glossaries ask again and again)."""
    tokens = tuple(_analyzer(language).tokens(text))
    return tokens, _positions(tokens)


_Form = tuple[int, "Entry", tuple[str, ...]]
"""A term form to look for: the entry's place in its glossary, the entry, the form's words."""
_INDEXES: dict[tuple[int, int, str, str | None], tuple[Glossary, dict[str, list[_Form]]]] = {}
_INDEX_SIZE = 256


def _index(glossary: Glossary, language: str, target: str | None) -> dict[str, list[_Form]]:
    """The glossary's forms by their first word (lowercase), built once per glossary, language and target."""
    key = (id(glossary), len(glossary.terms), language, target)
    cached = _INDEXES.get(key)
    if cached is not None and cached[0] is glossary:
        return cached[1]
    index: dict[str, list[_Form]] = {}
    for order, entry in enumerate(_entries(glossary, target)):
        for form in dict.fromkeys(entry.forms):
            words = _form_words(language, form)
            if words:
                index.setdefault(words[0].lower(), []).append((order, entry, words))
    if len(_INDEXES) >= _INDEX_SIZE:
        del _INDEXES[next(iter(_INDEXES))]
    _INDEXES[key] = (glossary, index)
    return index


def find_terms(glossary: Glossary, text: str, language: str, target: str | None = None) -> list[TermMatch]:
    """Glossary entries occurring in ``text`` (in ``language``), in text order.

    Multiword terms match as word sequences; case-sensitive entries match their exact
    surface only; the longest match wins and matches never overlap. With ``target``,
    only entries that constrain that target language are considered.
    """
    tokens, positions = _tokenized(language, text)
    index = _index(glossary, language, target)
    candidates: list[tuple[int, int, int, Entry]] = []
    for key, starts in positions.items():
        for order, entry, words in index.get(key, ()):
            for i in starts:
                if _matches_at(tokens, i, words, entry.case_sensitive):
                    candidates.append((i, i + len(words), order, entry))

    def said_as_listed(first: int, stop: int, entry: Entry) -> bool:
        surface = text[tokens[first].start : tokens[stop - 1].end].casefold()
        return any(form.casefold() == surface for form in entry.forms)

    # The longest match first; at one place, an entry that lists the very words said before one matched through their
    # lemma ("novia" is novia's, not novio's), then the glossary's order.
    candidates.sort(
        key=lambda c: (-(c[1] - c[0]), -(tokens[c[1] - 1].end - tokens[c[0]].start), c[0], not said_as_listed(c[0], c[1], c[3]), c[2])
    )
    taken: set[int] = set()
    found: list[TermMatch] = []
    for first, stop, _, entry in candidates:
        span = set(range(first, stop))
        if span & taken:
            continue
        taken |= span
        start, end = tokens[first].start, tokens[stop - 1].end
        found.append(TermMatch(entry, start, end, text[start:end]))
    return sorted(found, key=lambda m: m.start)


def find_rendering(text: str, candidates: Sequence[str], language: str, case_sensitive: bool = False) -> RenderingMatch | None:
    """The earliest occurrence in ``text`` of any of ``candidates``, in any inflection (exact words when ``case_sensitive``)."""
    tokens, positions = _tokenized(language, text)
    found: list[tuple[int, int, str]] = []
    for candidate in candidates:
        words = _form_words(language, candidate)
        for i in positions.get(words[0].lower(), []) if words else []:
            if _matches_at(tokens, i, words, case_sensitive):
                found.append((i, i + len(words), candidate))
                break
    if not found:
        return None
    first, stop, candidate = min(found, key=lambda f: (f[0], f[0] - f[1]))
    start, end = tokens[first].start, tokens[stop - 1].end
    return RenderingMatch(candidate, start, end, text[start:end])


def is_stop_word(word: str, language: str) -> bool:
    """Whether spaCy lists ``word`` as a stop word of ``language``."""
    return word.lower() in _analyzer(language).nlp.Defaults.stop_words


def sentence_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (only opening punctuation before it since a sentence end)."""
    before = text[:start].rstrip(_OPENERS)
    return not before or bool(_SENTENCE_END.search(before))
