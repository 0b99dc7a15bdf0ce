"""espeak-ng backend: every language, formant voices with variants."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from localize.cache import atomic_path
from localize.media.tools import require_tool, run_tool
from localize.registry import Availability, register
from localize.stages.dub.backend import Synthesizer, VoiceSpec

__all__ = ["EspeakSynthesizer"]


@register("tts")
class EspeakSynthesizer(Synthesizer):
    """Speech from the espeak-ng command-line engine."""

    name = "espeak-ng.v1"
    job_options = frozenset({"words_per_minute"})

    class Options(BaseModel):
        """Base speaking rate."""

        words_per_minute: int = Field(165, ge=80, le=450)

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when espeak-ng is installed."""
        if shutil.which("espeak-ng") is None:
            return Availability(False, "apt-get install espeak-ng")
        return Availability(True, "espeak-ng, ~100 languages, offline")

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Run espeak-ng with the voice's name, pitch and a rate-scaled speed."""
        espeak = require_tool("espeak-ng", "espeak-ng")
        command = [espeak, "-v", voice.voice, "-s", str(round(self.options.words_per_minute * rate))]
        if voice.pitch is not None:
            command += ["-p", str(voice.pitch)]
        with atomic_path(out) as temp:
            run_tool([*command, "-w", str(temp), "--", text], f"espeak-ng voice {voice.voice}")
