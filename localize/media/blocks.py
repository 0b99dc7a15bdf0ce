"""Audio decoded and written block by block, so that hours of audio pass through in the memory of one block.

``read_blocks`` decodes as ``read_audio`` does (same ffmpeg command, same samples) but hands the samples
over a block at a time; ``wav_writer`` writes what ``write_wav`` would, a block at a time.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast

import numpy as np
import soundfile

from localize.cache import atomic_path
from localize.errors import MediaError
from localize.media.audio import MIX_RATE
from localize.media.tools import require_tool

__all__ = ["read_blocks", "wav_writer"]


def read_blocks(path: Path, rate: int, channels: int, length: int, block: int, stream: int | None = None) -> Iterator[np.ndarray]:
    """Decode an audio stream as float32 blocks of ``block`` frames (the last one shorter), ``length`` frames in all.

    The decoder's output is cut at ``length`` frames, or padded with silence up to it; only one block is in
    memory at a time. Blocks are ``(n,)`` for mono and ``(n, channels)`` otherwise, as ``read_audio`` returns.
    """
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    selected = f"0:{stream}" if stream is not None else "0:a:0"
    command = [
        ffmpeg,
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(path),
        "-map",
        selected,
        "-ac",
        str(channels),
        "-ar",
        str(rate),
        "-f",
        "f32le",
        "-",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        output = cast("io.BufferedReader", process.stdout)
        try:
            for first in range(0, length, block):
                frames = np.zeros((min(block, length - first), channels), dtype=np.float32)
                view, filled = frames.data.cast("B"), 0
                while filled < len(view):
                    count = output.readinto(view[filled:])
                    if not count:
                        break
                    filled += count
                yield frames if channels > 1 else frames[:, 0]
            if output.read(1):  # more than ``length``: the rest is not wanted
                return
            if process.wait() != 0:
                errors.seek(0)
                stderr = errors.read().decode("utf-8", "replace").strip()
                last = stderr.splitlines()[-1] if stderr else f"exit code {process.returncode}"
                raise MediaError(f"decoding {path.name} failed: {last}", "the file may be corrupt", command=command, stderr=stderr)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            output.close()


@contextlib.contextmanager
def wav_writer(path: Path, channels: int, rate: int = MIX_RATE, subtype: str = "PCM_24") -> Iterator[Callable[[np.ndarray], None]]:
    """Write a WAV (48 kHz / 24-bit by default) block by block, atomically: yields the function that appends a block."""
    with atomic_path(path) as temp, soundfile.SoundFile(temp, "w", rate, channels, subtype=subtype, format="WAV") as handle:
        yield lambda samples: handle.write(np.clip(samples, -1.0, 1.0))
