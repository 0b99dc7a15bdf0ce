"""The CSV glossary format: one row per term, per-target columns ``<tag>:renderings`` etc.

Columns: id, term, variants, pos, scope, dnt, case_sensitive, note, then for each
target ``<tag>:renderings``, ``<tag>:forbidden``, ``<tag>:note`` (and ``<tag>:dnt`` /
``<tag>:case_sensitive`` when a target uses them). Lists are ``|``-separated. CSV
carries no glossary name, source language or formality rules: the name is the
file's stem and the source language is given by the caller.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from localize.errors import GlossaryError
from localize.glossary.model import Glossary
from localize.glossary.validate import LineMap, build_glossary

__all__ = ["ENTRY_COLUMNS", "csv_text", "read_csv"]

ENTRY_COLUMNS = ("id", "term", "variants", "pos", "scope", "dnt", "case_sensitive", "note")
_RULE_COLUMNS = ("renderings", "forbidden", "note", "dnt", "case_sensitive")
_LISTS = frozenset({"variants", "renderings", "forbidden"})
_BOOLS = frozenset({"dnt", "case_sensitive"})
_TRUE = frozenset({"true", "yes", "1", "y", "x"})
_FALSE = frozenset({"false", "no", "0", "n", ""})
_SEPARATOR = "|"


def _cell(file: str, line: int, column: str, field: str, value: str) -> Any:
    value = value.strip()
    if field in _LISTS:
        return [part.strip() for part in value.split(_SEPARATOR) if part.strip()]
    if field in _BOOLS:
        if value.lower() not in _TRUE | _FALSE:
            raise GlossaryError(file, line, column, f"expected true or false, got {value!r}")
        return value.lower() in _TRUE
    return value


def _header(file: str, header: list[str]) -> None:
    for column in header:
        tag, _, field = column.rpartition(":")
        if (tag and field not in _RULE_COLUMNS) or (not tag and column not in ENTRY_COLUMNS):
            raise GlossaryError(file, 1, column, "unknown column")


def read_csv(text: str, file: str, source_language: str) -> Glossary:
    """Parse and validate a CSV glossary; rows are reported by their line in the file."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise GlossaryError(file, 1, "(header)", "the file is empty") from None
    except csv.Error as exc:
        raise GlossaryError(file, 1, "(syntax)", str(exc)) from None
    _header(file, header)
    lines: LineMap = {}
    terms: list[dict[str, Any]] = []
    tags = list(dict.fromkeys(c.rpartition(":")[0] for c in header if ":" in c))
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > len(header):
                raise GlossaryError(file, line, "(row)", f"{len(row)} cells but {len(header)} columns")
            entry: dict[str, Any] = {}
            targets: dict[str, dict[str, Any]] = {}
            for column, value in zip(header, row, strict=False):
                tag, _, field = column.rpartition(":")
                if not value.strip():
                    continue
                parsed = _cell(file, line, column, field, value)
                if tag:
                    targets.setdefault(tag, {})[field] = parsed
                else:
                    entry[field] = parsed
            if targets:
                entry["targets"] = targets
            lines[("terms", len(terms))] = line
            terms.append(entry)
    except csv.Error as exc:
        raise GlossaryError(file, reader.line_num, "(syntax)", str(exc)) from None
    data = {"name": Path(file).stem, "source_language": source_language, "targets": tags, "terms": terms}
    return build_glossary(data, lines, file)


def csv_text(glossary: Glossary) -> str:
    """The glossary as CSV (name, source language and formality rules are not represented)."""
    rule_fields = ["renderings", "forbidden", "note"]
    if any(rule.dnt for entry in glossary.terms for rule in entry.targets.values()):
        rule_fields.append("dnt")
    if any(rule.case_sensitive for entry in glossary.terms for rule in entry.targets.values()):
        rule_fields.append("case_sensitive")
    tags = list(dict.fromkeys([*glossary.targets, *(t for e in glossary.terms for t in e.targets)]))
    header = [*ENTRY_COLUMNS, *(f"{tag}:{field}" for tag in tags for field in rule_fields)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for entry in glossary.terms:
        values = entry.model_dump(include=set(ENTRY_COLUMNS))
        row = [_format(values[column]) for column in ENTRY_COLUMNS]
        for tag in tags:
            rule = entry.targets.get(tag)
            row += [_format(getattr(rule, field)) if rule else "" for field in rule_fields]
        writer.writerow(row)
    return out.getvalue()


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _SEPARATOR.join(value)
    return str(value)
