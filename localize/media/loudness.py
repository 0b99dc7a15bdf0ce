"""Loudness (ITU-R BS.1770 via pyloudnorm) and true peak (4x oversampled)."""

from __future__ import annotations

import numpy as np
import pyloudnorm
from scipy.signal import resample_poly

__all__ = ["SILENCE_LUFS", "integrated_loudness", "loudness_range", "true_peak_dbtp"]

SILENCE_LUFS = -70.0


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness in LUFS (LKFS); -70 for silence or very short audio."""
    if len(samples) < int(0.4 * rate) or not np.any(samples):
        return SILENCE_LUFS
    value = float(pyloudnorm.Meter(rate).integrated_loudness(samples))
    return max(value, SILENCE_LUFS) if np.isfinite(value) else SILENCE_LUFS


def loudness_range(samples: np.ndarray, rate: int) -> float:
    """Loudness range (LRA, LU) from 3 s short-term blocks, per EBU Tech 3342."""
    meter = pyloudnorm.Meter(rate, block_size=3.0)
    hop = rate
    block = 3 * rate
    values = []
    for start in range(0, max(0, len(samples) - block) + 1, hop):
        chunk = samples[start : start + block]
        if len(chunk) == block and np.any(chunk):
            loud = meter.integrated_loudness(chunk)
            if np.isfinite(loud) and loud > -70:
                values.append(loud)
    if len(values) < 2:
        return 0.0
    relative = np.asarray(values)
    relative = relative[relative > 10 * np.log10(np.mean(10 ** (relative / 10))) - 20]
    return float(np.percentile(relative, 95) - np.percentile(relative, 10)) if len(relative) else 0.0


def true_peak_dbtp(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling), over all channels."""
    if not np.any(samples):
        return -120.0
    oversampled = resample_poly(samples, 4, 1, axis=0)
    return float(20 * np.log10(np.max(np.abs(oversampled)) + 1e-12))
