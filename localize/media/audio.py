"""Decode, write and transform audio. Samples are float32 numpy arrays.

Internal processing runs at 48 kHz (mixing) or 16 kHz (speech models); shapes are
``(n,)`` for mono and ``(n, channels)`` for multichannel audio.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
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
    "audio_duration",
    "choose_audio_stream",
    "encode_opus",
    "extract_audio",
    "read_audio",
    "read_windows",
    "time_stretch",
    "write_wav",
]

log = logging.getLogger("localize")

MIX_RATE = 48_000
SPEECH_RATE = 16_000


def _tag_language(tag: str) -> str | None:
    """The base language of a stream's language tag ("spa", "fre", "es-AR" -> "es", "fr", "es")."""
    import langcodes

    try:
        return langcodes.Language.get(tag.strip().replace("_", "-")).language
    except (langcodes.LanguageTagError, ValueError):
        return None


def choose_audio_stream(info: MediaInfo, language: str | None, requested: int | None) -> int:
    """Pick the dialogue stream: the one asked for, else one tagged with ``language``, else the first.

    ``requested`` and the result are positions in ``info.audio_streams`` (0 is the
    first audio stream). Stream tags match in any form: ``spa``, ``es`` or ``es-AR``.
    """
    streams = info.audio_streams
    if requested is not None:
        if not 0 <= requested < len(streams):
            raise InputError(
                f"audio stream {requested} does not exist (the file has {len(streams)})",
                f"pass --audio-stream between 0 and {len(streams) - 1}",
            )
        return requested
    if language and len(streams) > 1:
        wanted = _tag_language(language)
        for position, stream in enumerate(streams):
            if stream.language and _tag_language(stream.language) == wanted:
                return position
        log.warning("no audio stream is tagged %s; using the first (choose one with --audio-stream)", language)
    return 0


CENTRE_CHANNEL_LAYOUTS = 6
"""Streams with this many channels or more are surround mixes; dialogue lives in their centre channel."""
SILENT_PEAK = 1e-4


def _extract(info: MediaInfo, position: int, out: Path, rate: int, channel_filter: list[str]) -> None:
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    stream = info.audio_streams[position]
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(info.path), "-map", f"0:{stream.index}", *channel_filter]
    command += ["-ac", "1", "-ar", str(rate), "-c:a", "pcm_f32le", "-f", "wav"]
    with atomic_path(out) as temp:
        run_tool(
            [*command, str(temp)],
            f"extracting audio from {Path(info.path).name}",
            "the audio stream may be corrupt; re-export the file, or pick another with --audio-stream",
        )


def _is_silent(path: Path, block_seconds: float = 30.0) -> bool:
    with soundfile.SoundFile(path) as handle:
        for block in handle.blocks(blocksize=int(block_seconds * handle.samplerate), dtype="float32"):
            if len(block) and float(np.max(np.abs(block))) > SILENT_PEAK:
                return False
    return True


def extract_audio(info: MediaInfo, position: int, out: Path, rate: int = SPEECH_RATE, channel: int | None = None) -> None:
    """Decode one audio stream to a mono float WAV at ``rate``: one ``channel`` of it, or its dialogue.

    Without ``channel``, mono and stereo streams are downmixed. A surround stream
    (5.1, 7.1) gives its centre channel, where mixes put the dialogue; when the
    centre is silent the whole mix is downmixed instead.
    """
    stream = info.audio_streams[position]
    if channel is not None:
        if not 0 <= channel < stream.channels:
            raise InputError(
                f"audio stream {position} has {stream.channels} channel(s), so it has no channel {channel + 1}",
                "use --channels mix, or choose a stereo stream with --audio-stream",
            )
        _extract(info, position, out, rate, ["-af", f"pan=mono|c0=c{channel}"])
        return
    if stream.channels >= CENTRE_CHANNEL_LAYOUTS:
        # by index, not name: FC is the third channel of every 5.1/7.1 layout, and files without a layout tag keep it there
        _extract(info, position, out, rate, ["-af", "pan=mono|c0=c2"])
        if not _is_silent(out):
            return
        log.warning("the centre channel of audio stream %d is silent; downmixing all %d channels", position, stream.channels)
    _extract(info, position, out, rate, [])


def audio_duration(path: Path) -> float:
    """Length in seconds of an audio file soundfile can read (the extracted WAVs)."""
    return float(soundfile.info(str(path)).duration)


def read_windows(path: Path, seconds: float, search: float = 20.0) -> Iterator[tuple[float, np.ndarray]]:
    """Read a mono audio file in windows of about ``seconds``, each cut at the quietest moment near its end.

    Yields ``(start_seconds, samples)``; only one window is in memory at a time, so
    hours of audio can be processed in bounded memory. A cut falls in the quietest
    100 ms of the last ``search`` seconds of a window, so words are rarely split.
    """
    with soundfile.SoundFile(path) as handle:
        rate, total = handle.samplerate, handle.frames
        width, frame = int(seconds * rate), max(1, rate // 10)
        start = 0
        while start < total:
            handle.seek(start)
            samples = handle.read(min(width, total - start), dtype="float32", always_2d=False)
            if samples.ndim > 1:
                samples = samples.mean(axis=1)
            if start + len(samples) < total:
                tail = samples[max(0, len(samples) - int(search * rate)) :]
                usable = len(tail) // frame * frame
                if usable >= frame:
                    energy = np.square(tail[len(tail) - usable :]).reshape(-1, frame).sum(axis=1)
                    cut = len(samples) - usable + int(np.argmin(energy)) * frame + frame // 2
                    samples = samples[:cut]
            yield start / rate, samples
            start += len(samples)


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


def encode_opus(source: Path, bitrate: str = "24k") -> bytes:
    """``source`` as mono Ogg/Opus bytes (small enough to embed in a self-contained HTML page)."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-v", "error", "-i", str(source), "-ac", "1", "-c:a", "libopus", "-b:a", bitrate]
    command += ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "ogg", "-"]  # same bytes every run
    return run_tool(command, f"encoding {source.name} as Opus")
