"""Speech regions of 16 kHz mono audio: Silero VAD (shipped inside faster-whisper), optionally on level-normalised audio."""

from __future__ import annotations

import numpy as np

__all__ = ["levelled", "speech_regions"]

LOUD_PERCENTILE = 99.9
SILENT_LEVEL = 1e-4


def levelled(samples: np.ndarray, level: float | None) -> np.ndarray:
    """``samples`` scaled so their loudest moments (99.9th percentile) stand at ``level`` (unchanged when silent or None)."""
    if level is None or not len(samples):
        return samples
    loud = float(np.percentile(np.abs(samples), LOUD_PERCENTILE))
    if loud <= SILENT_LEVEL:
        return samples
    return np.clip(samples * (level / loud), -1.0, 1.0).astype(np.float32)


def speech_regions(
    samples: np.ndarray, threshold: float = 0.5, min_silence_ms: int = 300, pad_ms: int = 60, level: float | None = None
) -> list[tuple[int, int]]:
    """Silero's speech regions (sample indices), split at silences of ``min_silence_ms``; the VAD hears ``levelled`` audio."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(threshold=threshold, min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms)
    return [(int(r["start"]), int(r["end"])) for r in get_speech_timestamps(levelled(samples, level), options)]
