"""What goes into a cache key: values by content, never by spelling, and the code that computes them.

Two rules keep keys honest without anyone maintaining them by hand:

- a path is keyed by the content of the file (or folder) it names, so giving the
  same glossary as ``./g.yaml`` or ``/series/g.yaml`` is the same key, and editing
  the file changes it;
- code is keyed by its own text: :func:`code_version` hashes the syntax trees
  (docstrings and comments left out) of a module and every ``localize`` module
  it imports, so a change to a stage's code redoes what that code made, with no
  version number to bump.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel

from localize.cache import file_fingerprint, stable_hash

__all__ = ["PLUMBING", "code_version", "key_value", "source_digest"]

PLUMBING = frozenset(
    {
        "localize",
        "localize.cache",
        "localize.config",
        "localize.errors",
        "localize.keys",
        "localize.migrate",
        "localize.model",
        "localize.models",
        "localize.progress",
        "localize.registry",
        "localize.stages.access",
        "localize.stages.base",
    }
)
"""Modules that carry data and plumbing, not results: their changes show up as values in keys (config defaults,
model fields) or as a schema migration, so they are left out of :func:`code_version`."""


def key_value(value: Any) -> Any:
    """``value`` as JSON-ready data for a key: models dumped, paths replaced by what they contain."""
    if isinstance(value, BaseModel):
        return {name: key_value(getattr(value, name)) for name in type(value).model_fields if name in value.__dict__}
    if isinstance(value, PurePath):
        return _path_content(Path(value))
    if isinstance(value, dict):
        return {str(key): key_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [key_value(item) for item in value]
        return sorted(items, key=stable_hash) if isinstance(value, set | frozenset) else items
    return value


def _path_content(path: Path) -> dict[str, Any]:
    """A file by its fingerprint, a folder by its files' fingerprints, a missing path as missing."""
    try:
        if path.is_file():
            return {"file": file_fingerprint(path)}
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            return {"folder": {p.relative_to(path).as_posix(): file_fingerprint(p) for p in files}}
    except OSError:
        pass
    return {"missing": path.name}


def code_version(*modules: str) -> str:
    """A digest of the code of ``modules`` and of every ``localize`` module they import, plumbing left out."""
    return _closure_digest(tuple(sorted(set(modules))))


@cache
def _closure_digest(roots: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in sorted(_closure(roots)):
        digest.update(name.encode())
        digest.update(_module_digest(name).encode())
    return digest.hexdigest()


def _closure(roots: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    pending = [name for name in roots if name not in PLUMBING]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending.extend(imported for imported in _imports(name) if imported not in seen and imported not in PLUMBING)
    return seen


_ROOT = Path(__file__).resolve().parent
"""The ``localize`` package folder: module names map to files under it, without importing anything."""


@cache
def _source(name: str) -> tuple[Path | None, bool]:
    """A ``localize`` module's source file and whether it is a package (None when there is no such module)."""
    parts = name.split(".")[1:]
    package = _ROOT.joinpath(*parts, "__init__.py")
    if package.is_file():
        return package, True
    module = _ROOT.joinpath(*parts[:-1], f"{parts[-1]}.py") if parts else None
    return (module, False) if module is not None and module.is_file() else (None, False)


@cache
def _tree(name: str) -> ast.Module | None:
    path, _ = _source(name)
    return ast.parse(path.read_text(encoding="utf-8")) if path else None


def _imports(name: str) -> set[str]:
    """The ``localize`` modules ``name`` imports anywhere in its code (lazy imports inside functions too)."""
    tree = _tree(name)
    if tree is None:
        return set()
    _, is_package = _source(name)
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module.startswith("localize") and _source(module)[0] is not None}


class _DropDocs(ast.NodeTransformer):
    """Removes bare string statements (docstrings, attribute docs): they change nothing a module computes."""

    def visit_Expr(self, node: ast.Expr) -> ast.Expr | None:
        return None if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str) else node


def source_digest(source: str) -> str:
    """A digest of Python source that formatting, comments and documentation do not change."""
    tree = _DropDocs().visit(ast.parse(source))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


@cache
def _module_digest(name: str) -> str:
    path, _ = _source(name)
    return source_digest(path.read_text(encoding="utf-8")) if path else ""
