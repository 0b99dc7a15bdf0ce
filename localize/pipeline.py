"""Run the stages in order, skipping those whose cache key and outputs are unchanged."""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from localize.cache import WorkDir, stable_hash
from localize.config import Config
from localize.errors import InputError
from localize.languages import normalize_tag
from localize.media.probe import probe
from localize.model import Episode, RunSettings, StageRecord, Track
from localize.progress import ProgressHook, silent_hook
from localize.resident import release_models
from localize.stages import STAGE_NAMES, stages
from localize.stages.access import extract, path_tree
from localize.stages.base import RunContext, Stage, run_stage, stage_key

__all__ = ["RunRequest", "episode_id", "open_episode", "prepare_run", "resume_context", "run", "run_stages"]

log = logging.getLogger("localize")

ME_SUFFIXES = (".me.flac", ".me.wav")
_MAX_ID_CHARS = 120


@dataclass(frozen=True)
class RunRequest:
    """One episode to localize."""

    source: Path
    out: Path
    targets: list[str]
    glossary: Path | None = None
    me_stem: Path | None = None
    name: str | None = None


def _plain_latin(char: str) -> str:
    """An accented Latin letter without its accents; any other character as it is."""
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    return base if base.isascii() and base.isalpha() else char


def episode_id(source: Path, name: str | None) -> str:
    """The episode's folder name: ``name`` or the file's stem with accented Latin letters made plain (é -> e, ñ -> n),
    every other letter and digit kept (ß, й, 東), every other run of characters one ``-``; 120 characters at most."""
    raw = name or source.stem
    slug = re.sub(r"[^\w.-]+", "-", "".join(map(_plain_latin, unicodedata.normalize("NFC", raw))))[:_MAX_ID_CHARS].strip("-._")
    if not slug:
        raise InputError(f"cannot make an episode name from '{raw[:80]}'", "pass --name")
    return slug


def _find_me_stem(source: Path, explicit: Path | None) -> Path | None:
    if explicit is not None:
        probe(explicit)
        return explicit.resolve()
    for suffix in ME_SUFFIXES:
        candidate = source.with_name(source.name.rsplit(".", 1)[0] + suffix)
        if candidate.is_file():
            log.info("using the M&E stem %s", candidate)
            probe(candidate)
            return candidate.resolve()
    return None


def open_episode(request: RunRequest, config: Config) -> tuple[WorkDir, Episode]:
    """Probe the source and load (or start) its episode in the work directory."""
    info = probe(request.source)
    me_stem = _find_me_stem(request.source, request.me_stem)
    workdir = WorkDir(request.out, episode_id(request.source, request.name))
    workdir.prepare()
    existing = workdir.load()
    if existing is not None and existing.source.fingerprint == info.fingerprint:
        measured = {"audio_stream": existing.source.audio_stream, "decoded_duration": existing.source.decoded_duration}
        return workdir, existing.model_copy(update={"source": info.model_copy(update=measured), "me_stem": me_stem})
    source_language = normalize_tag(config.source_language) if config.source_language else None
    episode = Episode(id=workdir.root.name, source=info, me_stem=me_stem, source_language=source_language)
    kept = _human_tracks(existing) if existing is not None else {}
    if kept:
        count = sum(len(track.renditions) for track in kept.values())
        log.warning("the source media changed: starting the episode over, keeping %d edited or approved renditions", count)
        episode = episode.model_copy(update={"tracks": kept})
    return workdir, episode


def _human_tracks(episode: Episode) -> dict[str, Track]:
    """Each track reduced to its edited and approved renditions (without takes): what a person did is never dropped."""
    tracks: dict[str, Track] = {}
    for language, track in episode.tracks.items():
        renditions = {
            line_id: rendition.model_copy(update={"take": None, "skipped": None})
            for line_id, rendition in track.renditions.items()
            if rendition.origin != "machine"
        }
        if renditions:
            tracks[language] = Track(language=language, renditions=renditions)
    return tracks


def _output_digest(stage: Stage, episode: Episode) -> str:
    """What the stage's declared writes hold now: a stage whose output was changed since it ran runs again."""
    return stable_hash(extract(episode, path_tree(stage.writes)))


def run_stages(episode: Episode, ctx: RunContext, names: tuple[str, ...] = STAGE_NAMES, force: bool = False) -> Episode:
    """Run the named stages in order, saving the manifest after each one.

    A stage is skipped when what it reads (its key) and what it wrote are as it left them and its files
    are on disk. The key is taken after the stage ran, so a stage that reads back what it writes (human
    edits it must keep) is not redone for its own output. The models a stage loaded are released when it
    ends, so the run's memory peaks at its largest stage.
    """
    for stage in stages():
        if stage.name not in names:
            continue
        started = time.perf_counter()
        record = episode.stages.get(stage.name)
        hit = (
            not force
            and record is not None
            and record.key == stage_key(stage, episode, ctx)
            and record.output == _output_digest(stage, episode)
            and stage.outputs_present(episode, ctx)
        )
        if hit:
            ctx.hook(stage.name, "cached", 1, 1)
        else:
            episode = run_stage(stage, episode, ctx)
            release_models()
        record = StageRecord(
            stage=stage.name,
            backend=stage.backend_name(ctx),
            key=stage_key(stage, episode, ctx),
            output=_output_digest(stage, episode),
            seconds=round(time.perf_counter() - started, 3),
            cache_hit=hit,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        episode = episode.model_copy(update={"stages": {**episode.stages, stage.name: record}})
        ctx.workdir.save(episode)
        if stage.name == "package" and not hit:
            ctx.workdir.publish(episode)  # last of all: its presence says the package is complete
    return episode


def run(request: RunRequest, config: Config, hook: ProgressHook = silent_hook) -> Episode:
    """Localize one episode end to end."""
    ctx, episode = prepare_run(request, config, hook)
    return run_stages(episode, ctx)


def prepare_run(request: RunRequest, config: Config, hook: ProgressHook = silent_hook) -> tuple[RunContext, Episode]:
    """Open the episode and the context ``run`` uses, running no stage (the service runs one stage per task)."""
    from localize.glossary import load_glossary
    from localize.stages.factory import check_backends

    check_backends(config)
    glossary = load_glossary(request.glossary) if request.glossary else None
    workdir, episode = open_episode(request, config)
    settings = RunSettings(
        targets=request.targets,
        glossary=str(request.glossary.resolve()) if request.glossary else None,
        config=config.model_dump(mode="json"),
    )
    episode = episode.model_copy(update={"run": settings})
    ctx = RunContext(workdir=workdir, config=config, targets=request.targets, glossary=glossary, hook=hook)
    return ctx, episode


def resume_context(folder: Path, hook: ProgressHook = silent_hook) -> tuple[RunContext, Episode]:
    """The context an episode folder was last run with, to run single stages on it."""
    from localize.config import Config
    from localize.glossary import load_glossary

    workdir = WorkDir.at(folder)
    episode = workdir.load()
    if episode is None or episode.run is None:
        raise InputError(f"{folder} holds no usable manifest", "run 'localize run' on the episode again")
    saved = episode.run
    config = Config.model_validate(saved.config)
    glossary = load_glossary(Path(saved.glossary)) if saved.glossary else None
    return RunContext(workdir=workdir, config=config, targets=list(saved.targets), glossary=glossary, hook=hook), episode
