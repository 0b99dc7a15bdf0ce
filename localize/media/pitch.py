"""Fundamental frequency by YIN (de Cheveigné & Kawahara, 2002), in plain numpy.

The same frames and decisions as ``librosa.yin`` 0.11 (centred frames, the
difference function from the whole frame's autocorrelation, first trough under
the threshold else the deepest one, parabolic refinement), without its
just-in-time compiled helpers: numba's on-disk cache is not safe when several
processes compile the same function at once, and a batch service starts many
at once on a fresh install.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["FramePitch", "yin"]

TROUGH_THRESHOLD = 0.1
"""A normalized difference under this counts as a period (YIN's absolute threshold)."""


class FramePitch(NamedTuple):
    """Per-frame fundamental frequency (Hz) and loudness (RMS) of a signal."""

    f0: np.ndarray
    rms: np.ndarray


def yin(samples: np.ndarray, rate: int, fmin: float, fmax: float, frame: int = 1024) -> FramePitch:
    """YIN pitch of ``samples`` in frames of ``frame`` samples every quarter frame, centred on each hop."""
    frames = _frames(np.asarray(samples, dtype=np.float64), frame, frame // 4)
    min_period = int(np.floor(rate / fmax))
    max_period = min(int(np.ceil(rate / fmin)), frame - 1)
    normalized = _cumulative_mean_normalized_difference(frames, max_period)[:, min_period:]
    period = _chosen_period(normalized)
    shift = _parabolic_shift(normalized, period)
    f0 = rate / (min_period + period + shift)
    return FramePitch(f0=f0, rms=np.sqrt(np.mean(frames**2, axis=1)))


def _frames(samples: np.ndarray, frame: int, hop: int) -> np.ndarray:
    """Frames of ``frame`` samples every ``hop``, the signal padded with zeros by half a frame each side."""
    padded = np.pad(samples, frame // 2)
    count = 1 + (len(padded) - frame) // hop
    return np.lib.stride_tricks.as_strided(
        padded, shape=(count, frame), strides=(padded.strides[0] * hop, padded.strides[0]), writeable=False
    )


def _cumulative_mean_normalized_difference(frames: np.ndarray, max_period: int) -> np.ndarray:
    """YIN's d'(tau) for tau in 0..max_period: the frame's squared difference with its shift, over its running mean."""
    size = 2 * frames.shape[1] - 1
    autocorrelation = np.fft.irfft(np.abs(np.fft.rfft(frames, size)) ** 2, size)[:, : max_period + 1]
    leading_energy = np.cumsum(frames[:, :max_period] ** 2, axis=1)
    difference = np.zeros_like(autocorrelation)
    difference[:, 1:] = 2 * (autocorrelation[:, :1] - autocorrelation[:, 1:]) - leading_energy
    running_mean = np.cumsum(difference[:, 1:], axis=1) / np.arange(1, max_period + 1)
    normalized = np.ones_like(difference)
    normalized[:, 1:] = difference[:, 1:] / (running_mean + np.finfo(np.float64).tiny)
    return normalized


def _chosen_period(normalized: np.ndarray) -> np.ndarray:
    """Per frame, the first local minimum under the threshold, else the global minimum (an index into the lags)."""
    inner = normalized[:, 1:-1]
    trough = np.zeros_like(normalized, dtype=bool)
    trough[:, 1:-1] = (inner < normalized[:, :-2]) & (inner <= normalized[:, 2:])
    trough[:, 0] = normalized[:, 0] < normalized[:, 1]
    under = trough & (normalized < TROUGH_THRESHOLD)
    return np.where(under.any(axis=1), np.argmax(under, axis=1), np.argmin(normalized, axis=1))


def _parabolic_shift(normalized: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Sub-sample offset of each chosen lag's minimum, from the parabola through it and its two neighbours."""
    rows = np.arange(len(period))
    inner = (period > 0) & (period < normalized.shape[1] - 1)
    left = normalized[rows, np.maximum(period - 1, 0)]
    centre = normalized[rows, period]
    right = normalized[rows, np.minimum(period + 1, normalized.shape[1] - 1)]
    curvature = right + left - 2 * centre
    slope = (right - left) / 2
    usable = inner & (np.abs(slope) < np.abs(curvature))
    return np.where(usable, -slope / np.where(usable, curvature, 1.0), 0.0)
