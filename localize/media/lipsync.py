"""Does the sound follow the mouth? Speech envelopes, mouth-opening curves, and their correlation at small lags.

Everything is sampled on one 100 Hz grid. The score is the Pearson correlation of the
speech envelope (speech-band energy in dB) with the mouth's opening, the lag (seconds the
sound comes after the picture) the one where it peaks: SyncNet's offset and confidence, from
face-mesh landmarks instead of a learned embedding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from localize.media.mouths import MouthTracks

__all__ = ["HOP", "Correlation", "Samples", "Sound", "SoundFile", "correlate", "mouth_curve", "mouth_sync", "speech_envelope"]

HOP = 0.01
"""Seconds between two samples of every curve here."""
WINDOW = 0.04
BAND = (250.0, 3500.0)
"""Hz of the speech band the envelope measures."""
FLOOR_DB = 45.0
"""The envelope is floored this far below its loudest point (room noise and reverb tails count as silence)."""
MAX_GAP = 0.25
"""Seconds a track may miss (a frame the face mesh lost) before its curve has a hole there."""
MIN_SAMPLES = 40


class Sound:
    """Mono audio read a stretch at a time (silence before its start and after its end)."""

    rate: int

    def read(self, first: int, count: int) -> np.ndarray:
        """``count`` samples from sample ``first`` (which may be negative or past the end)."""
        raise NotImplementedError


class Samples(Sound):
    """Audio held in memory (a take, a test signal)."""

    def __init__(self, samples: np.ndarray, rate: int, start: float = 0.0) -> None:
        self.samples, self.rate = samples.astype(np.float32, copy=False), rate
        self.offset = round(start * rate)
        """Sample of the programme the first sample sounds at."""

    def read(self, first: int, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.float32)
        first -= self.offset
        lo, hi = max(0, first), min(len(self.samples), first + count)
        if hi > lo:
            out[lo - first : hi - first] = self.samples[lo:hi]
        return out


class SoundFile(Sound):
    """A mono WAV file, read from disk a window at a time (memory stays flat with the programme's length)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        info = soundfile.info(str(path))
        self.rate, self.frames = int(info.samplerate), int(info.frames)

    def read(self, first: int, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.float32)
        lo, hi = max(0, first), min(self.frames, first + count)
        if hi > lo:
            data, _ = soundfile.read(str(self.path), start=lo, stop=hi, dtype="float32", always_2d=True)
            out[lo - first : lo - first + len(data)] = data.mean(axis=1)
        return out


def speech_envelope(sound: Sound, start: float, end: float) -> np.ndarray:
    """Speech-band energy (dB above the floor) of ``sound`` between ``start`` and ``end`` seconds, one value per HOP."""
    rate = sound.rate
    count = max(0, round((end - start) / HOP))
    window = round(WINDOW * rate)
    hop = round(HOP * rate)
    padded = sound.read(round(start * rate) - window // 2, count * hop + window)
    frames = np.lib.stride_tricks.sliding_window_view(padded, window)[::hop][:count] * np.hanning(window)
    spectrum = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    frequencies = np.fft.rfftfreq(window, 1.0 / rate)
    band = (frequencies >= BAND[0]) & (frequencies <= BAND[1])
    energy = 10.0 * np.log10(spectrum[:, band].sum(axis=1) + 1e-10)
    if len(energy) == 0:
        return energy.astype(np.float32)
    return np.maximum(energy - (energy.max() - FLOOR_DB), 0.0).astype(np.float32)


def mouth_curve(tracks: MouthTracks, track: int, start: float, end: float) -> np.ndarray:
    """The track's mouth opening between ``start`` and ``end``, one value per HOP; NaN where the face is not seen."""
    times, opening = tracks.series(track)
    grid = start + HOP * np.arange(max(0, round((end - start) / HOP)))
    curve = np.interp(grid, times, opening).astype(np.float32) if len(times) else np.full(len(grid), np.nan, np.float32)
    if len(times):
        position = np.searchsorted(times, grid)
        before = times[np.clip(position - 1, 0, len(times) - 1)]
        after = times[np.clip(position, 0, len(times) - 1)]
        near = np.minimum(np.abs(grid - before), np.abs(after - grid))
        seen = (grid >= times[0] - 1.0 / tracks.rate) & (grid <= times[-1] + 1.0 / tracks.rate)
        curve[(near > MAX_GAP) | ~seen] = np.nan
    return curve


@dataclass(frozen=True)
class Correlation:
    """The best correlation of a sound with a mouth over a range of lags, the lag it was found at, and the curve."""

    score: float
    lag: float
    """Seconds the sound comes after the picture at the peak."""
    lags: np.ndarray
    scores: np.ndarray


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    valid = ~(np.isnan(a) | np.isnan(b))
    if valid.sum() < MIN_SAMPLES:
        return float("nan")
    x, y = a[valid] - a[valid].mean(), b[valid] - b[valid].mean()
    norm = float(np.sqrt((x * x).sum() * (y * y).sum()))
    return float((x * y).sum() / norm) if norm > 0 else 0.0


def correlate(envelope: np.ndarray, mouth: np.ndarray, max_lag: float, centre: float = 0.0) -> Correlation:
    """Pearson correlation of ``envelope`` (sampled from ``max_lag`` before to ``max_lag`` after the mouth's span,
    shifted by ``centre``) with ``mouth``, at every lag of ``centre ± max_lag``.

    ``envelope`` must hold ``len(mouth) + 2 * steps`` samples, ``steps = round(max_lag / HOP)``, its first one
    at the mouth's first instant + ``centre - max_lag``.
    """
    steps = round(max_lag / HOP)
    lags = centre + HOP * np.arange(-steps, steps + 1)
    scores = np.array([_pearson(envelope[k : k + len(mouth)], mouth) for k in range(2 * steps + 1)])
    if np.all(np.isnan(scores)):
        return Correlation(float("nan"), centre, lags, scores)
    best = int(np.nanargmax(scores))
    return Correlation(float(scores[best]), float(lags[best]), lags, scores)


def mouth_sync(
    tracks: MouthTracks, track: int, sound: Sound, start: float, end: float, reach: float, centre: float = 0.0
) -> tuple[np.ndarray, Correlation]:
    """The track's mouth curve from ``start`` to ``end``, and how ``sound`` follows it at lags ``centre ± reach``."""
    mouth = mouth_curve(tracks, track, start, end)
    envelope = speech_envelope(sound, start + centre - reach, end + centre + reach)
    return mouth, correlate(envelope, mouth, reach, centre)
