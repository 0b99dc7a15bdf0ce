"""Read and write glossaries, choosing the format by file suffix (.yaml/.yml, .csv, .tbx)."""

from __future__ import annotations

from pathlib import Path

from localize.cache import atomic_write_text
from localize.errors import GlossaryError
from localize.glossary.csv_io import csv_text, read_csv
from localize.glossary.model import Glossary
from localize.glossary.tbx_io import read_tbx, tbx_text
from localize.glossary.yaml_io import read_yaml, yaml_text
from localize.user_yaml import MAX_BYTES

__all__ = ["MAX_GLOSSARY_BYTES", "load_glossary", "save_glossary"]

MAX_GLOSSARY_BYTES = MAX_BYTES
"""Glossaries of every format are held to the YAML limit (a 10,000-term glossary is about 2 MB)."""

_YAML = (".yaml", ".yml")
_CSV = (".csv",)
_TBX = (".tbx", ".xml")


def _unsupported(path: Path) -> GlossaryError:
    return GlossaryError(str(path), None, "(file)", f"unsupported format '{path.suffix}'; use .yaml, .csv or .tbx")


def load_glossary(path: Path, source_language: str = "es") -> Glossary:
    """Load a glossary file; ``source_language`` is used only by formats that do not state it (CSV).

    Raises GlossaryError naming the file, line and field of the first problem.
    """
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in (*_YAML, *_CSV, *_TBX):
        raise _unsupported(path)
    try:
        size = path.stat().st_size
        if size > MAX_GLOSSARY_BYTES:
            raise GlossaryError(file, None, "(file)", f"{size} bytes, over the {MAX_GLOSSARY_BYTES}-byte limit for a glossary")
        content = path.read_bytes()
    except OSError as exc:
        raise GlossaryError(file, None, "(file)", f"cannot read: {exc.strerror}") from exc
    if suffix in _TBX:
        return read_tbx(content, file)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryError(file, content[: exc.start].count(b"\n") + 1, "(file)", "not UTF-8 text") from None
    if suffix in _YAML:
        return read_yaml(text, file)
    return read_csv(text, file, source_language)


def save_glossary(glossary: Glossary, path: Path) -> None:
    """Write a glossary atomically in the format its suffix names."""
    suffix = path.suffix.lower()
    if suffix in _YAML:
        text = yaml_text(glossary)
    elif suffix in _CSV:
        text = csv_text(glossary)
    elif suffix in _TBX:
        text = tbx_text(glossary)
    else:
        raise _unsupported(path)
    atomic_write_text(path, text)
