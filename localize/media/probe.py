"""Inspect a source file and check that it is something we can localize."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from localize.cache import file_fingerprint
from localize.errors import InputError, MediaError
from localize.media.tools import require_tool, run_tool
from localize.model import AudioStream, MediaInfo

__all__ = ["probe"]


def _frame_rate(stream: dict[str, Any]) -> float | None:
    for key in ("avg_frame_rate", "r_frame_rate"):
        value = stream.get(key)
        if value and value != "0/0":
            rate = float(Fraction(value))
            if rate > 0:
                return round(rate, 3)
    return None


def _seconds(value: Any) -> float | None:
    """A positive duration ffprobe printed, else None."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None


def probe(path: Path) -> MediaInfo:
    """Describe ``path``; InputError when it is missing, empty, not media or has no audio."""
    if not path.exists():
        raise InputError(f"{path} does not exist", "check the path of the episode file")
    if not path.is_file():
        raise InputError(f"{path} is not a file", "pass a video or audio file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{path} is empty (0 bytes)", "the file was not copied completely; copy it again")
    ffprobe = require_tool("ffprobe", "ffmpeg")
    try:
        raw = run_tool(
            [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
            f"reading {path.name}",
        )
    except MediaError as exc:
        raise InputError(
            f"{path} is not a media file ffmpeg can read ({exc.message.split(': ', 1)[-1]})",
            "pass a video or audio file (mp4, mkv, mov, wav...); if it is one, it was cut short in copying: copy it again",
        ) from exc
    info = json.loads(raw or b"{}")
    streams = info.get("streams", [])
    fmt = info.get("format", {})
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")),
        None,
    )
    audio = [
        AudioStream(
            index=int(s["index"]),
            codec=str(s.get("codec_name", "unknown")),
            channels=int(s.get("channels") or 0),
            sample_rate=int(s.get("sample_rate") or 0),
            language=(s.get("tags") or {}).get("language"),
            title=(s.get("tags") or {}).get("title"),
            duration=_seconds(s.get("duration")),
        )
        for s in streams
        if s.get("codec_type") == "audio"
    ]
    if not streams:
        raise InputError(f"{path} has no audio or video streams", "pass a video or audio file")
    if not audio:
        raise InputError(f"{path} has no audio stream", "pass a file that contains the original dialogue audio")
    duration = float(fmt.get("duration") or 0.0)
    if duration <= 0:
        raise InputError(f"{path} has no measurable duration", "re-export the file; it may be truncated")
    return MediaInfo(
        path=path.resolve(),
        size=size,
        fingerprint=file_fingerprint(path),
        duration=duration,
        container=str(fmt.get("format_name", "")),
        frame_rate=_frame_rate(video) if video else None,
        video_codec=video.get("codec_name") if video else None,
        width=video.get("width") if video else None,
        height=video.get("height") if video else None,
        audio_streams=audio,
    )
