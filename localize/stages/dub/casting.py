"""The voice catalog and casting: a distinguishable voice per character, stable across episodes.

Casting is automatic: each character gets the catalog voice whose timbre is
nearest the original actor's (the cosine similarity of the actor's speaker
embedding and the dub voice's voiceprint, with gender and pitch range as further
costs), solved as one assignment over the characters, so no two get the same
voice while the catalog has enough; characters beyond that share a voice only
with someone they never share a scene with. The cast is saved in a series-level
casting file together with each character's voice profile, so the same
character, recognised by name or by speaker embedding, keeps its voice in every
episode. Manual choices in the configuration win over both.
"""

from __future__ import annotations

import json
import logging
import math
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
from localize.model import CastVoice, Line, Speaker
from localize.registry import backend_class
from localize.stages.dub.backend import VoiceSpec
from localize.stages.dub.phonemes import espeak_voice
from localize.user_yaml import load_yaml

__all__ = [
    "Casting",
    "CastingFile",
    "Catalog",
    "Character",
    "cast_voices",
    "casting_report",
    "default_voices_dir",
    "fallback_voice",
    "find_voice",
    "load_catalog",
    "read_catalog",
    "scene_partners",
]

log = logging.getLogger("localize")

CASTING_VERSION = 2
SAME_SPEAKER_SIMILARITY = 0.85
"""Cosine similarity of speaker embeddings above which two speakers are taken for one character."""
SIMILARITY_MARGIN = 0.05
"""How much better the best character must match than the next one."""
DEFAULT_F0 = {"male": 120.0, "female": 210.0, "unknown": 160.0}
GENDER_COST = 1.0
"""Cost of a voice of the other gender (a timbre far off costs up to 2)."""
PITCH_COST = 0.5
"""Cost per octave between the actor's median F0 and the voice's range."""
FORMANT_COST = 0.3
"""Extra cost of espeak-ng's formant voices, so natural voices come first."""
NEUTRAL_TIMBRE = 0.6
"""Timbre cost when the actor or the voice has no embedding (about the mean distance between voices)."""
SHARED_COST = 10.0
"""Cost of a voice already given to a scene partner."""
_VARIANT = re.compile(r"^(?P<base>.+)~(?P<shift>[+-]\d+(?:\.\d+)?)st$")

_ESPEAK_VARIANTS = (
    ("m3", "male", 120, 45),
    ("f3", "female", 215, 55),
    ("m7", "male", 90, 20),
    ("f4", "female", 240, 70),
    ("m1", "male", 135, 60),
)


_KOKORO_GENERIC = (
    ("m-adult", "jm_kumo", "male", "adult", 95, 1.0),
    ("m-old", "jm_kumo*1.3+jf_alpha*-0.3", "male", "old", 72, 0.9),
    ("m-young", "jm_kumo*0.7+jf_alpha*0.3", "male", "young", 138, 1.05),
    ("f-low", "jf_alpha*0.7+jm_kumo*0.3", "female", "adult", 205, 1.0),
    ("f-young", "jf_gongitsune", "female", "young", 225, 1.05),
    ("f-old", "jf_nezumi", "female", "old", 250, 0.92),
)
"""Kokoro voices for languages without a catalog file (the blends of the shipped catalogs):
(id suffix, style blend, gender, age, typical F0, speed)."""


def default_voices_dir() -> Path:
    """The catalog shipped with localize (inside the wheel, or the repo's ``voices/``)."""
    here = Path(__file__).resolve().parents[2]
    packaged = here / "voices"
    return packaged if packaged.is_dir() else here.parent / "voices"


def _kokoro_generic(language: str) -> list[VoiceSpec]:
    """Kokoro voices for a language without a catalog file, when espeak-ng can phonemize it and Kokoro is installed."""
    if not backend_class("tts", "kokoro.v1").availability().usable or espeak_voice(language) is None:
        return []
    base = base_language(language)
    return [
        VoiceSpec(
            id=f"{base}-kokoro-{name}",
            backend="kokoro.v1",
            voice=blend,
            language=language,
            gender=gender,  # type: ignore[arg-type]
            age=age,  # type: ignore[arg-type]
            pitch_hz=pitch_hz,
            speed=speed,
        )
        for name, blend, gender, age, pitch_hz, speed in _KOKORO_GENERIC
    ]


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


@dataclass(frozen=True)
class Catalog:
    """The castable voices of one language, and a sample sentence that shows how each sounds."""

    voices: list[VoiceSpec]
    sample: str | None = None


def read_catalog(language: str, voices_dir: Path | None = None) -> Catalog:
    """The catalog for ``language`` (exact tag, then base language, then generated Kokoro and espeak-ng voices)."""
    folder = voices_dir or default_voices_dir()
    for name in dict.fromkeys((language, base_language(language))):
        path = folder / f"{name}.yaml"
        if path.is_file():
            try:
                data = load_yaml(path.read_text(encoding="utf-8")) or {}
                voices = [
                    VoiceSpec(language=language, **{k: v for k, v in item.items() if k != "language"}) for item in data.get("voices", [])
                ]
                sample = data.get("sample")
                return Catalog(_runnable(voices, path), str(sample) if sample else None)
            except (yaml.YAMLError, ValidationError, TypeError, AttributeError) as exc:
                raise ConfigError(f"voice catalog {path} is invalid: {exc}".splitlines()[0], "fix that file") from exc
    log.info("no voice catalog for %s in %s; using generic Kokoro and espeak-ng voices", language, folder)
    return Catalog([*_kokoro_generic(language), *_espeak_fallback(language)])


def _runnable(voices: list[VoiceSpec], path: Path) -> list[VoiceSpec]:
    """The voices whose engine can run here (the others are logged); all of them when none can, so casting still names one."""
    unusable: dict[str, str] = {}
    for backend in {v.backend for v in voices}:
        try:
            availability = backend_class("tts", backend).availability()
        except ConfigError:
            continue  # an unknown engine is reported when a voice of it is cast
        if not availability.usable:
            unusable[backend] = availability.detail
    for backend, detail in sorted(unusable.items()):
        log.info("%s: %s voices left out (%s)", path.name, backend, detail)
    return [v for v in voices if v.backend not in unusable] or voices


def load_catalog(language: str, voices_dir: Path | None = None) -> list[VoiceSpec]:
    """The voices of ``language``'s catalog."""
    return read_catalog(language, voices_dir).voices


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


def fallback_voice(voice: VoiceSpec, catalog: list[VoiceSpec]) -> VoiceSpec | None:
    """The espeak-ng voice that speaks a line ``voice`` cannot: the catalog's (else the language's generated ones) of
    the same gender nearest in pitch; None when ``voice`` is itself espeak-ng's."""
    if voice.is_formant_synthesis:
        return None
    formant = [v for v in catalog if v.is_formant_synthesis] or _espeak_fallback(voice.language)
    return min(formant, key=lambda v: (v.gender != voice.gender, abs(math.log2(v.pitch_hz / voice.pitch_hz))), default=None)


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
            embedding = speaker.embedding
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
        if speaker.embedding:
            character.embedding = [round(float(v), 5) for v in speaker.embedding]


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
    """The voices cast for one language, what went wrong on the way, the casting report, and per speaker the espeak-ng
    voice that speaks a line its own voice cannot."""

    voices: dict[str, VoiceSpec]
    warnings: list[str]
    report: dict[str, CastVoice] = field(default_factory=dict)
    fallbacks: dict[str, VoiceSpec] = field(default_factory=dict)


def casting_report(speakers: list[Speaker], voices: dict[str, VoiceSpec], prints: dict[str, np.ndarray]) -> dict[str, CastVoice]:
    """Per speaker: its voice, that voice's similarity to the actor, and the most similar other character's voice."""
    report: dict[str, CastVoice] = {}
    for speaker in speakers:
        voice = voices.get(speaker.id)
        if voice is None:
            continue
        own = prints.get(voice.id)
        embedding = speaker.embedding
        actor = _cosine(embedding, own) if own is not None and len(embedding) else None
        others = [
            (_cosine(own, prints[other.id]), speaker_id)
            for speaker_id, other in voices.items()
            if speaker_id != speaker.id and own is not None and other.id in prints
        ]
        nearest = max(others) if others else None
        report[speaker.id] = CastVoice(
            voice=voice.id,
            actor_similarity=round(actor, 3) if actor is not None and actor > -1 else None,
            nearest_character=nearest[1] if nearest else None,
            nearest_similarity=round(nearest[0], 3) if nearest else None,
        )
    return report


def _profile_f0(speaker: Speaker) -> float:
    return speaker.median_f0 or DEFAULT_F0[speaker.gender]


def _cost(speaker: Speaker, voice: VoiceSpec, prints: dict[str, np.ndarray]) -> float:
    """How badly ``voice`` would stand in for the actor: timbre distance, then gender, pitch and formant costs."""
    embedding = speaker.embedding
    voiceprint = prints.get(voice.id)
    timbre = 1.0 - _cosine(embedding, voiceprint) if len(embedding) and voiceprint is not None else NEUTRAL_TIMBRE
    if timbre > 1.9:  # shapes differ: no comparable embedding
        timbre = NEUTRAL_TIMBRE
    gender = GENDER_COST if speaker.gender != "unknown" and voice.gender != speaker.gender else 0.0
    formant = FORMANT_COST if voice.is_formant_synthesis else 0.0
    return timbre + gender + PITCH_COST * voice.pitch_distance(_profile_f0(speaker)) / 12 + formant


def cast_voices(
    speakers: list[Speaker],
    language: str,
    catalog: list[VoiceSpec],
    fixed: dict[str, str],
    partners: dict[str, set[str]],
    prints: dict[str, np.ndarray] | None = None,
) -> Casting:
    """Cast a voice per speaker for ``language``.

    ``fixed`` maps speaker id -> a voice id chosen earlier (configuration or casting
    file); a fixed voice missing from the catalog falls back to the closest voice,
    with a warning. ``prints`` holds the voiceprint of each catalog voice. The other
    speakers are cast together by a minimum-cost assignment (scipy's
    ``linear_sum_assignment``), each voice at most once and never a voice fixed for
    a scene partner; speakers left over when the catalog runs out, least dialogue
    first, get the cheapest voice none of their scene partners has.
    """
    from scipy.optimize import linear_sum_assignment

    prints = prints or {}
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
    free = [v for v in catalog if v.id not in {c.id for c in chosen.values()}] or catalog
    waiting = sorted((s for s in speakers if s.id not in chosen), key=lambda s: (-s.speech_seconds, s.id))

    def cost(speaker: Speaker, voice: VoiceSpec) -> float:
        busy = any(chosen[other].id == voice.id for other in partners.get(speaker.id, set()) if other in chosen)
        return _cost(speaker, voice, prints) + (SHARED_COST if busy else 0.0)

    if waiting:
        matrix = np.array([[cost(speaker, voice) for voice in free] for speaker in waiting])
        for row, column in zip(*linear_sum_assignment(matrix), strict=True):
            chosen[waiting[row].id] = free[column]
    for speaker in waiting:
        if speaker.id in chosen:
            continue
        voice = min(catalog, key=lambda v: cost(speaker, v))
        if cost(speaker, voice) >= SHARED_COST:
            warnings.append(f"no distinguishable {language} voice left for {speaker.name}; a voice is shared in a scene")
        chosen[speaker.id] = voice
    for warning in warnings:
        log.warning(warning)
    return Casting(chosen, warnings)
