"""Voices, synthesis and retiming."""

from localize.stages.dub.stage import DubStage

__all__ = ["DubStage"]
