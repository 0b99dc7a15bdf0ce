"""QC plots as PNG bytes (matplotlib, Agg backend): timing-fit histogram, waveform and loudness over time.

The audio plots are drawn from :class:`AudioTrace` figures gathered block by block, never from a whole signal."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

from localize.media.loudness import LoudnessMeter

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PLOT_RATE", "AudioTrace", "loudness_plot", "timing_histogram"]

PLOT_RATE = 16_000
"""Sample rate the plots are computed at (loudness is K-weighted at this rate)."""
_ENVELOPE_POINTS = 2000


class AudioTrace:
    """What the loudness plot draws of one mono signal, gathered block by block: its peak envelope (about 2000
    points over ``expected_frames``) and its short-term loudness (3 s windows every 0.5 s)."""

    def __init__(self, rate: int, expected_frames: int) -> None:
        self.rate = rate
        self.meter = LoudnessMeter(rate, 1)
        self.step = max(1, expected_frames // _ENVELOPE_POINTS)
        self._peaks: list[np.ndarray] = []
        self._rest = np.zeros(0, dtype=np.float32)

    def add(self, samples: np.ndarray) -> None:
        """Feed the next samples."""
        self.meter.add(samples)
        data = np.concatenate([self._rest, samples]) if len(self._rest) else samples
        usable = len(data) // self.step * self.step
        self._peaks.append(np.abs(data[:usable]).reshape(-1, self.step).max(axis=1))
        self._rest = data[usable:]

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """Peak level per step: (times, peaks)."""
        peaks = np.concatenate(self._peaks) if self._peaks else np.zeros(0)
        return (np.arange(len(peaks)) + 0.5) * self.step / self.rate, peaks


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, metadata={"Software": None})
    return buffer.getvalue()


def timing_histogram(errors: list[float], limit: float) -> bytes:
    """Histogram of take duration errors (take minus window, seconds), with the spec limits marked."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.5, 2.6), layout="constrained")
    axes = figure.add_subplot()
    span = max(limit * 1.5, *(abs(e) for e in errors)) if errors else limit * 1.5
    axes.hist(errors, bins=[float(edge) for edge in np.linspace(-span, span, 31)], color="#3b6ea5")
    for edge in (-limit, limit):
        axes.axvline(edge, color="#a4161a", linestyle="--", linewidth=1)
    axes.set_xlabel("take length minus its window (s)")
    axes.set_ylabel("lines")
    return _png(figure)


def loudness_plot(original: AudioTrace, dub: AudioTrace, label: str, target: float | None = None) -> bytes:
    """Waveform envelopes (top) and short-term loudness (bottom) of the original against the dub."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), layout="constrained")
    wave, loud = figure.subplots(2, 1, sharex=True)
    for trace, name, colour in ((original, "original", "#888888"), (dub, label, "#d1495b")):
        times, peaks = trace.envelope()
        wave.fill_between(times, -peaks, peaks, color=colour, alpha=0.55, linewidth=0, label=name)
        times, values = trace.meter.short_term()
        loud.plot(times, values, color=colour, linewidth=1.2, label=name)
    if target is not None:
        loud.axhline(target, color="#176b2c", linestyle="--", linewidth=1, label=f"target {target:g} LKFS")
    wave.set_ylabel("peak")
    wave.legend(loc="upper right", fontsize=8)
    loud.set_ylabel("short-term LUFS (3 s)")
    loud.set_xlabel("seconds")
    loud.set_ylim(bottom=-60)
    loud.legend(loc="lower right", fontsize=8)
    return _png(figure)
