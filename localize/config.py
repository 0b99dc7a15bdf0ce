"""Configuration: ``localize.toml`` < ``LOCALIZE_*`` environment < CLI flags."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from localize.environment import config_overrides
from localize.errors import ConfigError
from localize.rules import PackageConfig

__all__ = [
    "BackendChoice",
    "Config",
    "DubConfig",
    "LipsConfig",
    "MixConfig",
    "RegionalConfig",
    "SegmentConfig",
    "SpeakersConfig",
    "load_config",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BackendChoice(_Section):
    """Which backend a stage uses, and its options."""

    backend: str
    options: dict[str, Any] = Field(default_factory=dict)


class DubConfig(_Section):
    """Voice casting and the retiming ladder's limits."""

    voices_dir: Path | None = None
    """Voice catalog folder; defaults to the catalog shipped with localize."""
    casting: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Manual casting: character name -> {language tag -> voice id}."""
    casting_file: Path | None = None
    """Series-level casting file, read and updated so voices stay stable."""
    clone_backend: str | None = None
    """A voice-cloning TTS backend (``xtts.v1``): every speaker with a reference clip is voiced by it."""
    backend_options: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Options per TTS backend name, e.g. ``{"xtts.v1": {"model": "/models/xtts-v2"}}``."""
    min_rate: float = Field(default=0.85, gt=0.0, le=1.0)
    max_rate: float = Field(default=1.2, ge=1.0)
    max_stretch: float = Field(default=1.3, ge=1.0)
    end_slack: float = Field(default=0.2, ge=0.0)
    """Seconds of the silence after a line that its take may fill without counting as borrowing."""
    max_borrow: float = Field(default=0.6, ge=0.0)
    """Seconds of adjacent silence a take may borrow at most on each side (ladder step 4)."""
    max_lead: float = Field(default=0.3, ge=0.0)
    """Seconds a take may start before its source speech, at most (borrowed silence before the line)."""
    pause_split: float = Field(default=0.8, gt=0.0)
    """An internal pause at least this long splits a line's take, keeping the pause."""
    breath_pause: float = Field(default=0.3, gt=0.0)
    """A shorter internal pause at least this long is kept too when the take would otherwise end short of its window."""
    scene_window: float = Field(default=60.0, ge=0.0)
    """Characters speaking within this many seconds of each other share a scene and get distinct voices."""
    dub_forced_narrative: bool = False
    """Also dub lines marked forced narrative (another language in the programme, subtitled by default)."""
    workers: int = Field(default=2, ge=1, le=16)
    """Lines synthesized and retimed at once."""
    off_screen_lead: float = Field(default=0.5, ge=0.0)
    """Seconds an off-screen line's take may start before its source speech (into the silence) instead of being sped up."""
    off_screen_tail: float = Field(default=0.8, ge=0.0)
    """Seconds an off-screen line's take may run on into the silence after it instead of being sped up."""


class LipsConfig(_Section):
    """Face and mouth analysis: which lines are seen spoken (ON) and which are not (OFF)."""

    enabled: bool = True
    """Analyse the picture (sources without video are skipped whatever this says)."""
    on_score: float = Field(default=0.3, gt=0.0, le=1.0)
    """Correlation of a line's sound with a visible mouth from which the line is on screen."""
    off_score: float = Field(default=0.15, ge=0.0, le=1.0)
    """Correlation below which a visible mouth is not the one speaking (the line is off screen)."""
    min_coverage: float = Field(default=0.5, gt=0.0, le=1.0)
    """Share of a line's speech a face must be seen for the line to be on screen."""
    min_face: float = Field(default=0.06, ge=0.0, le=1.0)
    """Smallest face (its region's side over the frame's height) whose mouth is judged; smaller ones leave a line unclear."""
    max_offset: float = Field(default=0.6, gt=0.0, le=2.0)
    """Seconds either way the source's sound is searched for an offset from its picture."""


class RegionalConfig(_Section):
    """The regional layer read before translation (``glossaries/regions/<tag>.yaml``)."""

    layer: str | None = None
    """The layer's language tag (``es-AR``); default the source language's tag; ``none`` reads no layer."""
    folder: Path | None = None
    """A folder of your own layer files, looked in before the ones shipped with localize."""


class SegmentConfig(_Section):
    """Where dialogue lines are cut (besides speaker and language changes, which always cut)."""

    max_seconds: float = Field(default=8.0, gt=1.0)
    """A longer run of words is cut at its widest pause."""
    max_pause: float = Field(default=2.0, gt=0.1)
    """A pause longer than this always ends a line."""
    sentence_pause: float = Field(default=0.35, ge=0.0)
    """A sentence end followed by at least this pause ends a line."""


class SpeakersConfig(_Section):
    """Speaker names: the episode's speakers file and the series' character file."""

    file: Path | None = None
    """YAML speaker id -> character name; default ``<out>/<episode>/speakers.yaml`` (written after diarize, edit and re-run)."""
    characters_file: Path | None = None
    """Series-level JSON of characters and their voice embeddings, read and updated so the next episode knows them."""
    match_similarity: float = Field(default=0.8, gt=0.0, le=1.0)
    """Cosine similarity a speaker's voice needs with a stored character to take its name."""


class MixConfig(_Section):
    """Mixing and loudness targets."""

    duck_db: float = Field(default=-14.0, le=0.0)
    """How far the original audio dips under each dubbed line (when there is no M&E stem)."""
    duck_ramp: float = Field(default=0.12, gt=0.0)
    """Seconds the dip takes to fade in before, and out after, each line."""
    dialogue_lkfs: float = -27.0
    programme_lkfs: float = -24.0
    dialogue_share_for_gating: float = Field(default=0.15, ge=0.0, le=1.0)
    """Below this share of dialogue, the full programme is measured instead (at ``programme_lkfs``)."""
    true_peak_dbtp: float = -2.0
    level_range_db: float = Field(default=6.0, ge=0.0, le=20.0)
    """Each take sits as far above or below the others as its source line did against the other lines, up to this
    many dB (0: every take at the same level)."""
    separation: BackendChoice | None = None
    """A source separator (e.g. ``demucs.v1`` with a local model) whose non-voice stems become the bed when the
    episode has no M&E stem; without one, the original audio is ducked under each dubbed line."""


class Config(_Section):
    """Everything a run can be told, resolved from all sources."""

    source_language: str | None = None
    audio_stream: int | None = None
    channels: Literal["mix", "left", "right", "split"] = "mix"
    """Which channels of a stereo dialogue stream are heard: both mixed, one alone, or each as its own talker
    (``split``: an interview or podcast with one microphone per channel; each channel is one speaker)."""
    models_dir: Path | None = None
    allow_downloads: bool = False
    transcribe: BackendChoice = BackendChoice(backend="faster-whisper.v1")
    diarize: BackendChoice = BackendChoice(backend="embedded.v1")
    translate: BackendChoice = BackendChoice(backend="apertium.v1")
    regional: RegionalConfig = Field(default_factory=RegionalConfig)
    segment: SegmentConfig = Field(default_factory=SegmentConfig)
    speakers: SpeakersConfig = Field(default_factory=SpeakersConfig)
    lips: LipsConfig = Field(default_factory=LipsConfig)
    dub: DubConfig = Field(default_factory=DubConfig)
    mix: MixConfig = Field(default_factory=MixConfig)
    package: PackageConfig = Field(default_factory=PackageConfig)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}", "check the --config path") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}", "fix the syntax at that line") from exc


def load_config(
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Resolve the configuration; an explicit ``path`` must exist.

    Without ``path``, ``./localize.toml`` is used when present.
    """
    data = Config().model_dump(mode="json")  # every later source overrides the defaults field by field
    if path is None and Path("localize.toml").is_file():
        path = Path("localize.toml")
    if path is not None:
        data = _merge(data, _read_toml(path))
    data = _merge(data, config_overrides(set(Config.model_fields), environ))
    data = _merge(data, overrides or {})
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid configuration: {problems}", "fix localize.toml or the LOCALIZE_* variables") from exc
