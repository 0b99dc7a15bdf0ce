"""Spanish word order a rule-based translator reads more easily, with the same meaning.

- Pronouns go back to the verb they belong to: "me voy a tener que tomar un taxi"
  reads "voy a tener que tomarme un taxi", "lo puedo tocar" reads "puedo tocarlo"
  (translators otherwise attach them to the auxiliary: "I go me to have to").
- The personal "a" goes after verbs of seeing, calling, knowing, waiting and the like,
  before a determiner or a name: "vio a mi gato" reads "vio mi gato", "llamar al
  técnico" reads "llamar el técnico" ("you saw to my cat").
"""

from __future__ import annotations

import re

from localize.glossary.match import lemmas_of
from localize.regional import spanish
from localize.regional.text import WORD, Change, cased, overlaps

__all__ = ["clitic_changes", "personal_a_changes"]

# Auxiliaries whose pronouns belong to the infinitive after them, and the word that joins them ("" for none).
_AUXILIARIES = {
    "ir": "a", "tener": "que", "poder": "", "querer": "", "deber": "", "saber": "", "necesitar": "", "soler": "",
    "pensar": "", "intentar": "", "volver": "a", "empezar": "a", "comenzar": "a", "acabar": "de", "dejar": "de",
    "tratar": "de",
}  # fmt: skip
_PERSONAL_A_VERBS = frozenset(
    (
        *("ver", "mirar", "llamar", "conocer", "buscar", "esperar", "invitar", "querer", "ayudar", "extrañar"),
        *("encontrar", "avisar", "saludar", "cuidar", "matar", "odiar", "amar", "visitar", "escuchar", "oír"),
        *("besar", "abrazar", "perdonar", "entender", "respetar", "aguantar", "bancar", "soportar", "detener"),
        *("arrestar", "convencer", "engañar", "molestar", "atender", "contratar", "adorar", "insultar", "vigilar"),
        *("perseguir", "reconocer", "despertar", "felicitar", "denunciar", "votar", "apoyar", "criticar", "retar"),
    )
)
_DETERMINERS = frozenset(
    (
        *("la", "los", "las", "mi", "mis", "tu", "tus", "su", "sus", "nuestro", "nuestra", "nuestros", "nuestras"),
        *("este", "esta", "estos", "estas", "ese", "esa", "esos", "esas", "aquel", "aquella", "un", "una", "unos"),
        *("unas", "todos", "todas", "alguien", "nadie", "cada", "ningún", "ninguna", "algún", "alguna"),
    )
)


_DOUBLING = frozenset(("lo", "la", "los", "las", "le", "les"))


def _verb_of(word: str) -> set[str]:
    """The infinitives ``word`` (lowercase) may be a form of: the lexicon's, or a voseo present or imperative."""
    verbs = {lemma for lemma in lemmas_of(word, "es") if lemma[-2:] in ("ar", "er", "ir", "ír")}
    if word[-2:] in ("ar", "er", "ir", "ír"):
        verbs.add(word)
    if word.endswith(("ás", "és", "ís")):
        verbs |= {word[:-2] + vowel + "r" for vowel in "aei"}
    if word.endswith(("á", "é", "í")):
        verbs.add(spanish.plain(word) + "r")
    return {verb for verb in verbs if spanish.is_verb(verb)}


def _joined(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    """Whether only spaces separate two words."""
    return not text[first.end() : second.start()].strip()


def clitic_changes(text: str, keep: list[tuple[int, int]]) -> list[Change]:
    """Pronouns before an auxiliary moved onto the infinitive they belong to ("lo puedo tocar" -> "puedo tocarlo")."""
    words = list(WORD.finditer(text))
    changes: list[Change] = []
    index = 0
    while index < len(words):
        run = index
        while run < len(words) and run - index < 2 and words[run].group().lower() in spanish.CLITICS:
            if run > index and not _joined(text, words[run - 1], words[run]):
                break
            run += 1
        infinitive = _chain_end(words, run) if index < run < len(words) else None
        if infinitive is None or overlaps(words[index].start(), words[infinitive].end(), keep):
            index = max(run, index + 1)
            continue
        clitics = "".join(word.group().lower() for word in words[index:run])
        verb = words[infinitive]
        first, auxiliary = words[index], words[run]  # a capital the pronouns had passes to the auxiliary
        changes.append(Change(first.start(), auxiliary.start(), "", "clitic"))
        changes.append(Change(verb.start(), verb.end(), spanish.with_clitics(verb.group(), clitics), "clitic"))
        index = infinitive + 1
    return changes


def _chain_end(words: list[re.Match[str]], at: int) -> int | None:
    """The index of the last infinitive of an auxiliary chain starting at word ``at`` ("voy a tener que tomar"), or None."""
    auxiliaries = sorted(verb for verb in _verb_of(words[at].group().lower()) if verb in _AUXILIARIES)
    if not auxiliaries:
        return None
    verb, cursor, last = auxiliaries[0], at, None
    while True:
        following = cursor + 1
        joiner = _AUXILIARIES[verb]
        if joiner:
            if following >= len(words) or words[following].group().lower() != joiner:
                return last
            following += 1
        word = words[following].group().lower() if following < len(words) else ""
        if not (word.endswith(("ar", "er", "ir", "ír")) and spanish.is_verb(word)):
            return last
        last = following
        if word not in _AUXILIARIES:
            return last
        verb, cursor = word, following


def personal_a_changes(text: str, keep: list[tuple[int, int]]) -> list[Change]:
    """The personal "a" dropped after a verb of perception, calling, knowing, waiting ("vio a mi gato" -> "vio mi gato")."""
    words = list(WORD.finditer(text))
    changes: list[Change] = []
    for index in range(1, len(words) - 1):
        verb, a, after = words[index - 1], words[index], words[index + 1]
        lower = a.group().lower()
        if lower not in ("a", "al") or not (_joined(text, verb, a) and _joined(text, a, after)):
            continue
        if overlaps(verb.start(), a.end(), keep) or not _verb_of(verb.group().lower()) & _PERSONAL_A_VERBS:
            continue  # a verb kept or read as other words ("besar" as "dar un beso") keeps its "a"
        if index > 1 and words[index - 2].group().lower() in _DOUBLING:
            continue  # "lo vi al Turco": the pronoun doubles the object, which keeps its "a"
        if lower == "al":
            changes.append(Change(a.start(), a.end(), cased("el", a.group()), "personal-a"))
        elif after.group().lower() in _DETERMINERS or after.group()[:1].isupper():
            changes.append(Change(a.start(), after.start(), "", "personal-a"))
    return changes
