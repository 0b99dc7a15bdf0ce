"""Speech to words with times; importing the package registers the built-in backends."""

from localize.stages.transcribe import faster_whisper, openai_whisper
from localize.stages.transcribe.stage import TranscribeStage

__all__ = ["TranscribeStage", "faster_whisper", "openai_whisper"]
