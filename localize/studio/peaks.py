"""Waveform peaks for the timeline: computed once per audio file on the server, sliced per view for the page's canvas."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import soundfile

from localize.cache import WorkDir, file_fingerprint, stable_hash

__all__ = ["PEAKS_PER_SECOND", "peaks", "window_peaks"]

PEAKS_PER_SECOND = 200
_BLOCK_SECONDS = 60


def peaks(audio: Path, workdir: WorkDir) -> np.ndarray:
    """Per 1/200 s of ``audio``: the largest absolute sample of its channels (float16), cached by the file's content."""
    key = stable_hash("peaks", PEAKS_PER_SECOND, file_fingerprint(audio))
    cached = workdir.artifact(key, ".peaks.npy")
    if cached.is_file():
        loaded: np.ndarray = np.load(cached)
        return loaded
    info = soundfile.info(str(audio))
    hop = max(1, round(info.samplerate / PEAKS_PER_SECOND))
    parts = []
    for block in soundfile.blocks(str(audio), blocksize=hop * PEAKS_PER_SECOND * _BLOCK_SECONDS, dtype="float32", always_2d=True):
        loud = np.abs(block).max(axis=1)
        whole = len(loud) // hop * hop
        if whole:
            parts.append(loud[:whole].reshape(-1, hop).max(axis=1))
        if len(loud) > whole:
            parts.append(loud[whole:].max(keepdims=True))
    result = (np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)).astype(np.float16)
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_suffix(".part.npy")
    np.save(temp, result)
    temp.replace(cached)
    return result


def window_peaks(values: np.ndarray, start: float, end: float, buckets: int) -> list[float]:
    """The peaks between ``start`` and ``end`` seconds in ``buckets`` columns (each the loudest it covers; 0 past the
    end of the audio), 3 decimals."""
    buckets = max(1, min(buckets, 4000))
    edges = np.linspace(start * PEAKS_PER_SECOND, end * PEAKS_PER_SECOND, buckets + 1).astype(int)
    columns = []
    for left, right in itertools.pairwise(edges):
        piece = values[max(0, left) : max(0, right, left + 1)]
        columns.append(round(float(piece.max()), 3) if len(piece) else 0.0)
    return columns
