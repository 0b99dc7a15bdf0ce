"""The dub stage: cast a voice per character, then synthesize and retime every rendition."""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localize.config import BackendChoice, DubConfig
from localize.errors import BackendUnavailable, InputError, LocalizeError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.model import Episode, Line, Rendition, RenditionFlag, Speaker, Take, Track
from localize.registry import backend_class
from localize.stages.base import RunContext, Stage
from localize.stages.diarize.gender import MALE_FEMALE_F0
from localize.stages.dub.backend import Synthesizer, VoiceSpec
from localize.stages.dub.casting import (
    Casting,
    CastingFile,
    Catalog,
    cast_voices,
    casting_report,
    fallback_voice,
    find_voice,
    read_catalog,
    scene_partners,
)
from localize.stages.dub.episode_casting import EPISODE_CASTING_FILE, read_episode_casting
from localize.stages.dub.lipsync import score_lip_sync
from localize.stages.dub.reference import cloning_reference
from localize.stages.dub.retime import Window, fit_take
from localize.stages.dub.voiceprints import catalog_voiceprints
from localize.stages.dub.windows import GUARD, plan_windows, speech_spans
from localize.stages.factory import make_backend

__all__ = ["DubStage", "clone_voice", "resolve_overlaps"]

log = logging.getLogger("localize")

_SPEAKABLE = re.compile(r"[^\W_]", re.UNICODE)
TRIES = 2
"""Attempts per line before a synthesis failure flags it."""
OVERLAP_TOLERANCE = 0.01


@dataclass(frozen=True)
class _Job:
    line: Line
    rendition: Rendition
    voice: VoiceSpec
    fallback: VoiceSpec | None
    texts: list[str]
    spans: list[tuple[Window, float]]


@dataclass
class _Plan:
    """One language's dub as it is built: its casting, its jobs, its renditions so far and the warnings to record."""

    track: Track
    casting: Casting
    remembered: dict[str, str]
    """speaker id -> character name, for the voices the casting file remembers."""
    lines: list[Line]
    renditions: dict[str, Rendition]
    warnings: list[str]
    jobs: list[_Job] = field(default_factory=list)


def clone_voice(speaker: Speaker, backend: str, language: str, reference: Path) -> VoiceSpec:
    """A cloning voice for ``speaker``: its own reference clip, spoken by ``backend``."""
    f0 = speaker.median_f0 or 160.0
    gender = speaker.gender if speaker.gender != "unknown" else ("female" if f0 >= MALE_FEMALE_F0 else "male")
    return VoiceSpec(
        id=f"{backend}:{speaker.name}",
        backend=backend,
        voice="",
        language=language,
        gender=gender,
        pitch_hz=f0,
        reference_audio=str(reference.resolve()),
    )


class DubStage(Stage):
    """Synthesize every target language's renditions with a cast voice per speaker."""

    name = "dub"
    reads = (
        "id",
        "source.duration",
        "source_language",
        *(f"speakers.*.{name}" for name in ("id", "name", "gender", "median_f0", "speech_seconds", "reference_clip", "embedding")),
        *(f"lines.*.{name}" for name in ("id", "start", "end", "speaker", "text", "forced_narrative")),
        "lines.*.words.*.start",
        "lines.*.words.*.end",
        "lines.*.words.*.text",
        "tracks.*.language",
        *(f"tracks.*.renditions.*.{name}" for name in ("line_id", "text", "candidates", "origin")),
        "picture.lines",
        "picture.mouths",
    )
    writes = ("tracks.*.renditions.*.take", "tracks.*.renditions.*.skipped", "tracks.*.voices", "tracks.*.casting")
    settings = ("dub", "allow_downloads", "models_dir")
    context = ("targets", "glossary")

    def backend_name(self, ctx: RunContext) -> str:
        """Backends come from the voice catalog, per voice."""
        return "catalog"

    def external_inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """The voice catalog of each target language (the shipped one unless ``voices_dir`` names another), and the
        episode's own casting choices."""
        catalogs = {language: _catalog_inputs(read_catalog(language, ctx.config.dub.voices_dir)) for language in ctx.targets}
        return [catalogs, read_episode_casting(ctx.workdir.root / EPISODE_CASTING_FILE)]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Every take file is still on disk."""
        return all(
            ctx.workdir.resolve(r.take.audio).is_file() for track in episode.tracks.values() for r in track.renditions.values() if r.take
        )

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Cast every language, then fit a take for every speakable rendition, all languages' lines in one pool."""
        config = ctx.config.dub
        if config.clone_backend:
            availability = backend_class("tts", config.clone_backend).availability()
            if not availability.usable:
                raise BackendUnavailable(f"the voice-cloning backend {config.clone_backend} cannot run here", availability.detail)
        casting_file = CastingFile.read(config.casting_file)
        characters = casting_file.match(episode.speakers)
        partners = scene_partners(episode.lines, config.scene_window)
        plans: dict[str, _Plan] = {}
        for language in ctx.targets:
            voices, remembered = self._cast(episode, language, casting_file, characters, partners, ctx)
            track = episode.tracks.get(language) or Track(language=language)
            plans[language] = self._plan(episode, track, voices, remembered, ctx)
        self._synthesize(plans, ctx)
        tracks = dict(episode.tracks)
        for language, plan in plans.items():
            for message in plan.warnings:
                episode = ctx.warn(episode, message)
            renditions = resolve_overlaps(plan.lines, plan.renditions, config.pause_split)
            if episode.picture is not None:
                renditions = score_lip_sync(renditions, episode.picture, ctx.workdir)
            voice_ids = {speaker: voice.id for speaker, voice in plan.casting.voices.items()}
            ordered = {line.id: renditions[line.id] for line in plan.lines if line.id in renditions}
            update = {"renditions": ordered, "voices": voice_ids, "casting": plan.casting.report}
            tracks[language] = plan.track.model_copy(update=update)
            for speaker in episode.speakers:
                if speaker.id in plan.remembered:
                    casting_file.remember(speaker, plan.remembered[speaker.id], language, plan.casting.voices[speaker.id].id)
        if config.casting_file is not None:
            casting_file.write(config.casting_file)
        return episode.model_copy(update={"tracks": tracks})

    def _cast(
        self,
        episode: Episode,
        language: str,
        casting_file: CastingFile,
        characters: dict[str, str],
        partners: dict[str, set[str]],
        ctx: RunContext,
    ) -> tuple[Casting, dict[str, str]]:
        """The casting for ``language``, and speaker id -> character name for the voices to remember."""
        config = ctx.config.dub
        cloned: dict[str, VoiceSpec] = {}
        problems: list[str] = []
        if config.clone_backend:
            for speaker in episode.speakers:
                if speaker.reference_clip:
                    reference, problem = cloning_reference(ctx.workdir.resolve(speaker.reference_clip), ctx.workdir)
                    if problem:
                        problems.append(f"{speaker.name}: {problem}")
                    cloned[speaker.id] = clone_voice(speaker, config.clone_backend, language, reference)
        remaining = [s for s in episode.speakers if s.id not in cloned]
        names = {s.id: characters.get(s.id) or (s.name if s.name != s.id else f"{episode.id}/{s.id}") for s in remaining}
        episode_choices = read_episode_casting(ctx.workdir.root / EPISODE_CASTING_FILE)
        fixed: dict[str, str] = {}
        for speaker in remaining:
            manual = config.casting.get(speaker.name, {}).get(language) or config.casting.get(names[speaker.id], {}).get(language)
            known = casting_file.characters.get(names[speaker.id])
            chosen = episode_choices.get(speaker.id, {}).get(language) or manual or (known.voices.get(language) if known else None)
            if chosen:
                fixed[speaker.id] = chosen
        catalog = read_catalog(language, config.voices_dir)
        prints = catalog_voiceprints(catalog.voices, catalog.sample or _sample_text(episode, language), lambda b: self.synthesizer(b, ctx))
        casting = cast_voices(remaining, language, catalog.voices, fixed, partners, prints)
        casting.report = casting_report(remaining, casting.voices, prints)
        casting.voices.update(cloned)
        casting.warnings.extend(problems)
        casting.fallbacks = {
            speaker_id: fallback for speaker_id, voice in casting.voices.items() if (fallback := fallback_voice(voice, catalog.voices))
        }
        return casting, names

    def _plan(self, episode: Episode, track: Track, casting: Casting, remembered: dict[str, str], ctx: RunContext) -> _Plan:
        """A language's lines to synthesize, and the renditions left without a take (with why, as warnings)."""
        config = ctx.config.dub
        voices = casting.voices
        lines = sorted(episode.lines, key=lambda line: line.start)
        windows = self.windows(episode, config)
        plan = _Plan(track, casting, remembered, lines, dict(track.renditions), [f"{track.language}: {m}" for m in casting.warnings])
        for line in lines:
            rendition = plan.renditions.get(line.id)
            if rendition is None:
                plan.warnings.append(f"{track.language} {line.id}: no translation; not dubbed")
                continue
            rendition = rendition.model_copy(update={"take": None, "skipped": None})
            skip = self._skip_reason(line, rendition, voices, config.dub_forced_narrative)
            if skip is not None:
                flag, message = skip
                if message:
                    plan.warnings.append(f"{track.language} {line.id}: {message}")
                plan.renditions[line.id] = _flagged(rendition, flag)
                continue
            texts = self._texts(line, rendition, episode, ctx, track.language)
            fallback = casting.fallbacks.get(line.speaker)
            plan.jobs.append(_Job(line, rendition, voices[line.speaker], fallback, texts, windows[line.id]))
        return plan

    def _synthesize(self, plans: dict[str, _Plan], ctx: RunContext) -> None:
        """Fit every job of every language in one pool of ``dub.workers``, so no worker waits while a language ends."""
        jobs = [(language, job) for language, plan in plans.items() for job in plan.jobs]
        backends = {job.voice.backend for _, job in jobs} | {job.fallback.backend for _, job in jobs if job.fallback}
        synthesizers = {backend: self.synthesizer(backend, ctx) for backend in backends}
        done = dict.fromkeys(plans, 0)
        with ThreadPoolExecutor(max_workers=ctx.config.dub.workers, thread_name_prefix="dub") as pool:
            futures: dict[Future[tuple[Take | None, str]], tuple[str, _Job]] = {
                pool.submit(self._fit, job, synthesizers, ctx): (language, job) for language, job in jobs
            }
            for future in as_completed(futures):
                language, job = futures[future]
                plan = plans[language]
                take, problem = future.result()
                if take is None:
                    plan.warnings.append(f"{language} {job.line.id}: synthesis failed {TRIES} times ({problem}); line flagged")
                    plan.renditions[job.line.id] = _flagged(job.rendition, RenditionFlag.TTS_FAILED)
                else:
                    if problem:
                        plan.warnings.append(f"{language} {job.line.id}: {job.voice.id} failed ({problem}); spoken by {take.voice}")
                    plan.renditions[job.line.id] = job.rendition.model_copy(update={"take": take})
                done[language] += 1
                ctx.hook(self.name, language, done[language], len(plan.jobs))

    @staticmethod
    def windows(episode: Episode, config: DubConfig) -> dict[str, list[tuple[Window, float]]]:
        """line id -> the windows its take is fitted to (against the picture, when it was seen)."""
        lines = sorted(episode.lines, key=lambda line: line.start)
        return plan_windows(lines, episode.source.duration, config, episode.picture.lines if episode.picture else {})

    @staticmethod
    def voice_for(episode: Episode, ctx: RunContext, language: str, speaker_id: str) -> VoiceSpec | None:
        """The catalog voice ``speaker_id`` speaks ``language`` with: the episode's casting choice, else the one it was
        cast last (None before it was cast)."""
        track = episode.tracks.get(language)
        chosen = read_episode_casting(ctx.workdir.root / EPISODE_CASTING_FILE).get(speaker_id, {}).get(language)
        voice_id = chosen or (track.voices.get(speaker_id) if track else None)
        return find_voice(read_catalog(language, ctx.config.dub.voices_dir).voices, voice_id) if voice_id else None

    def dub_line(self, episode: Episode, ctx: RunContext, language: str, line_id: str) -> Track:
        """``language``'s track with one line's take made now, as a run would make it (for a reviewer to hear at once):
        the speaker's voice (the episode's casting choice, else the one it was cast) and its espeak-ng fallback, the
        line's window among the others, the same fitting ladder; overlaps with its neighbours resolved again, moved
        takes' lip sync scored."""
        config = ctx.config.dub
        track, line = episode.tracks.get(language), episode.line(line_id)
        rendition = track.renditions.get(line_id) if track and line else None
        if track is None or line is None or rendition is None:
            raise InputError(f"episode {episode.id} has no {language} translation of {line_id}", "render the episode first")
        voice = self.voice_for(episode, ctx, language, line.speaker)
        if voice is None:
            raise InputError(f"{line.speaker} has no {language} voice yet", "render the episode first (it casts the new speaker)")
        lines = sorted(episode.lines, key=lambda item: item.start)
        rendition = rendition.model_copy(update={"take": None, "skipped": None})
        skip = self._skip_reason(line, rendition, {line.speaker: voice}, config.dub_forced_narrative)
        if skip is not None:
            done = _flagged(rendition, skip[0])
        else:
            fallback = fallback_voice(voice, read_catalog(language, config.voices_dir).voices)
            texts = self._texts(line, rendition, episode, ctx, language)
            job = _Job(line, rendition, voice, fallback, texts, self.windows(episode, config)[line.id])
            backends = {voice.backend} | ({fallback.backend} if fallback else set())
            take, problem = self._fit(job, {backend: self.synthesizer(backend, ctx, alone=True) for backend in backends}, ctx)
            if take is None:
                raise BackendUnavailable(f"{language} {line_id}: synthesis failed ({problem})", "try another voice for the speaker")
            done = rendition.model_copy(update={"take": take})
        renditions = resolve_overlaps(lines, {**track.renditions, line_id: done}, config.pause_split)
        if episode.picture is not None:
            moved = {key: value for key, value in renditions.items() if value != track.renditions.get(key)}
            renditions = {**renditions, **score_lip_sync(moved, episode.picture, ctx.workdir)}
        return track.model_copy(update={"renditions": renditions})

    @staticmethod
    def _skip_reason(line: Line, rendition: Rendition, voices: dict[str, VoiceSpec], dub_forced: bool) -> tuple[RenditionFlag, str] | None:
        """(flag, warning) for a line that is not dubbed; an empty warning means skip quietly."""
        if line.forced_narrative and not dub_forced:
            return RenditionFlag.FORCED_NARRATIVE, ""
        if not _SPEAKABLE.search(rendition.text):
            return RenditionFlag.NOT_DUBBED, "translation is empty or only punctuation; not dubbed"
        if line.speaker not in voices:
            return RenditionFlag.NO_VOICE, f"speaker {line.speaker} has no voice; not dubbed"
        return None

    @staticmethod
    def _texts(line: Line, rendition: Rendition, episode: Episode, ctx: RunContext, language: str) -> list[str]:
        """The translation, then its shorter machine candidates that honour the glossary at least as well."""
        texts = [rendition.text]
        if rendition.origin != "machine":
            return texts
        glossary = ctx.glossary
        source = episode.source_language or (glossary.source_language if glossary else "und")

        def violations(text: str) -> int:
            if glossary is None:
                return 0
            return sum(hit.status in VIOLATIONS for hit in check_rendition(line.text, text, glossary, source, language))

        baseline: int | None = None
        for candidate in rendition.candidates:
            if candidate in texts or len(candidate) >= len(rendition.text) or not _SPEAKABLE.search(candidate):
                continue
            baseline = violations(rendition.text) if baseline is None else baseline
            if violations(candidate) <= baseline:
                texts.append(candidate)
        return texts

    @staticmethod
    def synthesizer(backend: str, ctx: RunContext, alone: bool = False) -> Synthesizer:
        """The TTS engine ``backend`` with the configured options; with ``alone``, set to speak a single line on all
        of the machine's cores (a reviewer's line, nothing else synthesising)."""
        options = ctx.config.dub.backend_options.get(backend, {})
        synthesizer: Synthesizer = make_backend("tts", BackendChoice(backend=backend, options=options), ctx.config)
        return synthesizer.on_cores(os.cpu_count() or 1) if alone else synthesizer

    @staticmethod
    def _fit(job: _Job, synthesizers: dict[str, Synthesizer], ctx: RunContext) -> tuple[Take | None, str]:
        """The fitted take and, when the cast voice failed on every try, why: the take is then the espeak-ng fallback
        voice's (flagged), or None when that failed too."""
        problem = ""
        for attempt in range(1, TRIES + 1):
            try:
                return fit_take(synthesizers[job.voice.backend], job.voice, job.texts, job.spans, ctx.workdir, ctx.config.dub), ""
            except LocalizeError as exc:
                problem = exc.one_line()
                log.info("%s: synthesis attempt %d failed: %s", job.line.id, attempt, problem)
        if job.fallback is None:
            return None, problem
        try:
            take = fit_take(synthesizers[job.fallback.backend], job.fallback, job.texts, job.spans, ctx.workdir, ctx.config.dub)
        except LocalizeError as exc:
            log.info("%s: the fallback voice %s failed too: %s", job.line.id, job.fallback.id, exc.one_line())
            return None, problem
        return take.model_copy(update={"flags": sorted({*take.flags, RenditionFlag.FALLBACK_VOICE})}), problem


SAMPLE_CHARACTERS = 200
"""Length of the sample a catalog without its own is heard speaking (the track's first lines)."""


def _sample_text(episode: Episode, language: str) -> str:
    """The first translated lines of ``language``, about SAMPLE_CHARACTERS long: a sample for the voiceprints."""
    track = episode.tracks.get(language)
    texts = [r.text for r in (track.renditions.values() if track else []) if _SPEAKABLE.search(r.text)]
    sample = ""
    for text in texts:
        if len(sample) >= SAMPLE_CHARACTERS:
            break
        sample = f"{sample} {text}".strip()
    return sample


def _catalog_inputs(catalog: Catalog) -> list[Any]:
    return [[v.model_dump(mode="json") for v in catalog.voices], catalog.sample]


def _flagged(rendition: Rendition, flag: RenditionFlag) -> Rendition:
    return rendition.model_copy(update={"take": None, "skipped": flag})


def resolve_overlaps(lines: list[Line], renditions: dict[str, Rendition], pause_split: float) -> dict[str, Rendition]:
    """Record, per take, how far it runs into a later take beyond what the source lines overlap.

    A take that would run into the next one starts earlier instead, as far as the silence after the takes
    before it allows (flagged ``early``): an early onset is a smaller fault than two voices at once.
    """
    speech = {line.id: (spans[0].start, spans[-1].end) for line in lines for spans in (speech_spans(line, pause_split),)}
    placed = sorted(
        ((r.take.start, r.take.start + r.take.duration, line_id) for line_id, r in renditions.items() if r.take is not None),
    )
    updated = dict(renditions)
    previous_end = -GUARD
    for index, (start, end, line_id) in enumerate(placed):
        excess = 0.0
        for other_start, _, other_id in placed[index + 1 :]:
            if other_start >= end:
                break
            source_overlap = max(0.0, speech[line_id][1] - speech[other_id][0])
            excess = max(excess, end - other_start - source_overlap)
        rendition = updated[line_id]
        assert rendition.take is not None
        flags = set(rendition.take.flags)
        shift = min(excess, start - previous_end - GUARD) if excess > OVERLAP_TOLERANCE else 0.0
        if shift > 0:
            start, end, excess = start - shift, end - shift, excess - shift
            flags.add(RenditionFlag.EARLY)
        if excess > OVERLAP_TOLERANCE:
            flags.add(RenditionFlag.OVERLAP)
        previous_end = max(previous_end, end)
        update = {"start": round(start, 3), "overlap": round(max(0.0, excess), 3), "flags": sorted(flags)}
        updated[line_id] = rendition.model_copy(update={"take": rendition.take.model_copy(update=update)})
    return updated
