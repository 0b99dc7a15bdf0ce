"""Whether a stereo stream's channels carry different talkers (an interview or podcast with one microphone per channel)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from localize.media.audio import SPEECH_RATE, read_audio
from localize.model import MediaInfo

__all__ = ["ChannelTalkers", "channel_talkers", "measure_channel_talkers"]

FRAME_SECONDS = 0.05
ACTIVE_RANGE_DB = 35.0
"""Frames within this many dB of the loudest moments are sound; quieter ones are the noise floor."""
DOMINANCE_DB = 15.0
"""A frame where one channel is this much louder than the other is that channel's alone."""
MIN_ALONE_SHARE = 0.1
MAX_CORRELATION = 0.5
MEASURED_SECONDS = 600.0


@dataclass(frozen=True)
class ChannelTalkers:
    """How independent a stereo stream's two channels are."""

    correlation: float
    """Pearson correlation of the two channels' samples where there is sound (1: the same signal)."""
    left_alone: float
    """Share of sounding frames where the left channel is ``DOMINANCE_DB`` louder than the right."""
    right_alone: float

    @property
    def separate(self) -> bool:
        """Each channel carries its own talker: the channels are unlike, and each has long stretches to itself."""
        return self.correlation < MAX_CORRELATION and min(self.left_alone, self.right_alone) >= MIN_ALONE_SHARE


def channel_talkers(stereo: np.ndarray, rate: int) -> ChannelTalkers:
    """Measure ``stereo`` (``(n, 2)`` samples)."""
    frame = int(rate * FRAME_SECONDS)
    count = len(stereo) // frame
    blocks = stereo[: count * frame].reshape(count, frame, 2)
    power = 10 * np.log10(np.mean(np.square(blocks), axis=1) + 1e-12)
    loudest = power.max(axis=1)
    active = loudest > np.percentile(loudest, 99) - ACTIVE_RANGE_DB if count else np.zeros(0, dtype=bool)
    if active.sum() < 2:
        return ChannelTalkers(1.0, 0.0, 0.0)
    sound = blocks[active].reshape(-1, 2)
    correlation = np.corrcoef(sound.T)[0, 1]
    difference = power[active, 0] - power[active, 1]
    return ChannelTalkers(
        correlation=1.0 if np.isnan(correlation) else round(float(correlation), 3),
        left_alone=round(float(np.mean(difference >= DOMINANCE_DB)), 3),
        right_alone=round(float(np.mean(difference <= -DOMINANCE_DB)), 3),
    )


def measure_channel_talkers(info: MediaInfo, position: int) -> ChannelTalkers | None:
    """The first ten minutes of a stereo audio stream, measured; None for a stream that is not stereo."""
    stream = info.audio_streams[position]
    if stream.channels != 2:
        return None
    stereo = read_audio(Path(info.path), SPEECH_RATE, channels=2, duration=MEASURED_SECONDS, stream=stream.index)
    return channel_talkers(stereo, SPEECH_RATE)
