"""Speech to words with times."""

from localize.stages.transcribe.stage import TranscribeStage

__all__ = ["TranscribeStage"]
