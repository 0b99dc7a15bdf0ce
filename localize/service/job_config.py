"""What a submitted job may set in its ``config``: an explicit allow-list, at every level.

A job's config is untrusted input. It may set only the fields listed in
``JOB_CONFIG`` (languages, speaker counts, decoding and retiming knobs, subtitle
rules, catalog voices, a casting file under a storage root) and, inside a
backend's ``options``, only that backend's ``job_options``. Everything else is
the server's: paths, URLs, hosts, environment-variable names, model locations,
download permission and how much of a machine a job may use.

A key that is a real setting but not on the list is refused with AccessDenied
(403) naming it; a key that is no setting at all, an unknown backend or a bad
value is a ConfigError (422) naming it. Both happen when the job is submitted,
never when a worker meets the job.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from localize.config import Config, DubConfig, LipsConfig, MixConfig, RegionalConfig, SegmentConfig, SpeakersConfig
from localize.errors import ConfigError, InputError, LocalizeError
from localize.registry import Backend, backend_class
from localize.rules import PackageConfig, SubtitleRules
from localize.service.errors import AccessDenied
from localize.service.security import confine

__all__ = ["JOB_CONFIG", "MAX_CONFIG_BYTES", "resolve_job_config"]

MAX_CONFIG_BYTES = 64 << 10
"""A job's config is a few settings, never a payload."""


class Rule:
    """How a job may set one field."""


class _Any(Rule):
    """Any value the field's model accepts (checked when the whole config is validated)."""


ANY = _Any()


class _StoragePath(Rule):
    """A file path, confined to the server's storage roots."""


STORAGE_PATH = _StoragePath()


@dataclass(frozen=True)
class Section(Rule):
    """A table of a config model: only the listed fields."""

    model: type[BaseModel]
    fields: Mapping[str, Rule]


@dataclass(frozen=True)
class Keyed(Rule):
    """A table whose keys the job chooses (character names, language tags); each value by ``value``."""

    value: Rule


@dataclass(frozen=True)
class Choice(Rule):
    """A stage's ``{backend, options}``: a registered backend, and only that backend's ``job_options``."""

    kind: str


@dataclass(frozen=True)
class PerBackend(Rule):
    """Backend name -> that backend's options (``dub.backend_options``), each limited to its ``job_options``."""

    kind: str


_SUBTITLES = Section(
    SubtitleRules,
    dict.fromkeys(
        (
            "max_chars_per_line",
            "max_lines",
            "max_cps",
            "min_duration",
            "max_duration",
            "min_gap_frames",
            "close_gap_frames",
            "shot_snap_frames",
            "max_lead_in_frames",
        ),
        ANY,
    ),
)

JOB_CONFIG = Section(
    Config,
    {
        "source_language": ANY,
        "audio_stream": ANY,
        "channels": ANY,
        "transcribe": Choice("transcribe"),
        "diarize": Choice("diarize"),
        "translate": Choice("translate"),
        "regional": Section(RegionalConfig, {"layer": ANY}),
        "segment": Section(SegmentConfig, dict.fromkeys(("max_seconds", "max_pause", "sentence_pause"), ANY)),
        "speakers": Section(SpeakersConfig, {"match_similarity": ANY}),
        "lips": Section(LipsConfig, dict.fromkeys(("enabled", "on_score", "off_score", "min_coverage", "min_face", "max_offset"), ANY)),
        "dub": Section(
            DubConfig,
            {
                "casting": Keyed(Keyed(ANY)),
                "casting_file": STORAGE_PATH,
                "clone_backend": ANY,
                "backend_options": PerBackend("tts"),
                **dict.fromkeys(
                    (
                        "min_rate",
                        "max_rate",
                        "max_stretch",
                        "end_slack",
                        "max_borrow",
                        "max_lead",
                        "pause_split",
                        "breath_pause",
                        "scene_window",
                        "dub_forced_narrative",
                        "off_screen_lead",
                        "off_screen_tail",
                    ),
                    ANY,
                ),
            },
        ),
        "mix": Section(
            MixConfig,
            {
                **dict.fromkeys(
                    (
                        "duck_db",
                        "duck_ramp",
                        "dialogue_lkfs",
                        "programme_lkfs",
                        "dialogue_share_for_gating",
                        "true_peak_dbtp",
                        "level_range_db",
                    ),
                    ANY,
                ),
                "separation": Choice("separate"),
            },
        ),
        "package": Section(
            PackageConfig,
            {
                "masters": ANY,
                "subtitles": _SUBTITLES,
                "languages": Keyed(_SUBTITLES),
                "sdh": ANY,
                "scene_threshold": ANY,
                "review_proxy": ANY,
            },
        ),
    },
)
"""Everything a job may set; anything else in a job's config is refused."""


def _name(path: tuple[str, ...]) -> str:
    return ".".join(("config", *path))


def _table(value: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{_name(path)} must be a table (a JSON object)", "fix the job's config")
    return value


def _refuse(key: str, known: Sequence[str], allowed: Sequence[str], path: tuple[str, ...]) -> None:
    where = _name((*path, key))
    if key in known:
        raise AccessDenied(f"{where} can only be set by the server", "remove it from the job's config (the operator sets it)")
    raise ConfigError(f"{where} is not a setting", f"a job may set: {', '.join(allowed) or '(nothing here)'}")


class _Resolver:
    """Walks a job's config along the allow-list, applying it over the server's (as JSON data)."""

    def __init__(self, storage_roots: list[Path]) -> None:
        self.storage_roots = storage_roots

    def apply(self, value: Any, rule: Rule, server: Any, path: tuple[str, ...]) -> Any:
        if isinstance(rule, Section):
            return self._section(_table(value, path), rule, server or {}, path)
        if isinstance(rule, Keyed):
            merged = dict(server or {})
            for key, item in _table(value, path).items():
                merged[str(key)] = self.apply(item, rule.value, merged.get(str(key)), (*path, str(key)))
            return merged
        if isinstance(rule, Choice):
            return self._choice(_table(value, path), rule.kind, server, path)
        if isinstance(rule, PerBackend):
            merged = dict(server or {})
            for name, options in _table(value, path).items():
                checked = self._options(options, rule.kind, str(name), (*path, str(name)))
                merged[str(name)] = {**(merged.get(str(name)) or {}), **checked}
            return merged
        if isinstance(rule, _StoragePath):
            if not isinstance(value, str):
                raise ConfigError(f"{_name(path)} must be a path (a string)", "name a file under a storage root")
            try:
                return str(confine(value, self.storage_roots, must_exist=False))
            except LocalizeError as exc:
                raise type(exc)(f"{_name(path)}: {exc.message}", exc.hint) from exc
        return value

    def _section(self, value: dict[str, Any], rule: Section, server: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        merged = dict(server)
        for key, item in value.items():
            if key not in rule.fields:
                _refuse(str(key), list(rule.model.model_fields), list(rule.fields), path)
            merged[key] = self.apply(item, rule.fields[key], server.get(key), (*path, key))
        return merged

    def _choice(self, value: dict[str, Any], kind: str, server: dict[str, Any] | None, path: tuple[str, ...]) -> dict[str, Any]:
        for key in value:
            if key not in ("backend", "options"):
                _refuse(str(key), [], ["backend", "options"], path)
        backend = value.get("backend", (server or {}).get("backend"))
        if not isinstance(backend, str):
            raise ConfigError(f"{_name((*path, 'backend'))} must name a {kind} backend", "name one, e.g. from 'localize doctor'")
        self._backend(kind, backend, (*path, "backend"))
        kept = dict((server or {}).get("options") or {}) if server and backend == server.get("backend") else {}
        options = self._options(value.get("options", {}), kind, backend, (*path, "options"))
        return {"backend": backend, "options": {**kept, **options}}

    @staticmethod
    def _backend(kind: str, name: str, path: tuple[str, ...]) -> type[Backend]:
        try:
            return backend_class(kind, name)
        except ConfigError as exc:
            raise ConfigError(f"{_name(path)}: {exc.message}", exc.hint) from exc

    def _options(self, value: Any, kind: str, backend: str, path: tuple[str, ...]) -> dict[str, Any]:
        cls = self._backend(kind, backend, path)
        options = _table(value, path)
        for key in options:
            if key not in cls.job_options:
                _refuse(str(key), list(cls.Options.model_fields), sorted(cls.job_options), path)
        return dict(options)


def _check_casting(config: Config, targets: list[str]) -> None:
    """Every manually cast voice is in the catalog of its language."""
    from localize.stages.dub.casting import find_voice, load_catalog

    catalogs = {language: load_catalog(language, config.dub.voices_dir) for language in targets}
    for character, voices in config.dub.casting.items():
        for language, voice in voices.items():
            catalog = catalogs.get(language)
            if catalog is not None and find_voice(catalog, voice) is None:
                raise ConfigError(
                    f"config.dub.casting.{character}.{language}: no voice '{voice}' in the {language} catalog",
                    f"choose one of: {', '.join(v.id for v in catalog)}",
                )


def resolve_job_config(raw: dict[str, Any], server: Config, storage_roots: list[Path], targets: list[str]) -> Config:
    """The server's config with a job's allowed settings applied; AccessDenied or ConfigError naming the first bad key."""
    from localize.stages.factory import check_backends

    if len(json.dumps(raw, ensure_ascii=False)) > MAX_CONFIG_BYTES:
        raise InputError(f"the job's config is over {MAX_CONFIG_BYTES // 1024} KB", "send only the settings this job changes")
    merged = _Resolver(storage_roots).apply(raw, JOB_CONFIG, server.model_dump(mode="json"), ())
    try:
        config = Config.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{_name(tuple(map(str, first['loc'])))}: {first['msg']}", "fix the job's config") from exc
    try:
        check_backends(config)
    except ConfigError as exc:
        raise ConfigError(f"config.{exc.message}", "fix the job's config") from exc
    _check_casting(config, targets)
    return config
