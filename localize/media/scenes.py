"""Shot changes, found with ffmpeg's scene-change score."""

from __future__ import annotations

import re
from pathlib import Path

from localize.media.tools import picture_command, run_tool

__all__ = ["DEFAULT_SCENE_THRESHOLD", "detect_shot_changes"]

DEFAULT_SCENE_THRESHOLD = 0.15
"""ffmpeg ``scene`` score (0..1) above which a frame starts a new shot; hard cuts in flat, dim
pictures score as low as 0.2, camera moves rarely above 0.1."""

_PTS_TIME = re.compile(r"pts_time:([0-9.]+)")


def detect_shot_changes(video: Path, threshold: float = DEFAULT_SCENE_THRESHOLD) -> list[float]:
    """Seconds at which a new shot starts (the first frame of each shot after the first), sorted."""
    output = run_tool(
        picture_command(video, f"select='gt(scene,{threshold})',metadata=print:file=-", "-f", "null", "-"),
        f"finding shot changes in {video.name}",
        "the video stream may be corrupt",
    )
    return sorted(float(match) for match in _PTS_TIME.findall(output.decode("utf-8", "replace")))
