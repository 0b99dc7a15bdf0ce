"""Read the evaluation set's clips and references; shared by the ASR and diarization benchmarks."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CLIPS_DIR", "Clip", "load_clips", "normalise_text"]

CLIPS_DIR = Path(__file__).resolve().parent / "clips"


@dataclass(frozen=True)
class Clip:
    """One clip of the set: its audio and its reference."""

    id: str
    audio: Path
    rttm: Path
    language: str
    music: bool
    speakers: list[str]
    lines: list[dict[str, Any]]

    @property
    def text(self) -> str:
        """The reference transcript, lines in time order."""
        return " ".join(line["text"] for line in sorted(self.lines, key=lambda line: line["start"]))

    @property
    def duration(self) -> float:
        """Seconds of audio."""
        import soundfile

        return float(soundfile.info(str(self.audio)).duration)


def load_clips(folder: Path = CLIPS_DIR, only: list[str] | None = None) -> list[Clip]:
    """Every clip in ``folder``; exits with a hint when the set has not been generated."""
    found = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not found:
        sys.exit(f"no clips in {folder}: run .venv/bin/python benchmarks/evalset/make_evalset.py first")
    clips = []
    for path in found:
        truth = json.loads(path.read_text(encoding="utf-8"))
        if only and truth["id"] not in only:
            continue
        clips.append(
            Clip(
                id=truth["id"],
                audio=path.with_suffix(".wav"),
                rttm=path.with_suffix(".rttm"),
                language=truth["language"],
                music=bool(truth["music"]),
                speakers=list(truth["speakers"]),
                lines=list(truth["lines"]),
            )
        )
    return clips


def normalise_text(text: str) -> str:
    """Lower case, no punctuation or accents, digits kept, single spaces (WER normalisation); an elided word is one
    word however it was spaced (Whisper's words ``j`` ``'ai`` joined with a space read as ``j'ai``)."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s']|_", " ", text)
    return " ".join(re.sub(r"(?<=\w)\s+'(?=\w)", "'", text).split())
