"""YIN pitch in plain numpy: the known fundamental of harmonic tones, and a speaker's median over voiced frames only."""

import numpy as np
import pytest

from localize.media.pitch import yin
from localize.model import SpeechTurn
from localize.stages.diarize.profile import median_f0

RATE = 16_000


def harmonic_tone(f0: float, seconds: float = 2.0, seed: int = 0) -> np.ndarray:
    """A voice-like tone: ten harmonics falling off as 1/k, with a little noise."""
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * k * f0 * t + k) / k for k in range(1, 11))
    noise = np.random.default_rng(seed).standard_normal(len(t))
    return (0.2 * tone + 0.005 * noise).astype(np.float32)


@pytest.mark.parametrize("f0", [70.0, 112.5, 180.0, 265.0, 400.0])
def test_yin_finds_the_fundamental_not_a_harmonic(f0: float) -> None:
    pitch = yin(harmonic_tone(f0), RATE, fmin=60, fmax=420)
    assert len(pitch.f0) == len(pitch.rms) == 1 + int(2.0 * RATE) // 256
    assert np.median(pitch.f0) == pytest.approx(f0, rel=0.005)


def test_median_f0_counts_voiced_frames_only() -> None:
    """Silence between two turns of a 150 Hz voice does not pull the median; too little speech gives no estimate."""
    gap = np.zeros(RATE, dtype=np.float32)
    samples = np.concatenate([harmonic_tone(150.0, 1.5), gap, harmonic_tone(150.0, 1.5, seed=1)])
    turns = [SpeechTurn(start=0.0, end=4.0, speaker="a")]
    assert median_f0(samples, RATE, turns) == pytest.approx(150.0, abs=1.0)
    assert median_f0(samples, RATE, [SpeechTurn(start=0.0, end=0.3, speaker="a")]) is None
