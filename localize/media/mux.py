"""Muxing masters: video stream-copied, original audio (default), one dubbed track per language, subtitle tracks.

Matroska carries BCP-47 language tags, FLAC dubs and SRT subtitles; MP4 carries
ISO 639-2 codes, AAC dubs and mov_text subtitles, with the track title as its
handler name (what players show).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localize.cache import atomic_path
from localize.languages import iso639_2
from localize.media.tools import require_tool, run_tool
from localize.model import AudioStream
from localize.rules import MasterFormat

__all__ = ["AudioTrack", "MasterFormat", "SubtitleTrack", "encode_aac", "mux_master", "probe_streams"]


_DUB_CODEC = {"mkv": ["flac"], "mp4": ["aac", "-aac_coder", "fast", "-b:a", "256k"]}
_SUBTITLE_CODEC = {"mkv": "srt", "mp4": "mov_text"}
_MUXER = {"mkv": "matroska", "mp4": "mp4"}


@dataclass(frozen=True)
class AudioTrack:
    """A dubbed audio file to add, with its BCP-47 tag and title."""

    path: Path
    language: str
    title: str
    aac: Path | None = None
    """The same audio already encoded as AAC (``encode_aac``): MP4 masters copy it instead of encoding again."""


@dataclass(frozen=True)
class SubtitleTrack:
    """A subtitle file (SRT) to add, with its BCP-47 tag, title and flags."""

    path: Path
    language: str
    title: str
    forced: bool = False
    hearing_impaired: bool = False


def _language(tag: str, fmt: MasterFormat) -> str:
    if fmt == "mkv" or tag == "und":
        return tag
    return iso639_2(tag)


def _disposition(subtitle: SubtitleTrack, default: bool) -> str:
    flags = [
        name for name, on in (("default", default), ("forced", subtitle.forced), ("hearing_impaired", subtitle.hearing_impaired)) if on
    ]
    return "+".join(flags) or "0"


def _default_subtitles(subtitles: list[SubtitleTrack]) -> list[int]:
    """Which subtitle streams are flagged default, alike in MKV and MP4: the forced-narrative ones, else the first.

    An MP4 muxer enables the first text track when none is flagged, so the MKV flags that one too.
    """
    forced = [number for number, subtitle in enumerate(subtitles) if subtitle.forced]
    return forced or ([0] if subtitles else [])


def _describe(kind: str, number: int, language: str, title: str, fmt: MasterFormat) -> list[str]:
    tags = [f"language={language}", f"title={title}"]
    if fmt == "mp4":
        tags.append(f"handler_name={title}")
    command: list[str] = []
    for tag in tags:
        command += [f"-metadata:s:{kind}:{number}", tag]
    return command


_MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus"})
"""Audio codecs ffmpeg's MP4 muxer takes as they are (FLAC in MP4 is still experimental there: it is encoded)."""


def _carries(fmt: MasterFormat, codec: str) -> bool:
    """Whether ``fmt`` can hold an audio stream of ``codec`` as it is (PCM or FLAC sources are encoded for MP4)."""
    return fmt == "mkv" or codec in _MP4_AUDIO_CODECS


def mux_master(
    source: Path,
    original_stream: AudioStream,
    original_language: str,
    original_title: str,
    audio: list[AudioTrack],
    subtitles: list[SubtitleTrack],
    out: Path,
    fmt: MasterFormat = "mkv",
) -> None:
    """Write a master: video copied, original audio copied (encoded only where MP4 cannot hold it) and default,
    dubs and subtitles after it, untagged by time or version."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source)]
    dubs = [track.aac if fmt == "mp4" and track.aac else track.path for track in audio]
    for item in [*dubs, *(track.path for track in subtitles)]:
        command += ["-i", str(item)]
    command += ["-map", "0:v?", "-map", f"0:{original_stream.index}"]
    for number in range(len(audio)):
        command += ["-map", f"{number + 1}:a:0"]
    for number in range(len(subtitles)):
        command += ["-map", f"{len(audio) + number + 1}:s:0"]
    original_codec = ["copy"] if _carries(fmt, original_stream.codec) else _DUB_CODEC[fmt]
    command += ["-map_metadata", "-1", "-map_chapters", "-1", "-c:v", "copy", "-c:a:0", *original_codec, "-c:s", _SUBTITLE_CODEC[fmt]]
    command += _describe("a", 0, _language(original_language, fmt), original_title, fmt)
    command += ["-disposition:a:0", "default"]
    for number, track in enumerate(audio, start=1):
        codec = ["copy"] if fmt == "mp4" and track.aac else _DUB_CODEC[fmt]
        command += [f"-c:a:{number}", *codec, f"-disposition:a:{number}", "0"]
        command += _describe("a", number, _language(track.language, fmt), track.title, fmt)
    defaults = _default_subtitles(subtitles)
    for number, subtitle in enumerate(subtitles):
        command += _describe("s", number, _language(subtitle.language, fmt), subtitle.title, fmt)
        command += [f"-disposition:s:{number}", _disposition(subtitle, number in defaults)]
    if fmt == "mp4":
        command += ["-movflags", "+faststart"]
    with atomic_path(out) as temp:
        bitexact = ["-fflags", "+bitexact", "-flags:a", "+bitexact", "-flags:s", "+bitexact"]
        run_tool([*command, *bitexact, "-f", _MUXER[fmt], str(temp)], f"writing the master {out.name}")


def encode_aac(source: Path, out: Path, bitrate: str = "256k") -> None:
    """Encode an audio file once as AAC in an M4A, for MP4 masters and review proxies to copy."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:a:0", "-c:a", "aac", "-aac_coder", "fast"]
    command += ["-b:a", bitrate, "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "ipod"]
    with atomic_path(out) as temp:
        run_tool([*command, str(temp)], f"encoding {source.name}")


def probe_streams(path: Path) -> list[dict[str, Any]]:
    """Every stream of a file as ffprobe describes it (codec, tags, disposition...)."""
    ffprobe = require_tool("ffprobe", "ffmpeg")
    raw = run_tool([ffprobe, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)], f"reading {path.name}")
    data = json.loads(raw or b"{}")
    streams: list[dict[str, Any]] = data.get("streams", [])
    duration = data.get("format", {}).get("duration")
    for stream in streams:
        stream.setdefault("format_duration", duration)
    return streams
