"""The mix, block by block: takes summed into a dialogue stem, the ducking curve, the source's level under each line.

Each piece gives one block of samples ``[first, stop)`` at a time, exactly what it would give over the whole
programme at once, so a mix of any length is built in the memory of a few blocks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from localize.media.audio import MIX_RATE
from localize.media.loudness import SILENCE_LUFS, active_level_db
from localize.model import Line, Track

__all__ = ["BLOCK", "TAKE_LEVEL_DB", "DialogueStem", "LineLevels", "covered", "duck_gain", "relative_levels"]

BLOCK = 614_400
"""Frames per block (12.8 s at 48 kHz): whole 100 ms loudness sub-blocks and whole 4096-sample true-peak blocks."""
TAKE_LEVEL_DB = -20.0
"""Active level (dBFS) every take is brought to before its source line's relative level is applied."""


@dataclass(frozen=True)
class _Take:
    line_id: str
    path: Path
    start: int
    end: int
    """First sample after the take (cut at the programme's end)."""


class DialogueStem:
    """A language's takes summed into a mono stem at their own starts, block by block, in increasing order.

    Every take is first brought to one speech level and then raised or lowered as far as its source line was
    (``levels``, from :func:`relative_levels`), so a shouted line stays louder than a whispered one.
    """

    def __init__(self, track: Track, length: int, resolve: Callable[[str], Path], levels: dict[str, float]) -> None:
        self.levels = levels
        self.takes: list[_Take] = []
        for line_id, rendition in track.renditions.items():
            if rendition.take is None:
                continue
            path = resolve(rendition.take.audio)
            start = max(0, round(rendition.take.start * MIX_RATE))
            end = min(length, start + soundfile.info(str(path)).frames)
            if end > start:
                self.takes.append(_Take(line_id, path, start, end))
        self.spans = [(take.start, take.end) for take in self.takes]
        """The sample ranges the takes cover."""
        self._loaded: dict[int, np.ndarray] = {}

    def _audio(self, index: int) -> np.ndarray:
        if index not in self._loaded:
            take = self.takes[index]
            audio, rate = soundfile.read(take.path, dtype="float32")
            assert rate == MIX_RATE, "takes are written at the mix rate"
            own = active_level_db(audio, MIX_RATE)
            if own > SILENCE_LUFS:
                audio = audio * np.float32(10 ** ((TAKE_LEVEL_DB + self.levels.get(take.line_id, 0.0) - own) / 20))
            self._loaded[index] = audio
        return self._loaded[index]

    def block(self, first: int, stop: int) -> np.ndarray:
        """Samples ``[first, stop)`` of the stem (float32); takes that end before ``stop`` are let go."""
        out = np.zeros(stop - first, dtype=np.float32)
        for index, take in enumerate(self.takes):
            if take.start < stop and take.end > first:
                low, high = max(first, take.start), min(stop, take.end)
                out[low - first : high - first] += self._audio(index)[low - take.start : high - take.start]
                if take.end <= stop:
                    self._loaded.pop(index, None)
        return out

    def rewind(self) -> None:
        """Start again from the first block."""
        self._loaded.clear()


def duck_gain(first: int, stop: int, spans: list[tuple[int, int]], length: int, depth_db: float, ramp: float) -> np.ndarray:
    """Samples ``[first, stop)`` of the gain curve that dips by ``depth_db`` under each span, with linear ramps
    of ``ramp`` seconds before and after (float32)."""
    presence = np.zeros(stop - first, dtype=np.float32)
    width = max(1, round(ramp * MIX_RATE))
    rising = np.arange(1, width + 1, dtype=np.float32) / (width + 1)
    falling = rising[::-1]
    for start, end in spans:
        start, end = max(0, start), min(length, end)
        low, high = max(first, start), min(stop, end)
        if high > low:
            presence[low - first : high - first] = 1.0
        low, high = max(first, start - width, 0), min(stop, start)
        if high > low:
            before = presence[low - first : high - first]
            np.maximum(before, rising[width - start + low : width - start + high], out=before)
        low, high = max(first, end), min(stop, end + width, length)
        if high > low:
            after = presence[low - first : high - first]
            np.maximum(after, falling[low - end : high - end], out=after)
    depth = 10 ** (depth_db / 20)
    return (1.0 - presence * (1.0 - depth)).astype(np.float32)


def covered(spans: list[tuple[int, int]]) -> int:
    """Samples covered by at least one span (overlapping takes count once)."""
    total, reach = 0, 0
    for start, end in sorted(spans):
        total += max(0, end - max(start, reach))
        reach = max(reach, end)
    return total


class LineLevels:
    """The active level (dBFS) of the source under each line, collected from its blocks as they pass."""

    def __init__(self, lines: list[Line], length: int) -> None:
        self._spans = {
            line.id: (int(line.start * MIX_RATE), min(length, int(line.end * MIX_RATE))) for line in lines if line.end > line.start
        }
        self._parts: dict[str, list[np.ndarray]] = {line_id: [] for line_id in self._spans}
        self.levels: dict[str, float] = {}

    def add(self, first: int, block: np.ndarray) -> None:
        """Take the samples of ``block`` (starting at sample ``first``) that lie under a line; finish lines that end in it."""
        stop = first + len(block)
        for line_id, (start, end) in self._spans.items():
            if line_id in self.levels or start >= stop:
                continue
            if end > first:
                self._parts[line_id].append(block[max(start, first) - first : min(end, stop) - first])
            if end <= stop:
                self._finish(line_id)

    def _finish(self, line_id: str) -> None:
        parts = self._parts.pop(line_id)
        self.levels[line_id] = active_level_db(np.concatenate(parts), MIX_RATE) if parts else SILENCE_LUFS

    def finish(self) -> dict[str, float]:
        """Every line's level (lines past the end of the audio are silent)."""
        for line_id in list(self._parts):
            self._finish(line_id)
        return self.levels


def relative_levels(levels: dict[str, float], level_range: float) -> dict[str, float]:
    """line id -> dB its source speech sits above (or below) the median line, within ±``level_range``."""
    heard = [level for level in levels.values() if level > SILENCE_LUFS]
    if not heard:
        return {}
    median = float(np.median(heard))
    return {line_id: float(np.clip(level - median, -level_range, level_range)) for line_id, level in levels.items() if level > SILENCE_LUFS}
