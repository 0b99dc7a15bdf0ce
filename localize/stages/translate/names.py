"""Names kept verbatim without a glossary entry (auto-protection).

A name is a run of capitalised words (joined by de/del/la/los: "Plaza de
Mayo") that stands mid-sentence, a title and a name ("Doña Rosa"), a run the
episode opens sentences with at least twice, a word opening a sentence that
neither the language's lexicon nor the translator knows ("Quique, ..."), a
sentence-opening word the translator's lexicon reads as a first name that is
addressed or acts ("Flor, vení", "Rosa me dijo", "Julio, ¿venís?"; not "Luz
no hay"), even where the episode also says it as a common word, a
character's name, or a name of the region's gazetteer (places, clubs, brands,
first names and nicknames a regional layer lists: "Rosario", "Boca", "Facu"),
even where it opens a sentence or the episode also says the word in lowercase.
A word that only ever opens a sentence is not taken for a name ("Bueno, ...",
"Dame", "Quince"); a professional title before a name is translated, not kept
("Comisario" in "Comisario Benítez"). What the glossary (or a capitalised
regional term) defines is theirs to decide. Each name becomes a
do-not-translate glossary entry, so the glossary's own protection keeps it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from localize.glossary.match import find_terms, is_stop_word, knows_word, lemmas_of, sentence_initial
from localize.glossary.model import Entry, Glossary
from localize.regional import spanish

__all__ = ["AUTO_PREFIX", "find_names", "name_entries"]

AUTO_PREFIX = "auto:"
"""Id prefix of auto-protected name entries."""
_RUN = re.compile(r"[^\W\d_][\w'’-]*(?:(?: (?:de|del|la|las|los))* [^\W\d_][\w'’-]*)*")
_CONNECTORS = frozenset({"de", "del", "la", "las", "los"})
_TITLES = frozenset({"Don", "Doña", "Señor", "Señora", "Señorita", "Sr", "Sra", "Srta", "San", "Santa", "Santo"})
"""Titles that are part of the name they open ("Doña Rosa" stays "Doña Rosa")."""
_ROLES = frozenset(
    (
        *("Comisario", "Comisaria", "Doctor", "Doctora", "Dr", "Dra", "Licenciado", "Licenciada", "Lic", "Ingeniero"),
        *("Ingeniera", "Profesor", "Profesora", "Profe", "Sargento", "Oficial", "Inspector", "Inspectora", "Agente"),
        *("Cabo", "Detective", "Fiscal", "Juez", "Jueza", "Tío", "Tía", "Abuelo", "Abuela", "Padre", "Hermana", "Sor"),
    )
)
"""Roles said before a name and translated ("Comisario Benítez" keeps "Benítez")."""
_NOT_NAMES = frozenset(
    (
        *("uno", "una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"),
        *("trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "treinta"),
        *("cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa", "cien", "ciento", "mil", "millón"),
        *("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo", "enero", "febrero", "marzo"),
        *("abril", "mayo", "junio", "julio", "agosto", "septiembre", "setiembre", "octubre", "noviembre", "diciembre"),
    )
)
"""Words that open sentences without being names, whatever the lexicon says ("Quince mil"; "el Once" is one)."""
_SOUNDS = frozenset(("uh", "ah", "eh", "oh", "ey", "ay", "bah", "puf", "uf", "mmm", "shh", "ja", "jaja", "aj", "ufa", "uy"))
"""Interjections, never names wherever they stand."""
_AFTER_A_NAME = re.compile(r"\s*(?:[,.!?…]|$|(?:me|te|le|les|lo|la|los|las|nos|se)\b)")
"""What follows a first name that opens a sentence as a name: a comma or the sentence's end (it is addressed, or
said alone), or a clitic pronoun (it acts: "Rosa me dijo")."""


def _runs(text: str) -> Iterable[tuple[str, int]]:
    """Runs of capitalised words (connectors allowed inside, never at an end), with their offsets."""
    for found in _RUN.finditer(text):
        words = found.group().split(" ")
        start = found.start()
        run: list[str] = []
        begin = start
        for word in [*words, ""]:
            if word and (word[0].isupper() or (run and word in _CONNECTORS)):
                if not run:
                    begin = start
                run.append(word)
            else:
                while run and run[-1] in _CONNECTORS:
                    run.pop()
                if run:
                    yield " ".join(run), begin
                run = []
            start += len(word) + 1


def _common(word: str, language: str) -> bool:
    """A word the language uses in lowercase (a stop word, or one its lemma table knows)."""
    lower = word.lower()
    return is_stop_word(lower, language) or bool(lemmas_of(lower, language))


def _without_role(run: str) -> str:
    """A run without a role before the name ("Comisario Benítez" -> "Benítez")."""
    first, _, rest = run.partition(" ")
    while first in _ROLES and rest and rest[:1].isupper():
        first, _, rest = rest.partition(" ")
        run = " ".join(part for part in (first, rest) if part)
    return run


@lru_cache(maxsize=8)
def _gazetteer_pattern(gazetteer: tuple[str, ...]) -> re.Pattern[str] | None:
    """The gazetteer's names as one pattern, longest first, whole words and exact case."""
    names = sorted({name.strip() for name in gazetteer if name.strip()}, key=lambda name: (-len(name), name))
    return re.compile(r"(?<![\w'’])(?:" + "|".join(re.escape(name) for name in names) + r")(?![\w'’])") if names else None


def _gazetteer_names(texts: list[str], gazetteer: tuple[str, ...]) -> set[str]:
    """The gazetteer's names in ``texts``, wherever they stand (opening a sentence too, unless as a number or a
    small word: "Once" is a neighbourhood, "Once años" eleven years)."""
    pattern = _gazetteer_pattern(gazetteer)
    if pattern is None:
        return set()
    found: set[str] = set()
    for text in texts:
        for match in pattern.finditer(text):
            name = match.group()
            if not sentence_initial(text, match.start()) or name.lower() not in _NOT_NAMES:
                found.add(name)
    return found


def find_names(
    texts: list[str],
    language: str,
    known: Iterable[str] = (),
    glossary: Glossary | None = None,
    regional: Callable[[str], bool] = lambda word: False,
    gazetteer: Iterable[str] = (),
    translatable: Callable[[str], bool] = lambda word: False,
    first_name: Callable[[str], bool] = lambda word: False,
) -> list[str]:
    """The names to keep verbatim in these lines (an episode's), longest first.

    ``known`` are names given elsewhere (characters); ``glossary`` holds terms that decide for themselves;
    ``regional`` says whether a word the lexicon lacks is the regional variety's ("Mirá", "Laburé"), not a name;
    ``gazetteer`` lists the region's names (places, clubs, brands, people); ``translatable`` says whether the
    translator knows a word (lowercase) that the lexicon lacks; ``first_name`` whether the translator's lexicon reads
    a capitalised word as a person's first name.
    """
    mid: set[str] = set()
    initial: Counter[str] = Counter()
    lowercase: set[str] = set()
    addressed: set[str] = set()
    for text in texts:
        lowercase.update(word.casefold() for word in re.findall(r"\b[^\W\d_A-ZÁÉÍÓÚÑÜ][\w'’-]*", text))
        covered = [(m.start, m.end) for m in find_terms(glossary, text, language)] if glossary else []
        for run, start in _runs(text):
            if any(begin < start + len(run) and start < end for begin, end in covered):
                continue
            if sentence_initial(text, start):
                initial[run] += 1
                if _AFTER_A_NAME.match(text, start + len(run)):
                    addressed.add(run)
            else:
                mid.add(_without_role(run))
    for run in list(initial):
        first, _, rest = run.partition(" ")
        if first in _TITLES and rest:
            mid.add(run)  # "Doña Rosa, ..."
        elif rest and run not in mid:
            while rest.split(" ", 1)[0] in _CONNECTORS:
                rest = rest.partition(" ")[2]
            mid.add(_without_role(rest))  # "Comisario Benítez": the words after the first
    names = {name for name in known if name.strip()}
    regional_names = _gazetteer_names(texts, tuple(gazetteer))
    unknown = {
        run
        for run in initial
        if " " not in run
        and run.lower() not in _NOT_NAMES | _SOUNDS
        and knows_word(run, language) is False
        and not run.isupper()
        and not regional(run)
        and not translatable(run.lower())
        and not _verb_with_pronouns(run.lower())
    }
    for run in mid | unknown | {run for run, count in initial.items() if count > 1 and " " in run}:
        words = run.split(" ")
        if run.lower() in _SOUNDS:
            continue
        said_lowercase = run.casefold() in lowercase and not first_name(run)  # "la luz" and "Luz sigue": both
        if run in regional_names or said_lowercase or all(is_stop_word(word, language) for word in words):
            continue
        if len(words) > 1 or not (run.isupper() and _common(run, language)):  # "NO" is shouted, "AFIP" a name
            names.add(run)
    called = {run for run in addressed if first_name(run) and run.lower() not in _SOUNDS and not regional(run)}
    return sorted(names | regional_names | called, key=lambda name: (-len(name), name))


def _verb_with_pronouns(word: str) -> bool:
    """A command with pronouns attached ("dame", "decímelo"): a verb form the lexicon knows, once they are taken off."""
    return any(spanish.is_known(base) or spanish.is_known(spanish.plain(base)) for base, _ in spanish.split_clitics(word))


def name_entries(names: Iterable[str], known: Iterable[str] = ()) -> list[Entry]:
    """Do-not-translate entries for ``names`` (scope "character" for ``known`` ones), matched with their exact case."""
    characters = set(known)
    return [
        Entry(
            id=AUTO_PREFIX + name,
            term=name,
            dnt=True,
            case_sensitive=True,
            scope="character" if name in characters else "other",
            note="auto-protected: promote it to the glossary or reject it",
        )
        for name in names
    ]
