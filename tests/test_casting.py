"""Voice catalog and casting: gender and pitch match, distinct voices per scene, the series casting file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localize.errors import ConfigError
from localize.model import Line, Speaker
from localize.stages.dub.casting import CastingFile, cast_voices, find_voice, load_catalog, scene_partners


def speaker(sid: str, gender: str, f0: float | None, seconds: float = 10.0, **extras: object) -> Speaker:
    return Speaker(id=sid, name=sid, gender=gender, median_f0=f0, speech_seconds=seconds, extras=dict(extras))  # type: ignore[arg-type]


def line(lid: str, who: str, start: float, end: float) -> Line:
    return Line(id=lid, start=start, end=end, speaker=who, text="hola")


@pytest.mark.parametrize("language", ["en", "pt-BR", "fr"])
def test_shipped_catalogs_describe_both_genders(language: str) -> None:
    catalog = load_catalog(language)
    assert {v.gender for v in catalog} == {"male", "female"}
    assert len({v.id for v in catalog}) == len(catalog)
    assert all(v.language == language for v in catalog)


def test_language_without_catalog_gets_espeak_voices() -> None:
    catalog = load_catalog("de-AT")
    assert catalog and all(v.backend == "espeak-ng.v1" and v.voice.startswith("de+") for v in catalog)


def test_invalid_catalog_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("voices:\n  - {id: x, backend: espeak-ng.v1}\n")
    with pytest.raises(ConfigError, match="voice catalog"):
        load_catalog("en", tmp_path)


def test_cast_matches_gender_and_pitch_and_keeps_scene_partners_apart() -> None:
    catalog = load_catalog("fr")
    speakers = [speaker("low", "male", 85.0), speaker("mid", "male", 125.0), speaker("her", "female", 220.0)]
    lines = [line("1", "low", 0, 2), line("2", "mid", 3, 5), line("3", "her", 6, 8)]
    casting = cast_voices(speakers, "fr", catalog, {}, scene_partners(lines, 60.0))
    voices = casting.voices
    assert voices["low"].id == "fr-espeak-m7"  # 90 Hz voice for the 85 Hz actor
    assert voices["mid"].id == "fr-espeak-m3"
    assert voices["her"].gender == "female"
    assert len({v.id for v in voices.values()}) == 3
    assert casting.warnings == []


def test_more_characters_than_voices_get_distinguishable_variants() -> None:
    catalog = load_catalog("en")
    women = [speaker(f"w{i}", "female", 200.0 + 5 * i) for i in range(4)]
    lines = [line(str(i), s.id, i * 2.0, i * 2.0 + 1) for i, s in enumerate(women)]
    voices = cast_voices(women, "en", catalog, {}, scene_partners(lines, 60.0)).voices
    assert len({v.id for v in voices.values()}) == 4
    variants = [v for v in voices.values() if "~" in v.id]
    assert variants and all(v.semitones != 0 for v in variants)
    # A variant id found in a casting file resolves to the same voice again.
    assert find_voice(catalog, variants[0].id) == variants[0]


def test_characters_in_different_scenes_may_share_a_voice() -> None:
    catalog = load_catalog("en")
    women = [speaker(f"w{i}", "female", 215.0) for i in range(3)]
    lines = [line(str(i), s.id, i * 200.0, i * 200.0 + 1) for i, s in enumerate(women)]
    voices = cast_voices(women, "en", catalog, {}, scene_partners(lines, 60.0)).voices
    assert len({v.id for v in voices.values()}) == 1


def test_fixed_voice_missing_from_catalog_falls_back_with_warning() -> None:
    catalog = load_catalog("en")
    casting = cast_voices([speaker("a", "male", 110.0)], "en", catalog, {"a": "en-nonexistent"}, {})
    assert casting.voices["a"].gender == "male"
    assert any("en-nonexistent" in w and "closest" in w for w in casting.warnings)


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
