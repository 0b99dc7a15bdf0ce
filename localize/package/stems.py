"""Stems per language: the M&E bed exactly as it went into the dub mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from localize.media.audio import MIX_RATE
from localize.media.blocks import wav_writer

__all__ = ["write_me_stem"]

BLOCK_FRAMES = 480_000
"""Frames read and written at a time (10 s at 48 kHz)."""


def write_me_stem(mix: Path, dialogue: Path, out: Path) -> None:
    """Write the bed under the dub: the mix less its dialogue stem (48 kHz / 24-bit, the mix's channels), block by block.

    With an M&E stem this is that stem at the gain the mix used; without one it is
    the ducked original the dub was laid over. Mix = M&E + dialogue, sample for sample.
    """
    with soundfile.SoundFile(mix) as programme, soundfile.SoundFile(dialogue) as voice:
        assert programme.samplerate == voice.samplerate == MIX_RATE, "stems are written at the mix rate"
        length = min(programme.frames, voice.frames)
        with wav_writer(out, programme.channels) as write:
            for first in range(0, length, BLOCK_FRAMES):
                count = min(BLOCK_FRAMES, length - first)
                bed = programme.read(count, dtype="float32", always_2d=True) - voice.read(count, dtype="float32", always_2d=True)[:, :1]
                write(np.ascontiguousarray(bed))
