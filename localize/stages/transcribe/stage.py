"""The transcribe stage: words with times, each in its own language, and the programme's language."""

from __future__ import annotations

import logging
from typing import Any

from localize.languages import base_language, normalize_tag
from localize.model import Episode
from localize.stages.base import RunContext, make_backend
from localize.stages.transcribe.backend import Transcriber

__all__ = ["HOTWORD_SCOPES", "TranscribeStage", "glossary_vocabulary"]

log = logging.getLogger("localize")

HOTWORD_SCOPES = ("character", "place")
NO_SPEECH_WARNING = "no dialogue found: the audio is silent or has no speech"


def glossary_vocabulary(ctx: RunContext) -> list[str]:
    """Character and place names from the glossary (term and variants), to prime the decoder."""
    if ctx.glossary is None:
        return []
    names = [form for entry in ctx.glossary.terms if entry.scope in HOTWORD_SCOPES for form in entry.forms]
    return list(dict.fromkeys(names))


class TranscribeStage:
    """Run the configured transcriber on the extracted dialogue audio."""

    name = "transcribe"
    version = 2

    def backend_name(self, ctx: RunContext) -> str:
        """The configured transcriber."""
        return ctx.config.transcribe.backend

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Audio, language hint, options and glossary names."""
        return [
            episode.source.fingerprint,
            episode.source.audio_stream,
            ctx.config.source_language,
            ctx.config.transcribe.options,
            glossary_vocabulary(ctx),
        ]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Words live in the manifest."""
        return True

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Transcribe; audio without speech gives no words and a warning."""
        if episode.dialogue_audio is None:
            raise RuntimeError("ingest must run before transcribe")
        backend: Transcriber = make_backend("transcribe", ctx.config.transcribe, ctx.config)
        hint = base_language(ctx.config.source_language) if ctx.config.source_language else None
        audio = ctx.workdir.resolve(episode.dialogue_audio)
        transcript = backend.transcribe(audio, hint, glossary_vocabulary(ctx), ctx.hook)
        language = normalize_tag(ctx.config.source_language) if ctx.config.source_language else normalize_tag(transcript.language)
        foreign = sum(1 for w in transcript.words if w.language and w.language != base_language(language))
        if foreign:
            log.info("%d of %d words are in another language than %s", foreign, len(transcript.words), language)
        updated = episode.model_copy(update={"words": transcript.words, "source_language": language})
        if not transcript.words:
            updated = ctx.warn(updated, NO_SPEECH_WARNING)
        return updated
