"""Finding 3: YAML from users (glossaries by upload, path or CLI; speakers files; voice catalogs) may hold no
anchors or aliases (an alias bomb), and is size-capped; each refusal is one line naming the file and line."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from localize.errors import ConfigError, GlossaryError
from localize.glossary import load_glossary
from localize.glossary.load import MAX_GLOSSARY_BYTES
from localize.service.runtime import Service
from localize.service.security import create_token
from localize.stages.diarize.speakers import read_speakers_file
from localize.stages.dub.casting import load_catalog
from tests.conftest import run_cli
from tests.security.conftest import bearer


def alias_bomb(levels: int) -> str:
    """A glossary whose terms list expands to 10**levels copies of one term (each level: a list of ten aliases)."""
    lines = ["name: bomb", "source_language: es", "targets: [en]", 'l0: &l0 {id: t, term: "mate"}']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    lines.append(f"terms: *l{levels}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def token(service: Service) -> str:
    secret, _ = create_token(service.database, "yaml-sender", ["read", "submit"])
    return secret


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_an_uploaded_alias_bomb_is_refused_without_expanding(api: TestClient, service: Service, token: str) -> None:
    bomb = alias_bomb(9)  # 10**9 terms once expanded
    assert len(bomb) < 700
    before = _peak_mb()
    response = api.post("/uploads", headers=bearer(token), params={"filename": "bomb.yaml"}, content=bomb.encode())
    assert response.status_code == 422, response.text[:300]
    assert "anchors and aliases" in response.json()["detail"] and "bomb.yaml:4" in response.json()["detail"]
    assert _peak_mb() - before < 50, "nothing was expanded"
    assert not list(service.settings.uploads_dir.glob("*/bomb.yaml")), "the refused upload is removed"


def test_a_glossary_with_an_alias_under_a_storage_root_is_refused(api: TestClient, token: str, storage: Path) -> None:
    (storage / "aliased.yaml").write_text(alias_bomb(3), encoding="utf-8")
    response = api.post("/jobs", headers=bearer(token), json={"source": "episode.wav", "glossary": "aliased.yaml", "targets": "en"})
    assert response.status_code == 422 and "anchors and aliases" in response.json()["detail"]


def test_the_cli_refuses_an_aliased_glossary_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "aliased.yaml"
    path.write_text(alias_bomb(4), encoding="utf-8")
    result = run_cli("glossary", "check", tmp_path / "script.csv", "--glossary", path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "anchors and aliases" in result.stderr and "Traceback" not in result.stderr


def test_speakers_files_and_voice_catalogs_refuse_aliases(tmp_path: Path) -> None:
    speakers = tmp_path / "speakers.yaml"
    speakers.write_text("SPEAKER_00: &name Lucía\nSPEAKER_01: *name\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="anchors and aliases"):
        read_speakers_file(speakers)
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "en.yaml").write_text(
        "voices:\n  - &v {id: a, backend: espeak-ng.v1, voice: en, gender: female, pitch_hz: 200}\n  - *v\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="anchors and aliases"):
        load_catalog("en", voices)


def test_an_oversized_glossary_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("name: huge\nsource_language: es\ntargets: [en]\nterms:\n")
        handle.write("  - {id: t, term: mate}\n" * (MAX_GLOSSARY_BYTES // 24 + 10))
    with pytest.raises(GlossaryError, match=r"over the \d+-byte limit"):
        load_glossary(path)
