"""Muxing the master: video stream-copied, original audio, one dubbed track per language."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from localize.cache import atomic_path
from localize.media.tools import require_tool, run_tool

__all__ = ["AudioTrack", "SubtitleTrack", "mux_master"]


@dataclass(frozen=True)
class AudioTrack:
    """A dubbed audio file to add, with its BCP-47 tag and title."""

    path: Path
    language: str
    title: str


@dataclass(frozen=True)
class SubtitleTrack:
    """A subtitle file to add."""

    path: Path
    language: str
    title: str


def mux_master(
    source: Path,
    original_stream: int,
    original_language: str,
    original_title: str,
    audio: list[AudioTrack],
    subtitles: list[SubtitleTrack],
    out: Path,
) -> None:
    """Write a Matroska master: video copied, original audio copied and default, dubs as FLAC."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source)]
    for item in [*audio, *subtitles]:
        command += ["-i", str(item.path)]
    command += ["-map", "0:v?", "-map", f"0:{original_stream}"]
    for number in range(len(audio)):
        command += ["-map", f"{number + 1}:a:0"]
    for number in range(len(subtitles)):
        command += ["-map", f"{len(audio) + number + 1}:s:0"]
    command += ["-c:v", "copy", "-c:a:0", "copy", "-c:s", "srt"]
    command += ["-metadata:s:a:0", f"language={original_language}", "-metadata:s:a:0", f"title={original_title}"]
    command += ["-disposition:a:0", "default"]
    for number, track in enumerate(audio, start=1):
        command += [f"-c:a:{number}", "flac", f"-disposition:a:{number}", "0"]
        command += [f"-metadata:s:a:{number}", f"language={track.language}", f"-metadata:s:a:{number}", f"title={track.title}"]
    for number, track in enumerate(subtitles):
        command += [f"-metadata:s:s:{number}", f"language={track.language}", f"-metadata:s:s:{number}", f"title={track.title}"]
        command += [f"-disposition:s:{number}", "0"]
    with atomic_path(out) as temp:
        bitexact = ["-fflags", "+bitexact", "-flags:a", "+bitexact"]
        run_tool([*command, *bitexact, "-f", "matroska", str(temp)], f"writing the master {out.name}")
