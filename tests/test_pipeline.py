"""The whole flow on the bundled sample: deliverables, the cache, what a re-run redoes after an edit, and a review in
the studio (resuming after SIGKILL is tests/security/test_hard_kill.py)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localize.stages.diarize.gender import estimate_gender
from tests.conftest import SAMPLE, SAMPLE_GLOSSARY, run_cli
from tests.studio_review import CHROMIUM_ARGS, review_in_studio, served_studio

pytestmark = pytest.mark.slow

TARGETS = ["en", "pt-BR", "fr"]
RUN_ARGS = ["--from", "es-AR", "--to", ",".join(TARGETS), "--glossary", str(SAMPLE_GLOSSARY)]


def ffprobe_streams(path: Path) -> list[dict]:
    """Every stream of a file, as ffprobe reports it."""
    raw = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)], capture_output=True, check=True
    ).stdout
    return json.loads(raw)["streams"]


def stream_md5(path: Path, selector: str) -> str:
    """MD5 of one stream's packets (stream copy, no decoding)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-map", selector, "-c", "copy", "-f", "md5", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("run")
    started = time.perf_counter()
    result = run_cli("run", SAMPLE / "episode.mp4", *RUN_ARGS, "--out", out)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    return out / "episode", elapsed


def test_master_has_copied_video_and_tagged_tracks(first_run: tuple[Path, float]) -> None:
    folder, _ = first_run
    master = folder / "episode.mkv"
    streams = ffprobe_streams(master)
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert len(video) == 1 and video[0]["codec_name"] == "h264"
    assert stream_md5(master, "0:v:0") == stream_md5(SAMPLE / "episode.mp4", "0:v:0"), "video must be stream-copied"
    assert [s["tags"]["language"] for s in audio] == ["es-AR", *TARGETS]
    assert audio[0]["disposition"]["default"] == 1
    assert audio[0]["tags"]["title"] == "Spanish (Argentina) (original)"
    assert audio[1]["tags"]["title"] == "English (dubbed)"
    assert audio[2]["tags"]["title"] == "Portuguese (Brazil) (dubbed)"
    subtitles = [s for s in streams if s["codec_type"] == "subtitle" and not s["disposition"]["hearing_impaired"]]
    assert [s["tags"]["language"] for s in subtitles] == TARGETS


def test_per_language_deliverables(first_run: tuple[Path, float]) -> None:
    folder, _ = first_run
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {d["path"] for d in manifest["deliverables"]}
    for language in TARGETS:
        for name in (
            f"episode.{language}.srt",
            f"episode.{language}.vtt",
            f"episode.{language}.dub-mix.wav",
            f"episode.{language}.dialogue-stem.wav",
            f"glossary-report.{language}.html",
            f"glossary-report.{language}.json",
        ):
            assert (folder / language / name).is_file(), name
            assert f"{language}/{name}" in listed
        srt = (folder / language / f"episode.{language}.srt").read_text(encoding="utf-8")
        assert srt.count("-->") >= 10
        vtt = (folder / language / f"episode.{language}.vtt").read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT")
        mix = next(s for s in ffprobe_streams(folder / language / f"episode.{language}.dub-mix.wav"))
        assert (mix["sample_rate"], mix["bits_per_sample"]) == ("48000", 24)
        stem = ffprobe_streams(folder / language / f"episode.{language}.dialogue-stem.wav")[0]
        assert stem["channels"] == 1


def test_every_line_dubbed_with_a_voice_per_speaker(first_run: tuple[Path, float]) -> None:
    folder, _ = first_run
    episode = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert len(episode["speakers"]) == 3
    genders = sorted(s["gender"] for s in episode["speakers"])
    assert genders == ["female", "male", "male"]
    for speaker in episode["speakers"]:  # the voice embedding decides, not the pitch: a raised male voice stays male
        assert estimate_gender(speaker["embedding"], 244.0) == estimate_gender(speaker["embedding"], 120.0) == speaker["gender"]
    for language in TARGETS:
        track = episode["tracks"][language]
        assert len(set(track["voices"].values())) == 3, "each character gets a distinct voice"
        takes = [r["take"] for r in track["renditions"].values()]
        assert len(takes) == len(episode["lines"]) and all(takes), "no line dropped"
        for rendition in track["renditions"].values():
            line = next(line for line in episode["lines"] if line["id"] == rendition["line_id"])
            assert abs(rendition["take"]["start"] - line["start"]) < 0.7, "takes are placed from their own source start"
        assert -29 <= track["loudness"]["dialogue_lkfs"] <= -25
        assert track["loudness"]["true_peak_dbtp"] <= -2.0


def test_second_run_is_all_cache_hits(first_run: tuple[Path, float]) -> None:
    folder, _ = first_run
    absolute = [arg if arg != str(SAMPLE_GLOSSARY) else str(SAMPLE_GLOSSARY.resolve()) for arg in RUN_ARGS]
    result = run_cli("run", SAMPLE / "episode.mp4", *absolute, "--out", folder.parent)
    assert result.returncode == 0, result.stderr
    stages = json.loads((folder / ".localize" / "manifest.json").read_text(encoding="utf-8"))["stages"]
    assert all(record["cache_hit"] for record in stages.values()), stages


def _deliverables(folder: Path) -> dict[str, str]:
    return {d["path"]: d["sha256"] for d in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["deliverables"]}


def _artifacts(folder: Path) -> set[str]:
    return {path.name for path in (folder / ".localize" / "artifacts").rglob("*") if path.is_file()}


def test_one_edited_line_redoes_that_line_and_that_language_only(first_run: tuple[Path, float], tmp_path: Path) -> None:
    folder = tmp_path / "episode"
    shutil.copytree(first_run[0], folder)
    before, artifacts = _deliverables(folder), _artifacts(folder)
    script = tmp_path / "fr.csv"
    assert run_cli("script", "export", folder, "--language", "fr", "--format", "csv", "--out", script).returncode == 0
    rows = list(csv.reader(script.open(encoding="utf-8-sig")))
    rows[3][rows[0].index("Translation")] = "Une réplique corrigée par la relectrice."
    with script.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    assert run_cli("script", "import", folder, script, "--language", "fr").returncode == 0
    result = run_cli("run", SAMPLE / "episode.mp4", *RUN_ARGS, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    after, made = _deliverables(folder), _artifacts(folder) - artifacts
    changed = {path for path in before if before[path] != after.get(path)}
    assert changed, "the edited line reached the deliverables"
    assert all(path.startswith("fr/") or "/" not in path for path in changed), changed
    assert sum(name.endswith(".take.wav") for name in made) == 1, "only the edited line was dubbed again"
    assert sum(name.endswith(".mix.wav") for name in made) == 1 and sum(name.endswith(".review.mp4") for name in made) == 1
    stages = json.loads((folder / ".localize" / "manifest.json").read_text(encoding="utf-8"))["stages"]
    assert [name for name, record in stages.items() if record["cache_hit"]] == ["ingest", "transcribe", "diarize", "segment", "lips"]


def test_a_renamed_speaker_relabels_without_synthesis(first_run: tuple[Path, float], tmp_path: Path) -> None:
    folder = tmp_path / "episode"
    shutil.copytree(first_run[0], folder)
    before, artifacts = _deliverables(folder), _artifacts(folder)
    speakers = folder / "speakers.yaml"
    speakers.write_text(speakers.read_text(encoding="utf-8").replace("SPEAKER_00: SPEAKER_00", "SPEAKER_00: Tito"), encoding="utf-8")
    result = run_cli("run", SAMPLE / "episode.mp4", *RUN_ARGS, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    after, made = _deliverables(folder), _artifacts(folder) - artifacts
    assert not any(name.endswith((".clip.wav", ".take.wav", ".mix.wav", ".review.mp4")) for name in made), made
    changed = {path for path in before if before[path] != after.get(path)}
    assert any(".sdh." in path for path in changed) and any(".script." in path for path in changed)
    assert not any(path.endswith((".dub-mix.wav", ".review.mp4", ".srt")) and ".sdh." not in path for path in changed), changed


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_a_reviewer_corrects_reviews_and_renders_only_what_changed_in_the_studio(
    first_run: tuple[Path, float], chromium: Any, tmp_path: Path
) -> None:
    with served_studio(first_run[0], tmp_path) as studio:
        review_in_studio(studio, chromium)
