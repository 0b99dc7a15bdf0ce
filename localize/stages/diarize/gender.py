"""A speaker's gender from their voice embedding: a logistic model over Resemblyzer voiceprints.

The model (``gender_model.json``, 256 weights and a bias) was fitted on 251
LibriSpeech readers (``benchmarks/gender_eval.py --train``, which also measures
it). A voice's pitch alone misleads: a man raising his voice to a hall speaks
well above the 165 Hz a pitch threshold draws, and low female voices fall
under it; the embedding hears timbre as well. The pitch decides only when there
is no embedding.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from localize.model import Gender

__all__ = ["MALE_FEMALE_F0", "MODEL_PATH", "estimate_gender", "female_probability"]

MODEL_PATH = Path(__file__).with_name("gender_model.json")
MALE_FEMALE_F0 = 165.0
"""Median F0 (Hz) separating typical adult male and female voices (used only without an embedding)."""


@cache
def _model() -> tuple[np.ndarray, float]:
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return np.asarray(data["weights"], dtype=np.float64), float(data["bias"])


def female_probability(embedding: list[float] | np.ndarray) -> float:
    """How likely the voice with this (unit-length) embedding is a woman's."""
    weights, bias = _model()
    vector = np.asarray(embedding, dtype=np.float64)
    vector = vector / (np.linalg.norm(vector) + 1e-12)
    return float(1.0 / (1.0 + np.exp(-(vector @ weights + bias))))


def estimate_gender(embedding: list[float] | np.ndarray, f0: float | None) -> Gender:
    """The gender the embedding tells; without one, the median F0's side of ``MALE_FEMALE_F0``; else unknown."""
    if len(embedding):
        return "female" if female_probability(embedding) >= 0.5 else "male"
    if f0 is None:
        return "unknown"
    return "female" if f0 >= MALE_FEMALE_F0 else "male"
