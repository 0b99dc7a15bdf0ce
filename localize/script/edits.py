"""Apply a reviewed dubbing script to an episode: changed translations become ``edited`` renditions.

Edited (and approved) renditions are never replaced by a later run, and their
take is dropped, so the next run re-synthesizes exactly the changed lines (the
dub stage caches takes per line and text). Each row carries the revision it was
exported at; a row whose line has changed since (a newer edit, a new machine
translation) is a conflict, not applied unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from localize.errors import InputError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.glossary.model import Glossary
from localize.model import Episode, Line, Origin, Rendition, RenditionFlag
from localize.script.rows import ScriptRow

__all__ = ["Conflict", "ImportResult", "apply_script", "retext", "row_revision", "with_rendition"]


def row_revision(line: Line, rendition: Rendition | None) -> int:
    """A line's revision in one language (a script row's): raised whenever its source line or its translation changes."""
    return line.revision + (rendition.revision if rendition else 0)


def retext(old: Rendition, line: Line, text: str, origin: Origin, glossary: Glossary | None, source: str, language: str) -> Rendition:
    """``old`` saying ``text`` as a person's (``origin``): glossary checked again, made for the line as it reads now,
    its take dropped (the next run, or a regenerated take, makes the new one)."""
    hits = check_rendition(line.text, text, glossary, source, language) if glossary else []
    flags: list[RenditionFlag] = [f for f in old.flags if f not in (RenditionFlag.GLOSSARY_VIOLATION, RenditionFlag.SOURCE_CHANGED)]
    if any(hit.status in VIOLATIONS for hit in hits):
        flags.append(RenditionFlag.GLOSSARY_VIOLATION)
    candidates = [text, *(candidate for candidate in old.candidates if candidate != text)]
    update = {"text": text, "source_text": line.text, "candidates": candidates, "take": None, "glossary_hits": hits, "flags": flags}
    return old.model_copy(update={**update, "origin": origin, "revision": old.revision_for(text, origin)})


def with_rendition(episode: Episode, language: str, rendition: Rendition) -> Episode:
    """``episode`` with ``rendition`` in place of its line's rendition in ``language``."""
    track = episode.tracks[language]
    renditions = {**track.renditions, rendition.line_id: rendition}
    return episode.model_copy(update={"tracks": {**episode.tracks, language: track.model_copy(update={"renditions": renditions})}})


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
    for row in rows:
        line = episode.line(row.line_id)
        old = episode.tracks[language].renditions.get(row.line_id)
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
        if row.translation == old.text:
            flags = [flag for flag in old.flags if flag != RenditionFlag.SOURCE_CHANGED]
            update = {"origin": origin, "source_text": line.text, "flags": flags, "revision": old.revision_for(old.text, origin)}
            new = old.model_copy(update=update)
        else:
            new = retext(old, line, row.translation, origin, glossary, source, language)
        episode = with_rendition(episode, language, new)
        (result.approved if approve else result.edited).append(row.line_id)
    if rows and len(result.unknown) == len(rows):
        raise InputError(
            f"no row of the script names a line of episode {episode.id}", "import the script into the episode it was exported from"
        )
    return episode, result
