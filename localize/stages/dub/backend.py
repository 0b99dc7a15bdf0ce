"""The speech-synthesis protocol and the voice description it takes."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from localize.registry import Backend

__all__ = ["Synthesizer", "VoiceSpec"]


class VoiceSpec(BaseModel):
    """One castable voice from the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    backend: str
    voice: str
    """Engine voice: an espeak-ng voice name, or a Piper model reference."""
    language: str
    gender: Literal["male", "female"]
    age: Literal["child", "young", "adult", "old"] = "adult"
    pitch_hz: float
    """Typical median F0 of the voice, used to cast close to the original actor."""
    pitch: int | None = None
    """espeak-ng pitch (0-99)."""
    semitones: float = 0.0
    """Pitch shift applied after synthesis (makes one model sound like another person)."""


class Synthesizer(Backend):
    """A text-to-speech backend."""

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Speak ``text`` with ``voice`` at ``rate`` (1.0 natural, >1 faster) into WAV ``out``."""
        raise NotImplementedError
