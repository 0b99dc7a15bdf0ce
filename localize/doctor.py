"""What can run here: every backend and system tool, usable offline or not, and the fix."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from localize.config import Config
from localize.media.faces import face_models_missing
from localize.registry import KINDS, available

__all__ = ["Check", "check_all"]

_TOOLS = (
    ("media", "ffmpeg", "ffmpeg"),
    ("media", "ffprobe", "ffmpeg"),
    ("dub", "rubberband", "rubberband-cli"),
)


@dataclass(frozen=True)
class Check:
    """One row of the doctor's table."""

    kind: str
    name: str
    usable: bool
    detail: str
    default: bool = False


def check_all() -> list[Check]:
    """Check system tools, then every registered backend of every stage kind."""
    defaults = Config()
    default_names = {
        "transcribe": defaults.transcribe.backend,
        "diarize": defaults.diarize.backend,
        "translate": defaults.translate.backend,
        "tts": "espeak-ng.v1",
    }
    rows = [
        Check(kind, tool, shutil.which(tool) is not None, "installed" if shutil.which(tool) else f"apt-get install {package}", True)
        for kind, tool, package in _TOOLS
    ]
    missing = face_models_missing()
    rows.append(Check("lips", "mediapipe-face-mesh.v1", missing is None, missing.one_line() if missing else "installed", True))
    for kind in KINDS:
        for name, cls in sorted(available(kind).items()):
            try:
                status = cls.availability()
                rows.append(Check(kind, name, status.usable, status.detail, name == default_names.get(kind)))
                rows += [Check(kind, f"{name} {part}", found.usable, found.detail) for part, found in cls.optional_parts().items()]
            except Exception as exc:  # noqa: BLE001 - a broken third-party backend must not break the doctor
                rows.append(Check(kind, name, False, f"check failed: {exc}", name == default_names.get(kind)))
    return rows
