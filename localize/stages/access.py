"""Declared access to the Episode: a stage sees only the fields it reads, and only the fields it writes are kept.

A declaration is a tuple of dotted paths into the Episode; ``*`` stands for every
item of a list or every value of a dict::

    reads = ("source.fingerprint", "lines.*.text", "tracks.*.renditions.*.take")

:func:`project` builds the view a stage runs on: models holding only the declared
fields, so reading anything else raises :class:`UndeclaredRead` at once.
:func:`extract` turns the same fields into key data, which is why a stage's cache
key cannot miss one of its inputs. :func:`merge` copies the declared writes from
the stage's result back into the full Episode; a write of a whole object must
hold every field of it (a stage cannot hand back a partial object by mistake).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel

from localize.keys import key_value

__all__ = ["PathTree", "UndeclaredRead", "extract", "merge", "path_tree", "project"]

PathTree = dict[str, Any]
"""Field name (or ``*``) -> subtree; ``True`` marks a field used whole."""
WHOLE = True


class UndeclaredRead(AttributeError):
    """A stage read a field of the Episode (or of its context) that it did not declare."""


def path_tree(paths: Iterable[str]) -> PathTree:
    """``("lines.*.text", "lines.*.id")`` -> ``{"lines": {"*": {"text": True, "id": True}}}``; a whole field absorbs its parts."""
    tree: PathTree = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if child is WHOLE:
                break
            node = node.setdefault(part, {})
        else:
            node[parts[-1]] = WHOLE
    return tree


def project(value: Any, tree: PathTree | bool, where: str = "episode") -> Any:
    """``value`` holding only the fields in ``tree`` (shared, not copied: stages return new objects, never mutate)."""
    if tree is WHOLE or value is None:
        return value
    assert isinstance(tree, dict)
    if isinstance(value, BaseModel):
        fields = {name: project(getattr(value, name), sub, f"{where}.{name}") for name, sub in tree.items() if name != "*"}
        return _partial(value, fields)
    if isinstance(value, list):
        return [project(item, tree["*"], f"{where}.*") for item in value]
    if isinstance(value, dict):
        return {key: project(item, tree["*"], f"{where}.*") for key, item in value.items()}
    raise TypeError(f"cannot project {where}: {type(value).__name__} has no fields")


@cache
def _partial_class(cls: type[BaseModel]) -> type[BaseModel]:
    """A subclass of ``cls`` whose missing fields raise :class:`UndeclaredRead` (instead of a plain AttributeError)."""

    def __getattr__(self: BaseModel, name: str) -> Any:
        if name in cls.model_fields:
            raise UndeclaredRead(f"{cls.__name__}.{name} was read but not declared")
        raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")

    return type(f"Partial{cls.__name__}", (cls,), {"__getattr__": __getattr__, "__module__": __name__, "__partial_of__": cls})


def _partial(model: BaseModel, fields: dict[str, Any]) -> BaseModel:
    partial = _partial_class(type(model)).__new__(_partial_class(type(model)))
    object.__setattr__(partial, "__dict__", fields)
    object.__setattr__(partial, "__pydantic_fields_set__", set(fields))
    object.__setattr__(partial, "__pydantic_extra__", None)
    object.__setattr__(partial, "__pydantic_private__", None)
    return partial


def _plain(value: Any) -> Any:
    """A complete ``value`` with projected classes turned back into the Episode's own."""
    if isinstance(value, BaseModel):
        cls = getattr(type(value), "__partial_of__", type(value))
        fields = {name: _plain(item) for name, item in value.__dict__.items()}
        return value if cls is type(value) and fields == value.__dict__ else cls.model_construct(value.model_fields_set, **fields)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def is_complete(value: Any) -> bool:
    """Whether every model inside ``value`` holds all its fields (nothing projected away)."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return all(name in value.__dict__ for name in fields) and all(is_complete(value.__dict__[name]) for name in fields)
    if isinstance(value, list | tuple):
        return all(is_complete(item) for item in value)
    if isinstance(value, dict):
        return all(is_complete(item) for item in value.values())
    return True


def extract(value: Any, tree: PathTree | bool) -> Any:
    """The fields in ``tree`` as JSON-ready key data (paths by content)."""
    if tree is WHOLE or value is None:
        return key_value(value)
    assert isinstance(tree, dict)
    if isinstance(value, BaseModel):
        return {name: extract(getattr(value, name), sub) for name, sub in sorted(tree.items()) if name != "*"}
    if isinstance(value, list):
        return [extract(item, tree["*"]) for item in value]
    if isinstance(value, dict):
        return {str(key): extract(item, tree["*"]) for key, item in value.items()}
    raise TypeError(f"cannot read fields of a {type(value).__name__}")


def merge(full: Any, result: Any, tree: PathTree | bool, where: str = "episode") -> Any:
    """``full`` with the fields in ``tree`` taken from ``result``; raises ValueError for a partial whole-object write."""
    if tree is WHOLE or full is None or result is None:
        if not is_complete(result):
            raise ValueError(f"{where} is written whole but holds an object with fields the stage did not read")
        return _plain(result)
    assert isinstance(tree, dict)
    if isinstance(full, BaseModel):
        held = result.__dict__  # a written field the stage's view never held and the stage did not set stays as it was
        updates = {name: merge(getattr(full, name), held[name], sub, f"{where}.{name}") for name, sub in tree.items() if name in held}
        return full.model_copy(update=updates)
    sub = tree["*"]
    if isinstance(full, list):
        if len(full) != len(result):
            raise ValueError(f"{where} changed length ({len(full)} -> {len(result)}): declare it written whole")
        return [merge(old, new, sub, f"{where}.*") for old, new in zip(full, result, strict=True)]
    if isinstance(full, dict):
        return {key: merge(full.get(key), item, sub, f"{where}.{key}") for key, item in result.items()}
    raise TypeError(f"cannot write fields of {where}: a {type(full).__name__}")
