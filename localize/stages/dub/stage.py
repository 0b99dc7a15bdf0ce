"""The dub stage: cast a voice per character, synthesize and retime every rendition."""

from __future__ import annotations

import logging
import re
from typing import Any

from localize.errors import LocalizeError
from localize.model import Episode, Line, Rendition, Track
from localize.registry import create
from localize.stages.base import RunContext
from localize.stages.dub.backend import Synthesizer, VoiceSpec
from localize.stages.dub.casting import cast_voices, load_catalog, read_casting_file, write_casting_file
from localize.stages.dub.retime import Window, fit_take

__all__ = ["DubStage", "line_windows"]

log = logging.getLogger("localize")

PAUSE_SPLIT = 0.8
"""An internal pause at least this long splits the take in two."""
GUARD = 0.05
DEFAULT_SLACK = 0.2
_SPEAKABLE = re.compile(r"\w", re.UNICODE)


def line_windows(lines: list[Line], index: int, duration: float) -> list[Window]:
    """The windows a line's take may fill: one per pause-separated span of its words."""
    line = lines[index]
    earliest = lines[index - 1].end + GUARD if index > 0 else 0.0
    latest = lines[index + 1].start - GUARD if index + 1 < len(lines) else duration
    earliest, latest = min(earliest, line.start), max(latest, line.end)
    spans: list[tuple[float, float]] = []
    for word in line.words or []:
        if spans and word.start - spans[-1][1] < PAUSE_SPLIT:
            spans[-1] = (spans[-1][0], max(spans[-1][1], word.end))
        else:
            spans.append((word.start, word.end))
    if not spans:
        spans = [(line.start, line.end)]
    end_slack = min(DEFAULT_SLACK, max(0.0, latest - spans[-1][1]))
    windows = [Window(start, end, earliest, latest) for start, end in spans]
    last = windows[-1]
    windows[-1] = Window(last.start, last.end + end_slack, last.earliest, last.latest)
    return windows


class DubStage:
    """Synthesize every target language's renditions with a cast voice per speaker."""

    name = "dub"
    version = 1

    def backend_name(self, ctx: RunContext) -> str:
        """Backends come from the voice catalog, per voice."""
        return "catalog"

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Renditions, line timing, speakers, casting and the dub settings."""
        return [
            ctx.config.dub.model_dump(mode="json"),
            read_casting_file(ctx.config.dub.casting_file),
            [(s.id, s.name, s.gender, s.median_f0, s.speech_seconds) for s in episode.speakers],
            [(line.id, line.start, line.end, line.speaker, [(w.start, w.end) for w in line.words]) for line in episode.lines],
            {lang: {k: (r.text, r.candidates) for k, r in track.renditions.items()} for lang, track in episode.tracks.items()},
            episode.source.duration,
        ]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Every take file is still on disk."""
        return all(
            ctx.workdir.resolve(r.take.audio).is_file()
            for track in episode.tracks.values()
            for r in track.renditions.values()
            if r.take
        )

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Cast, then fit a take for every speakable rendition, language by language."""
        casting = read_casting_file(ctx.config.dub.casting_file)
        for name, voices in ctx.config.dub.casting.items():
            casting.setdefault(name, {}).update(voices)
        tracks = dict(episode.tracks)
        for language in ctx.targets:
            track = tracks.get(language) or Track(language=language)
            voices = cast_voices(episode.speakers, language, load_catalog(language, ctx.config.dub.voices_dir), casting)
            episode, tracks[language] = self._dub_track(episode, track, voices, ctx)
            for speaker in episode.speakers:
                if speaker.id in voices:
                    casting.setdefault(speaker.name, {})[language] = voices[speaker.id].id
        if ctx.config.dub.casting_file is not None:
            write_casting_file(ctx.config.dub.casting_file, casting)
        return episode.model_copy(update={"tracks": tracks})

    def _dub_track(self, episode: Episode, track: Track, voices: dict[str, VoiceSpec], ctx: RunContext) -> tuple[Episode, Track]:
        synthesizers: dict[str, Synthesizer] = {}
        lines = sorted(episode.lines, key=lambda line: line.start)
        renditions = dict(track.renditions)
        for index, line in enumerate(lines):
            ctx.hook(self.name, track.language, index, len(lines))
            rendition = renditions.get(line.id)
            if rendition is None or line.speaker not in voices:
                continue
            if not _SPEAKABLE.search(rendition.text):
                episode = ctx.warn(episode, f"{track.language} {line.id}: translation is empty or only punctuation; not dubbed")
                renditions[line.id] = rendition.model_copy(update={"take": None, "flags": sorted({*rendition.flags, "not-dubbed"})})
                continue
            voice = voices[line.speaker]
            synthesizer = synthesizers.get(voice.backend) or create("tts", voice.backend)
            synthesizers[voice.backend] = synthesizer
            renditions[line.id] = self._fit(rendition, synthesizer, voice, lines, index, episode, ctx)
        ctx.hook(self.name, track.language, len(lines), len(lines))
        voice_ids = {speaker: voice.id for speaker, voice in voices.items()}
        return episode, track.model_copy(update={"renditions": renditions, "voices": voice_ids})

    def _fit(
        self, rendition: Rendition, synthesizer: Synthesizer, voice: VoiceSpec, lines: list[Line], index: int, episode: Episode, ctx: RunContext
    ) -> Rendition:
        texts = [rendition.text, *[c for c in rendition.candidates if c != rendition.text]]
        windows = line_windows(lines, index, episode.source.duration)
        last_error: LocalizeError | None = None
        for _attempt in range(2):
            try:
                take = fit_take(synthesizer, voice, texts, windows, ctx.workdir, ctx.config.dub)
                flags = sorted({*(f for f in rendition.flags if f not in ("tts-failed", "not-dubbed")), *take.flags})
                return rendition.model_copy(update={"take": take, "flags": flags})
            except LocalizeError as exc:
                last_error = exc
        log.warning("%s: synthesis failed twice (%s); line flagged", rendition.line_id, last_error.one_line() if last_error else "")
        return rendition.model_copy(update={"take": None, "flags": sorted({*rendition.flags, "tts-failed"})})
