"""Line and event breaks at syntactic boundaries, found with spaCy.

Text is tokenized by the language's spaCy pipeline. Each gap between two tokens
gets a cost: low after a sentence end, then after clause punctuation, then
before a function word (the start of a new phrase); high after a function
word, or, when the pipeline has a parser, inside a tight dependency (article
and noun, preposition and object, auxiliary and verb): that is mid-phrase.
A dynamic program then cuts the text into events of at most ``max_lines``
lines of at most ``max_chars_per_line`` characters, as few events and lines as
possible, at the cheapest gaps, with balanced lines.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localize.languages import base_language, blank_pipeline
from localize.rules import SubtitleRules

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["MID_PHRASE", "break_costs", "load_pipeline", "mid_phrase_breaks", "split_text"]

log = logging.getLogger("localize")

SENTENCE_END = 0.0
CLAUSE = 1.0
PHRASE = 2.0
PLAIN = 4.0
AFTER_FUNCTION_WORD = 7.0
MID_PHRASE = 12.0
"""Cost of a break that separates words of one phrase (an article from its noun...)."""
FORBIDDEN = 1000.0

_SENTENCE_PUNCT = {".", "?", "!", "…", "...", "?!", "!?", "。", "？", "！"}
_CLAUSE_PUNCT = {",", ";", ":", "—", "–", "-", "،", "、", "，", "；", "："}
_OPENING = {"¿", "¡", "(", "[", "«", "“", '"', "‘", "'", "„"}
_NO_SPACE_LANGUAGES = {"ja", "zh", "th", "lo", "km", "my"}
_TIGHT_DEPS = {
    "det",
    "amod",
    "case",
    "compound",
    "aux",
    "aux:pass",
    "auxpass",
    "neg",
    "nummod",
    "flat",
    "fixed",
    "poss",
    "clitic",
    "expl:pv",
    "prt",
    "mark",
    "cop",
    "pobj",
    "prep",
}
_EVENT_COST = 100.0
_LINE_COST = 20.0
_BALANCE_WEIGHT = 6.0


@functools.cache
def load_pipeline(language: str, model: str | None = None) -> Language:
    """The spaCy pipeline for ``language``: ``model`` if named, an installed small trained one, else a blank one."""
    import spacy
    from spacy.util import is_package

    base = base_language(language)
    names = [model] if model else [f"{base}_core_news_sm", f"{base}_core_web_sm"]
    for name in names:
        if name and (model or is_package(name)):
            log.info("line breaks for %s use the spaCy pipeline %s", language, name)
            return spacy.load(name)
    return blank_pipeline(base)


def _is_function_word(token_text: str, is_stop: bool) -> bool:
    return is_stop and token_text.isalpha()


def break_costs(doc: Doc, no_space: bool = False) -> list[float]:
    """Cost of breaking after each token (the last entry, the end of the text, costs nothing)."""
    parsed = doc.has_annotation("DEP")
    tight: set[int] = set()
    if parsed:
        for token in doc:
            if token.dep_.lower() in _TIGHT_DEPS and token.head.i != token.i:
                tight.update(range(min(token.i, token.head.i), max(token.i, token.head.i)))
    costs: list[float] = []
    for index, token in enumerate(doc):
        if index == len(doc) - 1:
            costs.append(0.0)
            continue
        following = doc[index + 1]
        text = token.text
        if (not token.whitespace_ and not no_space) or text in _OPENING or (following.is_punct and following.text not in _OPENING):
            cost = FORBIDDEN
        elif text in _SENTENCE_PUNCT or (following.is_sent_start and token.is_punct):
            cost = SENTENCE_END
        elif text in _CLAUSE_PUNCT:
            cost = CLAUSE
        elif index in tight or (not parsed and _is_function_word(text, token.is_stop) and len(text) <= 3):
            cost = MID_PHRASE
        elif not parsed and _is_function_word(text, token.is_stop):
            cost = AFTER_FUNCTION_WORD
        elif _is_function_word(following.text, following.is_stop) or following.text in _OPENING:
            cost = PHRASE
        else:
            cost = PLAIN
        costs.append(cost)
    return costs


@dataclass(frozen=True)
class _Tokens:
    """Token texts with the character offsets of each token's start and end in the original text."""

    starts: list[int]
    ends: list[int]
    costs: list[float]
    text: str

    def width(self, first: int, last: int) -> int:
        """Characters of tokens ``first..last`` (inclusive) as one line."""
        return self.ends[last] - self.starts[first]

    def line(self, first: int, last: int) -> str:
        """The text of tokens ``first..last`` (inclusive)."""
        return self.text[self.starts[first] : self.ends[last]]


def _tokens(text: str, language: str, rules: SubtitleRules) -> _Tokens:
    nlp = load_pipeline(language, rules.spacy_model)
    doc = nlp(text)
    return _Tokens(
        starts=[token.idx for token in doc],
        ends=[token.idx + len(token.text) for token in doc],
        costs=break_costs(doc, base_language(language) in _NO_SPACE_LANGUAGES),
        text=text,
    )


def split_text(text: str, language: str, rules: SubtitleRules) -> list[list[str]]:
    """Cut ``text`` into events (lists of lines) that follow ``rules`` where the words allow it."""
    clean = " ".join(text.split())
    if not clean:
        return []
    tokens = _tokens(clean, language, rules)
    count = len(tokens.starts)
    limit = rules.max_chars_per_line
    # best[i][k]: least cost of laying out tokens[:i] with the current event holding k lines (k >= 1).
    infinity = float("inf")
    best: list[list[float]] = [[infinity] * (rules.max_lines + 1) for _ in range(count + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (rules.max_lines + 1) for _ in range(count + 1)]
    best[0][rules.max_lines] = 0.0  # the text starts as if an event had just been filled
    for start in range(count):
        for lines in range(1, rules.max_lines + 1):
            base = best[start][lines]
            if base == infinity:
                continue
            before = tokens.costs[start - 1] if start else 0.0
            options = [(1, _EVENT_COST + 3 * before)]
            if lines < rules.max_lines and start:
                options.append((lines + 1, before))
            for end in range(start, count):
                width = tokens.width(start, end)
                if width > limit and end > start:
                    break
                for new_lines, transition in options:
                    cost = base + transition + _LINE_COST + _balance(tokens, back, start, end, new_lines, limit)
                    if cost < best[end + 1][new_lines]:
                        best[end + 1][new_lines] = cost
                        back[end + 1][new_lines] = (start, lines)
    lines_at_end = min(range(1, rules.max_lines + 1), key=lambda k: best[count][k])
    cuts: list[tuple[int, int, bool]] = []
    position, lines = count, lines_at_end
    while position > 0:
        step = back[position][lines]
        assert step is not None
        start, previous_lines = step
        cuts.append((start, position - 1, lines == 1))
        position, lines = start, previous_lines
    events: list[list[str]] = []
    for first, last, new_event in reversed(cuts):
        if new_event or not events:
            events.append([])
        events[-1].append(tokens.line(first, last))
    return events


def _balance(tokens: _Tokens, back: list[list[tuple[int, int] | None]], start: int, end: int, lines: int, limit: int) -> float:
    """Penalty for a second (or later) line much shorter or longer than the one above it (bottom-heavy preferred)."""
    if lines == 1 or start == 0:
        return 0.0
    step = back[start][lines - 1]
    if step is None:
        return 0.0
    above = tokens.width(step[0], start - 1)
    below = tokens.width(start, end)
    difference = (above - below) / limit
    return _BALANCE_WEIGHT * (abs(difference) + (0.5 * difference if difference > 0 else 0.0))


def mid_phrase_breaks(lines: list[str], language: str, rules: SubtitleRules) -> list[int]:
    """Indexes of the lines of one event that end mid-phrase (their break costs ``MID_PHRASE`` or more)."""
    if len(lines) < 2:
        return []
    text = " ".join(lines)
    tokens = _tokens(text, language, rules)
    bad: list[int] = []
    offset = 0
    for number, line in enumerate(lines[:-1]):
        offset += len(line)
        last = max((i for i, end in enumerate(tokens.ends) if end <= offset), default=None)
        if last is not None and tokens.costs[last] >= MID_PHRASE:
            bad.append(number)
        offset += 1
    return bad
