"""Loudness (ITU-R BS.1770-4 gating, EBU Tech 3342 range) and true peak (4x oversampled).

A :class:`LoudnessMeter` K-weights a signal once, with pyloudnorm's K-weighting
filters, and keeps the mean square of every 100 ms sub-block; integrated loudness
(of the whole signal, or only of the blocks inside given spans, "dialogue-gated")
and loudness range are then read from those powers without filtering again.
"""

from __future__ import annotations

import re
import subprocess
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly, sosfilt

from localize.errors import MediaError
from localize.media.tools import require_tool

__all__ = [
    "SILENCE_LUFS",
    "LoudnessMeter",
    "active_level_db",
    "ffmpeg_ebur128",
    "integrated_loudness",
    "true_peak_dbtp",
]

SILENCE_LUFS = -70.0
SUB_BLOCK = 0.1
"""Seconds per sub-block: 400 ms gating blocks with 75 % overlap are four of them, 3 s short-term blocks thirty."""
_CHANNEL_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)
_TRUE_PEAK_BLOCK = 4096
_TRUE_PEAK_MARGIN = 64
_TRUE_PEAK_HEADROOM = 0.5
"""Blocks whose sample peak is within 6 dB of the loudest sample are oversampled (intersample overs stay far below)."""


def _k_weighting(rate: int) -> np.ndarray:
    """Second-order sections of the BS.1770 K-weighting (pyloudnorm's filter design)."""
    from pyloudnorm.iirfilter import IIRfilter

    stages = (IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"), IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"))
    return np.array([[*stage.b, *stage.a] for stage in stages])


def _loudness(power: float | np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


class LoudnessMeter:
    """The K-weighted sub-block powers of one signal (``(n,)`` or ``(n, channels)``, up to 5 channels)."""

    def __init__(self, samples: np.ndarray, rate: int) -> None:
        data = samples.reshape(len(samples), -1)
        self.rate = rate
        self.sub = round(SUB_BLOCK * rate)
        count = len(data) // self.sub
        weighted = sosfilt(_k_weighting(rate), data[: count * self.sub], axis=0)
        squares = np.square(weighted).reshape(count, self.sub, data.shape[1]).mean(axis=1)
        self.powers: np.ndarray = squares @ np.asarray(_CHANNEL_GAINS[: data.shape[1]])
        """Channel-weighted mean square per 100 ms sub-block."""

    def _blocks(self, size: int) -> np.ndarray:
        """Mean power of every ``size``-sub-block window, one per sub-block step."""
        if len(self.powers) < size:
            return np.zeros(0)
        sums = np.concatenate([[0.0], np.cumsum(self.powers)])
        return (sums[size:] - sums[:-size]) / size

    def span_mask(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """Which 400 ms gating blocks lie wholly inside ``spans`` (sample ranges)."""
        inside = np.zeros(len(self.powers) + 1, dtype=np.int64)
        for start, end in spans:
            first, last = -(-start // self.sub), end // self.sub
            if last > first:
                inside[first] += 1
                inside[last] -= 1
        covered = np.cumsum(inside)[:-1] > 0
        if len(covered) < 4:
            return np.zeros(0, dtype=bool)
        return covered[:-3] & covered[1:-2] & covered[2:-1] & covered[3:]

    def integrated(self, mask: np.ndarray | None = None) -> float:
        """Gated integrated loudness in LUFS (LKFS), over the blocks ``mask`` keeps (all by default); -70 for silence."""
        blocks = self._blocks(4)
        if mask is not None:
            blocks = blocks[mask[: len(blocks)]]
        blocks = blocks[_loudness(blocks) >= SILENCE_LUFS] if len(blocks) else blocks
        if not len(blocks):
            return SILENCE_LUFS
        relative = float(_loudness(blocks.mean())) - 10.0
        gated = blocks[_loudness(blocks) > relative]
        return max(SILENCE_LUFS, float(_loudness(gated.mean()))) if len(gated) else SILENCE_LUFS

    @cached_property
    def loudness_range(self) -> float:
        """Loudness range (LRA, LU) from 3 s short-term loudness at 10 Hz, per EBU Tech 3342."""
        short_term = _loudness(self._blocks(30))
        short_term = short_term[short_term >= SILENCE_LUFS]
        if len(short_term) < 2:
            return 0.0
        threshold = 10 * np.log10(np.mean(10 ** (short_term / 10))) - 20
        kept = short_term[short_term >= threshold]
        return float(np.percentile(kept, 95) - np.percentile(kept, 10))


ACTIVE_FRAME_SECONDS = 0.02
ACTIVE_RANGE_DB = 30.0
"""Frames more than this far below the loudest frame are pauses, not counted in an active level."""


def active_level_db(samples: np.ndarray, rate: int) -> float:
    """RMS level (dBFS) of the frames of ``samples`` within ACTIVE_RANGE_DB of its loudest: a level that pauses do not lower."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    hop = max(1, round(ACTIVE_FRAME_SECONDS * rate))
    count = len(mono) // hop
    if count == 0:
        return SILENCE_LUFS
    energy = np.mean(np.square(mono[: count * hop].reshape(count, hop), dtype=np.float64), axis=1)
    peak = float(energy.max())
    if peak <= 1e-12:
        return SILENCE_LUFS
    active = energy[energy >= peak * 10 ** (-ACTIVE_RANGE_DB / 10)]
    return float(10 * np.log10(active.mean()))


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness in LUFS (LKFS); -70 for silence or audio shorter than a gating block."""
    if len(samples) < int(0.4 * rate) or not np.any(samples):
        return SILENCE_LUFS
    return LoudnessMeter(samples, rate).integrated()


def true_peak_dbtp(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling), over all channels.

    Only the blocks whose sample peak comes within 6 dB of the loudest sample are
    oversampled, with a margin so the interpolation filter sees their neighbours.
    """
    data = np.abs(samples.reshape(len(samples), -1)).max(axis=1)
    loudest = float(data.max()) if len(data) else 0.0
    if loudest <= 0.0:
        return -120.0
    count = -(-len(data) // _TRUE_PEAK_BLOCK)
    padded = np.pad(data, (0, count * _TRUE_PEAK_BLOCK - len(data)))
    candidates = np.flatnonzero(padded.reshape(count, _TRUE_PEAK_BLOCK).max(axis=1) >= loudest * _TRUE_PEAK_HEADROOM)
    peak = loudest
    for block in candidates:
        start = int(block) * _TRUE_PEAK_BLOCK
        low, high = max(0, start - _TRUE_PEAK_MARGIN), min(len(samples), start + _TRUE_PEAK_BLOCK + _TRUE_PEAK_MARGIN)
        oversampled = resample_poly(samples[low:high], 4, 1, axis=0)
        inner = oversampled[4 * (start - low) : 4 * (min(len(samples), start + _TRUE_PEAK_BLOCK) - low)]
        peak = max(peak, float(np.max(np.abs(inner))))
    return float(20 * np.log10(peak + 1e-12))


def ffmpeg_ebur128(path: Path) -> tuple[float, float, float]:
    """Integrated loudness (LUFS), true peak (dBTP) and loudness range (LU) as ffmpeg's ebur128 filter measures a file.

    An independent meter, to cross-check ours in tests and benchmarks.
    """
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or "Summary:" not in completed.stderr:
        raise MediaError(
            f"measuring the loudness of {path.name} failed", "check that the file is audio", command=command, stderr=completed.stderr
        )
    summary = completed.stderr.rsplit("Summary:", 1)[1]

    def figure(pattern: str) -> float:
        found = re.search(pattern, summary)
        if found is None:
            raise MediaError(
                f"ffmpeg's loudness summary of {path.name} has no '{pattern}'", "update ffmpeg", command=command, stderr=summary
            )
        return float(found.group(1))

    return figure(r"I:\s+(-?[\d.]+) LUFS"), figure(r"Peak:\s+(-?[\d.]+) dBFS"), figure(r"LRA:\s+(-?[\d.]+) LU")
