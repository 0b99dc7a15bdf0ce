"""Take a saved manifest (JSON) forward to the current schema, one version at a time.

Each step is a pure function on the parsed JSON, so a manifest written by any
earlier release loads: nothing a person did (edited or approved lines, names) is
dropped on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localize.errors import InputError
from localize.model import SCHEMA_VERSION

__all__ = ["migrate_manifest"]

Manifest = dict[str, Any]


def _v1_to_v2(data: Manifest) -> Manifest:
    """Schema 1 kept stage-to-stage data in ``extras``; schema 2 has typed fields for it."""
    extras = dict(data.get("extras") or {})
    if "run" in extras:
        data["run"] = extras.pop("run")
    if "package" in extras:
        data["package"] = extras.pop("package")
    data["extras"] = extras
    for speaker in data.get("speakers") or []:
        speaker_extras = dict(speaker.get("extras") or {})
        speaker["embedding"] = speaker_extras.pop("embedding", None) or []
        speaker["extras"] = speaker_extras
    for line in data.get("lines") or []:
        line_extras = dict(line.get("extras") or {})
        line["forced_narrative"] = bool(line_extras.pop("forced_narrative", False))
        line["extras"] = line_extras
    for track in (data.get("tracks") or {}).values():
        for rendition in (track.get("renditions") or {}).values():
            _split_flags(rendition)
    data["schema_version"] = 2
    return data


_TRANSLATION_FLAGS = ("glossary-violation", "forced-narrative", "source-changed")
_SKIP_FLAGS = ("tts-failed", "no-voice", "not-dubbed", "forced-narrative")


def _split_flags(rendition: Manifest) -> None:
    """Schema 1 kept every flag on the rendition; schema 2 keeps translation flags there, take flags on the take,
    and the reason a line has no take in ``skipped``."""
    flags = list(rendition.get("flags") or [])
    rendition["flags"] = [flag for flag in flags if flag in _TRANSLATION_FLAGS]
    take = rendition.get("take")
    if take is not None:
        take["flags"] = sorted({*(take.get("flags") or []), *(f for f in flags if f not in _TRANSLATION_FLAGS)})
    else:
        rendition["skipped"] = next((flag for flag in _SKIP_FLAGS if flag in flags), None)


def _v2_to_v3(data: Manifest) -> Manifest:
    """Schema 3 keeps what the picture shows per line in ``picture`` (the lips stage's, as segment writes lines whole):
    the line's ``on_screen``, never set by a stage, is dropped; a value a plug-in set moves to the line's extras."""
    for line in data.get("lines") or []:
        on_screen = line.pop("on_screen", None)
        if on_screen is not None:
            line["extras"] = {**(line.get("extras") or {}), "on_screen": on_screen}
    data["schema_version"] = 3
    return data


def _v3_to_v4(data: Manifest) -> Manifest:
    """Schema 4 marks what a person made: lines and speakers carry an origin (all schema-3 ones are the machine's),
    renditions a review record (none yet) and may be ``rejected``."""
    for item in (*(data.get("lines") or []), *(data.get("speakers") or [])):
        item["origin"] = "machine"
    data["schema_version"] = 4
    return data


_STEPS: dict[int, Callable[[Manifest], Manifest]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}
"""Schema version -> the step that takes a manifest of that version to the next one."""


def migrate_manifest(data: Manifest, source: str) -> Manifest:
    """``data`` brought to :data:`SCHEMA_VERSION`; InputError for a manifest from a newer release or of no known version."""
    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise InputError(f"{source} has no valid schema_version", "restore the manifest from a backup, or move it away to start over")
    if version > SCHEMA_VERSION:
        raise InputError(
            f"{source} was written by a newer localize (schema {version}; this one reads up to {SCHEMA_VERSION})",
            "upgrade localize to open this episode",
        )
    while version < SCHEMA_VERSION:
        data = _STEPS[version](data)
        version = data["schema_version"]
    return data
