"""The one place backends are built: every stage gets its backend here, so the global model settings
(``allow_downloads``, ``models_dir``) reach every backend that takes them, and a configuration can be
checked whole before any stage runs."""

from __future__ import annotations

from typing import Any

from localize.config import BackendChoice, Config
from localize.errors import ConfigError
from localize.registry import backend_class, create, parse_options

__all__ = ["check_backends", "configured_backends", "make_backend"]

_GLOBAL_OPTIONS = ("allow_downloads", "models_dir")


def _options(kind: str, choice: BackendChoice, config: Config) -> dict[str, Any]:
    """The backend's options with the global model settings added where it takes them and did not set them."""
    cls = backend_class(kind, choice.backend)
    options = dict(choice.options)
    for name in _GLOBAL_OPTIONS:
        value = getattr(config, name)
        if name in cls.Options.model_fields and value is not None:
            options.setdefault(name, value)
    return options


def make_backend(kind: str, choice: BackendChoice, config: Config) -> Any:
    """Create the configured backend."""
    return create(kind, choice.backend, _options(kind, choice, config))


def configured_backends(config: Config) -> list[tuple[str, str, BackendChoice]]:
    """Every backend the configuration names: (where in the configuration, kind, choice)."""
    found = [
        ("transcribe", "transcribe", config.transcribe),
        ("diarize", "diarize", config.diarize),
        ("translate", "translate", config.translate),
    ]
    if config.mix.separation is not None:
        found.append(("mix.separation", "separate", config.mix.separation))
    for name, options in config.dub.backend_options.items():
        found.append((f"dub.backend_options.{name}", "tts", BackendChoice(backend=name, options=options)))
    if config.dub.clone_backend:
        found.append(("dub.clone_backend", "tts", BackendChoice(backend=config.dub.clone_backend)))
    return found


def check_backends(config: Config) -> None:
    """Check every backend name and its options without building anything; ConfigError naming the setting."""
    for where, kind, choice in configured_backends(config):
        try:
            parse_options(kind, choice.backend, _options(kind, choice, config))
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.message}", exc.hint) from exc
