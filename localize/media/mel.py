"""Mel frames for the Resemblyzer speaker encoder, in plain numpy.

The same frames as ``resemblyzer.audio.wav_to_mel_spectrogram`` (librosa's
``melspectrogram``: centred 25 ms Hann frames every 10 ms, power spectrum, 40
Slaney mel bands), without librosa's few seconds of just-in-time compilation on
the first call, which dominated diarizing a short episode.
"""

from __future__ import annotations

from functools import cache

import numpy as np

__all__ = ["MEL_FRAMES_PER_SECOND", "mel_frames"]

SAMPLE_RATE = 16_000
N_FFT = 400
"""25 ms window."""
HOP = 160
"""10 ms step."""
N_MELS = 40
MEL_FRAMES_PER_SECOND = SAMPLE_RATE // HOP

_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOG_STEP = np.log(6.4) / 27.0


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    logarithmic = _MIN_LOG_MEL + np.log(np.maximum(hz, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOG_STEP
    return np.where(hz >= _MIN_LOG_HZ, logarithmic, hz / _F_SP)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return np.where(mel >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOG_STEP * (mel - _MIN_LOG_MEL)), mel * _F_SP)


@cache
def _filters() -> np.ndarray:
    """Slaney-normalised triangular mel filters, (N_MELS, N_FFT // 2 + 1)."""
    frequencies = np.fft.rfftfreq(N_FFT, 1.0 / SAMPLE_RATE)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2))
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, frequencies)
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


@cache
def _window() -> np.ndarray:
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """Mel power frames (n_frames, 40) of 16 kHz mono ``samples``, as the Resemblyzer encoder expects them."""
    padded = np.pad(np.asarray(samples, dtype=np.float32), (N_FFT // 2, N_FFT // 2))
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    power = np.abs(np.fft.rfft(frames * _window(), axis=1)) ** 2
    return (power @ _filters().T).astype(np.float32)
