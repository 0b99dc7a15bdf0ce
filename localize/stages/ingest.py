"""Ingest: choose the dialogue stream and extract it as 16 kHz mono audio."""

from __future__ import annotations

from typing import Any

from localize.media.audio import SPEECH_RATE, choose_audio_stream, extract_audio
from localize.model import Episode
from localize.stages.base import RunContext

__all__ = ["IngestStage"]


class IngestStage:
    """Extract the source's dialogue audio into the work directory."""

    name = "ingest"
    version = 1

    def backend_name(self, ctx: RunContext) -> str:
        """Ingest always uses ffmpeg."""
        return "ffmpeg"

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """The source file's content and the stream choice."""
        return [episode.source.fingerprint, ctx.config.audio_stream, ctx.config.source_language]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """The extracted audio is still there."""
        return bool(episode.dialogue_audio) and ctx.workdir.resolve(episode.dialogue_audio or "").is_file()

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Extract the chosen stream."""
        position = choose_audio_stream(episode.source, ctx.config.source_language, ctx.config.audio_stream)
        out = ctx.workdir.artifact(episode.source.fingerprint, f".s{position}.16k.wav")
        ctx.hook(self.name, "extract audio", 0, 1)
        extract_audio(episode.source, position, out, SPEECH_RATE)
        ctx.hook(self.name, "extract audio", 1, 1)
        source = episode.source.model_copy(update={"audio_stream": position})
        return episode.model_copy(update={"source": source, "dialogue_audio": ctx.workdir.relative(out)})
