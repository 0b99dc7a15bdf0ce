"""The package stage: deliverables assembled in a staging folder, then moved into place.

``OUT/<episode>/manifest.json`` is removed first; the pipeline publishes it after
recording this stage, so a folder without it is an unfinished package, never one
that only looks complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localize.cache import sha256_file, stable_hash
from localize.errors import OutputError
from localize.glossary import Glossary, write_glossary_report
from localize.keys import key_value
from localize.languages import display_name
from localize.media.mux import AudioTrack, MasterFormat, SubtitleTrack, encode_aac, mux_master
from localize.media.scenes import detect_shot_changes
from localize.model import Deliverable, Episode, PackageResult, Track
from localize.package.cues import Cue
from localize.package.proxy import ProxyJob, write_review_proxies
from localize.package.stems import write_me_stem
from localize.package.subtitles import subtitle_format, write_subtitles
from localize.package.timing import DEFAULT_FRAME_RATE, Variant, build_cues
from localize.package.validate import check_subtitle_file
from localize.qc import QC_PAGE, assess, write_qc_page
from localize.rules import SubtitleRules
from localize.script import write_dubbing_script
from localize.stages.base import RunContext, Stage

__all__ = ["PackageStage"]

WAV_FORMAT = "wav-pcm24-48k"
MASTER_FORMATS = {"mkv": "matroska", "mp4": "mp4"}
WORKERS = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))
"""Media jobs (stems, encodes, proxies, masters) run at once; each is mostly one ffmpeg process or numpy on one core."""
MAX_LISTED_VIOLATIONS = 50
"""Violations written out per subtitle file in the manifest (all of them are counted, and listed on the QC page)."""


class PackageStage(Stage):
    """Write the master, subtitles, stems, reports and the manifest.

    What costs time is cached by content in the work directory (shot changes per source, each dub's AAC encode,
    each review proxy, each M&E stem), so a change to one language re-renders only that language's media.
    """

    name = "package"
    reads = ("id", "source", "source_language", "dialogue_audio", "speakers", "lines", "tracks", "picture")
    writes = ("deliverables", "package")
    settings = ("package", "mix")
    context = ("targets", "glossary")

    def backend_name(self, ctx: RunContext) -> str:
        """Packaging is built in (ffmpeg for the master)."""
        return "masters.v2"

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Every deliverable is still there, unchanged in size."""
        root = ctx.workdir.root
        return ctx.workdir.published_manifest.is_file() and all(
            (root / d.path).is_file() and (root / d.path).stat().st_size == d.bytes for d in episode.deliverables
        )

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Assemble in staging, then move into the episode folder."""
        workdir = ctx.workdir
        staging = workdir.state / "staging"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        workdir.published_manifest.unlink(missing_ok=True)
        fps = episode.source.frame_rate or DEFAULT_FRAME_RATE
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="package") as pool:
            media = {language: _DubMedia.start(episode.tracks[language], pool, ctx) for language in ctx.targets}
            shots = _shot_changes(episode, ctx) if episode.source.has_video else []
            episode = episode.model_copy(update={"package": PackageResult(shot_changes=shots, frame_rate=fps)})
            deliverables = self._stage_files(episode, ctx, staging, shots, fps, pool, media)
        deliverables.append(self._stage_qc(episode, ctx, staging, deliverables, shots, fps))
        _move_into_place(staging, workdir.root, {item.path.split("/")[0] for item in deliverables})
        return episode.model_copy(update={"deliverables": deliverables})

    def _stage_qc(
        self, episode: Episode, ctx: RunContext, staging: Path, deliverables: list[Deliverable], shots: list[float], fps: float
    ) -> Deliverable:
        """Check what was staged and write the QC page beside it (decoding the masters is left to ``localize qc``)."""
        ctx.hook(self.name, "qc", len(ctx.targets), len(ctx.targets))
        report = assess(episode, staging, deliverables, ctx.config, shots, fps)
        page = staging / QC_PAGE
        write_qc_page(report, episode, staging, ctx.config, page)
        figures = {"passed": report.passed, "failed": [f"{check.name} {check.subject}" for check in report.failed]}
        return _deliverable(staging, page, "qc-report", None, "html", None, figures)

    def _stage_files(
        self,
        episode: Episode,
        ctx: RunContext,
        staging: Path,
        shots: list[float],
        fps: float,
        pool: ThreadPoolExecutor,
        media: dict[str, _DubMedia | None],
    ) -> list[Deliverable]:
        """Stage every file: text work here, media work (the encodes and stems under way, proxies, masters) in ``pool``."""
        settings = ctx.config.package
        duration = episode.source.duration
        made: list[Deliverable | Future[Deliverable] | None] = []
        subtitles: list[SubtitleTrack] = []
        dubs: list[_Dub] = []
        for index, language in enumerate(ctx.targets):
            ctx.hook(self.name, language, index, len(ctx.targets))
            track = episode.tracks[language]
            folder = staging / language
            folder.mkdir()
            stem = f"{episode.id}.{language}"
            written, cues = self._stage_subtitles(episode, track, ctx, folder, stem, shots, fps, subtitles)
            made.extend(written)
            dub_media = media[language]
            if dub_media is not None:
                mix, dialogue = folder / f"{stem}.dub-mix.wav", folder / f"{stem}.dialogue-stem.wav"
                _link_or_copy(dub_media.mix, mix)
                _link_or_copy(dub_media.dialogue, dialogue)
                figures = {**track.loudness, **_take_fit(track)}
                made.append(pool.submit(_deliverable, staging, mix, "dub-mix", language, WAV_FORMAT, duration, figures))
                made.append(pool.submit(_deliverable, staging, dialogue, "dialogue-stem", language, WAV_FORMAT, duration))
                dubs.append(_Dub(language, mix, dub_media, cues, folder / f"{stem}.me.wav", folder / f"{stem}.review.mp4", len(made)))
                made.append(None)  # the M&E stem's place, filled once the stem is made
            for suffix in (".csv", ".xlsx"):
                path = folder / f"{stem}.script{suffix}"
                write_dubbing_script(episode, language, path)
                made.append(_deliverable(staging, path, "dubbing-script", language, suffix[1:]))
            if ctx.glossary is not None:
                for path in _glossary_report(episode, ctx.glossary, language, folder, ctx):
                    made.append(_deliverable(staging, path, "glossary-report", language, path.suffix[1:]))
        for dub in dubs:
            _link_or_copy(dub.media.bed.result(), dub.bed)
            made[dub.bed_slot] = pool.submit(_deliverable, staging, dub.bed, "me-stem", dub.language, WAV_FORMAT, duration)
        audio = [AudioTrack(dub.mix, dub.language, f"{display_name(dub.language)} (dubbed)", dub.media.encoded.result()) for dub in dubs]
        proxies: list[ProxyJob] = []
        if settings.review_proxy and episode.source.has_video:
            proxies = [ProxyJob(dub.media.encoded.result(), dub.cues, f"{display_name(dub.language)} dub", dub.proxy) for dub in dubs]
        ctx.hook(self.name, "review proxies", len(ctx.targets), len(ctx.targets))
        rendered = pool.submit(_review_proxies, episode, proxies, fps, ctx)
        ctx.hook(self.name, "masters", len(ctx.targets), len(ctx.targets))
        masters = [pool.submit(_staged_master, episode, audio, subtitles, staging, fmt) for fmt in settings.masters]
        rendered.result()
        for job in proxies:
            made.append(pool.submit(_deliverable, staging, job.out, "review-proxy", job.out.parent.name, "mp4", duration))
        made.extend(masters)
        return [item.result() if isinstance(item, Future) else item for item in made if item is not None]

    @staticmethod
    def _stage_subtitles(
        episode: Episode,
        track: Track,
        ctx: RunContext,
        folder: Path,
        stem: str,
        shots: list[float],
        fps: float,
        subtitles: list[SubtitleTrack],
    ) -> tuple[list[Deliverable], list[Cue]]:
        """Write a language's subtitle files (plain, SDH, forced; SRT, VTT, TTML) and add the master's tracks to
        ``subtitles``; return the files and the plain cues (what a review proxy burns in)."""
        settings = ctx.config.package
        language = track.language
        rules = settings.rules_for(language)
        variants = [("", Variant())]
        if settings.sdh:
            variants.append((".sdh", Variant(sdh=True)))
        cues_by_variant = {label: build_cues(episode, track, rules, shots, variant) for label, variant in variants}
        forced = build_cues(episode, track, rules, shots, Variant(forced_only=True))
        if forced:
            cues_by_variant[".forced"] = forced
        staging = folder.parent
        made: list[Deliverable] = []
        for label, cues in cues_by_variant.items():
            for suffix in (".srt", ".vtt", ".ttml"):
                path = folder / f"{stem}{label}{suffix}"
                write_subtitles(cues, path, language, fps, forced=label == ".forced")
                end = cues[-1].end if cues else 0.0
                figures = _subtitle_figures(path, rules, language, fps, shots)
                made.append(_deliverable(staging, path, "subtitles", language, subtitle_format(path), end, figures))
        if cues_by_variant[""]:  # an empty subtitle stream cannot be muxed (silent programme)
            subtitles.append(SubtitleTrack(folder / f"{stem}.srt", language, display_name(language)))
        if cues_by_variant.get(".sdh"):
            title = f"{display_name(language)} (SDH)"
            subtitles.append(SubtitleTrack(folder / f"{stem}.sdh.srt", language, title, hearing_impaired=True))
        if ".forced" in cues_by_variant:
            title = f"{display_name(language)} (forced)"
            subtitles.append(SubtitleTrack(folder / f"{stem}.forced.srt", language, title, forced=True))
        return made, cues_by_variant[""]


@dataclass(frozen=True)
class _DubMedia:
    """A language's dub mix and dialogue stem, and the media made from them in the pool: its AAC encode, its M&E stem."""

    mix: Path
    dialogue: Path
    encoded: Future[Path]
    bed: Future[Path]

    @classmethod
    def start(cls, track: Track, pool: ThreadPoolExecutor, ctx: RunContext) -> _DubMedia | None:
        """Start encoding and stem-making for ``track`` (None when it has no mix)."""
        if not (track.mix and track.dialogue_stem):
            return None
        mix, dialogue = ctx.workdir.resolve(track.mix), ctx.workdir.resolve(track.dialogue_stem)
        return cls(mix, dialogue, pool.submit(_encoded, mix, ctx), pool.submit(_me_stem, mix, dialogue, ctx))


@dataclass(frozen=True)
class _Dub:
    """A language's dub as staged: its media, its plain cues (what its proxy burns in), where its M&E stem and proxy go."""

    language: str
    mix: Path
    media: _DubMedia
    cues: list[Cue]
    bed: Path
    proxy: Path
    bed_slot: int
    """Where the M&E stem's deliverable goes in the list (after the mix and the dialogue stem)."""


def _staged_master(
    episode: Episode, audio: list[AudioTrack], subtitles: list[SubtitleTrack], staging: Path, fmt: MasterFormat
) -> Deliverable:
    """A master muxed and staged: the source's picture and original sound, a dub and subtitles per language."""
    source_language = episode.source_language or "und"
    original_title = f"{display_name(source_language)} (original)" if episode.source_language else "Original"
    stream = episode.source.audio_streams[episode.source.audio_stream or 0]
    master = staging / f"{episode.id}.{fmt}"
    mux_master(Path(episode.source.path), stream, source_language, original_title, audio, subtitles, master, fmt)
    return _deliverable(staging, master, "master", None, MASTER_FORMATS[fmt], episode.source.duration)


def _deliverable(
    staging: Path,
    path: Path,
    kind: str,
    language: str | None,
    fmt: str,
    duration: float | None = None,
    figures: dict[str, Any] | None = None,
) -> Deliverable:
    """Describe a staged file by its path relative to the package folder."""
    return Deliverable(
        path=path.relative_to(staging).as_posix(),
        kind=kind,
        language=language,
        sha256=sha256_file(path),
        bytes=path.stat().st_size,
        format=fmt,
        duration=round(duration, 3) if duration is not None else None,
        figures=dict(figures or {}),
    )


def _subtitle_figures(path: Path, rules: SubtitleRules, language: str, fps: float, shots: list[float]) -> dict[str, Any]:
    """Read a written subtitle file back and validate it: events, fastest reading speed, violations."""
    result = check_subtitle_file(path, rules, language, fps, shots)
    return {
        "events": result.events,
        "max_cps": round(result.max_cps, 2),
        "max_cps_allowed": rules.max_cps,
        "violations": len(result.violations),
        "violation_list": [violation.describe(fps) for violation in result.violations[:MAX_LISTED_VIOLATIONS]],
    }


def _take_fit(track: Track) -> dict[str, Any]:
    """Timing figures of a language's takes: how far each runs past (or short of) its window, and how it was retimed."""
    takes = [r.take for r in track.renditions.values() if r.take is not None]
    if not takes:
        return {"takes": 0}
    errors = [abs(take.duration_error) for take in takes]
    steps: dict[str, int] = {}
    for take in takes:
        steps[take.ladder_step] = steps.get(take.ladder_step, 0) + 1
    return {
        "takes": len(takes),
        "mean_abs_error_s": round(sum(errors) / len(errors), 3),
        "max_abs_error_s": round(max(errors), 3),
        "max_overlap_s": round(max(take.overlap for take in takes), 3),
        "ladder_steps": steps,
    }


def _shot_changes(episode: Episode, ctx: RunContext) -> list[float]:
    """Shot changes of the source, detected once per source and threshold."""
    threshold = ctx.config.package.scene_threshold
    key = stable_hash("shot-changes", ctx.code, episode.source.fingerprint, threshold)
    cached = ctx.workdir.read_json(key)
    if isinstance(cached, list):
        return [float(seconds) for seconds in cached]
    shots = detect_shot_changes(Path(episode.source.path), threshold)
    ctx.workdir.write_json(key, shots)
    return shots


def _glossary_report(episode: Episode, glossary: Glossary, language: str, folder: Path, ctx: RunContext) -> tuple[Path, ...]:
    """The language's glossary report (HTML and JSON), written once per content of what it shows."""
    track = episode.tracks[language]
    shown = (
        episode.id,
        episode.source.frame_rate,
        episode.source_language,
        episode.dialogue_audio,
        [(s.id, s.name) for s in episode.speakers],
        [line.model_dump(mode="json", exclude={"words"}) for line in episode.lines],
        {line_id: r.model_dump(mode="json", exclude={"take", "skipped"}) for line_id, r in track.renditions.items()},
        track.dialogue_stem,
        key_value(glossary.without_location()),
    )
    key = stable_hash("glossary-report", ctx.code, language, shown)
    cached = (ctx.workdir.artifact(key, ".report.html"), ctx.workdir.artifact(key, ".report.json"))
    if not all(path.is_file() for path in cached):
        cached[0].parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cached[0].parent) as scratch:
            written = write_glossary_report(episode, glossary, language, Path(scratch), ctx.workdir)
            for made, path in zip(written, cached, strict=True):
                os.replace(made, path)
    names = (f"glossary-report.{language}.html", f"glossary-report.{language}.json")
    for path, name in zip(cached, names, strict=True):
        _link_or_copy(path, folder / name)
    return tuple(folder / name for name in names)


def _encoded(mix: Path, ctx: RunContext) -> Path:
    """A dub mix encoded as AAC once (for the MP4 master and the proxy), cached by the mix's content-addressed name."""
    out = ctx.workdir.artifact(stable_hash("aac", ctx.code, mix.name), ".m4a")
    if not out.is_file():
        encode_aac(mix, out)
    return out


def _me_stem(mix: Path, dialogue: Path, ctx: RunContext) -> Path:
    """The bed under a dub (mix less dialogue), made once per mix."""
    out = ctx.workdir.artifact(stable_hash("me-stem", ctx.code, mix.name, dialogue.name), ".me.wav")
    if not out.is_file():
        write_me_stem(mix, dialogue, out)
    return out


def _review_proxies(episode: Episode, jobs: list[ProxyJob], fps: float, ctx: RunContext) -> None:
    """Each proxy rendered once per picture, sound, subtitles and label; the rest come from the cache."""
    height = ctx.config.package.proxy_height
    cached: dict[Path, Path] = {}
    for job in jobs:
        shown = [(cue.start, cue.end, cue.lines) for cue in job.cues]  # what is burned in (not who speaks)
        key = stable_hash("proxy", ctx.code, episode.source.fingerprint, job.audio.name, shown, job.label, fps, height)
        cached[job.out] = ctx.workdir.artifact(key, ".review.mp4")
    pending = [ProxyJob(job.audio, job.cues, job.label, cached[job.out]) for job in jobs if not cached[job.out].is_file()]
    size = (episode.source.width or 16, episode.source.height or 9)
    write_review_proxies(Path(episode.source.path), pending, fps, size, height)
    for job in jobs:
        _link_or_copy(cached[job.out], job.out)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _move_into_place(staging: Path, root: Path, entries: set[str]) -> None:
    """Replace each top-level entry of ``root`` with the staged one (rename, so each swap is atomic)."""
    try:
        for entry in sorted(entries):
            target = root / entry
            staged = staging / entry
            if target.is_dir() and staged.is_dir():
                old = staging.parent / f"old-{entry}"
                shutil.rmtree(old, ignore_errors=True)
                os.replace(target, old)
                os.replace(staged, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staged, target)
        shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"cannot move deliverables into {root}: {exc.strerror}", "check free space and permissions") from exc
