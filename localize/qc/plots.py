"""QC plots as PNG bytes (matplotlib, Agg backend): timing-fit histogram, waveform and loudness over time."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PLOT_RATE", "loudness_plot", "short_term_loudness", "timing_histogram"]

PLOT_RATE = 16_000
"""Sample rate the plots are computed at (loudness is K-weighted at this rate)."""
_ENVELOPE_POINTS = 2000
_K_WEIGHTING = ((4.0, 1 / np.sqrt(2), 1500.0, "high_shelf"), (0.0, 0.5, 38.0, "high_pass"))
"""ITU-R BS.1770 K-weighting as pyloudnorm's meter builds it: (gain dB, Q, centre Hz, kind)."""


def short_term_loudness(samples: np.ndarray, rate: int, window: float = 3.0, hop: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """K-weighted loudness (LUFS) of ``window``-second blocks every ``hop`` seconds of mono ``samples``: (centre times, values)."""
    import pyloudnorm

    weighted = np.asarray(samples, dtype=np.float64)
    for gain, q, centre, kind in _K_WEIGHTING:
        weighted = pyloudnorm.IIRfilter(gain, q, centre, rate, kind).apply_filter(weighted)
    energy = np.concatenate([[0.0], np.cumsum(weighted**2)])
    size, step = int(window * rate), max(1, int(hop * rate))
    if len(samples) < size:
        return np.zeros(0), np.zeros(0)
    starts = np.arange(0, len(samples) - size + 1, step)
    power = (energy[starts + size] - energy[starts]) / size
    return (starts + size / 2) / rate, -0.691 + 10 * np.log10(np.maximum(power, 1e-10))


def _envelope(samples: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Peak level per block, few enough blocks to draw: (times, peaks)."""
    block = max(1, len(samples) // _ENVELOPE_POINTS)
    usable = len(samples) // block * block
    peaks = np.abs(samples[:usable]).reshape(-1, block).max(axis=1) if usable else np.zeros(0)
    return (np.arange(len(peaks)) + 0.5) * block / rate, peaks


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


def loudness_plot(original: np.ndarray, dub: np.ndarray, rate: int, label: str, target: float | None = None) -> bytes:
    """Waveform envelopes (top) and short-term loudness (bottom) of the original against the dub, both mono."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 4), layout="constrained")
    wave, loud = figure.subplots(2, 1, sharex=True)
    for samples, name, colour in ((original, "original", "#888888"), (dub, label, "#d1495b")):
        times, peaks = _envelope(samples, rate)
        wave.fill_between(times, -peaks, peaks, color=colour, alpha=0.55, linewidth=0, label=name)
        times, values = short_term_loudness(samples, rate)
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
