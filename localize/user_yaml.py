"""YAML written by users (glossaries, speakers files, voice catalogs): plain data only, of a bounded size.

Anchors and aliases are refused: a few hundred bytes of nested aliases expand
into gigabytes once loaded (an "alias bomb"), and no file localize reads needs
them. The text is checked event by event (no node is built) before it is
loaded, and files over ``MAX_BYTES`` are refused before they are parsed.
"""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["MAX_BYTES", "MAX_NODES", "UnsafeYaml", "check_yaml", "load_yaml"]

MAX_BYTES = 16 << 20
"""The largest YAML file localize reads: far above any real glossary (a 10,000-term glossary is about 2 MB)."""
MAX_NODES = 2_000_000
"""Scalars, mappings and sequences a file may hold."""

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnsafeYaml(yaml.MarkedYAMLError):
    """YAML that localize will not load; a YAMLError, so every reader reports it as it reports a syntax error."""


def check_yaml(text: str) -> None:
    """Raise UnsafeYaml for text over the size limit, holding an anchor or alias, or too many nodes."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise UnsafeYaml(problem=f"the file is {size} bytes, over the {MAX_BYTES}-byte limit for YAML")
    nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnsafeYaml(problem="anchors and aliases (& and *) are not accepted; write each value out", problem_mark=_mark(event))
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise UnsafeYaml(problem=f"more than {MAX_NODES} values", problem_mark=_mark(event))


def _mark(event: yaml.Event) -> yaml.Mark | None:
    """Where an event starts, as the pure-Python parser's Mark (the C parser has a type of its own)."""
    start = event.start_mark
    return yaml.Mark("<yaml>", start.index, start.line, start.column, "", 0) if start is not None else None


def load_yaml(text: str) -> Any:
    """Plain data from checked YAML text (mappings, sequences, scalars)."""
    check_yaml(text)
    return yaml.load(text, Loader=_Loader)
