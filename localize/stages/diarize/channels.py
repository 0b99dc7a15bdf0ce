"""Diarization of a recording whose channels each carry one talker: a channel's speech is its talker's.

Each channel's speech regions come from the VAD; a moment where a channel hears
only the other talker leaking in (much quieter there than in that talker's own
channel) is not its talker's, so overlaps are kept and cross-talk is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from localize.media.audio import SPEECH_RATE
from localize.media.voiceprint import voiceprint
from localize.model import SpeechTurn
from localize.stages.diarize.backend import Diarization
from localize.stages.diarize.vad import speech_regions

__all__ = ["diarize_channels"]

FRAMES_PER_SECOND = 50
FRAME = SPEECH_RATE // FRAMES_PER_SECOND
"""20 ms level frames."""
LEAK_DB = 12.0
"""Speech this many dB quieter in a channel than in another (each against its own loudest) is the other's leaking in."""
SOUND_DB = -40.0
"""Quieter than this (against the channel's loudest) is the channel's noise floor, not its talker."""
MIN_TURN_SECONDS = 0.2
JOIN_SECONDS = 0.3


def diarize_channels(paths: list[Path]) -> Diarization:
    """One speaker per channel; speakers are named by first appearance, each with the voiceprint of its own speech."""
    channels = [soundfile.read(path, dtype="float32", always_2d=False)[0] for path in paths]
    length = min(len(samples) for samples in channels)
    levels = np.stack([_levels(samples[:length]) for samples in channels])
    found: list[tuple[int, float, float]] = []
    for index, samples in enumerate(channels):
        own = (levels[index] >= levels.max(axis=0) - LEAK_DB) & (levels[index] > SOUND_DB)
        for start, end in speech_regions(samples[:length]):
            found += [(index, a, b) for a, b in _runs(own, start // FRAME, -(-end // FRAME))]
    order: dict[int, str] = {}
    for channel, _, _ in sorted(found, key=lambda turn: turn[1]):
        order.setdefault(channel, f"SPEAKER_{len(order):02d}")
    turns = sorted((SpeechTurn(start=start, end=end, speaker=order[channel]) for channel, start, end in found), key=lambda t: t.start)
    embeddings = {}
    for channel, speaker in order.items():
        speech = np.concatenate([channels[channel][int(s * SPEECH_RATE) : int(e * SPEECH_RATE)] for c, s, e in found if c == channel])
        embeddings[speaker] = voiceprint(speech).tolist()
    return Diarization(turns=turns, embeddings=embeddings)


def _levels(samples: np.ndarray) -> np.ndarray:
    """Level per 20 ms frame in dB below the channel's loudest moments (99th percentile)."""
    count = -(-len(samples) // FRAME)
    padded = np.pad(samples, (0, count * FRAME - len(samples)))
    power = 10 * np.log10(np.mean(np.square(padded.reshape(count, FRAME)), axis=1) + 1e-12)
    return power - float(np.percentile(power, 99))


def _runs(mask: np.ndarray, first: int, last: int) -> list[tuple[float, float]]:
    """Stretches (seconds) of ``mask[first:last]`` that are set, joined across short gaps, short ones dropped."""
    frames = np.flatnonzero(mask[first:last]) + first
    if not len(frames):
        return []
    breaks = np.flatnonzero(np.diff(frames) > JOIN_SECONDS * FRAMES_PER_SECOND)
    starts, ends = np.r_[frames[0], frames[breaks + 1]], np.r_[frames[breaks], frames[-1]] + 1
    seconds = [(round(a / FRAMES_PER_SECOND, 3), round(b / FRAMES_PER_SECOND, 3)) for a, b in zip(starts, ends, strict=True)]
    return [(a, b) for a, b in seconds if b - a >= MIN_TURN_SECONDS]
