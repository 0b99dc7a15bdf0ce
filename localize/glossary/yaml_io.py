"""The YAML glossary format: parse with line numbers, and write."""

from __future__ import annotations

from typing import Any

import yaml

from localize.errors import GlossaryError
from localize.glossary.model import Glossary
from localize.glossary.validate import DataPath, LineMap, build_glossary
from localize.user_yaml import check_yaml

__all__ = ["parse_yaml", "read_yaml", "yaml_text"]


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: DataPath, lines: LineMap, file: str) -> Any:
    """Plain data from a composed node, recording the line of every key and item.

    Mapping keys are kept as written (so a language tag such as ``no`` stays a string).
    """
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in result:
                raise GlossaryError(file, line, key, "duplicate key in the same mapping")
            lines[(*path, key)] = line
            result[key] = _walk(loader, value_node, (*path, key), lines, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            items.append(_walk(loader, item, (*path, index), lines, file))
        return items
    return loader.construct_object(node, deep=True)


def _syntax_error(exc: yaml.YAMLError, file: str) -> GlossaryError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return GlossaryError(file, mark.line + 1 if mark else None, "(syntax)", str(exc.problem or exc))
    return GlossaryError(file, None, "(syntax)", str(exc))


def parse_yaml(text: str, file: str) -> tuple[Any, LineMap]:
    """Plain data from YAML text (no anchors or aliases), and the line of every key and item; errors name the line."""
    lines: LineMap = {}
    try:
        check_yaml(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else _walk(loader, node, (), lines, file)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, file) from None
    finally:
        loader.dispose()
    if node is not None:
        lines[()] = node.start_mark.line + 1
    return data, lines


def read_yaml(text: str, file: str) -> Glossary:
    """Parse and validate a YAML glossary (no anchors or aliases); errors name the line."""
    data, lines = parse_yaml(text, file)
    return build_glossary(data, lines, file)


def yaml_text(glossary: Glossary) -> str:
    """The glossary as YAML in the documented schema (default values left out)."""
    data: dict[str, Any] = {
        "name": glossary.name,
        "source_language": glossary.source_language,
        "targets": glossary.targets,
        "terms": [entry.model_dump(exclude={"line"}, exclude_defaults=True) for entry in glossary.terms],
    }
    if glossary.formality:
        data["formality"] = [rule.model_dump() for rule in glossary.formality]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
