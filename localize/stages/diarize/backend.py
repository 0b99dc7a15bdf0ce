"""The diarizer protocol and its result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from localize.model import SpeechTurn
from localize.progress import ProgressHook
from localize.registry import Backend

__all__ = ["Diarization", "Diarizer"]


@dataclass(frozen=True)
class Diarization:
    """Who speaks when; speaker ids are ``SPEAKER_00``... in order of first appearance."""

    turns: list[SpeechTurn] = field(default_factory=list)
    embeddings: dict[str, list[float]] = field(default_factory=dict)
    """One mean voice embedding per speaker (for matching across episodes)."""


class Diarizer(Backend):
    """A speaker-diarization backend."""

    def diarize(self, audio: Path, hook: ProgressHook) -> Diarization:
        """Diarize 16 kHz mono ``audio``."""
        raise NotImplementedError
