"""Decode, write and transform audio. Samples are float32 numpy arrays.

Internal processing runs at 48 kHz (mixing) or 16 kHz (speech models); shapes are
``(n,)`` for mono and ``(n, channels)`` for multichannel audio.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from localize.cache import atomic_path
from localize.errors import InputError, MediaError
from localize.media.tools import require_tool, run_tool
from localize.model import MediaInfo

__all__ = [
    "MIX_RATE",
    "SPEECH_RATE",
    "choose_audio_stream",
    "extract_audio",
    "read_audio",
    "time_stretch",
    "write_wav",
]

MIX_RATE = 48_000
SPEECH_RATE = 16_000


def choose_audio_stream(info: MediaInfo, language: str | None, requested: int | None) -> int:
    """Pick the dialogue stream: the one asked for, else one tagged with ``language``, else the first.

    Returns a position in ``info.audio_streams``.
    """
    streams = info.audio_streams
    if requested is not None:
        if not 0 <= requested < len(streams):
            raise InputError(
                f"audio stream {requested} does not exist (the file has {len(streams)})",
                f"pass --audio-stream between 0 and {len(streams) - 1}",
            )
        return requested
    if language:
        from localize.languages import base_language, iso639_2

        wanted = {base_language(language), iso639_2(language)}
        for position, stream in enumerate(streams):
            if stream.language and stream.language.lower() in wanted:
                return position
    return 0


def extract_audio(info: MediaInfo, position: int, out: Path, rate: int = SPEECH_RATE) -> None:
    """Decode one audio stream to a mono float WAV at ``rate`` (downmixing as needed)."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    stream = info.audio_streams[position]
    with atomic_path(out) as temp:
        run_tool(
            [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", info.path, "-map", f"0:{stream.index}",
             "-ac", "1", "-ar", str(rate), "-c:a", "pcm_f32le", "-f", "wav", str(temp)],
            f"extracting audio from {Path(info.path).name}",
            "the audio stream may be corrupt; re-export the file",
        )


def read_audio(
    path: Path, rate: int, channels: int = 1, start: float = 0.0, duration: float | None = None, stream: int | None = None
) -> np.ndarray:
    """Decode an audio stream (absolute ``stream`` index, default the first audio) of any file to float32."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-v", "error"]
    if start > 0:
        command += ["-ss", f"{start:.3f}"]
    command += ["-i", str(path)]
    if duration is not None:
        command += ["-t", f"{duration:.3f}"]
    command += ["-map", f"0:{stream}" if stream is not None else "0:a:0", "-ac", str(channels), "-ar", str(rate), "-f", "f32le", "-"]
    raw = run_tool(command, f"decoding {path.name}", "the file may be corrupt")
    samples = np.frombuffer(raw, dtype=np.float32).copy()
    return samples if channels == 1 else samples.reshape(-1, channels)


def write_wav(path: Path, samples: np.ndarray, rate: int = MIX_RATE, subtype: str = "PCM_24") -> None:
    """Write a WAV (48 kHz / 24-bit by default) atomically."""
    with atomic_path(path) as temp:
        soundfile.write(temp, np.clip(samples, -1.0, 1.0), rate, subtype=subtype, format="WAV")


def time_stretch(source: Path, out: Path, ratio: float, semitones: float = 0.0) -> None:
    """Make ``source`` ``ratio`` times faster (pitch kept) and shift it by ``semitones``, with Rubber Band."""
    if ratio <= 0:
        raise MediaError(f"invalid stretch ratio {ratio}")
    rubberband = require_tool("rubberband", "rubberband-cli")
    with atomic_path(out) as temp:
        run_tool(
            [rubberband, "-q", "--fine", "-T", f"{ratio:.5f}", "-p", f"{semitones:.3f}", str(source), str(temp)],
            f"time-stretching {source.name}",
        )
