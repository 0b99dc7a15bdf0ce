"""Backends by versioned name, per stage kind, with options validated up front.

Built-in backends register themselves with ``@register``; third-party packages
add theirs through the ``localize.backends`` entry-point group, as
``"<kind>:<name>" = "package.module:Class"``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ValidationError

from localize.errors import ConfigError

__all__ = ["Availability", "Backend", "available", "backend_class", "create", "names", "parse_options", "register"]

_BUILTIN_PACKAGES = {
    "transcribe": "localize.stages.transcribe",
    "diarize": "localize.stages.diarize",
    "translate": "localize.stages.translate",
    "tts": "localize.stages.dub",
    "separate": "localize.stages.separate",
}
"""The stage package whose import registers the built-in backends of each kind (the package lists its backends)."""
KINDS = tuple(_BUILTIN_PACKAGES)


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run offline here, and what to do if not."""

    usable: bool
    detail: str


class Backend:
    """Base of every backend: a versioned name, an Options model, an extra."""

    name: ClassVar[str]
    extra: ClassVar[str | None] = None
    job_options: ClassVar[frozenset[str]] = frozenset()
    """The options a service job may set; every other option is the server's. None of them may name a path,
    URL, host, environment variable, model or download permission, or size the work a machine takes on."""

    class Options(BaseModel):
        """Backend options; subclasses declare their own."""

    def __init__(self, options: BaseModel) -> None:
        self.options = options

    @classmethod
    def availability(cls) -> Availability:
        """Report whether this backend can run here; overridden by backends."""
        return Availability(True, "ready")

    @classmethod
    def optional_parts(cls) -> dict[str, Availability]:
        """Parts the backend uses when they are installed and does without otherwise (by name), for the doctor."""
        return {}


B = TypeVar("B", bound=type[Backend])
_registry: dict[str, dict[str, type[Backend]]] = {kind: {} for kind in KINDS}
_loaded: set[str] = set()


def register(kind: str) -> Callable[[B], B]:
    """Class decorator: make a backend known under its ``name`` for ``kind``."""

    def decorate(cls: B) -> B:
        _registry[kind][cls.name] = cls
        return cls

    return decorate


def _load(kind: str) -> None:
    if kind in _loaded:
        return
    _loaded.add(kind)
    importlib.import_module(_BUILTIN_PACKAGES[kind])
    for entry in entry_points(group="localize.backends"):
        entry_kind, _, entry_name = entry.name.partition(":")
        if entry_kind == kind:
            _registry[kind][entry_name] = entry.load()


def names(kind: str) -> list[str]:
    """Every registered backend name for a stage kind."""
    _load(kind)
    return sorted(_registry[kind])


def available(kind: str) -> dict[str, type[Backend]]:
    """Registered backend classes for a stage kind, by name."""
    _load(kind)
    return dict(_registry[kind])


def backend_class(kind: str, name: str) -> type[Backend]:
    """The class registered as ``name``; ConfigError listing valid names if none."""
    _load(kind)
    try:
        return _registry[kind][name]
    except KeyError:
        valid = ", ".join(names(kind))
        raise ConfigError(f"unknown {kind} backend '{name}'", f"use one of: {valid}") from None


def parse_options(kind: str, name: str, options: dict[str, Any] | None = None) -> BaseModel:
    """A backend's validated options; ConfigError for an unknown backend, an unknown option or a bad value."""
    cls = backend_class(kind, name)
    given = dict(options or {})
    unknown = sorted(set(given) - set(cls.Options.model_fields))
    if unknown:
        raise ConfigError(
            f"unknown option '{unknown[0]}' for {kind} backend '{name}'", f"use some of: {', '.join(cls.Options.model_fields) or '(none)'}"
        )
    try:
        return cls.Options(**given)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid options for {kind} backend '{name}': {problems}", "fix localize.toml") from exc


def create(kind: str, name: str, options: dict[str, Any] | None = None) -> Any:
    """Instantiate a backend with validated options."""
    return backend_class(kind, name)(parse_options(kind, name, options))
