"""Who speaks when."""

from localize.stages.diarize.stage import DiarizeStage, assign_speakers

__all__ = ["DiarizeStage", "assign_speakers"]
