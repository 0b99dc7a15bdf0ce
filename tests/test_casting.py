"""Voice catalog and casting: timbre, gender and pitch, one assignment, distinct voices per scene, the series casting file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from localize.errors import ConfigError
from localize.model import Line, Speaker
from localize.stages.dub.backend import VoiceSpec
from localize.stages.dub.casting import (
    CastingFile,
    cast_voices,
    casting_report,
    fallback_voice,
    load_catalog,
    read_catalog,
    scene_partners,
)


def speaker(sid: str, gender: str, f0: float | None, seconds: float = 10.0, embedding: list[float] | None = None) -> Speaker:
    return Speaker(id=sid, name=sid, gender=gender, median_f0=f0, speech_seconds=seconds, embedding=embedding or [])  # type: ignore[arg-type]


def line(lid: str, who: str, start: float, end: float) -> Line:
    return Line(id=lid, start=start, end=end, speaker=who, text="hola")


ESPEAK_CATALOG = """
voices:
  - {id: m3, backend: espeak-ng.v1, voice: "fr-fr+m3", gender: male, pitch_hz: 120, pitch_range: [105, 130]}
  - {id: m7, backend: espeak-ng.v1, voice: "fr-fr+m7", gender: male, pitch_hz: 90, pitch_range: [60, 105]}
  - {id: m1, backend: espeak-ng.v1, voice: "fr-fr+m1", gender: male, pitch_hz: 135, pitch_range: [130, 165]}
  - {id: f3, backend: espeak-ng.v1, voice: "fr-fr+f3", gender: female, pitch_hz: 215, pitch_range: [165, 228]}
"""


@pytest.fixture
def catalog(tmp_path: Path) -> list[VoiceSpec]:
    (tmp_path / "fr.yaml").write_text(ESPEAK_CATALOG)
    return load_catalog("fr", tmp_path)


@pytest.mark.parametrize("language", ["en", "es", "pt-BR", "fr"])
def test_shipped_catalogs_have_six_natural_voices_of_both_genders(language: str) -> None:
    catalog = read_catalog(language)
    natural = [v for v in catalog.voices if v.backend == "kokoro.v1"]
    assert len(natural) >= 6
    assert {v.gender for v in natural} == {"male", "female"}
    assert {v.age for v in natural} >= {"young", "old"}
    assert all(v.semitones == 0 for v in catalog.voices)  # no pitch-shifted stand-ins
    assert len({v.id for v in catalog.voices}) == len(catalog.voices)
    assert all(v.language == language for v in catalog.voices)
    assert catalog.sample


def test_language_without_catalog_gets_kokoro_then_espeak_voices() -> None:
    catalog = load_catalog("de-AT")
    assert catalog[0].backend == "kokoro.v1"
    assert any(v.backend == "espeak-ng.v1" and v.voice.startswith("de+") for v in catalog)
    assert {v.gender for v in catalog if v.backend == "kokoro.v1"} == {"male", "female"}


def test_a_natural_voice_falls_back_to_the_nearest_espeak_voice_of_its_gender(catalog: list[VoiceSpec]) -> None:
    kokoro = VoiceSpec(id="k", backend="kokoro.v1", voice="jm_kumo", language="fr", gender="male", pitch_hz=95)
    fallback = fallback_voice(kokoro, catalog)
    assert fallback is not None and fallback.id == "m7"
    female = fallback_voice(kokoro.model_copy(update={"gender": "female", "pitch_hz": 250}), catalog)
    assert female is not None and female.id == "f3"
    assert fallback_voice(catalog[0], catalog) is None  # espeak-ng is the last resort
    generated = fallback_voice(kokoro.model_copy(update={"language": "de"}), [kokoro])
    assert generated is not None and generated.backend == "espeak-ng.v1" and generated.voice.startswith("de+")


def test_invalid_catalog_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("voices:\n  - {id: x, backend: espeak-ng.v1}\n")
    with pytest.raises(ConfigError, match="voice catalog"):
        load_catalog("en", tmp_path)


def test_without_voiceprints_gender_and_pitch_decide_and_scene_partners_differ(catalog: list[VoiceSpec]) -> None:
    speakers = [speaker("low", "male", 85.0), speaker("mid", "male", 125.0), speaker("her", "female", 220.0)]
    lines = [line("1", "low", 0, 2), line("2", "mid", 3, 5), line("3", "her", 6, 8)]
    casting = cast_voices(speakers, "fr", catalog, {}, scene_partners(lines, 60.0))
    voices = casting.voices
    assert voices["low"].id == "m7"  # 90 Hz voice for the 85 Hz actor
    assert voices["mid"].id == "m3"
    assert voices["her"].id == "f3"
    assert casting.warnings == []


def _unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=float)
    return vector / np.linalg.norm(vector)


def test_timbre_decides_between_voices_of_the_actor_s_gender(catalog: list[VoiceSpec]) -> None:
    prints = {"m3": _unit(1, 0, 0), "m7": _unit(0, 1, 0), "m1": _unit(0, 0, 1), "f3": _unit(1, 1, 1)}
    actor = speaker("a", "male", 125.0, embedding=[0.1, 0.2, 0.95])  # pitch says m3, timbre says m1
    casting = cast_voices([actor], "fr", catalog, {}, {}, prints)
    assert casting.voices["a"].id == "m1"
    report = casting_report([actor], casting.voices, prints)
    assert report["a"].voice == "m1" and report["a"].actor_similarity == pytest.approx(0.97, abs=0.01)


def test_one_assignment_beats_casting_the_main_character_first(catalog: list[VoiceSpec]) -> None:
    prints = {"m3": _unit(1, 0, 0), "m7": _unit(0.6, 0.8, 0), "m1": _unit(0, 0, 1), "f3": _unit(0, -1, 0)}
    lead = speaker("lead", "male", 120.0, seconds=100, embedding=list(_unit(0.9, 0.6, 0)))  # m3 0.83, m7 0.98
    other = speaker("other", "male", 120.0, seconds=5, embedding=list(_unit(0.55, 0.85, 0)))  # m3 0.54, m7 1.0
    lines = [line("1", "lead", 0, 2), line("2", "other", 3, 5)]
    voices = cast_voices([lead, other], "fr", catalog, {}, scene_partners(lines, 60.0), prints).voices
    # Greedy, the lead would take m7 and leave the other m3 (0.98 + 0.54); together: 0.83 + 1.0.
    assert voices["lead"].id == "m3" and voices["other"].id == "m7"
    report = casting_report([lead, other], voices, prints)
    assert report["lead"].nearest_character == "other"
    assert report["lead"].nearest_similarity == pytest.approx(0.6, abs=0.01)


def test_more_characters_than_voices_share_only_across_scenes(catalog: list[VoiceSpec]) -> None:
    men = [speaker(f"m{i}", "male", 120.0, seconds=10.0 - i) for i in range(6)]
    scene_one = [line(str(i), s.id, i * 2.0, i * 2.0 + 1) for i, s in enumerate(men[:3])]
    scene_two = [line(str(10 + i), s.id, 500 + i * 2.0, 500 + i * 2.0 + 1) for i, s in enumerate(men[3:])]
    partners = scene_partners(scene_one + scene_two, 60.0)
    casting = cast_voices(men, "fr", catalog, {}, partners)
    voices = casting.voices
    for scene in (men[:3], men[3:]):
        assert len({voices[s.id].id for s in scene}) == 3
    assert casting.warnings == []


def test_a_crowded_scene_shares_a_voice_with_a_warning(catalog: list[VoiceSpec]) -> None:
    crowd = [speaker(f"w{i}", "female", 215.0) for i in range(6)]
    lines = [line(str(i), s.id, i * 2.0, i * 2.0 + 1) for i, s in enumerate(crowd)]
    casting = cast_voices(crowd, "fr", catalog, {}, scene_partners(lines, 60.0))
    assert len(casting.voices) == 6
    assert any("shared in a scene" in w for w in casting.warnings)


def test_fixed_voice_missing_from_catalog_falls_back_with_warning(catalog: list[VoiceSpec]) -> None:
    casting = cast_voices([speaker("a", "male", 110.0)], "fr", catalog, {"a": "fr-nonexistent"}, {})
    assert casting.voices["a"].gender == "male"
    assert any("fr-nonexistent" in w and "closest" in w for w in casting.warnings)


def test_a_fixed_voice_is_kept_and_not_given_to_a_scene_partner(catalog: list[VoiceSpec]) -> None:
    prints = {"m3": _unit(1, 0, 0), "m7": _unit(0, 1, 0), "m1": _unit(0, 0, 1), "f3": _unit(1, 1, 1)}
    old = speaker("old", "male", 120.0, embedding=[0.0, 0.0, 1.0])
    new = speaker("new", "male", 120.0, embedding=[0.0, 0.1, 1.0])
    lines = [line("1", "old", 0, 2), line("2", "new", 3, 5)]
    voices = cast_voices([old, new], "fr", catalog, {"old": "m1"}, scene_partners(lines, 60.0), prints).voices
    assert voices["old"].id == "m1" and voices["new"].id != "m1"


def test_casting_file_round_trip_and_matching(tmp_path: Path) -> None:
    path = tmp_path / "series" / "casting.json"
    file = CastingFile()
    martin = speaker("SPEAKER_00", "male", 112.0, embedding=[1.0, 0.0, 0.2])
    lucia = speaker("SPEAKER_01", "female", 210.0, embedding=[0.0, 1.0, 0.1])
    file.remember(martin, "Martín", "en", "en-espeak-m3")
    file.remember(lucia, "Lucía", "en", "en-espeak-f3")
    file.write(path)
    saved = json.loads(path.read_text())
    assert saved["characters"]["Martín"]["voices"] == {"en": "en-espeak-m3"}
    again = CastingFile.read(path)
    # Next episode: new diarization ids, voices recognised by embedding; a named speaker by name.
    next_episode = [
        speaker("SPEAKER_07", "female", 205.0, embedding=[0.05, 0.98, 0.1]),
        speaker("SPEAKER_03", "male", 115.0, embedding=[0.97, 0.05, 0.2]),
        Speaker(id="SPEAKER_09", name="Lucía", gender="female"),
    ]
    matched = again.match(next_episode)
    assert matched["SPEAKER_03"] == "Martín"
    assert matched["SPEAKER_09"] == "Lucía"
    assert "SPEAKER_07" not in matched  # Lucía is taken by name


def test_plain_casting_file_form_is_read(tmp_path: Path) -> None:
    path = tmp_path / "casting.json"
    path.write_text(json.dumps({"Lucía": {"en": "en-espeak-f4"}}))
    assert CastingFile.read(path).characters["Lucía"].voices == {"en": "en-espeak-f4"}
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="casting file"):
        CastingFile.read(path)
