"""What every stage shares: the run context and the Stage protocol."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from localize.cache import WorkDir, stable_hash
from localize.config import Config
from localize.model import Episode
from localize.progress import ProgressHook, silent_hook

if TYPE_CHECKING:
    from localize.glossary import Glossary

__all__ = ["RunContext", "Stage", "stage_key"]

log = logging.getLogger("localize")


@dataclass
class RunContext:
    """What a stage may use besides the Episode: where to write, how, for whom."""

    workdir: WorkDir
    config: Config
    targets: list[str]
    glossary: Glossary | None = None
    hook: ProgressHook = field(default=silent_hook)

    def warn(self, episode: Episode, message: str) -> Episode:
        """Log a warning and return a copy of the episode that records it."""
        log.warning(message)
        if message in episode.warnings:
            return episode
        return episode.model_copy(update={"warnings": [*episode.warnings, message]})


class Stage(Protocol):
    """A step of the flow: ``run(episode, ctx) -> Episode``, with a cache key."""

    name: str
    version: int

    def backend_name(self, ctx: RunContext) -> str:
        """The backend this stage would use (for records and cache keys)."""
        ...

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """JSON-serialisable inputs, options included; with name, version and backend they form the cache key."""
        ...

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Whether the files this stage made are still on disk."""
        ...

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Do the work and return the updated episode."""
        ...


def stage_key(stage: Stage, episode: Episode, ctx: RunContext) -> str:
    """The cache key of ``stage`` for this episode and context."""
    return stable_hash(stage.name, stage.version, stage.backend_name(ctx), stage.inputs(episode, ctx))
