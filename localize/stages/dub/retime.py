"""Isochrony: fit each synthesized take into its line's window, cheapest step first.

The ladder: (1) the engine's speaking rate within ``min_rate..max_rate``;
(2) a shorter candidate translation; (3) a Rubber Band time-stretch of at most
``max_stretch``; (4) more of the adjacent silence; (5) a QC flag. A take is placed
from its own source start, never after the previous take, and never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from localize.cache import WorkDir, stable_hash
from localize.config import DubConfig
from localize.media.audio import MIX_RATE, time_stretch, write_wav
from localize.model import Take
from localize.stages.dub.backend import Synthesizer, VoiceSpec

__all__ = ["FIT_TOLERANCE", "Window", "fit_take", "split_text"]

FIT_TOLERANCE = 0.05
"""Seconds a take may run past its window before the next ladder step is tried."""
SHORT_TOLERANCE = 0.25
"""Seconds a take may fall short of its window before it is slowed down."""


@dataclass(frozen=True)
class Window:
    """Where a take may sound: the source speech, and the silence around it it may borrow."""

    start: float
    end: float
    earliest: float
    latest: float

    @property
    def length(self) -> float:
        """Seconds available without borrowing."""
        return self.end - self.start


@dataclass
class _Attempt:
    path: Path
    duration: float
    rate: float = 1.0
    stretch: float = 1.0
    step: str = "natural"


class _Speaker:
    """Synthesis and stretching with every result cached in the work directory."""

    def __init__(self, synthesizer: Synthesizer, voice: VoiceSpec, workdir: WorkDir) -> None:
        self.synthesizer = synthesizer
        self.voice = voice
        self.workdir = workdir

    def say(self, text: str, rate: float) -> _Attempt:
        key = stable_hash("tts", self.synthesizer.name, self.synthesizer.options.model_dump(mode="json"), self.voice.model_dump(), text, round(rate, 3))
        path = self.workdir.artifact(key, ".wav")
        if not path.is_file():
            self.synthesizer.synthesize(text, self.voice, rate, path)
        return _Attempt(path, _trimmed_duration(path), rate=rate, step="natural" if rate == 1.0 else "rate")

    def stretch(self, attempt: _Attempt, factor: float, step: str) -> _Attempt:
        key = stable_hash("stretch", attempt.path.name, round(factor, 4), self.voice.semitones)
        path = self.workdir.artifact(key, ".wav")
        if not path.is_file():
            time_stretch(attempt.path, path, factor, self.voice.semitones)
        return _Attempt(path, _trimmed_duration(path), attempt.rate, factor, step)


def _load_trimmed(path: Path) -> np.ndarray:
    """The file at 48 kHz mono with leading and trailing silence removed."""
    samples, rate = soundfile.read(path, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != MIX_RATE:
        divisor = np.gcd(MIX_RATE, rate)
        mono = resample_poly(mono, MIX_RATE // divisor, rate // divisor).astype(np.float32)
    loud = np.where(np.abs(mono) > 0.01 * (np.max(np.abs(mono)) + 1e-9))[0]
    return mono[loud[0] : loud[-1] + 1] if len(loud) else mono[:0]


def _trimmed_duration(path: Path) -> float:
    return len(_load_trimmed(path)) / MIX_RATE


def _fit_one(speaker: _Speaker, texts: list[str], window: Window, config: DubConfig) -> tuple[_Attempt, Window, list[str]]:
    """Run the ladder for one text span; returns the attempt, the (possibly widened) window and flags."""
    target = window.length
    natural = speaker.say(texts[0], 1.0)
    if natural.duration == 0:
        return natural, window, ["empty-audio"]
    rate = min(max(natural.duration / target, config.min_rate), config.max_rate)
    best = natural if abs(rate - 1.0) < 0.02 else speaker.say(texts[0], rate)
    if best.duration <= target + FIT_TOLERANCE and best.duration >= target - SHORT_TOLERANCE:
        return best, window, []
    if best.duration > target + FIT_TOLERANCE:
        for candidate in sorted(texts[1:], key=len):
            if len(candidate) >= len(texts[0]):
                continue
            shorter = speaker.say(candidate, config.max_rate)
            if shorter.duration <= target + FIT_TOLERANCE:
                shorter.step = "candidate"
                return shorter, window, []
    factor = best.duration / target
    if 1 / config.max_stretch <= factor <= config.max_stretch:
        return speaker.stretch(best, factor, "stretch"), window, []
    if factor < 1:
        return speaker.stretch(best, 1 / config.max_stretch, "stretch"), window, []
    needed = best.duration / config.max_stretch - target
    before = min(window.start - window.earliest, config.max_borrow, needed / 2)
    after = min(window.latest - window.end, config.max_borrow, needed - before)
    before = min(window.start - window.earliest, config.max_borrow, needed - after)
    wider = Window(window.start - max(0.0, before), window.end + max(0.0, after), window.earliest, window.latest)
    factor = min(best.duration / wider.length, config.max_stretch)
    stretched = speaker.stretch(best, factor, "borrow")
    flags = ["overrun"] if stretched.duration > wider.length + FIT_TOLERANCE else []
    return stretched, wider, flags


def split_text(text: str, ratios: list[float]) -> list[str]:
    """Cut ``text`` at word boundaries near the given cumulative ratios (0..1), preferring punctuation."""
    words = text.split()
    if len(words) < len(ratios) + 1:
        return [text] + [""] * len(ratios)
    cuts: list[int] = []
    total = len(text)
    for ratio in ratios:
        positions = [len(" ".join(words[: i + 1])) for i in range(len(words) - 1)]
        scores = [
            abs(p / total - ratio) - (0.08 if words[i].endswith((",", ".", "…", ";", ":", "?", "!")) else 0.0)
            for i, p in enumerate(positions)
        ]
        allowed = [i for i in range(len(positions)) if not cuts or i + 1 > cuts[-1]]
        cuts.append(min(allowed, key=lambda i: scores[i]) + 1 if allowed else len(words) - 1)
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]


def fit_take(
    synthesizer: Synthesizer,
    voice: VoiceSpec,
    texts: list[str],
    parts: list[Window],
    workdir: WorkDir,
    config: DubConfig,
) -> Take:
    """Synthesize ``texts[0]`` (others are shorter alternatives) into ``parts`` windows, one per pause-separated span.

    The result is one 48 kHz WAV that starts at the first part's (possibly widened) start.
    """
    speaker = _Speaker(synthesizer, voice, workdir)
    span = parts[-1].end - parts[0].start
    if len(parts) > 1:
        source_ratios = [(p.start - parts[0].start) / span for p in parts[1:]]
        pieces = split_text(texts[0], source_ratios)
        if "" in pieces:
            parts, pieces = [Window(parts[0].start, parts[-1].end, parts[0].earliest, parts[-1].latest)], [texts[0]]
    else:
        pieces = [texts[0]]
    results = []
    for index, (piece, window) in enumerate(zip(pieces, parts, strict=True)):
        alternatives = texts if len(parts) == 1 else [piece]
        latest = parts[index + 1].start - 0.05 if index + 1 < len(parts) else window.latest
        earliest = results[-1][1].end + 0.05 if results else window.earliest
        bounded = Window(window.start, window.end, min(earliest, window.start), max(latest, window.end))
        results.append(_fit_one(speaker, alternatives, bounded, config))
    start = results[0][1].start
    audio = np.zeros(0, dtype=np.float32)
    for attempt, window, _ in results:
        offset = int(round((window.start - start) * MIX_RATE))
        if len(audio) < offset:
            audio = np.concatenate([audio, np.zeros(offset - len(audio), dtype=np.float32)])
        audio = np.concatenate([audio[:offset], _load_trimmed(attempt.path)])
    key = stable_hash("take", [str(a.path.name) for a, _, _ in results], [w.start for _, w, _ in results])
    out = workdir.artifact(key, ".take.wav")
    if not out.is_file():
        write_wav(out, audio, MIX_RATE, subtype="FLOAT")
    duration = len(audio) / MIX_RATE
    end = results[-1][1].end
    flags = sorted({flag for _, _, fl in results for flag in fl})
    steps = [attempt.step for attempt, _, _ in results]
    step = max(steps, key=["natural", "rate", "candidate", "stretch", "borrow"].index)
    return Take(
        audio=workdir.relative(out),
        voice=voice.id,
        start=round(start, 3),
        duration=round(duration, 3),
        window_start=round(start, 3),
        window_end=round(end, 3),
        rate=round(max(a.rate for a, _, _ in results), 3),
        stretch=round(max(a.stretch if a.stretch >= 1 else 1 / a.stretch for a, _, _ in results), 3),
        ladder_step="flagged" if flags else step,
        duration_error=round(duration - (end - start), 3),
        flags=flags,
    )
