"""Which rules apply to which target, and the whole post-editing of one candidate."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from localize.cache import stable_hash
from localize.languages import base_language
from localize.model import PivotedWord
from localize.stages.translate.postedit import common, english, french, numbers, portuguese, spanish
from localize.stages.translate.postedit.base import Context, Rule

__all__ = ["Context", "Finished", "finish", "rules_digest", "rules_for"]

_COMMON: tuple[Rule, ...] = (common.spacing, common.capital_after_comma, common.sentence_case)
_BY_LANGUAGE: dict[str, tuple[Rule, ...]] = {
    "en": (
        english.english_i,
        english.english_questions,
        english.english_contractions,
        english.english_anymore,
        english.english_days,
        english.english_articles,
        numbers.english_numbers,
    ),
    "fr": (
        french.french_words,
        french.french_slips,
        french.french_grammar,
        french.french_negation,
        french.french_on,
        french.french_days,
        french.french_elision,
        numbers.french_numbers,
        french.french_spacing,
    ),
    "pt": (portuguese.new_spelling, portuguese.thousands_and),
    "pt-BR": (
        portuguese.brazilian_words,
        portuguese.brazilian_pronouns,
        portuguese.brazilian_imperative,
        portuguese.brazilian_speech,
    ),
    "es": (spanish.inverted_marks,),
}
"""Rules by base language, then by exact tag; the common ones run first (French spacing last, after them)."""


@dataclass(frozen=True)
class Finished:
    """A candidate after post-editing, the source words its translator left untranslated and those it rendered
    through another language."""

    text: str
    untranslated: tuple[str, ...]
    pivoted: tuple[PivotedWord, ...] = ()


def rules_for(target: str) -> tuple[Rule, ...]:
    """The rules for a target tag, in the order they run."""
    specific = _BY_LANGUAGE.get(target, ()) if target != base_language(target) else ()
    return (*_COMMON, *_BY_LANGUAGE.get(base_language(target), ()), *specific)


@cache
def rules_digest(target: str) -> str:
    """A hash of the rules for ``target`` and their code: editing a rule redoes the lines it applies to."""
    rules: list[Callable[..., str]] = [common.casing_after_unknown, common.unmark, common.unpivot, *rules_for(target)]
    return stable_hash([f"{rule.__module__}.{rule.__qualname__}:{inspect.getsource(rule)}" for rule in rules])


def finish(candidate: str, context: Context, marked: bool = True) -> Finished:
    """List the words left untranslated (``marked``: those the translator marked, else those it copied; never the
    ones kept on purpose) and those rendered through another language, remove the marks, apply the target's rules."""
    words = common.unknown_words(candidate) if marked else common.copied_words(candidate, context)
    untranslated = tuple(word for word in words if not context.protects(word))
    pivoted = tuple(PivotedWord(word=word, via=via, rendering=rendering) for word, via, rendering in common.pivoted_words(candidate))
    text = common.unpivot(common.unmark(common.casing_after_unknown(candidate, context)))
    for rule in rules_for(context.target):
        text = rule(text, context)
    return Finished(text, untranslated, pivoted)
