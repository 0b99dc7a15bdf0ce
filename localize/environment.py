"""The one reader of the environment. Every ``LOCALIZE_*`` variable is one of three kinds, declared here:

- a runtime setting (``RUNTIME``): how the command runs (debug, log level, model cache, progress, the API
  client's URL and token, the LLM endpoint's defaults);
- a service setting (``LOCALIZE_SERVICE_<FIELD>``, see :mod:`localize.service.settings`);
- a configuration override (``LOCALIZE_<SECTION>__<FIELD>...``, any depth, JSON values), applied over
  ``localize.toml`` field by field.

Any other ``LOCALIZE_*`` variable is ignored with a warning (it is a typo, or meant for something else).
Other variables are read here too: the cache folders of the XDG convention, Apertium's data folder, and the
secrets a server-side setting names (an API key's variable), through :func:`named`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "PREFIX",
    "RUNTIME",
    "SERVICE_PREFIX",
    "Runtime",
    "config_overrides",
    "named",
    "runtime",
    "service_variables",
    "user_cache",
]

log = logging.getLogger("localize")

PREFIX = "LOCALIZE_"
SERVICE_PREFIX = "LOCALIZE_SERVICE_"
RUNTIME = {
    "LOCALIZE_DEBUG": "show tracebacks of internal errors",
    "LOCALIZE_LOG": "log level (WARNING by default)",
    "LOCALIZE_CACHE": "folder of assembled bundled models (default ~/.cache/localize)",
    "LOCALIZE_PROGRESS": "1: progress bars even when stderr is not a terminal",
    "LOCALIZE_API_URL": "the API that 'localize batch' talks to",
    "LOCALIZE_API_TOKEN": "the token 'localize batch' sends",
    "LOCALIZE_LLM_BASE_URL": "default base URL of the openai-chat translate backend",
    "LOCALIZE_LLM_MODEL": "default model name of the openai-chat translate backend",
    "LOCALIZE_LLM_API_KEY": "default API key of the openai-chat translate backend",
}
"""Runtime settings: name -> what it does."""


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


@dataclass(frozen=True)
class Runtime:
    """How this process runs, from the runtime settings."""

    debug: bool
    log_level: str
    cache: Path | None
    progress: bool
    llm_base_url: str | None
    llm_model: str | None


def runtime(environ: Mapping[str, str] | None = None) -> Runtime:
    """The runtime settings."""
    env = _environ(environ)
    return Runtime(
        debug=bool(env.get("LOCALIZE_DEBUG")),
        log_level=(env.get("LOCALIZE_LOG") or "WARNING").upper(),
        cache=Path(env["LOCALIZE_CACHE"]) if env.get("LOCALIZE_CACHE") else None,
        progress=env.get("LOCALIZE_PROGRESS") == "1",
        llm_base_url=env.get("LOCALIZE_LLM_BASE_URL") or None,
        llm_model=env.get("LOCALIZE_LLM_MODEL") or None,
    )


def service_variables(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``LOCALIZE_SERVICE_*`` variables, by field name in lower case."""
    env = _environ(environ)
    return {name[len(SERVICE_PREFIX) :].lower(): value for name, value in env.items() if name.startswith(SERVICE_PREFIX)}


def config_overrides(sections: set[str], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``LOCALIZE_TRANSCRIBE__OPTIONS__BEAM_SIZE=3`` -> ``{"transcribe": {"options": {"beam_size": 3}}}`` (JSON values,
    else the text) for variables whose first part is one of ``sections``; undeclared ``LOCALIZE_*`` variables are
    ignored with a warning."""
    result: dict[str, Any] = {}
    for name, raw in sorted(_environ(environ).items()):
        if not name.startswith(PREFIX) or name.startswith(SERVICE_PREFIX) or name in RUNTIME:
            continue
        path = [part.lower() for part in name[len(PREFIX) :].split("__")]
        if not all(path) or path[0] not in sections:
            log.warning(
                "%s is not a localize setting; ignored (settings: %s, LOCALIZE_SERVICE_*, or a config field)", name, ", ".join(RUNTIME)
            )
            continue
        try:
            value: Any = json.loads(raw)
        except json.JSONDecodeError:
            value = raw
        node = result
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # LOCALIZE_DUB=... and LOCALIZE_DUB__X=... both set: the nested one wins
                child = node[part] = {}
            node = child
        node[path[-1]] = value
    return result


def named(variable: str) -> str | None:
    """The value of a variable a server-side setting names (an API key's, a hub token's); None when unset or empty."""
    return os.environ.get(variable) or None


def user_cache(environ: Mapping[str, str] | None = None) -> Path:
    """The user's cache folder: ``$XDG_CACHE_HOME`` or ``~/.cache``."""
    return Path(_environ(environ).get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"))
