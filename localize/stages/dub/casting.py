"""The voice catalog and casting: a distinguishable voice per character, stable across episodes.

Casting is automatic: each speaker gets the catalog voice of its estimated gender
whose pitch range is closest to its median F0, and no two characters who share a
scene get the same voice (when a gender runs out, a pitch-shifted variant of a
voice is made). The cast is saved in a series-level casting file together with
each character's voice profile, so the same character, recognised by name or by
speaker embedding, keeps its voice in every episode. Manual choices in the
configuration win over both.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from localize.cache import atomic_write_text
from localize.errors import ConfigError
from localize.languages import base_language
from localize.model import Line, Speaker
from localize.stages.dub.backend import VoiceSpec
from localize.user_yaml import load_yaml

__all__ = [
    "Casting",
    "CastingFile",
    "Character",
    "cast_voices",
    "default_voices_dir",
    "find_voice",
    "load_catalog",
    "scene_partners",
]

log = logging.getLogger("localize")

CASTING_VERSION = 2
SAME_SPEAKER_SIMILARITY = 0.85
"""Cosine similarity of speaker embeddings above which two speakers are taken for one character."""
SIMILARITY_MARGIN = 0.05
"""How much better the best character must match than the next one."""
DEFAULT_F0 = {"male": 120.0, "female": 210.0, "unknown": 160.0}
VARIANT_SEMITONES = (2.5, -2.5, 5.0, -5.0)
"""Pitch shifts tried, in order, to make a further distinguishable voice from a catalog voice."""
_VARIANT = re.compile(r"^(?P<base>.+)~(?P<shift>[+-]\d+(?:\.\d+)?)st$")

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
    base = base_language(language)
    return [
        VoiceSpec(
            id=f"{base}-espeak-{variant}",
            backend="espeak-ng.v1",
            voice=f"{base}+{variant}",
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
    for name in dict.fromkeys((language, base_language(language))):
        path = folder / f"{name}.yaml"
        if path.is_file():
            try:
                data = load_yaml(path.read_text(encoding="utf-8")) or {}
                return [
                    VoiceSpec(language=language, **{k: v for k, v in item.items() if k != "language"}) for item in data.get("voices", [])
                ]
            except (yaml.YAMLError, ValidationError, TypeError, AttributeError) as exc:
                raise ConfigError(f"voice catalog {path} is invalid: {exc}".splitlines()[0], "fix that file") from exc
    log.info("no voice catalog for %s in %s; using espeak-ng's generic voices", language, folder)
    return _espeak_fallback(language)


def _variant(voice: VoiceSpec, shift: float) -> VoiceSpec:
    """``voice`` pitch-shifted by ``shift`` semitones, as a voice of its own."""
    return voice.model_copy(
        update={
            "id": f"{voice.id}~{shift:+g}st",
            "semitones": voice.semitones + shift,
            "pitch_hz": round(voice.pitch_hz * 2 ** (shift / 12), 1),
            "pitch_range": None,
        }
    )


def find_voice(catalog: list[VoiceSpec], voice_id: str) -> VoiceSpec | None:
    """The catalog voice with this id, including pitch-shifted variants such as ``en-espeak-f3~+2.5st``."""
    for voice in catalog:
        if voice.id == voice_id:
            return voice
    match = _VARIANT.match(voice_id)
    if match:
        base = find_voice(catalog, match["base"])
        return _variant(base, float(match["shift"])) if base else None
    return None


@dataclass
class Character:
    """A character of the series as the casting file remembers it."""

    voices: dict[str, str] = field(default_factory=dict)
    """language tag -> voice id."""
    gender: str = "unknown"
    median_f0: float | None = None
    embedding: list[float] = field(default_factory=list)


@dataclass
class CastingFile:
    """The series-level casting: character name -> voices and voice profile."""

    characters: dict[str, Character] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path | None) -> CastingFile:
        """Read a casting file (version 2, or the plain ``{name: {lang: voice}}`` form); empty when absent."""
        if path is None or not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            raw = data["characters"] if data.get("version") == CASTING_VERSION else {k: {"voices": v} for k, v in data.items()}
            return cls(
                {
                    str(name): Character(
                        voices={str(lang): str(voice) for lang, voice in entry.get("voices", {}).items()},
                        gender=str(entry.get("gender", "unknown")),
                        median_f0=entry.get("median_f0"),
                        embedding=[float(v) for v in entry.get("embedding", [])],
                    )
                    for name, entry in raw.items()
                }
            )
        except (OSError, json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"casting file {path} is not a valid casting file ({exc})", "fix or delete it") from exc

    def write(self, path: Path) -> None:
        """Save atomically."""
        data: dict[str, Any] = {
            "version": CASTING_VERSION,
            "characters": {
                name: {"voices": c.voices, "gender": c.gender, "median_f0": c.median_f0, "embedding": c.embedding}
                for name, c in sorted(self.characters.items())
            },
        }
        atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2))

    def match(self, speakers: list[Speaker]) -> dict[str, str]:
        """speaker id -> character name: by a given name first, then by voice embedding."""
        matched: dict[str, str] = {}
        for speaker in speakers:
            if speaker.name != speaker.id and speaker.name in self.characters:
                matched[speaker.id] = speaker.name
        taken = set(matched.values())
        scored: list[tuple[float, str, str]] = []
        for speaker in speakers:
            embedding = speaker.extras.get("embedding") or []
            if speaker.id in matched or not embedding:
                continue
            similarities = sorted(
                ((_cosine(embedding, c.embedding), name) for name, c in self.characters.items() if c.embedding and name not in taken),
                reverse=True,
            )
            if similarities and similarities[0][0] >= SAME_SPEAKER_SIMILARITY:
                runner_up = similarities[1][0] if len(similarities) > 1 else -1.0
                if similarities[0][0] - runner_up >= SIMILARITY_MARGIN:
                    scored.append((similarities[0][0], speaker.id, similarities[0][1]))
        for _, speaker_id, name in sorted(scored, reverse=True):
            if name not in taken and speaker_id not in matched:
                matched[speaker_id] = name
                taken.add(name)
        return matched

    def remember(self, speaker: Speaker, name: str, language: str, voice_id: str) -> None:
        """Record the voice a character got, with its latest voice profile."""
        character = self.characters.setdefault(name, Character())
        character.voices[language] = voice_id
        character.gender = speaker.gender
        character.median_f0 = speaker.median_f0
        embedding = speaker.extras.get("embedding")
        if embedding:
            character.embedding = [round(float(v), 5) for v in embedding]


def _cosine(a: Iterable[float], b: Iterable[float]) -> float:
    left, right = np.asarray(list(a), dtype=float), np.asarray(list(b), dtype=float)
    if left.shape != right.shape or not left.any() or not right.any():
        return -1.0
    return float(left @ right / (np.linalg.norm(left) * np.linalg.norm(right)))


def scene_partners(lines: list[Line], window: float) -> dict[str, set[str]]:
    """speaker id -> the speakers heard within ``window`` seconds of it (who share a scene with it)."""
    partners: dict[str, set[str]] = {}
    ordered = sorted(lines, key=lambda line: line.start)
    for index, line in enumerate(ordered):
        partners.setdefault(line.speaker, set())
        for other in ordered[index + 1 :]:
            if other.start - line.end > window:
                break
            if other.speaker != line.speaker:
                partners[line.speaker].add(other.speaker)
                partners.setdefault(other.speaker, set()).add(line.speaker)
    return partners


@dataclass
class Casting:
    """The voices cast for one language, and what went wrong on the way."""

    voices: dict[str, VoiceSpec]
    warnings: list[str]


def _profile_f0(speaker: Speaker) -> float:
    return speaker.median_f0 or DEFAULT_F0[speaker.gender]


def _pick(speaker: Speaker, catalog: list[VoiceSpec], busy: set[str]) -> VoiceSpec | None:
    """The free voice of the speaker's gender suiting its pitch (natural voices first), else a pitch-shifted variant of one."""
    suited = [v for v in catalog if speaker.gender == "unknown" or v.gender == speaker.gender] or catalog
    f0 = _profile_f0(speaker)
    free = [v for v in suited if v.id not in busy]
    if free:  # a natural voice whose range suits the actor first, then the closest pitch
        return min(free, key=lambda v: (not v.suits(f0), v.is_formant_synthesis, v.pitch_distance(f0)))
    variants = [_variant(v, shift) for shift in VARIANT_SEMITONES for v in suited]
    free = [v for v in variants if v.id not in busy]
    return min(free, key=lambda v: v.pitch_distance(f0)) if free else None


def cast_voices(
    speakers: list[Speaker],
    language: str,
    catalog: list[VoiceSpec],
    fixed: dict[str, str],
    partners: dict[str, set[str]],
) -> Casting:
    """Cast a voice per speaker for ``language``.

    ``fixed`` maps speaker id -> a voice id chosen earlier (configuration or casting
    file); a fixed voice missing from the catalog falls back to the closest voice,
    with a warning. Other speakers, most dialogue first, get the free voice of their
    gender closest to their median F0, where "free" means not used by anyone they
    share a scene with (``partners``).
    """
    chosen: dict[str, VoiceSpec] = {}
    warnings: list[str] = []
    for speaker in speakers:
        wanted = fixed.get(speaker.id)
        if wanted is None:
            continue
        voice = find_voice(catalog, wanted)
        if voice is None:
            warnings.append(f"voice '{wanted}' for {speaker.name} is not in the {language} catalog; using the closest voice")
        else:
            chosen[speaker.id] = voice
    for speaker in sorted(speakers, key=lambda s: (-s.speech_seconds, s.id)):
        if speaker.id in chosen:
            continue
        busy = {chosen[other].id for other in partners.get(speaker.id, set()) if other in chosen}
        voice = _pick(speaker, catalog, busy)
        if voice is None:
            warnings.append(f"no distinguishable {language} voice left for {speaker.name}; a voice is shared in a scene")
            voice = min(catalog, key=lambda v: v.pitch_distance(_profile_f0(speaker)))
        elif voice not in catalog:
            log.info("%s: the %s catalog ran out of %s voices; using %s", speaker.name, language, speaker.gender, voice.id)
        chosen[speaker.id] = voice
    for warning in warnings:
        log.warning(warning)
    return Casting(chosen, warnings)
