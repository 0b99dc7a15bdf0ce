"""XLIFF 2.0 dubbing scripts for CAT tools: one ``<unit>`` per line, notes for timecode, character and glossary.

The segment ``state`` carries the rendition's origin: machine -> ``translated``,
edited -> ``reviewed``, approved -> ``final``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from localize.errors import ConfigError, InputError
from localize.languages import normalize_tag
from localize.script.rows import ScriptFile, ScriptRow, parse_revision

__all__ = ["XLIFF_NS", "read_xliff", "xliff_text"]

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
_STATES = {"machine": "translated", "edited": "reviewed", "approved": "final", "untranslated": "initial"}
_ORIGINS = {"initial": "", "translated": "machine", "reviewed": "edited", "final": "approved"}


def _q(name: str) -> str:
    return f"{{{XLIFF_NS}}}{name}"


def xliff_text(episode_id: str, source_language: str, language: str, rows: list[list[str]]) -> str:
    """An XLIFF 2.0 document for script rows (as ``script_rows`` returns them)."""
    from lxml import etree

    root = etree.Element(_q("xliff"), {"version": "2.0", "srcLang": source_language, "trgLang": language}, nsmap={None: XLIFF_NS})
    file = etree.SubElement(root, _q("file"), {"id": episode_id, "original": episode_id})
    for line_id, tc_in, tc_out, character, screen, source, translation, glossary, status, _fit, revision in rows:
        unit = etree.SubElement(file, _q("unit"), {"id": line_id, "name": line_id})
        notes = etree.SubElement(unit, _q("notes"))
        notes_text = (
            ("timecode", f"{tc_in} - {tc_out}"),
            ("character", character),
            ("screen", screen),
            ("glossary", glossary),
            ("revision", revision),
        )
        for category, text in notes_text:
            if text:
                etree.SubElement(notes, _q("note"), {"category": category}).text = text
        segment = etree.SubElement(unit, _q("segment"), {"state": _STATES.get(status, "initial")})
        etree.SubElement(segment, _q("source")).text = source
        etree.SubElement(segment, _q("target")).text = translation
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode", pretty_print=True)


def _text(element: Any) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


def _tag(value: str | None, path: Path, attribute: str) -> str | None:
    if not value:
        return None
    try:
        return normalize_tag(value)
    except ConfigError as exc:
        raise InputError(f"{path}: {attribute} {exc.message}", "set a BCP-47 language tag on the <xliff> element") from None


def read_xliff(path: Path) -> ScriptFile:
    """Read an XLIFF 2.0 script: one row per ``<unit>`` (its segments joined), languages from the root."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}:{exc.lineno}: not well-formed XML ({exc.msg})", "repair the file or export it again") from None
    if root.tag != _q("xliff") or not str(root.get("version", "")).startswith("2"):
        raise InputError(f"{path} is not an XLIFF 2 document", "export XLIFF 2.0 from your CAT tool")
    rows = []
    for unit in root.iter(_q("unit")):
        segments = unit.findall(_q("segment"))
        if not segments:
            raise InputError(f"{path}:{unit.sourceline}: unit '{unit.get('id')}' has no segment", "keep each unit's segment")
        notes = {note.get("category"): _text(note) for note in unit.iter(_q("note"))}
        states = [state if (state := segment.get("state")) in _ORIGINS else "initial" for segment in segments]
        rows.append(
            ScriptRow(
                line_id=unit.get("name") or unit.get("id") or "",
                source=" ".join(_text(s.find(_q("source"))) for s in segments).strip(),
                translation=" ".join(_text(s.find(_q("target"))) for s in segments).strip(),
                status=_ORIGINS.get(min(states, key=list(_ORIGINS).index), ""),
                character=notes.get("character", ""),
                timecode=notes.get("timecode", "").split(" - ")[0],
                revision=parse_revision(notes.get("revision", ""), f"{path}:{unit.sourceline}"),
                where=f"{path}:{unit.sourceline}",
            )
        )
    return ScriptFile(rows, _tag(root.get("trgLang"), path, "trgLang"), _tag(root.get("srcLang"), path, "srcLang"))
