"""Voiceprints: Resemblyzer speaker embeddings of speech, as diarization computes them.

Diarization embeds 1.5 s windows of the programme; casting embeds a dub voice's
speech the same way and averages, so the two compare by cosine similarity.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from localize.errors import BackendUnavailable
from localize.media.mel import MEL_FRAMES_PER_SECOND, mel_frames
from localize.resident import resident

__all__ = ["WINDOW_SECONDS", "embed_windows", "speech_encoder", "voiceprint"]

WINDOW_SECONDS = 1.5
BATCH = 256
_LOCK = threading.Lock()


@resident(maxsize=1)
def speech_encoder() -> object:
    """Resemblyzer's pretrained encoder (shipped inside its package), loaded once."""
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder
    except ImportError as exc:
        raise BackendUnavailable("resemblyzer is not installed", "pip install resemblyzer 'setuptools<81'") from exc
    return VoiceEncoder("cpu", verbose=False)


def embed_windows(mels: np.ndarray, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """One embedding (unit vector) per mel window of shape (frames, 40)."""
    import torch

    encoder = speech_encoder()
    outputs: list[np.ndarray] = []
    with _LOCK, torch.no_grad():
        for first in range(0, len(mels), BATCH):
            batch = torch.from_numpy(np.ascontiguousarray(mels[first : first + BATCH], dtype=np.float32))
            outputs.append(encoder.forward(batch).cpu().numpy())  # type: ignore[attr-defined]
            if progress is not None:
                progress(min(len(mels), first + BATCH), len(mels))
    return np.concatenate(outputs) if outputs else np.zeros((0, 256), dtype=np.float32)


def voiceprint(samples: np.ndarray, hop_seconds: float = 0.5) -> np.ndarray:
    """The mean embedding (unit vector) of 16 kHz mono speech, over 1.5 s windows every ``hop_seconds``."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak <= 1e-4:
        raise ValueError("no speech to embed")
    mel = mel_frames(samples / peak * 0.5)
    width = int(WINDOW_SECONDS * MEL_FRAMES_PER_SECOND)
    if len(mel) < width:
        mel = np.pad(mel, ((0, width - len(mel)), (0, 0)), mode="wrap")
    hop = max(1, int(hop_seconds * MEL_FRAMES_PER_SECOND))
    windows = np.stack([mel[offset : offset + width] for offset in range(0, len(mel) - width + 1, hop)])
    mean = embed_windows(windows).mean(axis=0)
    return mean / (np.linalg.norm(mean) + 1e-9)
