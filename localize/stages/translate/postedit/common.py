"""Rules for every target language: Apertium's marks, spacing, sentence case, capitals that leak mid-sentence."""

from __future__ import annotations

import re

from localize.glossary.match import is_stop_word, lemmas_of
from localize.stages.translate.postedit.base import WORD, Context, lower_first

__all__ = [
    "capital_after_comma",
    "casing_after_unknown",
    "copied_words",
    "pivot_mark",
    "pivoted_words",
    "sentence_case",
    "spacing",
    "unknown_words",
    "unmark",
    "unpivot",
]

# Apertium marks a word it could not analyse (*), translate (@) or generate (#) with a sign before it.
_MARK = re.compile(r"(?<![\w*@#])([*@#])(?=[^\W\d_])")
_UNKNOWN = re.compile(r"(?<![\w*@#])[*@]([^\W\d_][\w'’-]*)")
_PIVOTED = re.compile(r"⟦([^|⟧]+)\|([^|⟧]+)\|([^⟧]*)⟧")
_AFTER_UNKNOWN = re.compile(r"(?P<lead>(?:(?<![\w*@#])[*@#][^\W\d_][\w'’-]*|⟦[^⟧]*⟧)[ ]+)(?P<word>[^\W\d_][\w'’-]*)")
"""A word after one the translator did not know (marked, or rendered through another language)."""
_AFTER_COMMA = re.compile(r"(, +)([^\W\d_][\w'’-]*)")
_SENTENCE_START = re.compile(r"((?:^|[.!?…]+[ ]+)[\"«“¿¡(—-]*)([^\W\d_])")
_FIRST_PERSON = frozenset({"I", "I'm", "I'll", "I've", "I'd", "I’m", "I’ll", "I’ve", "I’d"})


def unknown_words(text: str) -> list[str]:
    """The words a translator marked as unknown (Apertium's * and @), in order."""
    return _UNKNOWN.findall(text)


def pivot_mark(word: str, via: str, rendering: str) -> str:
    """How a translator marks a word it rendered through another language (``⟦word|via|rendering⟧``)."""
    return f"⟦{word}|{via}|{rendering}⟧"


def pivoted_words(text: str) -> list[tuple[str, str, str]]:
    """The words a translator rendered through another language: (word, via, rendering), in order."""
    return [(found.group(1), found.group(2), found.group(3)) for found in _PIVOTED.finditer(text)]


def unpivot(text: str) -> str:
    """``text`` with each pivot mark replaced by its rendering."""
    return _PIVOTED.sub(lambda found: found.group(3), text)


def copied_words(text: str, context: Context) -> list[str]:
    """Source words a translator copied into its output that the target language does not use (for backends
    without marks): four letters or more, not kept on purpose, unknown to the target's lexicon."""
    output = {word.casefold() for word in WORD.findall(text)}
    return [
        word
        for word in dict.fromkeys(WORD.findall(context.source))
        if len(word) > 3
        and word.casefold() in output
        and not context.protects(word)
        and not is_stop_word(word, context.target)
        and not lemmas_of(word, context.target)
    ]


def unmark(text: str) -> str:
    """``text`` without Apertium's marks."""
    return _MARK.sub("", text)


def _common_word(word: str, context: Context) -> bool:
    return word not in _FIRST_PERSON and not context.keeps(word)


def casing_after_unknown(text: str, context: Context) -> str:
    """Apertium capitalises the word after an unknown one ("*Querés Some mates"): lower it again."""

    def lowered(found: re.Match[str]) -> str:
        word = found.group("word")
        return found.group("lead") + (lower_first(word) if word[:1].isupper() and _common_word(word, context) else word)

    return _AFTER_UNKNOWN.sub(lowered, text)


def capital_after_comma(text: str, context: Context) -> str:
    """No capital right after a comma ("Bonjour, Il est" -> "Bonjour, il est"), names and "I" aside."""

    def lowered(found: re.Match[str]) -> str:
        word = found.group(2)
        return found.group(1) + (lower_first(word) if word[:1].isupper() and _common_word(word, context) else word)

    return _AFTER_COMMA.sub(lowered, text)


def sentence_case(text: str, context: Context) -> str:
    """A capital where each sentence starts (the line's start only when the source's starts with one)."""
    source = WORD.search(context.source)
    starts_upper = source is None or source.group()[:1].isupper()

    def raised(found: re.Match[str]) -> str:
        if (found.start() == 0 and not starts_upper) or ".." in found.group(1) or "…" in found.group(1):
            return found.group()
        return found.group(1) + found.group(2).upper()

    return _SENTENCE_START.sub(raised, text)


def spacing(text: str, context: Context) -> str:
    """One space between words, none before closing punctuation or after opening punctuation."""
    text = re.sub(r"[ \t]+", " ", text).strip()
    text = re.sub(r" +([,.;:!?…)\]»”])", r"\1", text)
    return re.sub(r"([(\[¿¡«“]) +", r"\1", text)
