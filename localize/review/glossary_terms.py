"""Add a term to a series glossary file: validated, the old version kept, written atomically.

A YAML glossary gets the new entry appended to its ``terms`` list as text, so
its comments and layout stay as the team wrote them; CSV and TBX glossaries
are written whole. The file as it was is copied first into a hidden
``.<name>.versions/`` folder beside it, named by time and content.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from localize.cache import atomic_write_text, sha256_file
from localize.errors import InputError
from localize.glossary.load import load_glossary, save_glossary
from localize.glossary.match import find_terms
from localize.glossary.model import Entry, Glossary, Scope, TargetRule
from localize.glossary.yaml_io import read_yaml

__all__ = ["add_glossary_term", "new_entry", "versions_folder"]


def versions_folder(path: Path) -> Path:
    """Where earlier versions of a glossary file are kept."""
    return path.parent / f".{path.name}.versions"


def _entry_id(term: str, glossary: Glossary) -> str:
    plain = unicodedata.normalize("NFKD", term).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or "term"
    taken = {entry.id for entry in glossary.terms}
    return next(candidate for n in range(1, len(taken) + 2) if (candidate := base if n == 1 else f"{base}_{n}") not in taken)


def new_entry(glossary: Glossary, term: str, scope: Scope, dnt: bool, renderings: dict[str, str], note: str = "") -> Entry:
    """A glossary entry for ``term``: do-not-translate, or with a rendering per target language."""
    term = " ".join(term.split())
    if not term:
        raise InputError("the new glossary term is empty", "give the source word or phrase")
    if find_terms(glossary, term, glossary.source_language):
        raise InputError(f"'{term}' is already in glossary '{glossary.name}'", "edit its entry in the glossary file instead")
    targets = {language: TargetRule(renderings=[text.strip()]) for language, text in renderings.items() if text.strip()}
    if not dnt and not targets:
        raise InputError(f"'{term}' needs a rendering or do-not-translate", "give a rendering for a language, or mark it do-not-translate")
    return Entry(id=_entry_id(term, glossary), term=term, scope=scope, dnt=dnt, note=note.strip(), targets=targets)


def _appended_yaml(text: str, entry: Entry) -> str | None:
    """The YAML text with ``entry`` appended to its block-style ``terms`` list; None when there is no such list."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return None
    terms = next((value for key, value in root.value if getattr(key, "value", None) == "terms"), None)
    if not isinstance(terms, yaml.SequenceNode) or terms.flow_style or not terms.value:
        return None
    indent = terms.value[0].start_mark.column - 2
    if indent < 0:
        return None
    last = terms.value[-1].end_mark
    lines = text.splitlines(keepends=True)
    cut = sum(len(line) for line in lines[: last.line + (1 if last.column else 0)])
    data: dict[str, Any] = entry.model_dump(exclude={"line"}, exclude_defaults=True)
    block = yaml.safe_dump([data], sort_keys=False, allow_unicode=True, width=120)
    block = "".join(" " * indent + line for line in block.splitlines(keepends=True))
    head = text[:cut] if text[:cut].endswith("\n") else text[:cut] + "\n"
    return head + block + text[cut:]


def add_glossary_term(path: Path, entry: Entry) -> Path:
    """Append ``entry`` to the glossary file at ``path`` (validated whole before it is written); the backup's path."""
    glossary = load_glossary(path)
    if glossary.entry(entry.id) is not None:
        raise InputError(f"glossary '{glossary.name}' already has an entry '{entry.id}'", "choose another id")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    backup = versions_folder(path) / f"{stamp}-{sha256_file(path)[:12]}{path.suffix}"
    backup.parent.mkdir(exist_ok=True)
    shutil.copy2(path, backup)
    extended = glossary.model_copy(update={"terms": [*glossary.terms, entry]})
    if path.suffix.lower() in (".yaml", ".yml"):
        text = _appended_yaml(path.read_text(encoding="utf-8-sig"), entry)
        if text is not None:
            read_yaml(text, str(path))  # the whole file validated again: a bad entry never reaches the disk
            atomic_write_text(path, text)
            return backup
    save_glossary(extended, path)
    return backup
