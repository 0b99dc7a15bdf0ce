"""Who speaks when."""

from localize.stages.diarize import embedded, pyannote_audio
from localize.stages.diarize.stage import DiarizeStage

__all__ = ["DiarizeStage", "embedded", "pyannote_audio"]
