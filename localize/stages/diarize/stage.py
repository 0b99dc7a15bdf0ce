"""The diarize stage: speaker turns, a speaker for every word, speaker profiles and names.

The backend's result is cached by audio, backend and options, so editing the
speakers file or the character file only renames speakers; it never diarizes again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from localize.cache import stable_hash
from localize.media.audio import SPEECH_RATE, write_wav
from localize.model import Episode, Speaker, SpeechTurn, Word
from localize.stages.base import RunContext, Stage
from localize.stages.diarize.backend import Diarization, Diarizer
from localize.stages.diarize.channels import diarize_channels
from localize.stages.diarize.characters import CharacterFile, match_characters
from localize.stages.diarize.gender import estimate_gender
from localize.stages.diarize.profile import median_f0, reference_segments
from localize.stages.diarize.speakers import read_speaker_genders, read_speakers_file, speakers_path, write_speakers_file
from localize.stages.factory import make_backend
from localize.stages.transcribe.words import speech_without_words
from localize.stages.turns import assign_speakers

__all__ = ["DiarizeStage", "speakers_file"]

log = logging.getLogger("localize")

REFERENCE_GAP = 0.25
UNHEARD_SECONDS = 1.0
"""Speech without words shorter than this is not reported (breaths, backchannels, word-timing slack)."""
MAX_LISTED_STRETCHES = 5


def speakers_file(ctx: RunContext) -> Path:
    """The episode's speakers file (see :func:`speakers_path`)."""
    return speakers_path(ctx.config, ctx.workdir.root)


class DiarizeStage(Stage):
    """Run the configured diarizer, then profile and name each speaker."""

    name = "diarize"
    reads = (
        "id",
        "source.fingerprint",
        "source.audio_stream",
        "dialogue_audio",
        "channel_audio",
        "words.*.start",
        "words.*.end",
        "speakers",
    )
    """``speakers``: its own output, read back for the speakers a person made (split off another), which it keeps."""
    writes = ("turns", "speakers")
    settings = ("diarize", "speakers", "allow_downloads", "models_dir")

    def backend_name(self, ctx: RunContext) -> str:
        """The configured diarizer."""
        return ctx.config.diarize.backend

    def external_inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """The names files (renaming re-runs the stage, never the diarizer), minus what this stage itself writes there.

        Identity names and this episode's own voice references come from this stage, so they are left out.
        """
        settings = ctx.config.speakers
        path = speakers_file(ctx)
        given = {key: value for key, value in read_speakers_file(path).items() if key != value}
        genders = read_speaker_genders(path)
        if settings.characters_file is None:
            return [given, genders]
        characters = CharacterFile.read(settings.characters_file).references
        others = {name: {e: v for e, v in refs.items() if e != episode.id} for name, refs in characters.items()}
        return [given, genders, stable_hash(others)]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Reference clips are still on disk."""
        return all(ctx.workdir.resolve(s.reference_clip).is_file() for s in episode.speakers if s.reference_clip)

    @staticmethod
    def _result_key(episode: Episode, ctx: RunContext) -> str:
        """The stored diarization's key: what the backend reads and how it is set, and this stage's code."""
        choice = ctx.config.diarize
        source = episode.source
        heard = (source.fingerprint, source.audio_stream, episode.channel_audio)
        return stable_hash("diarization", ctx.code, *heard, choice.backend, choice.options)

    def _diarize(self, audio: Path, episode: Episode, ctx: RunContext) -> Diarization:
        """The backend's result, from the artifact cache when this audio was diarized with these settings."""
        key = self._result_key(episode, ctx)
        cached = ctx.workdir.read_json(key)
        if isinstance(cached, dict):
            return Diarization(turns=[SpeechTurn.model_validate(t) for t in cached["turns"]], embeddings=cached["embeddings"])
        if episode.channel_audio:  # --channels split: each channel is one talker
            result = diarize_channels([ctx.workdir.resolve(path) for path in episode.channel_audio])
        else:
            backend: Diarizer = make_backend("diarize", ctx.config.diarize, ctx.config)
            result = backend.diarize(audio, ctx.hook)
        ctx.workdir.write_json(key, {"turns": [t.model_dump() for t in result.turns], "embeddings": result.embeddings})
        return result

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Diarize, assign words, build speaker profiles with reference clips, and name the speakers (keeping those a
        person made)."""
        assert episode.dialogue_audio is not None, "ingest runs before diarize"
        audio = ctx.workdir.resolve(episode.dialogue_audio)
        result = self._diarize(audio, episode, ctx)  # on the audio itself: found speech does not wait for words
        words = assign_speakers(episode.words, result.turns)
        episode = self._report_unheard(episode, words, result.turns, ctx)
        speaking = {word.speaker for word in words}
        samples, _ = soundfile.read(audio, dtype="float32")
        speakers = [
            self._profile(speaker_id, samples, result, ctx, episode)
            for speaker_id in dict.fromkeys(t.speaker for t in result.turns)
            if speaker_id in speaking
        ]
        found = {speaker.id for speaker in speakers}
        made = [speaker for speaker in episode.speakers if speaker.origin == "edited" and speaker.id not in found]
        speakers = self._name([*speakers, *made], episode.id, ctx)
        return episode.model_copy(update={"turns": result.turns, "speakers": speakers})

    @staticmethod
    def _report_unheard(episode: Episode, words: list[Word], turns: list[SpeechTurn], ctx: RunContext) -> Episode:
        """Warn about speech the diarizer found that no transcribed word covers (it gets no line, and no dub)."""
        unheard = speech_without_words(words, [(turn.start, turn.end) for turn in turns], UNHEARD_SECONDS)
        if not unheard:
            return episode
        seconds = sum(end - start for start, end in unheard)
        where = ", ".join(f"{start:.1f}-{end:.1f} s" for start, end in unheard[:MAX_LISTED_STRETCHES])
        more = f" and {len(unheard) - MAX_LISTED_STRETCHES} more" if len(unheard) > MAX_LISTED_STRETCHES else ""
        message = (
            f"{seconds:.1f} s of speech got no words ({where}{more}): it has no line and no dub; "
            "check it, or transcribe with a larger Whisper model"
        )
        return ctx.warn(episode, message)

    def _name(self, speakers: list[Speaker], episode_id: str, ctx: RunContext) -> list[Speaker]:
        """Names from the speakers file, else from a voice match in the character file; both files updated. The speakers
        file's genders override the voice's."""
        settings = ctx.config.speakers
        path = speakers_file(ctx)
        given, genders = read_speakers_file(path), read_speaker_genders(path)
        names = {s.id: given[s.id] for s in speakers if given.get(s.id, s.id) != s.id}
        characters = CharacterFile.read(settings.characters_file) if settings.characters_file else None
        if characters is not None:
            unnamed = {s.id: s.embedding for s in speakers if s.id not in names}
            free = {name: voice for name, voice in characters.voices().items() if name not in names.values()}
            for speaker_id, name in match_characters(unnamed, free, settings.match_similarity).items():
                log.info("%s sounds like %s (character file)", speaker_id, name)
                names[speaker_id] = name
        named = [s.model_copy(update={"name": names.get(s.id, s.id), "gender": genders.get(s.id, s.gender)}) for s in speakers]
        write_speakers_file(path, {**given, **{s.id: s.name for s in named}})
        if characters is not None and settings.characters_file is not None:
            for name in dict.fromkeys(s.name for s in named if s.name != s.id):
                vectors = [s.embedding for s in named if s.name == name and s.embedding]
                if vectors:
                    characters.remember(episode_id, name, np.mean(np.asarray(vectors), axis=0).tolist())
            characters.write(settings.characters_file)
        return named

    def _profile(self, speaker_id: str, samples: np.ndarray, result: Diarization, ctx: RunContext, episode: Episode) -> Speaker:
        own = [t for t in result.turns if t.speaker == speaker_id]
        f0 = median_f0(samples, SPEECH_RATE, own)
        embedding = [round(v, 5) for v in result.embeddings.get(speaker_id, [])]
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
            gender=estimate_gender(embedding, f0),
            median_f0=f0,
            speech_seconds=round(sum(t.end - t.start for t in own), 2),
            reference_clip=reference,
            embedding=embedding,
        )
