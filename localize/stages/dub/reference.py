"""Reference clips for voice cloning: each character's speech, 6 to 15 seconds."""

from __future__ import annotations

from pathlib import Path

import soundfile

from localize.cache import WorkDir, stable_hash
from localize.media.audio import write_wav

__all__ = ["MAX_REFERENCE", "MIN_REFERENCE", "cloning_reference"]

MIN_REFERENCE = 6.0
MAX_REFERENCE = 15.0


def cloning_reference(clip: Path, workdir: WorkDir) -> tuple[Path, str | None]:
    """The diarized reference clip cut to at most 15 s, and a warning when it holds under 6 s of speech."""
    info = soundfile.info(str(clip))
    warning = None
    if info.duration < MIN_REFERENCE:
        warning = (
            f"reference clip {clip.name} holds only {info.duration:.1f} s of speech ({MIN_REFERENCE:g}-{MAX_REFERENCE:g} s clone best)"
        )
    if info.duration <= MAX_REFERENCE:
        return clip, warning
    out = workdir.artifact(stable_hash("reference", clip.name, info.frames), ".reference15.wav")
    if not out.is_file():
        samples, rate = soundfile.read(str(clip), frames=int(MAX_REFERENCE * info.samplerate), dtype="float32")
        write_wav(out, samples, rate, subtype="PCM_16")
    return out, warning
