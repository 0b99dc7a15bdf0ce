"""Which visible mouth, if any, speaks each line; and how far the source's sound is from its picture.

A line is heard against every face seen while it is spoken: the face whose mouth opening
follows the line's speech envelope best (at the source's offset, give or take a frame or
two) is the speaker's, and the line is on screen when that correlation is strong and the face
is seen through most of the line. Off screen: no face, faces whose mouths stay still or move
unlike the sound. The source's offset is the lag at which the correlation summed over every
line peaks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from localize.config import LipsConfig
from localize.media.lipsync import HOP, Correlation, Sound, mouth_sync
from localize.media.mouths import MouthTracks
from localize.model import Line, Screen, Sight

__all__ = ["LINE_LAG", "MARGIN", "MIN_SYNC_LINES", "SpeechSpan", "find_sync_offset", "see_line", "speech_span"]

MARGIN = 0.2
"""Seconds of the silence around a line that its correlation also hears (a mouth closed in silence counts)."""
LINE_LAG = 0.08
"""Seconds either side of the source's offset a line's own lag may fall (two frames at 25 fps)."""
MIN_SYNC_LINES = 3
"""Lines with a clearly speaking face needed before the source's offset is measured."""
MIN_MOTION = 0.006
"""Spread of a mouth's opening below which the mouth is still (a listener, a photograph)."""
MIN_CLOSURE = 0.2
"""Seconds a mouth must stay closed inside a line to count as a pause the dub can keep."""
CLOSED_SHARE = 0.25
"""A mouth is open once it is this far from its closed level towards its usual wide opening."""


@dataclass(frozen=True)
class SpeechSpan:
    """Where a line's speech is (its words' bounds, else the line's)."""

    line_id: str
    start: float
    end: float


def speech_span(line: Line) -> SpeechSpan:
    """The line's speech: from its first word's start to its last word's end."""
    if line.words:
        return SpeechSpan(line.id, min(w.start for w in line.words), max(w.end for w in line.words))
    return SpeechSpan(line.id, line.start, line.end)


def _correlation(
    tracks: MouthTracks, sound: Sound, track: int, span: SpeechSpan, reach: float, centre: float
) -> tuple[np.ndarray, Correlation]:
    return mouth_sync(tracks, track, sound, span.start - MARGIN, span.end + MARGIN, reach, centre)


def find_sync_offset(tracks: MouthTracks, sound: Sound, spans: list[SpeechSpan], config: LipsConfig) -> tuple[float, float, int] | None:
    """(offset, mean score there, lines used): the lag of the summed per-line correlation's peak; None if too few lines."""
    curves: list[np.ndarray] = []
    for span in spans:
        best: Correlation | None = None
        for track in tracks.visible(span.start, span.end):
            if tracks.face_size(track) < config.min_face:
                continue
            mouth, found = _correlation(tracks, sound, track, span, config.max_offset, 0.0)
            if _coverage(mouth) < config.min_coverage or np.nanstd(mouth) < MIN_MOTION:
                continue
            if best is None or found.score > best.score:
                best = found
        if best is not None and best.score >= config.on_score:
            curves.append(np.nan_to_num(best.scores))
    if len(curves) < MIN_SYNC_LINES:
        return None
    total = np.mean(curves, axis=0)
    peak = int(np.argmax(total))
    lag = -config.max_offset + HOP * (peak + _parabolic(total, peak))
    return round(float(lag), 3), round(float(total[peak]), 3), len(curves)


def _parabolic(values: np.ndarray, peak: int) -> float:
    """Sub-sample position of a peak from its neighbours."""
    if peak == 0 or peak == len(values) - 1:
        return 0.0
    left, middle, right = values[peak - 1], values[peak], values[peak + 1]
    denominator = left - 2 * middle + right
    return float(0.5 * (left - right) / denominator) if denominator < 0 else 0.0


def _coverage(mouth: np.ndarray) -> float:
    inner = mouth[round(MARGIN / HOP) : len(mouth) - round(MARGIN / HOP)]
    return float(np.mean(~np.isnan(inner))) if len(inner) else 0.0


def see_line(tracks: MouthTracks, sound: Sound, span: SpeechSpan, offset: float, config: LipsConfig) -> Sight:
    """What the picture shows while ``span`` is spoken, its sound taken ``offset`` seconds after its picture."""
    candidates: list[tuple[float, int, np.ndarray, Correlation, float]] = []
    small = False
    for track in tracks.visible(span.start, span.end):
        if tracks.face_size(track) < config.min_face:
            small = True
            continue
        mouth, found = _correlation(tracks, sound, track, span, LINE_LAG, offset)
        coverage = _coverage(mouth)
        moving = bool(np.nanstd(mouth) >= MIN_MOTION) if coverage else False
        score = found.score if moving and not np.isnan(found.score) else 0.0
        candidates.append((score, track, mouth, found, coverage))
    if not candidates:
        return Sight(screen=Screen.UNCLEAR if small else Screen.OFF)
    score, track, mouth, found, coverage = max(candidates, key=lambda c: (c[0] * min(1.0, c[4] / config.min_coverage), c[4]))
    sight = Sight(screen=Screen.OFF, face=track, score=round(score, 3), lag=round(found.lag, 3), coverage=round(coverage, 3))
    if score >= config.on_score and coverage >= config.min_coverage:
        opened, closed, closures = _mouth_times(mouth, span.start - MARGIN, span, config)
        return sight.model_copy(update={"screen": Screen.ON, "mouth_open": opened, "mouth_close": closed, "closures": closures})
    if score >= config.off_score or small:
        return sight.model_copy(update={"screen": Screen.UNCLEAR})
    return sight


def _mouth_times(
    mouth: np.ndarray, start: float, span: SpeechSpan, config: LipsConfig
) -> tuple[float | None, float | None, list[tuple[float, float]]]:
    """When the mouth first opens and last closes around the span, and where it stays closed inside it."""
    seen = ~np.isnan(mouth)
    if not seen.any():
        return None, None, []
    closed_level, wide = np.nanpercentile(mouth, 5), np.nanpercentile(mouth, 90)
    is_open = seen & (mouth > closed_level + CLOSED_SHARE * (wide - closed_level))
    indices = np.flatnonzero(is_open)
    if len(indices) == 0:
        return None, None, []
    times = start + HOP * np.arange(len(mouth))
    opened, closed = round(float(times[indices[0]]), 3), round(float(times[indices[-1]] + HOP), 3)
    closures: list[tuple[float, float]] = []
    run_start: int | None = None
    for index in range(indices[0], indices[-1] + 1):
        if not is_open[index] and seen[index]:
            run_start = index if run_start is None else run_start
        elif run_start is not None:
            if (index - run_start) * HOP >= MIN_CLOSURE:
                closures.append((round(float(times[run_start]), 3), round(float(times[index]), 3)))
            run_start = None
    return opened, closed, closures
