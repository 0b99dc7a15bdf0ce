"""Timed-text rules and packaging settings, with platform-style defaults per language."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from localize.languages import base_language

__all__ = ["LANGUAGE_DEFAULTS", "MASTER_FORMATS", "MasterFormat", "PackageConfig", "SubtitleRules"]

MasterFormat = Literal["mkv", "mp4"]
MASTER_FORMATS: tuple[MasterFormat, ...] = ("mkv", "mp4")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubtitleRules(_Section):
    """What a subtitle event may look like and how it is timed (frames at the programme's rate)."""

    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    """Reading speed: characters (spaces and punctuation included, line breaks not) per second; 20 is the other common choice."""
    min_duration: float = 5 / 6
    max_duration: float = 7.0
    min_gap_frames: int = 2
    close_gap_frames: int = 12
    """Gaps of this many frames or fewer are closed to ``min_gap_frames``."""
    shot_snap_frames: int = 12
    """An in- or out-time this close to a shot change moves onto it (out-times to ``min_gap_frames`` before it)."""
    max_lead_in_frames: int = 12
    """How much earlier than the speech an event may start to gain reading time."""
    spacy_model: str | None = None
    """A spaCy pipeline for line breaks (name or path); default: ``<lang>_core_*_sm`` when installed, else a blank pipeline."""

    def frames(self, seconds: float, frame_rate: float) -> int:
        """``seconds`` as a whole number of frames, rounded up (the least that satisfies a minimum)."""
        return math.ceil(seconds * frame_rate - 1e-6)


LANGUAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "ja": {"max_chars_per_line": 13, "max_cps": 4.0},
    "zh": {"max_chars_per_line": 16, "max_cps": 9.0},
    "ko": {"max_chars_per_line": 16, "max_cps": 12.0},
}
"""Platform-style overrides for scripts read at other speeds (base language -> fields)."""


class PackageConfig(_Section):
    """What the package stage writes, and the subtitle rules per language."""

    masters: list[MasterFormat] = Field(default_factory=lambda: list(MASTER_FORMATS))
    subtitles: SubtitleRules = Field(default_factory=SubtitleRules)
    languages: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Per-language overrides of ``subtitles`` fields, by BCP-47 tag or base language: ``{"fr": {"max_cps": 20}}``."""
    sdh: bool = True
    """Also write SDH subtitles (speaker labels) per language."""
    scene_threshold: float = 0.15
    review_proxy: bool = True
    proxy_height: int = 270

    def rules_for(self, language: str) -> SubtitleRules:
        """The rules for ``language``: defaults, then the platform table, then base-language and exact-tag overrides."""
        base = base_language(language)
        merged = {**self.subtitles.model_dump(), **LANGUAGE_DEFAULTS.get(base, {})}
        merged.update(self.languages.get(base, {}))
        merged.update(self.languages.get(language, {}))
        return SubtitleRules.model_validate(merged)
