"""Per-speaker voice profile: median pitch and a reference clip."""

from __future__ import annotations

import numpy as np

from localize.media.pitch import yin
from localize.model import SpeechTurn

__all__ = ["median_f0", "reference_segments"]


def median_f0(samples: np.ndarray, rate: int, turns: list[SpeechTurn]) -> float | None:
    """Median fundamental frequency over the voiced frames of ``turns`` (YIN)."""
    pieces = [samples[int(t.start * rate) : int(t.end * rate)] for t in turns]
    voice = np.concatenate([p for p in pieces if len(p)]) if pieces else np.zeros(0, dtype=np.float32)
    if len(voice) < rate // 2:
        return None
    voice = voice[: rate * 60]
    f0, rms = yin(voice, rate, fmin=60, fmax=420)
    voiced = f0[rms > 0.3 * float(np.median(rms)) + 1e-6]
    voiced = voiced[(voiced > 62) & (voiced < 415)]
    return round(float(np.median(voiced)), 1) if len(voiced) else None


MIN_REFERENCE_PIECE = 1.0
"""Seconds of speech free of other speakers that a piece of a reference clip needs."""


def reference_segments(turns: list[SpeechTurn], all_turns: list[SpeechTurn], target: float = 12.0) -> list[SpeechTurn]:
    """The longest stretches of the speaker's turns where no one else speaks, up to about ``target`` seconds."""
    chosen: list[SpeechTurn] = []
    total = 0.0
    for piece in sorted((p for t in turns for p in _alone(t, all_turns)), key=lambda t: t.end - t.start, reverse=True):
        if total >= target:
            break
        chosen.append(piece)
        total += piece.end - piece.start
    return sorted(chosen, key=lambda t: t.start)


def _alone(turn: SpeechTurn, all_turns: list[SpeechTurn]) -> list[SpeechTurn]:
    """The parts of ``turn``, at least ``MIN_REFERENCE_PIECE`` long, that no other speaker's turn covers."""
    pieces = [(turn.start, turn.end)]
    for other in all_turns:
        if other.speaker != turn.speaker and other.start < turn.end and other.end > turn.start:
            pieces = [
                part
                for start, end in pieces
                for part in ((start, min(end, other.start)), (max(start, other.end), end))
                if part[1] > part[0]
            ]
    return [turn.model_copy(update={"start": start, "end": end}) for start, end in pieces if end - start >= MIN_REFERENCE_PIECE]
