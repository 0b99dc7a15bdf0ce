"""The diarize stage: speaker turns, a speaker for every word, speaker profiles."""

from __future__ import annotations

from typing import Any

import numpy as np
import soundfile

from localize.media.audio import SPEECH_RATE, write_wav
from localize.model import Episode, Speaker, SpeechTurn, Word
from localize.stages.base import RunContext, make_backend
from localize.stages.diarize.backend import Diarization, Diarizer
from localize.stages.diarize.profile import estimate_gender, median_f0, reference_segments

__all__ = ["DiarizeStage", "assign_speakers"]

REFERENCE_GAP = 0.25


def assign_speakers(words: list[Word], turns: list[SpeechTurn]) -> list[Word]:
    """Give each word the speaker whose turns cover most of it (nearest turn if none)."""
    if not turns:
        return words
    assigned: list[Word] = []
    for word in words:
        cover: dict[str, float] = {}
        for turn in turns:
            shared = min(word.end, turn.end) - max(word.start, turn.start)
            if shared > 0:
                cover[turn.speaker] = cover.get(turn.speaker, 0.0) + shared
        if cover:
            speaker = max(cover, key=lambda s: cover[s])
        else:
            middle = (word.start + word.end) / 2
            speaker = min(turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle))).speaker
        assigned.append(word.model_copy(update={"speaker": speaker}))
    return assigned


class DiarizeStage:
    """Run the configured diarizer, then profile each speaker."""

    name = "diarize"
    version = 1

    def backend_name(self, ctx: RunContext) -> str:
        """The configured diarizer."""
        return ctx.config.diarize.backend

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Audio, words and options."""
        return [
            episode.source.fingerprint,
            episode.source.audio_stream,
            ctx.config.diarize.options,
            [(w.text, w.start, w.end) for w in episode.words],
        ]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Reference clips are still on disk."""
        return all(ctx.workdir.resolve(s.reference_clip).is_file() for s in episode.speakers if s.reference_clip)

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Diarize, assign words, and build speaker profiles with reference clips."""
        assert episode.dialogue_audio is not None, "ingest runs before diarize"
        audio = ctx.workdir.resolve(episode.dialogue_audio)
        if not episode.words:
            return episode.model_copy(update={"turns": [], "speakers": []})
        backend: Diarizer = make_backend("diarize", ctx.config.diarize, ctx.config)
        result: Diarization = backend.diarize(audio, ctx.hook)
        words = assign_speakers(episode.words, result.turns)
        samples, _ = soundfile.read(audio, dtype="float32")
        speakers = [
            self._profile(speaker_id, samples, result, ctx, episode)
            for speaker_id in dict.fromkeys(t.speaker for t in result.turns)
            if any(w.speaker == speaker_id for w in words)
        ]
        return episode.model_copy(update={"turns": result.turns, "words": words, "speakers": speakers})

    def _profile(self, speaker_id: str, samples: np.ndarray, result: Diarization, ctx: RunContext, episode: Episode) -> Speaker:
        own = [t for t in result.turns if t.speaker == speaker_id]
        f0 = median_f0(samples, SPEECH_RATE, own)
        clip_turns = reference_segments(own, result.turns)
        gap = np.zeros(int(REFERENCE_GAP * SPEECH_RATE), dtype=np.float32)
        pieces = [np.concatenate([samples[int(t.start * SPEECH_RATE) : int(t.end * SPEECH_RATE)], gap]) for t in clip_turns]
        reference = None
        if pieces:
            path = ctx.workdir.artifact(episode.source.fingerprint, f".{speaker_id}.reference.wav")
            write_wav(path, np.concatenate(pieces), SPEECH_RATE, subtype="PCM_16")
            reference = ctx.workdir.relative(path)
        return Speaker(
            id=speaker_id,
            name=speaker_id,
            gender=estimate_gender(f0),
            median_f0=f0,
            speech_seconds=round(sum(t.end - t.start for t in own), 2),
            reference_clip=reference,
            extras={"embedding": [round(v, 5) for v in result.embeddings.get(speaker_id, [])]},
        )
