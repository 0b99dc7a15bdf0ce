"""Read a line through a regional layer: the text a translator into one target reads, and what changed.

Terms with a ``standard`` word are replaced by it (verbs conjugated like it,
adjectives and nouns keeping their ending or number, determiners of a noun of
the other gender made to agree); voseo becomes tú; terms the target renders
itself are left for protection. Spans given in ``keep`` (glossary terms, names)
are never touched. Each change is a ``SourceEdit`` at offsets of the original
text, so reports can show either text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from localize.glossary.match import TermMatch, find_terms
from localize.glossary.model import Entry, Glossary, TargetRule
from localize.glossary.plural import pluralize, rendering_for
from localize.model import SourceEdit
from localize.regional import spanish
from localize.regional.clock import clock_times, render
from localize.regional.model import LayerTerm, RegionalLayer, per_target
from localize.regional.syntax import clitic_changes, personal_a_changes
from localize.regional.text import WORD, Change, cased, overlaps
from localize.regional.voseo import voseo_changes

__all__ = ["LayerReader", "Normalised", "stands_alone", "words_read"]

_OPENING = ',.;:!?¡¿…—-("«“'
_CLOSING = ',.;:!?…—-)"»”'
_MASCULINE_FEMININE = [
    *["el la", "un una", "este esta", "ese esa", "aquel aquella", "mucho mucha", "poco poca", "todo toda"],
    *["nuestro nuestra", "cuánto cuánta", "tanto tanta", "otro otra", "ningún ninguna", "algún alguna", "los las"],
    *["unos unas", "estos estas", "esos esas", "muchos muchas", "pocos pocas", "todos todas", "otros otras"],
]
_TO_FEMININE = dict(pair.split() for pair in _MASCULINE_FEMININE)
_TO_MASCULINE = {feminine: masculine for masculine, feminine in _TO_FEMININE.items()}
_NOUN_BEFORE = frozenset(
    (
        *("el", "del", "un", "una", "unos", "unas", "mi", "mis", "tu", "tus", "su", "sus", "nuestro", "nuestra"),
        *("nuestros", "nuestras", "este", "esta", "estos", "estas", "ese", "esa", "esos", "esas", "aquel", "aquella"),
        *("cada", "ningún", "ninguna", "algún", "alguna", "otro", "otra", "otros", "otras", "primer", "último", "gran"),
    )
)
"""Words only a noun follows: "un beso" is the noun, never a form of "besar" (articles that are also pronouns left out)."""


@dataclass(frozen=True)
class Normalised:
    """The text a translator reads, and the changes that made it from the line's text."""

    text: str
    edits: tuple[SourceEdit, ...]


def stands_alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a clause of its own: only punctuation between it and other words or the line's ends."""
    inner, before, after = text[start:end], text[:start].rstrip(), text[end:].lstrip()
    opens = not before or before[-1] in _OPENING or inner[:1] in _OPENING
    return opens and (not after or after[0] in _CLOSING or inner[-1:] in _CLOSING)


def _standard_for(match: TermMatch, term: LayerTerm, standard: str, language: str) -> str:
    """The standard word in the occurrence's form: an adjective takes its -o/-a/-os/-as, a noun its number."""
    if term.pos.upper() != "ADJ":
        return rendering_for(match, standard, language, language)
    surface = match.surface.lower()
    ending = next((e for e in ("os", "as", "o", "a") if surface.endswith(e)), "")
    if ending and standard.endswith("o"):
        return standard[:-1] + ending
    return pluralize(standard, language) if surface.endswith("s") and not standard.endswith("s") else standard


def _agreement(text: str, match: TermMatch, term: LayerTerm) -> list[Change]:
    """The determiners right before a noun, made to agree with its standard word of the other gender
    ("toda la guita" -> "todo el dinero", "de la guita" -> "del dinero")."""
    swap = _TO_MASCULINE if term.gender == "f" else _TO_FEMININE
    changes: list[Change] = []
    end = match.start
    for word in reversed(list(WORD.finditer(text[: match.start]))[-2:]):
        replacement = swap.get(word.group().lower())
        if replacement is None or text[word.end() : end].strip():
            break
        before = list(WORD.finditer(text[: word.start()]))
        joined = before[-1] if before and not text[before[-1].end() : word.start()].strip() else None
        if replacement == "el" and joined is not None and joined.group().lower() in ("de", "a"):
            contraction = "del" if joined.group().lower() == "de" else "al"
            return [*changes, Change(joined.start(), word.end(), cased(contraction, joined.group()), term.id)]
        changes.append(Change(word.start(), word.end(), cased(replacement, word.group()), term.id))
        end = word.start()
    return changes


def words_read(layer: RegionalLayer, texts: list[str]) -> set[str]:
    """The words of ``texts`` (lowercase) whose knowledge by the translator the layer's rules use, with the base words
    those rules may read them as ("perrito", "perro")."""
    if not (layer.diminutives or layer.superlatives):
        return set()
    words = {word.group().lower() for text in texts for word in WORD.finditer(text)}
    return words | {base for word in words for base in spanish.base_candidates(word)}


class LayerReader:
    """A layer prepared for one target language; ``known`` holds the words its translator knows (see ``words_read``;
    None: the lexicon stands in), so that a diminutive or superlative it lacks is read as its base word."""

    def __init__(self, layer: RegionalLayer, target: str, known: frozenset[str] | None = None) -> None:
        self.layer = layer
        self.target = target
        self.known: Callable[[str], bool] = known.__contains__ if known is not None else spanish.is_known

        def glossary(terms: list[LayerTerm]) -> Glossary:
            return Glossary(name=layer.name, source_language=layer.region, terms=list[Entry](terms))

        def rendered(term: LayerTerm) -> bool:
            return bool(term.rule(target).renderings)

        self._rendered = (glossary([t for t in layer.terms if rendered(t)]), glossary([t for t in layer.interjections if rendered(t)]))
        self._standards = {
            term.id: value
            for term in (*layer.terms, *layer.interjections)
            if term.standard is not None and not rendered(term) and (value := per_target(term.standard, target))
        }
        standard = [t for t in layer.terms if t.id in self._standards]
        self._standard = (
            glossary([t for t in standard if t.pos.upper() != "VERB"]),
            glossary([t for t in layer.interjections if t.id in self._standards]),
        )
        self._verbs = [t for t in standard if t.pos.upper() == "VERB"]

    def _find(self, glossaries: tuple[Glossary, Glossary], text: str) -> list[TermMatch]:
        """Matches of the terms, then of the interjections that stand alone, none overlapping an earlier one."""
        terms, interjections = glossaries
        found = find_terms(terms, text, self.layer.region)
        spans = [(m.start, m.end) for m in found]
        for match in find_terms(interjections, text, self.layer.region):
            if stands_alone(text, match.start, match.end) and not overlaps(match.start, match.end, spans):
                found.append(match)
        return sorted(found, key=lambda m: m.start)

    def rendered_terms(self, text: str) -> list[TermMatch]:
        """The layer's terms in ``text`` that the target renders itself (kept from the translator, put in as written),
        clock times included."""
        found = self._find(self._rendered, text)
        spans = [(m.start, m.end) for m in found]
        for time in clock_times(text) if self.layer.clock_times else []:
            said = render(time, self.target)
            if said is not None and not overlaps(time.start, time.end, spans):
                rule = TargetRule(renderings=[said])
                entry = LayerTerm(id=f"time:{time.surface}", term=time.surface, pos="NUM", targets={self.target: rule})
                found.append(TermMatch(entry, time.start, time.end, time.surface))
        return sorted(found, key=lambda m: m.start)

    def _term_changes(self, text: str, keep: list[tuple[int, int]]) -> list[Change]:
        changes: list[Change] = []
        for match in self._find(self._standard, text):
            term = match.entry
            if not isinstance(term, LayerTerm) or term.id not in self._standards or overlaps(match.start, match.end, keep):
                continue
            standard = _standard_for(match, term, self._standards[term.id], self.layer.region)
            changes.append(Change(match.start, match.end, cased(standard, match.surface), term.id))
            if term.gender:
                changes += _agreement(text, match, term)
        taken = keep + [(change.start, change.end) for change in changes]
        before: re.Match[str] | None = None
        for word in WORD.finditer(text):
            noun = before is not None and before.group().lower() in _NOUN_BEFORE and not text[before.end() : word.start()].strip()
            before = word
            if overlaps(word.start(), word.end(), taken):
                continue
            found = self._verb_change(word.group(), word.start()) if self._verbs and not noun else []
            changes += found or self._morphology(word)
        return changes

    def _morphology(self, word: re.Match[str]) -> list[Change]:
        """A diminutive or superlative the translator does not know, read as its base word."""
        lower = word.group().lower()
        for rule, switched, read in (
            ("diminutive", self.layer.diminutives, spanish.undiminished),
            ("superlative", self.layer.superlatives, spanish.unsuperlative),
        ):
            base = read(lower, self.known) if switched else None
            if base is not None:
                return [Change(word.start(), word.end(), cased(base, word.group()), rule)]
        return []

    def _verb_change(self, word: str, start: int) -> list[Change]:
        """The standard verb's form for a form of one of the layer's verbs ("laburás" -> "trabajas")."""
        lower = word.lower()
        for verb in self._verbs:
            slot = spanish.conjugation(lower, verb.term) if lower.startswith(verb.term[:2]) else None
            if slot is not None:
                head, _, rest = self._standards[verb.id].partition(" ")
                form = spanish.conjugate(head, slot) + (" " + rest if rest else "")
                return [Change(start, start + len(word), cased(form, word), verb.id)]
        return []

    def normalise(self, text: str, keep: list[tuple[int, int]] | None = None) -> Normalised:
        """``text`` as the translator should read it; ``keep`` spans (and terms the target renders) stay as they are."""
        kept = list(keep or []) + [(m.start, m.end) for m in self.rendered_terms(text)]
        changes = self._term_changes(text, kept)
        if self.layer.clitics:
            changes += clitic_changes(text, kept + [(c.start, c.end) for c in changes])
        if self.layer.personal_a:
            changes += personal_a_changes(text, kept + [(c.start, c.end) for c in changes])
        if self.layer.voseo is not None:
            changes += voseo_changes(text, self.layer.voseo, self.target, kept + [(c.start, c.end) for c in changes if c.replacement])
        return _apply(text, changes, self.layer.region, kept)


def _recase(piece: str, case: str | None) -> str:
    """``piece`` with its first letter as ``case`` says ("upper", "lower" or None: as it is)."""
    if not piece[:1].isalpha() or case is None:
        return piece
    return (piece[0].upper() if case == "upper" else piece[0].lower()) + piece[1:]


def _apply(text: str, changes: list[Change], layer: str, kept: list[tuple[int, int]]) -> Normalised:
    """Make the changes (the first of overlapping ones wins) and record each as an edit. A capital moves with the
    sentence's start: pronouns taken from it give theirs to the next word ("Lo puedo" -> "Puedo"), a word put before
    it takes it ("Me cubres" -> "Usted me cubres")."""
    pieces: list[str] = []
    edits: list[SourceEdit] = []
    cursor = 0
    case: str | None = None

    def edit(start: int, end: int, replacement: str, rule: str) -> None:
        edits.append(SourceEdit(start=start, end=end, original=text[start:end], replacement=replacement, rule=rule, layer=layer))

    def gap(end: int) -> None:
        """The unchanged text up to ``end``, its first word recased when a change before asks for it."""
        nonlocal case
        piece = text[cursor:end]
        word = WORD.match(piece)
        if piece and case is not None:
            if word is not None and not overlaps(cursor, cursor + word.end(), kept):
                recased = _recase(word.group(), case)
                if recased != word.group():
                    edit(cursor, cursor + word.end(), recased, "case")
                    piece = recased + piece[word.end() :]
            case = None
        pieces.append(piece)

    for change in sorted(changes, key=lambda c: (c.start, c.end)):
        if change.start < cursor:
            continue
        gap(change.start)
        original, replacement = text[change.start : change.end], change.replacement
        if not replacement:
            case = case or ("upper" if original[:1].isupper() else None)
        else:
            replacement = _recase(replacement, case)
            case = "lower" if change.start == change.end and replacement[:1].isupper() else None
        pieces.append(replacement)
        edit(change.start, change.end, replacement, change.rule)
        cursor = change.end
    gap(len(text))
    return Normalised("".join(pieces), tuple(edits))
