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

Where the picture was seen (the lips stage), an on-screen line's target runs from its
speaker's mouth opening to its closing, with no slack, and its pauses are where the mouth
is seen closed; an off-screen line may lead by ``off_screen_lead`` and run on by
``off_screen_tail`` into the silence around it before its take is sped up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from localize.config import DubConfig
from localize.model import Line, Screen, Sight
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


def _seen_spans(line: Line, sight: Sight, pause_split: float) -> list[Span]:
    """The spans of an on-screen line, from the mouth's opening to its closing (where the picture saw them)."""
    spans = speech_spans(line, pause_split)
    start = sight.mouth_open if sight.mouth_open is not None else spans[0].start
    end = sight.mouth_close if sight.mouth_close is not None else spans[-1].end
    if len(spans) == 1 or start >= spans[0].end or end <= spans[-1].start:
        return [Span(start, max(end, start + 0.1), sum(span.weight for span in spans))]
    first, last = spans[0], spans[-1]
    return [Span(start, first.end, first.weight), *spans[1:-1], Span(last.start, end, last.weight)]


def _closures(line: Line, sight: Sight, span: Span, min_pause: float) -> tuple[tuple[tuple[float, float], ...], tuple[float, ...]]:
    """The mouth's closures inside ``span`` of at least ``min_pause``, and the text weight around them."""
    closures = [(a, b) for a, b in sight.closures if span.start < a and b < span.end and b - a >= min_pause]
    if not closures:
        return (), ()
    cuts = [(a + b) / 2 for a, b in closures]
    weights = [0.0] * (len(cuts) + 1)
    for word in line.words:
        middle = (word.start + word.end) / 2
        if span.start <= middle <= span.end:
            weights[sum(middle > cut for cut in cuts)] += float(len(word.text.strip()) or 1)
    if not line.words or min(weights) == 0:
        bounds = [span.start, *cuts, span.end]
        weights = [bounds[i + 1] - bounds[i] for i in range(len(cuts) + 1)]
    return tuple(closures), tuple(weights)


def plan_windows(
    lines: list[Line], duration: float, config: DubConfig, sights: Mapping[str, Sight] | None = None
) -> dict[str, list[tuple[Window, float]]]:
    """line id -> its spans' windows with the share of text each holds, for every line (``sights``: line id -> what
    the picture shows while it is spoken, when it was seen)."""
    sights = sights or {}

    def screen(line: Line) -> Screen | None:
        sight = sights.get(line.id)
        return sight.screen if sight else None

    def spans_of(line: Line) -> list[Span]:
        sight = sights.get(line.id)
        if sight is not None and sight.screen == Screen.ON:
            return _seen_spans(line, sight, config.pause_split)
        return speech_spans(line, config.pause_split)

    segments = sorted(((span, line) for line in lines for span in spans_of(line)), key=lambda item: (item[0].start, item[0].end))

    def lead(index: int, previous_end: float) -> float:
        span, line = segments[index]
        gap = span.start - previous_end - GUARD
        most = config.off_screen_lead if screen(line) == Screen.OFF else 0.0 if screen(line) == Screen.ON else config.max_lead
        return min(most, max(0.0, gap / 2))

    planned: dict[str, list[tuple[Window, float]]] = {}
    previous_end = 0.0
    for index, (span, line) in enumerate(segments):
        before = lead(index, previous_end)
        previous_end = max(previous_end, span.end)
        if index + 1 < len(segments):
            after = max(0.0, segments[index + 1][0].start - span.end - GUARD - lead(index + 1, previous_end))
        else:
            after = max(0.0, duration - span.end)
        seen = screen(line)
        if seen == Screen.ON:
            breaths, weights = _closures(line, sights[line.id], span, config.breath_pause)
            window = Window(span.start, span.end, span.start, span.end + after, breaths, weights, strict=True)
        else:
            breaths, weights = _breaths(line, span, config.breath_pause)
            end = span.end + min(config.end_slack, after)
            window = Window(span.start, end, span.start - before, span.end + after, breaths, weights)
            if seen == Screen.OFF:
                window = replace(window, slack_before=before, slack_after=min(config.off_screen_tail, window.latest - end))
        planned.setdefault(line.id, []).append((window, span.weight))
    return planned
