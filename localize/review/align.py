"""Time a corrected line's words against its audio: forced alignment with the episode's Whisper model.

The reviewer's text is tokenized and aligned to the line's span by Whisper's
cross-attention (faster-whisper's own dynamic-time-warping alignment, as it
times words while transcribing), so the words keep real times, and each word
gets the model's probability of it: low where the audio does not say it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from localize.config import BackendChoice, Config
from localize.errors import InputError
from localize.languages import base_language
from localize.media.audio import SPEECH_RATE
from localize.model import Word
from localize.stages.factory import make_backend
from localize.stages.transcribe.faster_whisper import FasterWhisperTranscriber

__all__ = ["MAX_ALIGN_SECONDS", "WhisperAligner"]

MAX_ALIGN_SECONDS = 29.0
"""One encoder window (30 s) holds the span and its padding."""
PAD_SECONDS = 0.2
"""Audio either side of the span the aligner hears (a word cut at the span's edge is still heard whole)."""
_PREPEND = "\"'“¿¡([{-«"
_APPEND = "\"'.。,，!！?？:：”)]}、»…"


class WhisperAligner:
    """Aligns text to the episode's dialogue audio (16 kHz mono) with the configured faster-whisper model
    (the bundled one when transcription uses another backend)."""

    def __init__(self, config: Config, audio: Path, language: str | None) -> None:
        self.config = config
        self.audio = audio
        self.language = base_language(language) if language else None

    @cached_property
    def _transcriber(self) -> FasterWhisperTranscriber:
        choice = self.config.transcribe
        if choice.backend != FasterWhisperTranscriber.name:
            choice = BackendChoice(backend=FasterWhisperTranscriber.name)
        transcriber: FasterWhisperTranscriber = make_backend("transcribe", choice, self.config)
        return transcriber

    def __call__(self, text: str, start: float, end: float) -> list[Word]:
        """The words of ``text`` timed within [start, end] (programme seconds), each with its probability."""
        if end - start > MAX_ALIGN_SECONDS:
            raise InputError(f"a line of {end - start:.1f} s is too long to align", f"split it into lines under {MAX_ALIGN_SECONDS:.0f} s")
        offset = max(0.0, start - PAD_SECONDS)
        samples, _ = soundfile.read(
            self.audio, start=int(offset * SPEECH_RATE), stop=int((end + PAD_SECONDS) * SPEECH_RATE), dtype="float32"
        )
        aligned = self._align(np.asarray(samples, dtype=np.float32), text)
        words = []
        for item in aligned:
            spoken = item["word"].strip()
            if not spoken:
                continue
            word_start = min(max(start, offset + float(item["start"])), end)
            word_end = min(max(word_start, offset + float(item["end"])), end)
            words.append(
                Word(text=spoken, start=round(word_start, 3), end=round(word_end, 3), probability=round(float(item["probability"]), 3))
            )
        if not words:
            raise InputError(f"could not align '{text[:40]}' to the audio", "check the text is what is said in the line")
        return words

    def _align(self, samples: np.ndarray, text: str) -> list[dict[str, Any]]:
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import merge_punctuations

        model = self._transcriber.model
        features = model.feature_extractor(samples)
        frames = features.shape[-1]
        encoded = model.encode(pad_or_trim(features, frames + frames % 2))
        tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=self.language or "en")
        tokens = tokenizer.encode(" " + text.strip())
        alignment: list[dict[str, Any]] = model.find_alignment(tokenizer, [tokens], encoded, frames)[0]
        merge_punctuations(alignment, _PREPEND, _APPEND)
        return alignment
