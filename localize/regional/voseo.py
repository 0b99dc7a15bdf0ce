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

from localize.glossary.match import lemmas_of
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


def _present(word: str) -> str | None:
    """-ás/-és/-ís: the tú present of the verb with that vowel ("querés" -> "quieres"), or None."""
    infinitive = word[:-2] + spanish.plain(word[-2]) + "r"
    return spanish.tu_present(infinitive) if spanish.is_verb(infinitive) else None


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


def _plural_imperative(word: str) -> str | None:
    """The vosotros imperative of a voseo one ("bajá" -> "bajad"), or None."""
    infinitive = spanish.plain(word) + "r"
    return infinitive[:-1] + "d" if word.endswith(_IMPERATIVE_ENDINGS) and spanish.is_verb(infinitive) else None


def _verb_form(voseo: Voseo, word: str, opens_clause: bool, target: str) -> str | None:
    """The tú form of a voseo verb form, or None when ``word`` is not one."""
    if target in voseo.plural_imperative and opens_clause and not spanish.is_known(word):
        plural = _plural_imperative(word)
        if plural is not None:
            return plural
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


_SUBJECTS = frozenset(("vos", "tú", "usted", "yo", "él", "ella", "nosotros", "nosotras", "ellos", "ellas", "ustedes"))
_BEFORE_VERB = frozenset((*spanish.CLITICS, "no", "ya", "nunca", "también", "tampoco"))
_SECOND_PERSON = frozenset(("sos", "vas", "estás", "das", "has"))


def _second_person(word: str) -> bool:
    """Whether ``word`` (lowercase) is a second-person present or preterite with no other reading
    ("querés", "sos", "dejaste"; not the subjunctive "hablés")."""
    if word in _SECOND_PERSON:
        return True
    if (word.endswith(("ás", "és", "ís")) and not spanish.is_known(word)) or word.endswith("ís"):
        return _present(word) is not None
    if word.endswith(("aste", "iste")):
        return any(lemma[-2:] in ("ar", "er", "ir", "ír") for lemma in lemmas_of(word, "es"))
    return False


def _subject(text: str, words: list[re.Match[str]], index: int, subject: str) -> list[Change]:
    """``subject`` put before the verb at ``index`` (and the pronouns and "no" before it) unless its clause has one."""
    start = index
    while (
        start > 0 and words[start - 1].group().lower() in _BEFORE_VERB and not text[words[start - 1].end() : words[start].start()].strip()
    ):
        start -= 1
    for previous in reversed(words[:start]):
        if _CLAUSE_BREAK.search(text[previous.end() : words[start].start()]):
            break
        if previous.group().lower() in _SUBJECTS:
            return []
    first = words[start]
    return [Change(first.start(), first.start(), cased(subject, first.group()) + " ", "voseo")]


def voseo_changes(text: str, voseo: Voseo, target: str, keep: list[tuple[int, int]]) -> list[Change]:
    """The changes that read ``text``'s voseo as tú for a translator into ``target``; ``keep`` spans are left alone."""
    changes: list[Change] = []
    words = list(WORD.finditer(text))
    subject = per_target(voseo.subject, target) if voseo.subject is not None else None
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
        if subject and _second_person(lower):
            changes += _subject(text, words, index, subject)
    return changes
