"""The speech-synthesis protocol, the voice description it takes, and its error."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from localize.errors import LocalizeError
from localize.registry import Backend

__all__ = ["SynthesisError", "Synthesizer", "VoiceSpec"]


class SynthesisError(LocalizeError):
    """A TTS engine failed on one text (the line is retried, then flagged)."""


class VoiceSpec(BaseModel):
    """One castable voice from the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    backend: str
    voice: str
    """Engine voice: an espeak-ng voice name, a Piper model reference, a Kokoro style blend, or a cloning model directory."""
    language: str
    gender: Literal["male", "female"]
    age: Literal["child", "young", "adult", "old"] = "adult"
    pitch_hz: float
    """Typical median F0 of the voice, used to cast close to the original actor."""
    pitch_range: tuple[float, float] | None = None
    """Median F0 range (Hz) of the actors this voice suits; defaults to ``pitch_hz`` ±15 %."""
    pitch: int | None = None
    """espeak-ng pitch (0-99)."""
    semitones: float = 0.0
    """Pitch shift applied after synthesis (makes one model sound like another person)."""
    speed: float = Field(default=1.0, gt=0.4, le=2.0)
    """The voice's own speaking speed (engines with a speed control, e.g. Kokoro), multiplied by the take's rate."""
    pronunciation: str | None = None
    """espeak-ng voice whose phonemes a phoneme-reading engine (Kokoro) speaks; defaults to the language's."""
    reference_audio: str | None = None
    """Speech of the character to clone (cloning backends only); set per character at casting."""

    @model_validator(mode="after")
    def _range_holds_pitch(self) -> VoiceSpec:
        if self.pitch_range is not None and not self.pitch_range[0] <= self.pitch_hz <= self.pitch_range[1]:
            raise ValueError(f"pitch_hz {self.pitch_hz} lies outside pitch_range {self.pitch_range}")
        return self

    @property
    def range_hz(self) -> tuple[float, float]:
        """The pitch range, explicit or derived from ``pitch_hz``."""
        return self.pitch_range or (self.pitch_hz * 0.85, self.pitch_hz * 1.15)

    def suits(self, f0: float) -> bool:
        """Whether an actor's median F0 lies inside this voice's range."""
        low, high = self.range_hz
        return low <= f0 <= high

    @property
    def is_formant_synthesis(self) -> bool:
        """espeak-ng's robotic formant voices rank after natural (neural) voices that suit an actor equally."""
        return self.backend.startswith("espeak-ng.")

    def pitch_distance(self, f0: float) -> float:
        """How far an actor's median F0 is from this voice, in semitones (0 inside the range)."""
        low, high = self.range_hz
        inside = 0.0 if low <= f0 <= high else min(abs(math.log2(f0 / low)), abs(math.log2(f0 / high))) * 12
        return inside + abs(math.log2(f0 / self.pitch_hz)) * 12 * 0.1


class Synthesizer(Backend):
    """A text-to-speech backend."""

    clones: bool = False
    """Whether the backend speaks with the voice of ``VoiceSpec.reference_audio``."""
    speed_options: ClassVar[frozenset[str]] = frozenset()
    """Options that change how fast the engine speaks, never what it says: left out of the keys of its takes."""

    def on_cores(self, cores: int) -> Synthesizer:
        """This engine set to speak one line at a time on ``cores`` otherwise idle cores (a reviewer's single line)."""
        return self

    def duration_curve(self, text: str, voice: VoiceSpec) -> Callable[[float], float] | None:
        """How long ``text`` would last (its sound, in seconds) at any rate, without synthesizing it (None: the
        engine cannot tell)."""
        return None

    def estimate_seconds(self, text: str, voice: VoiceSpec) -> float | None:
        """How long ``text`` would last at rate 1.0, without synthesizing it (None: the engine cannot tell)."""
        curve = self.duration_curve(text, voice)
        return None if curve is None else curve(1.0)

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Speak ``text`` with ``voice`` at ``rate`` (1.0 natural, >1 faster) into WAV ``out``.

        Raises SynthesisError (or another LocalizeError) when the engine fails.
        """
        raise NotImplementedError
