"""Running ffmpeg and ffprobe, with failures turned into MediaError."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from localize.errors import BackendUnavailable, MediaError

__all__ = ["picture_command", "require_tool", "run_tool"]


def require_tool(name: str, package: str) -> str:
    """The path of a system tool, or BackendUnavailable naming the package."""
    path = shutil.which(name)
    if path is None:
        raise BackendUnavailable(f"'{name}' is not installed", f"apt-get install {package}")
    return path


def picture_command(video: Path, video_filter: str, *output: str) -> list[str]:
    """An ffmpeg command reading only the first video stream of ``video`` through ``video_filter`` into ``output``."""
    reading = ["-nostdin", "-v", "error", "-i", str(video), "-map", "0:v:0", "-an", "-sn"]
    return [require_tool("ffmpeg", "ffmpeg"), *reading, "-vf", video_filter, *output]


def run_tool(command: list[str], what: str, hint: str = "", input_bytes: bytes | None = None) -> bytes:
    """Run a tool; return stdout, or raise MediaError with the command and stderr."""
    try:
        completed = subprocess.run(command, input=input_bytes, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise BackendUnavailable(f"'{command[0]}' is not installed", "apt-get install ffmpeg") from exc
    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", "replace").strip()
        last = stderr.splitlines()[-1] if stderr else f"exit code {completed.returncode}"
        raise MediaError(f"{what} failed: {last}", hint, command=command, stderr=stderr)
    return completed.stdout
