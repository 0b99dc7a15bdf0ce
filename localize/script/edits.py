"""Apply a reviewed dubbing script to an episode: changed translations become ``edited`` renditions.

Edited (and approved) renditions are never replaced by a later run, and their
take is dropped, so the next run re-synthesizes exactly the changed lines (the
dub stage caches takes per line and text). Each row carries the revision it was
exported at; a row whose line has changed since (a newer edit, a new machine
translation) is a conflict, not applied unless forced.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from localize.cache import WorkDir
from localize.errors import InputError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.glossary.load import load_glossary
from localize.glossary.model import Glossary
from localize.model import Episode, GlossaryHit, Line, Origin, Rendition, RenditionFlag
from localize.script.export import row_revision
from localize.script.read import read_script
from localize.script.rows import ScriptRow

__all__ = ["Conflict", "ImportResult", "apply_script", "import_script"]

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    """What an import changed, line ids per outcome."""

    language: str
    edited: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    """Rows whose source text no longer matches the episode's line (not applied)."""
    unknown: list[str] = field(default_factory=list)
    """Rows naming a line the episode does not have (not applied)."""
    conflicts: list[Conflict] = field(default_factory=list)
    """Rows whose line changed since they were exported (not applied unless forced)."""


@dataclass(frozen=True)
class Conflict:
    """A script row exported at one revision of its line, which is now at another."""

    line_id: str
    exported: int
    current: int


def _run_glossary(episode: Episode) -> Glossary | None:
    saved = episode.run.glossary if episode.run else None
    return load_glossary(Path(saved)) if saved and Path(saved).is_file() else None


def _edited(old: Rendition, line: Line, text: str, origin: Origin, hits: list[GlossaryHit]) -> Rendition:
    flags: list[RenditionFlag] = [f for f in old.flags if f not in (RenditionFlag.GLOSSARY_VIOLATION, RenditionFlag.SOURCE_CHANGED)]
    if any(hit.status in VIOLATIONS for hit in hits):
        flags.append(RenditionFlag.GLOSSARY_VIOLATION)
    update = {"text": text, "source_text": line.text, "candidates": [text], "origin": origin, "take": None, "glossary_hits": hits}
    return old.model_copy(update={**update, "flags": flags, "revision": old.revision_for(text, origin)})


def apply_script(
    episode: Episode, rows: list[ScriptRow], language: str, glossary: Glossary | None, force: bool = False
) -> tuple[Episode, ImportResult]:
    """The episode with the script's changed lines applied to its ``language`` track, and what changed.

    A changed row exported at another revision of its line than the current one is a conflict, applied only with ``force``
    (a row from a file without revisions counts as exported at revision 0).
    """
    track = episode.tracks.get(language)
    if track is None:
        raise InputError(f"episode {episode.id} has no {language} track", f"pick one of: {', '.join(episode.tracks) or 'none'}")
    result = ImportResult(language)
    source = episode.source_language or (glossary.source_language if glossary else "und")
    renditions = dict(track.renditions)
    for row in rows:
        line = episode.line(row.line_id)
        old = renditions.get(row.line_id)
        if line is None or old is None:
            result.unknown.append(row.line_id)
            continue
        if row.source and " ".join(row.source.split()) != " ".join(line.text.split()):
            result.stale.append(row.line_id)
            continue
        approve = row.status.strip().lower() == "approved"
        if not row.translation or (row.translation == old.text and not (approve and old.origin != "approved")):
            result.unchanged.append(row.line_id)
            continue
        current = row_revision(line, old)
        if row.revision != current and not (force or (row.revision is None and current == 0)):
            result.conflicts.append(Conflict(row.line_id, row.revision or 0, current))
            continue
        origin: Origin = "approved" if approve else "edited"
        hits = check_rendition(line.text, row.translation, glossary, source, language) if glossary else []
        if row.translation == old.text:
            flags = [flag for flag in old.flags if flag != RenditionFlag.SOURCE_CHANGED]
            update = {"origin": origin, "source_text": line.text, "flags": flags, "revision": old.revision_for(old.text, origin)}
            renditions[row.line_id] = old.model_copy(update=update)
        else:
            renditions[row.line_id] = _edited(old, line, row.translation, origin, hits)
        (result.approved if approve else result.edited).append(row.line_id)
    if rows and len(result.unknown) == len(rows):
        raise InputError(
            f"no row of the script names a line of episode {episode.id}", "import the script into the episode it was exported from"
        )
    tracks = {**episode.tracks, language: track.model_copy(update={"renditions": renditions})}
    return episode.model_copy(update={"tracks": tracks}), result


def import_script(folder: Path, path: Path, language: str | None = None, force: bool = False) -> ImportResult:
    """Read an edited script (CSV, XLSX, XLIFF 2) and save its changes into the episode folder's manifest.

    The language comes from ``language``, else the file (XLIFF ``trgLang``, or the file name). Rows whose line changed
    since the export are conflicts, left out unless ``force``.
    """
    workdir = WorkDir.at(folder)
    episode = workdir.load()
    if episode is None:
        raise InputError(f"{folder} holds no usable manifest", "run 'localize run' on the episode again")
    script = read_script(path)
    target = language or script.language
    if target is None:
        raise InputError(f"cannot tell the language of {path.name}", "pass --language (e.g. --language pt-BR)")
    episode, result = apply_script(episode, script.rows, target, _run_glossary(episode), force)
    workdir.save(episode)
    log.info("%s: %d edited, %d approved, %d unchanged", target, len(result.edited), len(result.approved), len(result.unchanged))
    return result
