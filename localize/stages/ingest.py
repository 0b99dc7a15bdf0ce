"""Ingest: choose the dialogue stream and extract it as 16 kHz mono audio."""

from __future__ import annotations

from localize.media.audio import SPEECH_RATE, audio_duration, choose_audio_stream, extract_audio
from localize.model import Episode, MediaInfo
from localize.stages.base import RunContext, Stage

__all__ = ["IngestStage"]


class IngestStage(Stage):
    """Extract the source's dialogue audio into the work directory."""

    name = "ingest"
    reads = ("source.fingerprint", "source.path", "source.duration", "source.audio_streams")
    writes = ("source.audio_stream", "source.decoded_duration", "dialogue_audio")
    settings = ("audio_stream", "source_language")

    def backend_name(self, ctx: RunContext) -> str:
        """Ingest always uses ffmpeg."""
        return "ffmpeg"

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """The extracted audio is still there."""
        return bool(episode.dialogue_audio) and ctx.workdir.resolve(episode.dialogue_audio or "").is_file()

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Extract the chosen stream; a stream that decodes to less than its container declares is reported."""
        position = choose_audio_stream(episode.source, ctx.config.source_language, ctx.config.audio_stream)
        out = ctx.workdir.artifact(episode.source.fingerprint, f".s{position}.16k.wav")
        ctx.hook(self.name, "extract audio", 0, 1)
        extract_audio(episode.source, position, out, SPEECH_RATE)
        ctx.hook(self.name, "extract audio", 1, 1)
        decoded = round(audio_duration(out), 3)
        source = episode.source.model_copy(update={"audio_stream": position, "decoded_duration": decoded})
        episode = episode.model_copy(update={"source": source, "dialogue_audio": ctx.workdir.relative(out)})
        if source.truncated:
            episode = ctx.warn(episode, _truncation_warning(source))
        return episode


def _truncation_warning(source: MediaInfo) -> str:
    """What a user reads about a source cut short: how much is missing, what the package holds, what to do."""
    return (
        f"TRUNCATED SOURCE: its audio decodes to {source.decoded_duration or 0.0:.1f} s of the "
        f"{source.declared_duration:.1f} s the file declares; the package covers only what decodes and its QC fails. "
        "Copy or export the file again"
    )
