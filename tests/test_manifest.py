"""Saved manifests: older schemas migrate with nothing a person did lost; a manifest that cannot be read stops the run."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pytest

from localize.cache import WorkDir
from localize.errors import InputError
from localize.model import SCHEMA_VERSION, RenditionFlag
from tests.conftest import SAMPLE, run_cli

V1_MANIFEST = Path(__file__).parent / "data" / "manifest-v1.json"
"""Saved by localize 0.1.0 (schema 1) after a run on the sample and a script import (L0002 edited, L0003 approved);
trimmed to four lines, with the schema-1 fields the migration moves set by hand (a forced narrative, flags)."""


def episode_folder(tmp_path: Path, manifest: str) -> WorkDir:
    workdir = WorkDir(tmp_path, "episode")
    workdir.state.mkdir(parents=True)
    workdir.manifest_path.write_text(manifest, encoding="utf-8")
    return workdir


def test_a_schema_1_manifest_migrates_with_every_edit_kept(tmp_path: Path) -> None:
    raw = json.loads(V1_MANIFEST.read_text(encoding="utf-8"))
    episode = episode_folder(tmp_path, V1_MANIFEST.read_text(encoding="utf-8")).load()
    assert episode is not None and episode.schema_version == SCHEMA_VERSION
    assert episode.run is not None and episode.run.targets == raw["extras"]["run"]["targets"]
    assert episode.package is not None and episode.package.shot_changes == raw["extras"]["package"]["shot_changes"]
    assert episode.extras == {} and all(line.extras == {} for line in episode.lines)
    assert [line.forced_narrative for line in episode.lines] == [False, False, False, True]
    assert {line.origin for line in episode.lines} == {speaker.origin for speaker in episode.speakers} == {"machine"}
    assert [speaker.embedding for speaker in episode.speakers] == [s["extras"]["embedding"] for s in raw["speakers"]]
    french = episode.tracks["fr"].renditions
    assert (french["L0002"].origin, french["L0002"].text) == ("edited", raw["tracks"]["fr"]["renditions"]["L0002"]["text"])
    assert french["L0003"].origin == "approved"
    english = episode.tracks["en"].renditions
    assert english["L0001"].flags == [RenditionFlag.GLOSSARY_VIOLATION]
    assert english["L0001"].take is not None and RenditionFlag.OVERRUN in english["L0001"].take.flags
    assert english["L0004"].skipped == RenditionFlag.FORCED_NARRATIVE


def test_a_schema_2_manifest_loses_no_on_screen_value_a_plug_in_set(tmp_path: Path) -> None:
    raw = json.loads(V1_MANIFEST.read_text(encoding="utf-8"))
    episode = episode_folder(tmp_path, V1_MANIFEST.read_text(encoding="utf-8")).load()
    assert episode is not None
    data = episode.model_dump(mode="json")
    data["schema_version"] = 2
    data["lines"][0]["on_screen"] = True
    data["lines"][1]["on_screen"] = None
    migrated = episode_folder(tmp_path / "v2", json.dumps(data)).load()
    assert migrated is not None and migrated.schema_version == SCHEMA_VERSION and migrated.picture is None
    assert migrated.lines[0].extras == {"on_screen": True} and migrated.lines[1].extras == {}
    assert [line.text for line in migrated.lines] == [line["text"] for line in raw["lines"]]


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("{not json", "cannot read"),
        ('{"schema_version": 99, "id": "episode"}', "newer localize"),
        ('{"schema_version": 2, "id": "episode"}', "invalid at source"),
        ("[]", "not a JSON object"),
    ],
)
def test_an_unreadable_manifest_is_an_error_not_a_fresh_start(tmp_path: Path, manifest: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        episode_folder(tmp_path, manifest).load()


def test_run_stops_on_a_damaged_manifest_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    damaged = V1_MANIFEST.read_text(encoding="utf-8")[:-200]
    workdir = episode_folder(tmp_path, damaged)
    shutil.copy(SAMPLE / "episode.mp4", tmp_path / "episode.mp4")
    result = run_cli("run", tmp_path / "episode.mp4", "--from", "es-AR", "--to", "en", "--out", tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "cannot read the manifest of episode episode" in result.stderr and "move it away" in result.stderr
    assert workdir.manifest_path.read_text(encoding="utf-8") == damaged, "the manifest holding the edits is never overwritten"


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_a_manifest_leaves_the_garbage_collector_as_it_was(tmp_path: Path, enabled: bool) -> None:
    """The collector is paused while a manifest is parsed, then left on or off as the caller had it, even on an error."""
    (gc.enable if enabled else gc.disable)()
    try:
        assert episode_folder(tmp_path / "good", V1_MANIFEST.read_text(encoding="utf-8")).load() is not None
        assert gc.isenabled() is enabled
        with pytest.raises(InputError):
            episode_folder(tmp_path / "bad", '{"schema_version": 4, "id": 5}').load()
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
