"""Words the direct Apertium pair leaves unknown, translated through a pivot language (es → ca → fr).

A line whose direct translation marks words unknown (``*billetera``) is translated into the pivot in
its sentence (so the pivot picks the sense and the form), in Apertium's HTML format with each unknown
word wrapped in a tag of its own (``<b id="0">billetera</b>``): Apertium carries a tag with the word it
wraps (a word-bound blank), so the tag comes back around the word's rendering (``<b id="0">cartera</b>``).
That rendering alone is then translated into the target (``cartable``): in a sentence, the second pair's
reordering can move the tag onto a neighbouring word. A rendering is taken only when both hops knew the
word (no ``*``, ``@`` or ``#`` mark after either) and it is not the word itself; it replaces the marked word in the direct
translation, marked as pivoted (``pivot_mark``) so that post-editing lists it per line.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from localize.stages.translate.enforce import PLACEHOLDER_PREFIX
from localize.stages.translate.postedit.common import pivot_mark, unknown_words

__all__ = ["PivotRoute", "pivot_unknown_words"]

_TAG = re.compile(r'<b id="(\d+)">(.*?)</b>', re.DOTALL)
_MARKS = re.compile(r"[*@#]")

Run = Callable[[list[str], str, str], list[str]]
"""Apertium on a batch of lines through one mode, in a format (``txt`` or ``html``): the translations, aligned."""


@dataclass(frozen=True)
class PivotRoute:
    """Source to target through ``via``: the two installed modes (``spa-cat``, then ``cat-fra``)."""

    via: str
    first: str
    second: str


def _wrapped(text: str, words: Sequence[str]) -> str:
    """``text`` as HTML with the first occurrence of each of ``words`` (whole words) in a tag holding its index."""
    spans: list[tuple[int, int, int]] = []
    for index, word in enumerate(words):
        for found in re.finditer(rf"(?<![\w'’-]){re.escape(word)}(?![\w'’-])", text):
            if not any(start < found.end() and found.start() < end for start, end, _ in spans):
                spans.append((found.start(), found.end(), index))
                break
    out, cursor = "", 0
    for start, end, index in sorted(spans):
        out += html.escape(text[cursor:start], quote=False) + f'<b id="{index}">' + html.escape(text[start:end], quote=False) + "</b>"
        cursor = end
    return out + html.escape(text[cursor:], quote=False)


def _renderings(output: str) -> dict[int, str]:
    """Tag index -> what the tag holds in ``output`` (unescaped, trimmed); a tag seen twice is dropped."""
    tags = [(int(match.group(1)), " ".join(html.unescape(match.group(2)).split())) for match in _TAG.finditer(output)]
    counts = Counter(index for index, _ in tags)
    return {index: held for index, held in tags if counts[index] == 1}


def _cased(rendering: str, word: str) -> str:
    """``rendering`` with the case of the word's first letter."""
    first = rendering[:1].upper() if word[:1].isupper() else rendering[:1].lower()
    return first + rendering[1:]


def _askable(word: str) -> bool:
    """A word worth asking the pivot about: not a glossary placeholder, no capitals inside (an acronym)."""
    return not word.startswith(PLACEHOLDER_PREFIX) and word[1:].islower()


def _substituted(output: str, word: str, mark: str) -> str:
    """``output`` with the first ``*word`` (or ``@word``) replaced by ``mark``."""
    return re.sub(rf"(?<![\w*@#])[*@]{re.escape(word)}(?![\w'’-])", lambda _: mark, output, count=1)


def pivot_unknown_words(texts: list[str], outputs: list[str], routes: Sequence[PivotRoute], run: Run) -> list[str]:
    """``outputs`` (the direct translations of ``texts``, with Apertium's marks) with each unknown word some route knows
    on both hops replaced by its pivot-marked rendering; routes are tried in order, each on the words still unknown."""
    outputs = list(outputs)
    for route in routes:
        asked = {i: [w for w in dict.fromkeys(unknown_words(out)) if _askable(w)] for i, out in enumerate(outputs)}
        todo = [i for i, words in asked.items() if words]
        if not todo:
            break
        halfway = run([_wrapped(texts[i], asked[i]) for i in todo], route.first, "html")
        known = [
            (i, asked[i][index], held)
            for i, page in zip(todo, halfway, strict=True)
            for index, held in _renderings(page).items()
            if index < len(asked[i]) and held and not _MARKS.search(held)
        ]
        for (i, word, _), rendering in zip(known, run([held for _, _, held in known], route.second, "txt"), strict=True):
            if rendering and not _MARKS.search(rendering) and rendering.casefold() != word.casefold():
                outputs[i] = _substituted(outputs[i], word, pivot_mark(word, route.via, _cased(rendering, word)))
    return outputs
