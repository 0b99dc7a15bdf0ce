"""What every stage shares: the run context, the Stage base class, and running a stage on its declared view.

A stage declares what it reads and writes (as spaCy components declare
``requires``/``assigns``):

- ``reads``: paths into the Episode (see :mod:`localize.stages.access`);
- ``writes``: the paths it sets;
- ``settings``: the configuration fields it reads (``"dub"``, ``"source_language"``...);
- ``context``: ``"targets"`` and/or ``"glossary"`` when it uses them;
- ``hints``: context that helps the stage but whose change must not redo it (the
  glossary's names priming the transcriber: a reviewed transcript is kept).

:func:`run_stage` runs the stage on a view holding exactly those fields and
merges its declared writes back, and :func:`stage_key` hashes exactly those
fields (plus the stage's own code and backend): what a stage reads, hints aside, is
what its cache key is made of, by construction. Files a stage reads from outside the
Episode (a speakers file, a casting file) are given by :meth:`Stage.external_inputs`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from localize.cache import WorkDir, stable_hash
from localize.config import Config
from localize.keys import code_version, key_value
from localize.model import Episode
from localize.progress import ProgressHook, silent_hook
from localize.stages.access import PathTree, UndeclaredRead, extract, merge, path_tree, project

if TYPE_CHECKING:
    from localize.glossary import Glossary

__all__ = ["CONTEXT", "RunContext", "Stage", "run_stage", "stage_key"]

log = logging.getLogger("localize")

CONTEXT = ("targets", "glossary")
"""What a stage may declare in ``context`` besides the Episode and the configuration."""


@dataclass
class RunContext:
    """What a stage may use besides the Episode: where to write, how, for whom."""

    workdir: WorkDir
    config: Config
    targets: list[str]
    glossary: Glossary | None = None
    hook: ProgressHook = field(default=silent_hook)
    code: str = ""
    """The running stage's code version (for keys of the artifacts it caches itself)."""

    def warn(self, episode: Episode, message: str) -> Episode:
        """Log a warning and return a copy of the episode that records it."""
        log.warning(message)
        if message in episode.warnings:
            return episode
        return episode.model_copy(update={"warnings": [*episode.warnings, message]})


class Stage:
    """A step of the flow: ``run(episode, ctx) -> Episode`` on the fields it declares."""

    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()
    settings: ClassVar[tuple[str, ...]] = ()
    context: ClassVar[tuple[str, ...]] = ()
    hints: ClassVar[tuple[str, ...]] = ()

    def backend_name(self, ctx: RunContext) -> str:
        """The backend this stage would use (for records and cache keys)."""
        return "builtin"

    def external_inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Key data for files the stage reads outside the Episode (by content); None when it reads none."""
        return None

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Whether the files this stage made are still on disk (stages whose output is the manifest keep the default)."""
        return True

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Do the work and return the updated episode."""
        raise NotImplementedError

    @property
    def code(self) -> str:
        """This stage's code version: its module, its package (which registers the stage's backends), what they import."""
        module = type(self).__module__
        return code_version(module, module.rpartition(".")[0])


class _Undeclared:
    """Stands in for a context value a stage did not declare: any use of it is an undeclared read."""

    def __init__(self, what: str) -> None:
        self._what = what

    def _fail(self, *args: object) -> Any:
        raise UndeclaredRead(f"the run's {self._what} was used but not declared")

    __getattr__ = _fail
    __bool__ = _fail
    __iter__ = _fail
    __len__ = _fail
    __getitem__ = _fail


def _config_view(config: Config, settings: tuple[str, ...]) -> Config:
    view: Config = project(config, path_tree(settings), "config")
    return view


def _context_tree(stage: Stage, keyed: bool = False) -> PathTree:
    """The context ``stage`` may use, or with ``keyed`` only the part its key is made of (no hints)."""
    tree = path_tree(stage.context if keyed else (*stage.context, *stage.hints))
    unknown = set(tree) - set(CONTEXT)
    if unknown:
        raise ValueError(f"stage {stage.name} declares unknown context {sorted(unknown)}; use {CONTEXT}")
    return tree


def _view_context(stage: Stage, ctx: RunContext) -> RunContext:
    tree = _context_tree(stage)
    glossary: Any = project(ctx.glossary, tree["glossary"], "glossary") if "glossary" in tree else _Undeclared("glossary")
    targets: Any = ctx.targets if "targets" in tree else _Undeclared("targets")
    return replace(
        ctx,
        config=_config_view(ctx.config, stage.settings),
        targets=targets,
        glossary=glossary,
        code=stage.code,
    )


def stage_key(stage: Stage, episode: Episode, ctx: RunContext) -> str:
    """The cache key of ``stage``: its code, backend and parameters, and the values of everything it declares it reads."""
    tree = _context_tree(stage, keyed=True)
    view = _view_context(stage, ctx)
    glossary = ctx.glossary.without_location() if ctx.glossary is not None else None
    return stable_hash(
        stage.name,
        stage.code,
        stage.backend_name(ctx),
        key_value(vars(stage)),
        extract(episode, path_tree(stage.reads)),
        key_value(view.config),
        ctx.targets if "targets" in tree else None,
        extract(glossary, tree["glossary"]) if "glossary" in tree else None,
        stage.external_inputs(project(episode, path_tree(stage.reads)), view),
    )


def run_stage(stage: Stage, episode: Episode, ctx: RunContext) -> Episode:
    """Run ``stage`` on a view of ``episode`` with only its declared fields; keep only its declared writes.

    Warnings are the one shared channel: every stage may add to them, none is keyed by them.
    """
    reads = path_tree((*stage.reads, "warnings"))
    try:
        result = stage.run(project(episode, reads), _view_context(stage, ctx))
    except UndeclaredRead as exc:
        raise UndeclaredRead(f"stage {stage.name}: {exc}; declare it in {type(stage).__name__}.reads") from exc
    try:
        merged: Episode = merge(episode, result, path_tree((*stage.writes, "warnings")))
        return merged
    except ValueError as exc:
        raise RuntimeError(f"stage {stage.name}: {exc}") from exc
