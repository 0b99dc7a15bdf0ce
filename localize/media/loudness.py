"""Loudness (ITU-R BS.1770-4 gating, EBU Tech 3342 range) and true peak (4x oversampled), measured block by block.

A :class:`LoudnessMeter` K-weights a signal as it is fed, block by block, with pyloudnorm's K-weighting
filters (their state carried from block to block), and keeps the mean square of every 100 ms sub-block;
integrated loudness (of the whole signal, or only of the blocks inside given spans, "dialogue-gated"),
loudness range and short-term loudness are then read from those powers without filtering again. A
:class:`TruePeakMeter` is fed the same way. Both give the same figures whatever the block sizes, so an
hour of audio is measured in the memory of one block.
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
    "TruePeakMeter",
    "active_level_db",
    "ffmpeg_ebur128",
    "integrated_loudness",
    "measure",
    "true_peak_dbtp",
]

SILENCE_LUFS = -70.0
SUB_BLOCK = 0.1
"""Seconds per sub-block: 400 ms gating blocks with 75 % overlap are four of them, 3 s short-term blocks thirty."""
SHORT_TERM_SUB_BLOCKS = 30
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
    """The K-weighted sub-block powers of one signal of ``channels`` channels (up to 5), fed with :meth:`add`."""

    def __init__(self, rate: int, channels: int = 1) -> None:
        self.rate = rate
        self.sub = round(SUB_BLOCK * rate)
        self._sos = _k_weighting(rate)
        self._state = np.zeros((len(self._sos), 2, channels))
        self._gains = np.asarray(_CHANNEL_GAINS[:channels])
        self._rest = np.zeros((0, channels))
        self._powers: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        """Feed the next ``(n,)`` or ``(n, channels)`` samples."""
        data = samples.reshape(len(samples), -1)
        weighted, self._state = sosfilt(self._sos, data, axis=0, zi=self._state)
        if len(self._rest):
            weighted = np.concatenate([self._rest, weighted])
        count = len(weighted) // self.sub
        squares = np.square(weighted[: count * self.sub]).reshape(count, self.sub, data.shape[1]).mean(axis=1)
        self._powers.append(squares @ self._gains)
        self._rest = weighted[count * self.sub :]
        self.__dict__.pop("powers", None)

    @cached_property
    def powers(self) -> np.ndarray:
        """Channel-weighted mean square per 100 ms sub-block (a last, partial sub-block is left out)."""
        return np.concatenate(self._powers) if self._powers else np.zeros(0)

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

    @property
    def loudness_range(self) -> float:
        """Loudness range (LRA, LU) from 3 s short-term loudness at 10 Hz, per EBU Tech 3342."""
        short_term = _loudness(self._blocks(SHORT_TERM_SUB_BLOCKS))
        short_term = short_term[short_term >= SILENCE_LUFS]
        if len(short_term) < 2:
            return 0.0
        threshold = 10 * np.log10(np.mean(10 ** (short_term / 10))) - 20
        kept = short_term[short_term >= threshold]
        return float(np.percentile(kept, 95) - np.percentile(kept, 10))

    def short_term(self, every: int = 5) -> tuple[np.ndarray, np.ndarray]:
        """Short-term (3 s) loudness every ``every`` sub-blocks: (window centres in seconds, LUFS, floored at -100)."""
        blocks = self._blocks(SHORT_TERM_SUB_BLOCKS)[::every]
        centres = (np.arange(len(blocks)) * every + SHORT_TERM_SUB_BLOCKS / 2) * SUB_BLOCK
        return centres, _loudness(np.maximum(blocks, 1e-10))


def measure(samples: np.ndarray, rate: int) -> LoudnessMeter:
    """A meter fed a whole signal at once."""
    meter = LoudnessMeter(rate, 1 if samples.ndim == 1 else samples.shape[1])
    meter.add(samples)
    return meter


class TruePeakMeter:
    """True peak in dBTP (4x oversampling) over all channels of a signal fed block by block with :meth:`add`.

    Only the 4096-sample blocks whose sample peak comes within 6 dB of the loudest sample are oversampled,
    with a margin so the interpolation filter sees their neighbours. Blocks are oversampled as they pass when
    they come within 6 dB of the loudest sample so far; the figure keeps those that also do of the loudest of all.
    """

    def __init__(self) -> None:
        self._pending: np.ndarray | None = None
        """Samples from ``_offset`` on: the margin before the next block, and what has not been judged yet."""
        self._offset = 0
        self._next = 0
        """Start of the next block to judge."""
        self._loudest = 0.0
        self._candidates: list[tuple[float, float]] = []
        """(sample peak, oversampled peak) of each block oversampled."""

    def add(self, samples: np.ndarray) -> None:
        """Feed the next ``(n,)`` or ``(n, channels)`` samples."""
        if not len(samples):
            return
        self._pending = samples if self._pending is None else np.concatenate([self._pending, samples])
        self._judge(final=False)

    def _judge(self, final: bool) -> None:
        pending = self._pending
        if pending is None:
            return
        end = self._offset + len(pending)
        while self._next < end and (final or self._next + _TRUE_PEAK_BLOCK + _TRUE_PEAK_MARGIN <= end):
            start = self._next
            stop = min(end, start + _TRUE_PEAK_BLOCK)
            low, high = max(0, start - _TRUE_PEAK_MARGIN), min(end, start + _TRUE_PEAK_BLOCK + _TRUE_PEAK_MARGIN)
            block_peak = float(np.abs(pending[start - self._offset : stop - self._offset]).max())
            self._loudest = max(self._loudest, block_peak)
            if block_peak > 0.0 and block_peak >= self._loudest * _TRUE_PEAK_HEADROOM:
                oversampled = resample_poly(pending[low - self._offset : high - self._offset], 4, 1, axis=0)
                inner = oversampled[4 * (start - low) : 4 * (stop - low)]
                self._candidates.append((block_peak, float(np.max(np.abs(inner)))))
            self._next = stop
        keep = max(0, self._next - _TRUE_PEAK_MARGIN)
        self._pending = pending[keep - self._offset :]
        self._offset = keep

    @property
    def dbtp(self) -> float:
        """The true peak of the whole signal, once all of it is fed (-120 for silence)."""
        self._judge(final=True)
        if self._loudest <= 0.0:
            return -120.0
        kept = [over for peak, over in self._candidates if peak >= self._loudest * _TRUE_PEAK_HEADROOM]
        return float(20 * np.log10(max([self._loudest, *kept]) + 1e-12))


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
    return measure(samples, rate).integrated()


def true_peak_dbtp(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling) of a whole signal, over all channels."""
    meter = TruePeakMeter()
    meter.add(samples)
    return meter.dbtp


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
