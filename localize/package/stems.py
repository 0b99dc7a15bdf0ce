"""Stems per language: the M&E bed exactly as it went into the dub mix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from localize.media.audio import MIX_RATE, write_wav

__all__ = ["write_me_stem"]


def write_me_stem(mix: Path, dialogue: Path, out: Path) -> None:
    """Write the bed under the dub: the mix less its dialogue stem (48 kHz / 24-bit, the mix's channels).

    With an M&E stem this is that stem at the gain the mix used; without one it is
    the ducked original the dub was laid over. Mix = M&E + dialogue, sample for sample.
    """
    programme, rate = soundfile.read(mix, dtype="float32", always_2d=True)
    voice, voice_rate = soundfile.read(dialogue, dtype="float32", always_2d=True)
    assert rate == voice_rate == MIX_RATE, "stems are written at the mix rate"
    length = min(len(programme), len(voice))
    bed = programme[:length] - voice[:length, :1]
    write_wav(out, np.ascontiguousarray(bed))
