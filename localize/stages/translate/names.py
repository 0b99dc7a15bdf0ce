"""Names kept verbatim without a glossary entry (auto-protection).

A name is a run of capitalised words (joined by de/del/la/los: "Plaza de
Mayo") that stands mid-sentence, a title and a name ("Doña Rosa"), a run the
episode opens sentences with at least twice, a word opening a sentence that the
language's lexicon does not know ("Quique, ..."), or a character's name. A word that
only ever opens a sentence is not taken for a name ("Bueno, ...", "Comisario"
in "Comisario Benítez"). What the glossary (or a capitalised regional term)
defines is theirs to decide. Each name becomes a do-not-translate
glossary entry, so the glossary's own protection keeps it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from localize.glossary.match import find_terms, is_stop_word, knows_word, lemmas_of, sentence_initial
from localize.glossary.model import Entry, Glossary

__all__ = ["AUTO_PREFIX", "find_names", "name_entries"]

AUTO_PREFIX = "auto:"
"""Id prefix of auto-protected name entries."""
_RUN = re.compile(r"[^\W\d_][\w'’-]*(?:(?: (?:de|del|la|las|los))* [^\W\d_][\w'’-]*)*")
_CONNECTORS = frozenset({"de", "del", "la", "las", "los"})
_TITLES = frozenset({"Don", "Doña", "Señor", "Señora", "Sr", "Sra", "San", "Santa", "Santo"})


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


def find_names(
    texts: list[str],
    language: str,
    known: Iterable[str] = (),
    glossary: Glossary | None = None,
    regional: Callable[[str], bool] = lambda word: False,
) -> list[str]:
    """The names to keep verbatim in these lines (an episode's), longest first.

    ``known`` are names given elsewhere (characters); ``glossary`` holds terms that decide for themselves;
    ``regional`` says whether a word the lexicon lacks is the regional variety's ("Mirá", "Laburé"), not a name.
    """
    mid: set[str] = set()
    initial: Counter[str] = Counter()
    lowercase: set[str] = set()
    for text in texts:
        lowercase.update(word.casefold() for word in re.findall(r"\b[^\W\d_A-ZÁÉÍÓÚÑÜ][\w'’-]*", text))
        covered = [(m.start, m.end) for m in find_terms(glossary, text, language)] if glossary else []
        for run, start in _runs(text):
            if any(begin < start + len(run) and start < end for begin, end in covered):
                continue
            if sentence_initial(text, start):
                initial[run] += 1
            else:
                mid.add(run)
    for run in list(initial):
        first, _, rest = run.partition(" ")
        if first in _TITLES and rest:
            mid.add(run)  # "Doña Rosa, ..."
        elif rest and run not in mid:
            mid.add(rest.removeprefix("de ").removeprefix("del "))  # "Comisario Benítez": the words after the first
    names = {name for name in known if name.strip()}
    unknown = {run for run in initial if " " not in run and knows_word(run, language) is False and not run.isupper() and not regional(run)}
    for run in mid | unknown | {run for run, count in initial.items() if count > 1 and " " in run}:
        words = run.split(" ")
        if run.casefold() in lowercase or all(is_stop_word(word, language) for word in words):
            continue
        if len(words) > 1 or not (run.isupper() and _common(run, language)):  # "NO" is shouted, "AFIP" a name
            names.add(run)
    return sorted(names, key=lambda name: (-len(name), name))


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
