"""See the mouths: faces tracked through each shot, and whether each line's speaker is seen speaking it."""

from localize.stages.lips.stage import LipsStage

__all__ = ["LipsStage"]
