"""Voices, synthesis and retiming.

Importing the package registers its TTS backends (espeak-ng, Kokoro, Piper, Coqui XTTS);
heavy engines are imported only when a backend is used.
"""

from localize.stages.dub import espeak, kokoro, piper, xtts
from localize.stages.dub.stage import DubStage

__all__ = ["DubStage", "espeak", "kokoro", "piper", "xtts"]
