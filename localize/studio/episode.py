"""One episode open in the studio: review changes through the editor, and what needs the pipeline's machinery:
a line re-dubbed now, a line translated again, a live check of a translation being typed, a voice heard, a render."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from localize.cache import WorkDir
from localize.errors import InputError
from localize.glossary.check import check_rendition
from localize.model import Episode, GlossaryHit, Word
from localize.pipeline import resume_context, run_stages
from localize.review import Change, Edit, EpisodeEditor
from localize.review.align import WhisperAligner
from localize.stages.base import RunContext
from localize.stages.dub import DubStage
from localize.stages.dub.casting import find_voice, read_catalog
from localize.stages.dub.retime import Voice
from localize.stages.dub.spoken import spoken_text
from localize.studio.peaks import peaks
from localize.studio.render import RenderState

__all__ = ["FitEstimate", "StudioEpisode", "TextCheck"]

log = logging.getLogger("localize.studio")

Verdict = Literal["fits", "rate", "stretch", "too-long", "too-short", "unknown"]
FIT_SHARE = 0.05
"""A take within 5 % of its window fits as it is."""


@dataclass(frozen=True)
class FitEstimate:
    """Whether a translation will fit its line's window, from the engine's estimate of its length (before synthesis)."""

    seconds: float | None
    window: float
    verdict: Verdict


@dataclass(frozen=True)
class TextCheck:
    """A translation being typed, checked live: glossary, reading speed, fit."""

    hits: list[GlossaryHit]
    cps: float | None
    fit: FitEstimate


class StudioEpisode:
    """The studio's handle on one episode folder; one per folder, shared by every reviewer of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.workdir = WorkDir.at(folder)
        self.render = RenderState()
        self._aligner: WhisperAligner | None = None
        self._aligner_lock = threading.Lock()
        self._snapshot: tuple[tuple[tuple[int, int, int] | None, ...], tuple[RunContext, Episode]] | None = None
        self._snapshot_lock = threading.Lock()

    def warm_up_in_background(self) -> None:
        """Start :meth:`warm_up` in a thread (a failure is logged; the edit that needs the model reports it)."""

        def warm() -> None:
            try:
                self.warm_up()
            except Exception as exc:  # logged only: the reviewer's own request will say what is wrong
                log.warning("warming up the studio of %s failed", self.folder, exc_info=exc)

        threading.Thread(target=warm, name="studio-warm-up", daemon=True).start()

    def warm_up(self) -> None:
        """Load what the first edits need (the alignment model, the voices' engines), so a reviewer does not wait."""
        ctx, episode = self.context()
        if episode.lines and episode.dialogue_audio:
            line = episode.lines[0]
            self._align(line.text, line.start, line.end)
        for language in episode.tracks:
            voices = {voice for line in episode.lines if (voice := DubStage.voice_for(episode, ctx, language, line.speaker))}
            for voice in voices:
                DubStage.synthesizer(voice.backend, ctx, alone=True).estimate_seconds("Hola.", voice)

    def editor(self, who: str) -> EpisodeEditor:
        """An editor acting for ``who`` (sharing the episode's loaded alignment model)."""
        return EpisodeEditor(self.folder, who, self._align)

    def load(self) -> Episode:
        """The episode as saved."""
        episode = self.workdir.load()
        if episode is None:
            raise InputError(f"{self.folder} holds no usable manifest", "run 'localize run' on the episode again")
        return episode

    def context(self) -> tuple[RunContext, Episode]:
        """The context the episode was last run with, and the episode."""
        return resume_context(self.folder)

    def snapshot(self) -> tuple[RunContext, Episode]:
        """:meth:`context` for read-only views, read again only once the manifest or the glossary has changed on disk
        (reading an 800-line manifest takes a few hundred milliseconds). What it returns is shared: never modify it."""
        with self._snapshot_lock:
            if self._snapshot is None or self._snapshot[0] != self._stamp(self._snapshot[1][0]):
                ctx, episode = self.context()
                self._snapshot = (self._stamp(ctx), (ctx, episode))
            return self._snapshot[1]

    def _stamp(self, ctx: RunContext) -> tuple[tuple[int, int, int] | None, ...]:
        """The identity of the files a context was read from (each save replaces the file: a new inode)."""
        files = [self.workdir.manifest_path, *([Path(ctx.glossary.path)] if ctx.glossary and ctx.glossary.path else [])]
        return tuple(_identity(path) for path in files)

    def _align(self, text: str, start: float, end: float) -> list[Word]:
        with self._aligner_lock:
            if self._aligner is None:
                ctx, episode = self.context()
                if episode.dialogue_audio is None:
                    raise InputError(f"episode {episode.id} has no dialogue audio yet", "run 'localize run' on it first")
                self._aligner = WhisperAligner(ctx.config, ctx.workdir.resolve(episode.dialogue_audio), episode.source_language)
            return self._aligner(text, start, end)

    def regenerate(self, who: str, language: str, line_id: str) -> Edit:
        """Re-dub one line now (its current translation, its speaker's voice) and save its take."""
        editor = self.editor(who)
        with editor.locked():
            ctx, episode = self.context()
            old = episode.tracks[language].renditions.get(line_id) if language in episode.tracks else None
            track = DubStage().dub_line(episode, ctx, language, line_id)
            new = track.renditions[line_id]
            self.workdir.save(episode.model_copy(update={"tracks": {**episode.tracks, language: track}}))
            before = old.take.audio if old and old.take else None
            changes = [Change(f"{language} {line_id}", "take", before, new.take.audio if new.take else None)]
            editor.audit("regenerate take", changes)
        return Edit(self.load(), changes)

    def retranslate(self, who: str, language: str, line_id: str, revision: int | None) -> Edit:
        """Hand a line's translation back to the translator and translate it now."""
        editor = self.editor(who)
        handed = editor.revert_to_machine(language, line_id, revision)
        with editor.locked():
            ctx, episode = self.context()
            old = episode.tracks[language].renditions[line_id]
            episode = run_stages(episode, ctx, names=("translate",))
            new = episode.tracks[language].renditions[line_id]
            changes = [Change(f"{language} {line_id}", "text", old.text, new.text)] if new.text != old.text else []
            editor.audit("re-translate", changes)
        return Edit(episode, [*handed.changes, *changes])

    def check_text(self, language: str, line_id: str, text: str) -> TextCheck:
        """Glossary hits, reading speed and fit of ``text`` as the translation of ``line_id`` (nothing is saved)."""
        ctx, episode = self.context()
        line = episode.line(line_id)
        if line is None or language not in episode.tracks:
            raise InputError(f"episode {episode.id} has no {language} line {line_id}", "reload the episode")
        glossary = ctx.glossary
        source = episode.source_language or (glossary.source_language if glossary else "und")
        hits = check_rendition(line.text, text, glossary, source, language) if glossary and text.strip() else []
        cps = round(len(text) / line.duration, 1) if line.duration > 0 else None
        return TextCheck(hits, cps, self._fit(episode, ctx, language, line_id, text))

    def _fit(self, episode: Episode, ctx: RunContext, language: str, line_id: str, text: str) -> FitEstimate:
        line = episode.line(line_id)
        assert line is not None
        config = ctx.config.dub
        spans = DubStage.windows(episode, config).get(line_id, [])
        window = round(sum(w.length for w, _ in spans), 3)
        voice = DubStage.voice_for(episode, ctx, language, line.speaker)
        seconds = None
        if voice is not None and text.strip():
            synthesizer = DubStage.synthesizer(voice.backend, ctx, alone=True)
            seconds = synthesizer.estimate_seconds(spoken_text(text, voice.language), voice)
        if seconds is None or window <= 0:
            return FitEstimate(seconds, window, "unknown")
        ratio = seconds / window
        if abs(ratio - 1) <= FIT_SHARE:
            verdict: Verdict = "fits"
        elif config.min_rate <= ratio <= config.max_rate:
            verdict = "rate"
        elif config.min_rate / config.max_stretch <= ratio <= config.max_rate * config.max_stretch:
            verdict = "stretch"
        else:
            verdict = "too-long" if ratio > 1 else "too-short"
        return FitEstimate(round(seconds, 2), window, verdict)

    def voices(self, language: str) -> list[dict[str, str]]:
        """The catalog's voices for ``language``: id, gender, age."""
        ctx, _ = self.context()
        return [{"id": v.id, "gender": v.gender, "age": v.age} for v in read_catalog(language, ctx.config.dub.voices_dir).voices]

    def preview_voice(self, language: str, voice_id: str, speaker_id: str) -> Path:
        """A clip of ``voice_id`` saying ``speaker_id``'s first translated line in ``language`` (or the catalog sample)."""
        ctx, episode = self.context()
        catalog = read_catalog(language, ctx.config.dub.voices_dir)
        voice = find_voice(catalog.voices, voice_id)
        if voice is None:
            raise InputError(f"'{voice_id}' is not a {language} voice of the catalog", "pick a voice from the list")
        track = episode.tracks.get(language)
        said = [
            track.renditions[line.id].text
            for line in episode.lines
            if track and line.speaker == speaker_id and line.id in track.renditions and track.renditions[line.id].text.strip()
        ]
        text = said[0] if said else catalog.sample or "Hello."
        return Voice(DubStage.synthesizer(voice.backend, ctx, alone=True), voice, self.workdir).say(text, 1.0).path

    def audio(self, which: str) -> Path:
        """The audio the player and the waveform use: ``original`` (the source dialogue) or a language's dub mix."""
        episode = self.load()
        stored = episode.dialogue_audio if which == "original" else (episode.tracks[which].mix if which in episode.tracks else None)
        if not stored or not self.workdir.resolve(stored).is_file():
            raise InputError(f"episode {episode.id} has no {which} audio yet", "render the episode")
        return self.workdir.resolve(stored)

    def peaks(self, which: str) -> np.ndarray:
        """Waveform peaks of :meth:`audio`."""
        return peaks(self.audio(which), self.workdir)


def _identity(path: Path) -> tuple[int, int, int] | None:
    """(inode, size, modification time) of ``path``; None when it is missing."""
    try:
        status = path.stat()
    except OSError:
        return None
    return (status.st_ino, status.st_size, status.st_mtime_ns)
