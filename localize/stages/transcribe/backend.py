"""The transcriber protocol and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from localize.model import Word
from localize.progress import ProgressHook
from localize.registry import Backend

__all__ = ["Transcriber", "Transcript"]


@dataclass(frozen=True)
class Transcript:
    """Words with times, and the programme's language (each word also carries its own; None: no speech to tell)."""

    language: str | None
    words: list[Word] = field(default_factory=list)
    language_probability: float = 1.0


class Transcriber(Backend):
    """A speech-to-text backend."""

    def transcribe(self, audio: Path, language: str | None, vocabulary: list[str], hook: ProgressHook) -> Transcript:
        """Transcribe 16 kHz mono ``audio``.

        ``language`` is the programme's language as a hint (None: detect it);
        ``vocabulary`` lists names the audio is likely to contain (from the glossary).
        """
        raise NotImplementedError
