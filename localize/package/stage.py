"""The package stage: deliverables assembled in a staging folder, then moved into place.

``OUT/<episode>/manifest.json`` is removed first and written last, so a folder
without it is an unfinished package, never one that only looks complete.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from localize.cache import WorkDir, atomic_write_text, sha256_file
from localize.errors import OutputError
from localize.languages import display_name
from localize.media.mux import AudioTrack, SubtitleTrack, mux_master
from localize.model import Deliverable, Episode
from localize.package.subtitles import write_subtitles
from localize.stages.base import RunContext

__all__ = ["PackageStage"]


class PackageStage:
    """Write the master, subtitles, stems, reports and the manifest."""

    name = "package"
    version = 1

    def backend_name(self, ctx: RunContext) -> str:
        """Packaging is built in (ffmpeg for the master)."""
        return "mkv.v1"

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Everything the deliverables show."""
        return [
            episode.source.fingerprint,
            episode.source_language,
            [(s.id, s.name) for s in episode.speakers],
            [(line.id, line.start, line.end, line.speaker, line.text) for line in episode.lines],
            {lang: track.model_dump(mode="json") for lang, track in episode.tracks.items()},
            ctx.glossary.model_dump(mode="json") if ctx.glossary else None,
        ]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Every deliverable is still there, unchanged in size."""
        root = ctx.workdir.root
        return (root / "manifest.json").is_file() and all(
            (root / d.path).is_file() and (root / d.path).stat().st_size == d.bytes for d in episode.deliverables
        )

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Assemble in staging, then move into the episode folder."""
        workdir = ctx.workdir
        staging = workdir.state / "staging"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (workdir.root / "manifest.json").unlink(missing_ok=True)
        names = self._stage_files(episode, ctx, staging)
        deliverables = [
            Deliverable(path=name, kind=kind, language=language, sha256=sha256_file(staging / name), bytes=(staging / name).stat().st_size)
            for name, kind, language in names
        ]
        _move_into_place(staging, workdir.root, {name.split("/")[0] for name, _, _ in names})
        episode = episode.model_copy(update={"deliverables": deliverables})
        atomic_write_text(workdir.root / "manifest.json", episode.model_dump_json(indent=2))
        return episode

    def _stage_files(self, episode: Episode, ctx: RunContext, staging: Path) -> list[tuple[str, str, str | None]]:
        workdir: WorkDir = ctx.workdir
        stem = episode.id
        names: list[tuple[str, str, str | None]] = []
        audio: list[AudioTrack] = []
        subtitles: list[SubtitleTrack] = []
        for index, language in enumerate(ctx.targets):
            ctx.hook(self.name, language, index, len(ctx.targets))
            track = episode.tracks[language]
            folder = staging / language
            folder.mkdir()
            for suffix, kind in ((".srt", "subtitles"), (".vtt", "subtitles")):
                path = folder / f"{stem}.{language}{suffix}"
                write_subtitles(episode, track, path)
                names.append((f"{language}/{path.name}", kind, language))
            for stored, kind in ((track.mix, "dub-mix"), (track.dialogue_stem, "dialogue-stem")):
                if stored:
                    path = folder / f"{stem}.{language}.{kind}.wav"
                    _link_or_copy(workdir.resolve(stored), path)
                    names.append((f"{language}/{path.name}", kind, language))
            if ctx.glossary is not None:
                from localize.glossary import write_glossary_report

                for path in write_glossary_report(episode, ctx.glossary, language, folder):
                    names.append((f"{language}/{path.name}", "glossary-report", language))
            if track.mix:
                audio.append(AudioTrack(folder / f"{stem}.{language}.dub-mix.wav", language, f"{display_name(language)} (dubbed)"))
            subtitles.append(SubtitleTrack(folder / f"{stem}.{language}.srt", language, display_name(language)))
        master = staging / f"{stem}.mkv"
        source_language = episode.source_language or "und"
        original_title = f"{display_name(source_language)} (original)" if episode.source_language else "Original"
        stream = episode.source.audio_streams[episode.source.audio_stream or 0].index
        mux_master(Path(episode.source.path), stream, source_language, original_title, audio, subtitles, master)
        names.append((master.name, "master", None))
        ctx.hook(self.name, "master", len(ctx.targets), len(ctx.targets))
        return names


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
