"""The stages of the flow, in order: the one list the pipeline, the CLI and the service are driven by.

Stage classes are imported on first use, so ``localize --help`` stays fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localize.stages.base import Stage

__all__ = ["STAGES", "STAGE_NAMES", "StageSpec", "stage_index", "stages"]


@dataclass(frozen=True)
class StageSpec:
    """One stage: its name, where its class lives, and how the CLI offers it on its own."""

    name: str
    target: str
    """``module:Class`` of the stage."""
    summary: str = ""
    """Help of the CLI command that runs the stage alone on an episode folder; empty: no such command."""
    then: tuple[str, ...] = ()
    """Stages run right after it by that command (what it changes feeds them)."""

    def load(self) -> Stage:
        """A new instance of the stage."""
        module, _, name = self.target.partition(":")
        stage: Stage = getattr(importlib.import_module(module), name)()
        return stage


STAGES: tuple[StageSpec, ...] = (
    StageSpec("ingest", "localize.stages.ingest:IngestStage"),
    StageSpec("transcribe", "localize.stages.transcribe:TranscribeStage", "Run only the transcribe stage on an episode folder."),
    StageSpec(
        "diarize", "localize.stages.diarize:DiarizeStage", "Run only the diarize stage (and re-cut the dialogue lines).", ("segment",)
    ),
    StageSpec("segment", "localize.stages.segment:SegmentStage"),
    StageSpec("lips", "localize.stages.lips:LipsStage", "Run only the lips stage: which lines are seen spoken (ON/OFF)."),
    StageSpec("translate", "localize.stages.translate:TranslateStage", "Run only the translate stage on an episode folder."),
    StageSpec("dub", "localize.stages.dub:DubStage", "Run only the dub stage (synthesis and retiming), then the mix.", ("mix",)),
    StageSpec("mix", "localize.stages.mix:MixStage"),
    StageSpec("package", "localize.stages.package:PackageStage", "Run only the package stage: rewrite the deliverables."),
)
STAGE_NAMES: tuple[str, ...] = tuple(spec.name for spec in STAGES)


def stages() -> list[Stage]:
    """Every stage in flow order."""
    return [spec.load() for spec in STAGES]


def stage_index(name: str) -> int:
    """The position of a stage in the flow."""
    return STAGE_NAMES.index(name)
