"""Target windows: where each line's take may sound.

A line's target is its source speech (from its word timestamps), one window per
pause-separated span, plus a little of the silence after it. Shorter pauses inside
a span are noted as breaths, where a take that comes out short may pause too. The silence between
two spans is shared out once, in advance: the later span may start up to
``max_lead`` early into it, the earlier span may run into the rest (the ladder
borrows ``max_borrow`` of it, and all of it only for a take that would otherwise
overrun). So windows
never overlap the next line's, whatever each line's ladder does, and every line
can be fitted on its own (and in parallel).
"""

from __future__ import annotations

from dataclasses import dataclass

from localize.config import DubConfig
from localize.model import Line
from localize.stages.dub.retime import Window

__all__ = ["GUARD", "Span", "plan_windows", "speech_spans"]

GUARD = 0.05
"""Seconds of silence always kept between two takes."""


@dataclass(frozen=True)
class Span:
    """A pause-separated stretch of a line's source speech, and how much of the text it holds."""

    start: float
    end: float
    weight: float


def speech_spans(line: Line, pause_split: float) -> list[Span]:
    """The line's speech cut at internal pauses of at least ``pause_split`` seconds."""
    spans: list[Span] = []
    for word in sorted(line.words, key=lambda w: w.start):
        weight = float(len(word.text.strip()) or 1)
        if spans and word.start - spans[-1].end < pause_split:
            last = spans[-1]
            spans[-1] = Span(last.start, max(last.end, word.end), last.weight + weight)
        else:
            spans.append(Span(word.start, word.end, weight))
    return spans or [Span(line.start, line.end, float(len(line.text) or 1))]


def _breaths(line: Line, span: Span, min_pause: float) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    """Pauses of at least ``min_pause`` inside ``span``, and the text weight around them."""
    inside = sorted((w for w in line.words if span.start <= w.start and w.end <= span.end), key=lambda w: w.start)
    pauses: list[tuple[float, float]] = []
    weights: list[float] = []
    for index, word in enumerate(inside):
        if index and word.start - inside[index - 1].end >= min_pause:
            pauses.append((inside[index - 1].end, word.start))
            weights.append(0.0)
        if not weights:
            weights.append(0.0)
        weights[-1] += float(len(word.text.strip()) or 1)
    return (tuple(pauses), tuple(weights)) if pauses else ((), ())


def plan_windows(lines: list[Line], duration: float, config: DubConfig) -> dict[str, list[tuple[Window, float]]]:
    """line id -> its spans' windows with the share of text each holds, for every line."""
    segments = sorted(
        ((span, line) for line in lines for span in speech_spans(line, config.pause_split)),
        key=lambda item: (item[0].start, item[0].end),
    )

    def lead(index: int, previous_end: float) -> float:
        gap = segments[index][0].start - previous_end - GUARD
        return min(config.max_lead, max(0.0, gap / 2))

    planned: dict[str, list[tuple[Window, float]]] = {}
    previous_end = 0.0
    for index, (span, line) in enumerate(segments):
        before = lead(index, previous_end)
        previous_end = max(previous_end, span.end)
        if index + 1 < len(segments):
            after = max(0.0, segments[index + 1][0].start - span.end - GUARD - lead(index + 1, previous_end))
        else:
            after = max(0.0, duration - span.end)
        breaths, weights = _breaths(line, span, config.breath_pause)
        window = Window(span.start, span.end + min(config.end_slack, after), span.start - before, span.end + after, breaths, weights)
        planned.setdefault(line.id, []).append((window, span.weight))
    return planned
