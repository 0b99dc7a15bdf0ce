"""``localize script import``: a reviewed script's changed rows saved into the episode like any other review change
(under the edit lock, atomically, each changed field in the audit log)."""

from __future__ import annotations

import getpass
import logging
from pathlib import Path

from localize.errors import InputError
from localize.model import Episode
from localize.review.audit import Change
from localize.review.edit import Edit
from localize.review.editor import EpisodeEditor
from localize.script import ImportResult, apply_script, read_script

__all__ = ["import_script"]

log = logging.getLogger(__name__)


def _changes(before: Episode, after: Episode, language: str, line_ids: list[str]) -> list[Change]:
    old, new = before.tracks[language].renditions, after.tracks[language].renditions
    return [
        Change(f"{language} {line_id}", name, getattr(old[line_id], name), getattr(new[line_id], name))
        for line_id in line_ids
        for name in ("text", "origin")
        if getattr(old[line_id], name) != getattr(new[line_id], name)
    ]


def import_script(folder: Path, path: Path, language: str | None = None, force: bool = False, who: str | None = None) -> ImportResult:
    """Read an edited script (CSV, XLSX, XLIFF 2) and save its changes into the episode folder.

    The language comes from ``language``, else the file (XLIFF ``trgLang``, or the file name). Rows whose line changed
    since the export are conflicts, left out unless ``force``.
    """
    editor = EpisodeEditor(folder, who or getpass.getuser())
    script = read_script(path)
    target = language or script.language
    if target is None:
        raise InputError(f"cannot tell the language of {path.name}", "pass --language (e.g. --language pt-BR)")
    glossary = editor.glossary()
    results: list[ImportResult] = []

    def operation(episode: Episode) -> Edit:
        changed, result = apply_script(episode, script.rows, target, glossary, force)
        results.append(result)
        return Edit(changed, _changes(episode, changed, target, [*result.edited, *result.approved]))

    editor.apply("script import", operation, comment=path.name)
    result = results[0]
    log.info("%s: %d edited, %d approved, %d unchanged", target, len(result.edited), len(result.approved), len(result.unchanged))
    return result
