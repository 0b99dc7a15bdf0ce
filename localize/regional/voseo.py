"""Voseo read as tú: 'vos' and its verb forms become the forms translators know.

Present ("querés" -> "quieres"), subjunctive ("no hablés" -> "no hables") and
imperative ("mirá" -> "mira", "contame" -> "cuéntame") come from the rules in
``spanish``, checked against the lexicon; a word the lexicon knows as it is
("estás", "mamás") is left alone. Irregular forms come from the layer's data;
an imperative (alone or with pronouns) is read as one only where it opens its
clause, so "tomate" in "un tomate" stays a tomato.
"""

from __future__ import annotations

import re

from localize.regional import spanish
from localize.regional.model import Voseo, per_target
from localize.regional.text import WORD, Change, cased, overlaps

__all__ = ["voseo_changes"]

_CLAUSE_BREAK = re.compile(r"[,.;:!?¡¿…—(\"«“]")
_PREPOSITIONS = frozenset(
    ["a", "ante", "bajo", "contra", "de", "desde", "en", "entre", "hacia", "hasta", "para", "por", "según", "sin", "sobre", "tras"]
)
"""After these, 'vos' is not a subject ('para vos' reads 'para ti')."""
_OPENERS = frozenset(
    [
        *["y", "e", "o", "u", "pero", "bueno", "dale", "che", "ahora", "ya", "entonces", "pues", "así", "mejor"],
        *["vamos", "porfa", "listo", "igual", "mirá", "sí", "no"],
    ]
)
"""Words after which an imperative still opens its clause ("y decime", "dale, contame")."""
_IMPERATIVE_ENDINGS = ("á", "é", "í")


def _opens_clause(text: str, word: re.Match[str], previous: re.Match[str] | None) -> bool:
    if previous is None:
        return True
    return bool(_CLAUSE_BREAK.search(text[previous.end() : word.start()])) or previous.group().lower() in _OPENERS


def _irregular(voseo: Voseo, word: str, target: str, opens_clause: bool) -> str | None:
    """The layer's tú form for an irregular voseo form (matched without accents, so "decí" serves "decime");
    an imperative only where it opens its clause."""
    wanted = spanish.plain(word)
    for form, value in voseo.irregular.items():
        if spanish.plain(form.lower()) == wanted and (opens_clause or not form.endswith(_IMPERATIVE_ENDINGS)):
            return per_target(value, target)
    return None


def _present_or_subjunctive(word: str) -> str | None:
    """-ás/-és/-ís: the present of the verb with that vowel, else the subjunctive of the other conjugation."""
    stem, ending = word[:-2], word[-2:]
    infinitive = stem + spanish.plain(ending[0]) + "r"
    if spanish.is_verb(infinitive):
        return spanish.tu_present(infinitive)
    others = {"és": [stem + "ar"], "ás": [stem + "er", stem + "ir"]}.get(ending, [])
    verb = next((other for other in others if spanish.is_verb(other)), None)
    if verb is None:
        return None
    direct = spanish.plain(word)
    return direct if spanish.lemma_is(direct, verb) else spanish.subjunctive(verb)


def _imperative_with_pronouns(voseo: Voseo, word: str, target: str) -> str | None:
    for base, clitics in spanish.split_clitics(word):
        form = _irregular(voseo, base, target, True)
        infinitive = spanish.plain(base) + "r"
        if form is None and base.endswith(("a", "e", "i", *_IMPERATIVE_ENDINGS)) and spanish.is_verb(infinitive):
            form = spanish.imperative(infinitive)
        if form is not None:
            return spanish.with_clitics(form, clitics)
    return None


def _verb_form(voseo: Voseo, word: str, opens_clause: bool, target: str) -> str | None:
    """The tú form of a voseo verb form, or None when ``word`` is not one."""
    irregular = _irregular(voseo, word, target, opens_clause)
    if irregular is not None:
        return irregular
    if word.endswith("ís"):  # the lexicon has these as vosotros forms, which Rioplatense does not use
        return _present_or_subjunctive(word)
    if spanish.is_known(word):
        return None
    if word.endswith(("ás", "és")):
        return _present_or_subjunctive(word)
    infinitive = spanish.plain(word) + "r"
    if word.endswith(_IMPERATIVE_ENDINGS) and spanish.is_verb(infinitive):
        return spanish.imperative(infinitive) if opens_clause else None
    if word.endswith(("astes", "istes")) and spanish.is_known(word[:-1]):
        return word[:-1]
    return _imperative_with_pronouns(voseo, word, target) if opens_clause else None


def _pronoun(voseo: Voseo, text: str, word: re.Match[str], previous: re.Match[str] | None, target: str) -> Change | None:
    """What 'vos' becomes after ``previous`` ('con vos' as a whole becomes 'contigo')."""
    joined = previous is not None and not text[previous.end() : word.start()].strip()
    before = previous.group().lower() if previous is not None and joined else ""
    if before == "con" and previous is not None:
        return Change(previous.start(), word.end(), cased("contigo", previous.group()), "voseo")
    value = per_target(voseo.after_preposition if before in _PREPOSITIONS else voseo.pronoun, target)
    return None if value is None else Change(word.start(), word.end(), cased(value, word.group()), "voseo")


def voseo_changes(text: str, voseo: Voseo, target: str, keep: list[tuple[int, int]]) -> list[Change]:
    """The changes that read ``text``'s voseo as tú for a translator into ``target``; ``keep`` spans are left alone."""
    changes: list[Change] = []
    words = list(WORD.finditer(text))
    for index, word in enumerate(words):
        if overlaps(word.start(), word.end(), keep):
            continue
        previous = words[index - 1] if index else None
        lower = word.group().lower()
        if lower == "vos":
            pronoun = _pronoun(voseo, text, word, previous, target)
            changes += [pronoun] if pronoun is not None else []
            continue
        form = _verb_form(voseo, lower, _opens_clause(text, word, previous), target)
        if form is not None and form != lower:
            changes.append(Change(word.start(), word.end(), cased(form, word.group()), "voseo"))
    return changes
