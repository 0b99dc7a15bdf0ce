"""Decode every stream of a file to the end, to prove a deliverable plays."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from localize.errors import MediaError
from localize.media.mux import probe_streams
from localize.media.tools import require_tool, run_tool

__all__ = ["END_TOLERANCE", "StreamDecode", "decode_streams"]

END_TOLERANCE = 0.5
"""Seconds an audio or video stream may stop short of the file's duration."""

_OUT_TIME = re.compile(rb"out_time_us=(\d+)")


@dataclass(frozen=True)
class StreamDecode:
    """How far one stream decoded, and what the decoder said."""

    index: int
    kind: str
    codec: str
    decoded_until: float
    expected: float | None
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No decoder error, and audio/video reached the end of the file."""
        reached = self.expected is None or self.decoded_until >= self.expected - END_TOLERANCE
        return not self.errors and reached


def decode_streams(path: Path) -> list[StreamDecode]:
    """Decode each stream of ``path`` on its own to the end (subtitles parsed, audio and video fully decoded)."""
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    results: list[StreamDecode] = []
    for stream in probe_streams(path):
        kind = str(stream.get("codec_type", ""))
        if kind not in ("video", "audio", "subtitle"):
            continue
        index = int(stream["index"])
        command = [ffmpeg, "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-map", f"0:{index}"]
        command += {"video": ["-fps_mode", "cfr"], "subtitle": ["-c:s", "ass"]}.get(kind, [])
        command += ["-f", "null", "-progress", "pipe:1", "-nostats", "-"]
        errors: tuple[str, ...] = ()
        try:
            output = run_tool(command, f"decoding stream {index} of {path.name}")
        except MediaError as exc:
            output = b""
            errors = tuple(line for line in exc.stderr.splitlines() if line.strip()) or (exc.message,)
        times = _OUT_TIME.findall(output)
        duration = stream.get("format_duration")
        results.append(
            StreamDecode(
                index=index,
                kind=kind,
                codec=str(stream.get("codec_name", "")),
                decoded_until=int(times[-1]) / 1e6 if times else 0.0,
                expected=float(duration) if duration and kind != "subtitle" else None,
                errors=errors,
            )
        )
    return results
