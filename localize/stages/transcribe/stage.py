"""The transcribe stage: words with times and the programme's language."""

from __future__ import annotations

from typing import Any

from localize.languages import base_language, normalize_tag
from localize.model import Episode
from localize.stages.base import RunContext, make_backend
from localize.stages.transcribe.backend import Transcriber

__all__ = ["TranscribeStage"]

HOTWORD_SCOPES = ("character", "place")


class TranscribeStage:
    """Run the configured transcriber on the extracted dialogue audio."""

    name = "transcribe"
    version = 1

    def backend_name(self, ctx: RunContext) -> str:
        """The configured transcriber."""
        return ctx.config.transcribe.backend

    def _hotwords(self, ctx: RunContext) -> list[str]:
        if ctx.glossary is None:
            return []
        return [entry.term for entry in ctx.glossary.terms if entry.scope in HOTWORD_SCOPES]

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Audio, language hint, options and glossary names."""
        return [
            episode.source.fingerprint,
            episode.source.audio_stream,
            ctx.config.source_language,
            ctx.config.transcribe.options,
            self._hotwords(ctx),
        ]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Words live in the manifest."""
        return True

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Transcribe; silence gives an empty transcript and a warning."""
        backend: Transcriber = make_backend("transcribe", ctx.config.transcribe, ctx.config)
        hint = base_language(ctx.config.source_language) if ctx.config.source_language else None
        assert episode.dialogue_audio is not None, "ingest runs before transcribe"
        transcript = backend.transcribe(ctx.workdir.resolve(episode.dialogue_audio), hint, self._hotwords(ctx), ctx.hook)
        language = ctx.config.source_language or normalize_tag(transcript.language)
        updated = episode.model_copy(update={"words": transcript.words, "source_language": language})
        if not transcript.words:
            updated = ctx.warn(updated, "no dialogue found: the audio is silent or has no speech")
        return updated
