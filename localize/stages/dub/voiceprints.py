"""Voiceprints of catalog voices: each voice speaks a sample of its language once, and its speech is embedded.

A voiceprint is cached per voice, engine options and sample text under the model
cache (``~/.cache/localize/voiceprints``), so a series computes each once.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from localize.cache import atomic_path, stable_hash
from localize.errors import LocalizeError
from localize.media.audio import SPEECH_RATE
from localize.media.voiceprint import voiceprint
from localize.models import cache_dir
from localize.stages.dub.backend import Synthesizer, VoiceSpec

__all__ = ["catalog_voiceprints", "speech_voiceprint"]

log = logging.getLogger("localize")


def speech_voiceprint(path: Path) -> np.ndarray:
    """The voiceprint of the speech in an audio file (any rate)."""
    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != SPEECH_RATE:
        divisor = math.gcd(SPEECH_RATE, rate)
        mono = resample_poly(mono, SPEECH_RATE // divisor, rate // divisor).astype(np.float32)
    return voiceprint(mono)


def catalog_voiceprints(voices: list[VoiceSpec], sample: str, synthesizer: Callable[[str], Synthesizer]) -> dict[str, np.ndarray]:
    """voice id -> voiceprint of ``sample`` spoken by that voice; a voice whose engine fails is left out (and logged)."""
    prints: dict[str, np.ndarray] = {}
    if not sample.strip():
        return prints
    folder = cache_dir().parent / "voiceprints"
    for voice in voices:
        try:
            engine = synthesizer(voice.backend)
        except LocalizeError as exc:
            log.info("no voiceprint for %s: %s", voice.id, exc)
            continue
        key = stable_hash("voiceprint", 1, engine.name, engine.options.model_dump(mode="json"), voice.model_dump(mode="json"), sample)
        path = folder / f"{key}.npy"
        if not path.is_file():
            try:
                with tempfile.TemporaryDirectory(prefix="localize-voiceprint-") as temp:
                    speech = Path(temp) / "sample.wav"
                    engine.synthesize(sample, voice, 1.0, speech)
                    vector = speech_voiceprint(speech)
            except (LocalizeError, ValueError) as exc:
                log.info("no voiceprint for %s: %s", voice.id, exc)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as temp_path, temp_path.open("wb") as handle:
                np.save(handle, vector.astype(np.float32))
        prints[voice.id] = np.load(path)
    return prints
