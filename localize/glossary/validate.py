"""Turn parsed glossary data (from any file format) into a Glossary, or a GlossaryError naming the line."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from localize.errors import ConfigError, GlossaryError
from localize.glossary.model import Entry, FormalityRule, Glossary
from localize.languages import base_language, normalize_tag

__all__ = ["DataPath", "LineMap", "Validator", "build_glossary", "build_terms", "list_of", "targets_of"]

log = logging.getLogger(__name__)

DataPath = tuple[str | int, ...]
LineMap = dict[DataPath, int]
"""Where each mapping key or list item of the parsed data starts in its file (1-based)."""

_TOP_FIELDS = ("name", "source_language", "targets", "terms", "formality")


class Validator:
    """Validation state for one file: where things are, and how to complain about them."""

    def __init__(self, file: str, lines: LineMap) -> None:
        self.file = file
        self.lines = lines

    def line(self, path: DataPath) -> int | None:
        for size in range(len(path), -1, -1):
            if path[:size] in self.lines:
                return self.lines[path[:size]]
        return None

    def error(self, path: DataPath, field: str, problem: str) -> GlossaryError:
        return GlossaryError(self.file, self.line(path), field, problem)

    def tag(self, path: DataPath, field: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.error(path, field, f"expected a language tag, got {value!r}")
        try:
            return normalize_tag(value)
        except ConfigError as exc:
            raise self.error(path, field, exc.message) from None

    def model(self, cls: type[BaseModel], data: Any, path: DataPath, renamed: Mapping[str, str]) -> Any:
        """Validate ``data`` as ``cls``; the first problem becomes a GlossaryError at its line."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problem = exc.errors()[0]
            loc = tuple(renamed.get(part, part) if isinstance(part, str) else part for part in problem["loc"])
            field = ".".join(str(part) for part in loc) or cls.__name__
            if problem["type"] == "extra_forbidden":
                message = "unknown field"
            elif problem["type"] == "missing":
                message = "required field is missing"
            else:
                message = f"{problem['msg']} (got {problem['input']!r})"
            raise self.error((*path, *loc), field, message) from None


def _entry(builder: Validator, raw: Any, index: int, declared: list[str], cls: type[Entry], field: str) -> Entry:
    path: DataPath = (field, index)
    if not isinstance(raw, dict):
        raise builder.error(path, field, f"each term must be a mapping, got {raw!r}")
    if "line" in raw:
        raise builder.error((*path, "line"), "line", "unknown field")
    data = dict(raw)
    renamed: dict[str, str] = {}
    if isinstance(raw.get("targets"), dict):
        targets: dict[str, Any] = {}
        for key, rule in raw["targets"].items():
            tag = builder.tag((*path, "targets", key), f"targets.{key}", key)
            if declared and base_language(tag) not in {base_language(d) for d in declared}:
                problem = f"'{tag}' is not one of targets {declared}"
                raise builder.error((*path, "targets", key), f"targets.{key}", problem)
            targets[tag] = rule
            renamed[tag] = key
        data["targets"] = targets
    entry: Entry = builder.model(cls, {**data, "line": builder.line(path)}, path, renamed)
    for tag, rule in entry.targets.items():
        clash = {r.casefold() for r in rule.renderings} & {f.casefold() for f in rule.forbidden}
        if clash:
            raise builder.error(
                (*path, "targets", renamed[tag], "forbidden"),
                f"targets.{renamed[tag]}.forbidden",
                f"{sorted(clash)} both approved and forbidden",
            )
    return entry


def _form_keys(entry: Entry) -> set[str]:
    return {f if entry.case_sensitive else f.casefold() for f in entry.forms}


def _conflict(first: Entry, second: Entry) -> str | None:
    """Why two entries for the same form disagree, or None if they agree."""
    extra = set(type(first).model_fields) - set(Entry.model_fields)
    if first.model_dump(include=extra) != second.model_dump(include=extra):
        return f"{', '.join(sorted(extra))} differ"
    for tag in dict.fromkeys([*first.targets, *second.targets]):
        a, b = first.rule(tag), second.rule(tag)
        if [r.casefold() for r in a.renderings] != [r.casefold() for r in b.renderings] or a.dnt != b.dnt:
            return f"renderings for {tag} differ: {a.renderings} vs {b.renderings}"
    return None


def _check_unique(builder: Validator, entries: list[Entry], field: str) -> None:
    ids: dict[str, Entry] = {}
    forms: dict[tuple[bool, str], Entry] = {}
    for index, entry in enumerate(entries):
        if entry.id in ids:
            problem = f"duplicate id '{entry.id}' (first at line {ids[entry.id].line})"
            raise builder.error((field, index, "id"), "id", problem)
        ids[entry.id] = entry
        for key in _form_keys(entry):
            other = forms.setdefault((entry.case_sensitive, key), entry)
            if other is entry:
                continue
            reason = _conflict(other, entry)
            if reason:
                raise builder.error(
                    (field, index, "term"),
                    "term",
                    f"'{key}' is also defined by entry '{other.id}' (line {other.line}) and {reason}",
                )
            log.info("glossary %s: '%s' is defined twice (entries %s and %s)", builder.file, key, other.id, entry.id)


def targets_of(builder: Validator, raw: Any) -> list[str]:
    """The ``targets`` list, each tag normalised."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise builder.error(("targets",), "targets", f"expected a list of language tags, got {raw!r}")
    return list(dict.fromkeys(builder.tag(("targets", i), "targets", value) for i, value in enumerate(raw)))


def list_of(builder: Validator, raw: Any, field: str) -> list[Any]:
    """A top-level list field (empty when absent)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise builder.error((field,), field, f"expected a list, got {raw!r}")
    return raw


def build_terms(builder: Validator, raw: Any, declared: list[str], cls: type[Entry] = Entry, field: str = "terms") -> list[Any]:
    """A list of terms validated as ``cls`` entries: unique ids, no form defined twice with different rules."""
    entries = [_entry(builder, item, i, declared, cls, field) for i, item in enumerate(list_of(builder, raw, field))]
    _check_unique(builder, entries, field)
    return entries


def build_glossary(
    data: Any,
    lines: LineMap,
    file: str,
    *,
    name: str | None = None,
    source_language: str | None = None,
) -> Glossary:
    """Validate parsed glossary data; ``name`` and ``source_language`` fill in what the data leaves out."""
    builder = Validator(file, lines)
    if not isinstance(data, dict):
        raise builder.error((), "(document)", "expected a mapping with name, source_language, targets and terms")
    for key in data:
        if key not in _TOP_FIELDS:
            raise builder.error((key,), str(key), f"unknown field; expected one of {', '.join(_TOP_FIELDS)}")
    source = data.get("source_language", source_language)
    if source is None:
        raise builder.error((), "source_language", "required field is missing")
    source = builder.tag(("source_language",), "source_language", source)
    declared = targets_of(builder, data.get("targets"))
    entries = build_terms(builder, data.get("terms"), declared)
    rules = list_of(builder, data.get("formality"), "formality")
    formality = [builder.model(FormalityRule, raw, ("formality", i), {}) for i, raw in enumerate(rules)]
    targets = declared or list(dict.fromkeys(tag for entry in entries for tag in entry.targets))
    glossary_name = data.get("name", name)
    if not isinstance(glossary_name, str) or not glossary_name.strip():
        raise builder.error(("name",), "name", f"expected a non-empty name, got {glossary_name!r}")
    return Glossary(
        name=glossary_name,
        source_language=source,
        targets=targets,
        terms=entries,
        formality=formality,
        path=file,
    )
