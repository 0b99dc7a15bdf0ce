"""The voice catalog and casting: a distinguishable voice per character, stable across episodes."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import yaml
from pydantic import ValidationError

from localize.cache import atomic_write_text
from localize.errors import ConfigError
from localize.languages import base_language
from localize.model import Speaker
from localize.stages.dub.backend import VoiceSpec

__all__ = ["cast_voices", "default_voices_dir", "load_catalog", "read_casting_file", "write_casting_file"]

log = logging.getLogger("localize")

_ESPEAK_VARIANTS = (
    ("m3", "male", 120, 45),
    ("f3", "female", 215, 55),
    ("m7", "male", 90, 20),
    ("f4", "female", 240, 70),
    ("m1", "male", 135, 60),
)


def default_voices_dir() -> Path:
    """The catalog shipped with localize (inside the wheel, or the repo's ``voices/``)."""
    here = Path(__file__).resolve().parents[2]
    packaged = here / "voices"
    return packaged if packaged.is_dir() else here.parent / "voices"


def _espeak_fallback(language: str) -> list[VoiceSpec]:
    return [
        VoiceSpec(
            id=f"{language}-espeak-{variant}",
            backend="espeak-ng.v1",
            voice=f"{language.lower()}+{variant}",
            language=language,
            gender=gender,  # type: ignore[arg-type]
            pitch_hz=pitch_hz,
            pitch=pitch,
        )
        for variant, gender, pitch_hz, pitch in _ESPEAK_VARIANTS
    ]


def load_catalog(language: str, voices_dir: Path | None = None) -> list[VoiceSpec]:
    """Voices for ``language`` (exact tag, then base language, then generated espeak-ng voices)."""
    folder = voices_dir or default_voices_dir()
    for name in (language, base_language(language)):
        path = folder / f"{name}.yaml"
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
                return [VoiceSpec(language=language, **{k: v for k, v in item.items() if k != "language"}) for item in data.get("voices", [])]
            except (yaml.YAMLError, ValidationError, TypeError, AttributeError) as exc:
                raise ConfigError(f"voice catalog {path} is invalid: {exc}".splitlines()[0], "fix that file") from exc
    return _espeak_fallback(language)


def read_casting_file(path: Path | None) -> dict[str, dict[str, str]]:
    """Series casting: character name -> {language -> voice id}."""
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"casting file {path} is not valid JSON", "fix or delete it") from exc
    return {str(k): {str(lang): str(v) for lang, v in voices.items()} for k, voices in data.items()}


def write_casting_file(path: Path, casting: dict[str, dict[str, str]]) -> None:
    """Save the series casting atomically."""
    atomic_write_text(path, json.dumps(casting, ensure_ascii=False, indent=2, sort_keys=True))


def cast_voices(
    speakers: list[Speaker], language: str, catalog: list[VoiceSpec], fixed: dict[str, dict[str, str]]
) -> dict[str, VoiceSpec]:
    """Pick a voice per speaker: fixed choices first, then by gender and closest pitch, all distinct.

    Speakers with the most dialogue choose first. When the catalog runs out of voices
    of a gender, the closest voice of any gender not yet used is taken; when every
    voice is used, voices are reused (with a warning).
    """
    by_id = {voice.id: voice for voice in catalog}
    chosen: dict[str, VoiceSpec] = {}
    for speaker in speakers:
        wanted = fixed.get(speaker.name, {}).get(language)
        if wanted is None:
            continue
        if wanted in by_id:
            chosen[speaker.id] = by_id[wanted]
        else:
            log.warning("voice '%s' for %s is not in the %s catalog; casting another", wanted, speaker.name, language)
    for speaker in sorted(speakers, key=lambda s: -s.speech_seconds):
        if speaker.id in chosen:
            continue
        used = {v.id for v in chosen.values()}
        pitch = speaker.median_f0 or (120.0 if speaker.gender != "female" else 210.0)
        pools = [
            [v for v in catalog if v.id not in used and (speaker.gender == "unknown" or v.gender == speaker.gender)],
            [v for v in catalog if v.id not in used],
            list(catalog),
        ]
        pool = next(p for p in pools if p)
        if pool is pools[2] and len(speakers) > len(catalog):
            log.warning("not enough %s voices for %d characters; some voices are shared", language, len(speakers))
        chosen[speaker.id] = min(pool, key=lambda v: abs(v.pitch_hz - pitch))
    return chosen
