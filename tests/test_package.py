"""The package stage on a small real episode: masters checked with ffprobe, stems, subtitles, proxy, manifest, staging."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.cache import sha256_file
from localize.package.validate import check_subtitle_file, read_cues
from localize.pipeline import resume_context
from localize.rules import PackageConfig
from tests.packaged import LINES, TARGETS, ffprobe_streams, packaged_episode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_episode(tmp_path_factory)


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def _md5(path: Path, selector: str) -> str:
    command = ["ffmpeg", "-v", "error", "-i", str(path), "-map", selector, "-c", "copy", "-f", "md5", "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def test_mkv_master_bcp47_srt_original_default(folder: Path) -> None:
    master = folder / "episode.mkv"
    streams = ffprobe_streams(master)
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    subtitles = [s for s in streams if s["codec_type"] == "subtitle"]
    assert len(video) == 1 and _md5(master, "0:v:0") == _md5(folder.parent.parent / "episode.mp4", "0:v:0"), "video is stream-copied"
    assert [s["tags"]["language"] for s in audio] == ["es-AR", "en", "fr"]
    assert [s["tags"]["title"] for s in audio] == ["Spanish (Argentina) (original)", "English (dubbed)", "French (dubbed)"]
    assert [s["disposition"]["default"] for s in audio] == [1, 0, 0]
    assert [s["codec_name"] for s in audio] == ["aac", "flac", "flac"]
    assert {s["codec_name"] for s in subtitles} == {"subrip"}
    described = [
        (
            s["tags"]["language"],
            s["tags"]["title"],
            s["disposition"]["default"],
            s["disposition"]["forced"],
            s["disposition"]["hearing_impaired"],
        )
        for s in subtitles
    ]
    assert described == [
        ("en", "English", 0, 0, 0),
        ("en", "English (SDH)", 0, 0, 1),
        ("en", "English (forced)", 1, 1, 0),
        ("fr", "French", 0, 0, 0),
        ("fr", "French (SDH)", 0, 0, 1),
        ("fr", "French (forced)", 1, 1, 0),
    ]


def test_mp4_master_iso639_2_mov_text(folder: Path) -> None:
    streams = ffprobe_streams(folder / "episode.mp4")
    audio = [s for s in streams if s["codec_type"] == "audio"]
    subtitles = [s for s in streams if s["codec_type"] == "subtitle"]
    assert [s["tags"]["language"] for s in audio] == ["spa", "eng", "fra"]
    assert [s["tags"]["handler_name"] for s in audio] == ["Spanish (Argentina) (original)", "English (dubbed)", "French (dubbed)"]
    assert [s["disposition"]["default"] for s in audio] == [1, 0, 0]
    assert [s["codec_name"] for s in audio] == ["aac", "aac", "aac"]
    assert {s["codec_name"] for s in subtitles} == {"mov_text"}
    assert [s["tags"]["language"] for s in subtitles] == ["eng", "eng", "eng", "fra", "fra", "fra"]
    assert [s["tags"]["handler_name"] for s in subtitles][:3] == ["English", "English (SDH)", "English (forced)"]
    assert [s["disposition"]["default"] for s in subtitles] == [0, 0, 1, 0, 0, 1]  # as in the MKV: the forced tracks
    assert _md5(folder / "episode.mp4", "0:v:0") == _md5(folder.parent.parent / "episode.mp4", "0:v:0")


def test_manifest_lists_every_file_with_hash_and_figures(folder: Path) -> None:
    manifest = _manifest(folder)
    listed = {item["path"]: item for item in manifest["deliverables"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and ".localize" not in p.parts}
    assert on_disk - {"manifest.json"} == set(listed)
    for path, item in listed.items():
        assert sha256_file(folder / path) == item["sha256"] and (folder / path).stat().st_size == item["bytes"]
        assert item["format"], path
    for language in TARGETS:
        mix = listed[f"{language}/episode.{language}.dub-mix.wav"]
        assert mix["language"] == language and mix["format"] == "wav-pcm24-48k" and abs(mix["duration"] - 10.0) < 0.1
        assert {"dialogue_lkfs", "true_peak_dbtp", "lra_lu", "takes", "max_abs_error_s", "ladder_steps"} <= set(mix["figures"])
        srt = listed[f"{language}/episode.{language}.srt"]
        assert srt["format"] == "srt" and srt["figures"]["events"] == len(LINES) and srt["figures"]["violations"] == 0
        assert listed[f"{language}/episode.{language}.ttml"]["format"] == "imsc1.1-text"
        assert listed[f"{language}/episode.{language}.script.xlsx"]["kind"] == "dubbing-script"
    assert listed["episode.mkv"]["format"] == "matroska" and listed["episode.mp4"]["format"] == "mp4"
    assert listed["qc.html"]["figures"]["passed"] is True


def test_stems_are_48k_24bit_and_mix_is_me_plus_dialogue(folder: Path) -> None:
    for language in TARGETS:
        base = folder / language / f"episode.{language}"
        mix, dialogue, bed = (Path(f"{base}.{name}.wav") for name in ("dub-mix", "dialogue-stem", "me"))
        for path in (mix, dialogue, bed):
            info = soundfile.info(str(path))
            assert (info.samplerate, info.subtype) == (48000, "PCM_24")
        assert soundfile.info(str(dialogue)).channels == 1
        programme, _ = soundfile.read(mix, dtype="float32", always_2d=True)
        voice, _ = soundfile.read(dialogue, dtype="float32", always_2d=True)
        me, _ = soundfile.read(bed, dtype="float32", always_2d=True)
        assert np.max(np.abs(voice)) > 0.01
        assert np.max(np.abs(me + voice[:, :1] - programme)) < 1e-4


def test_every_subtitle_file_passes_the_validator(folder: Path) -> None:
    manifest = _manifest(folder)
    shots = manifest["package"]["shot_changes"]
    assert any(abs(cut - 5.0) < 0.1 for cut in shots), "the cut at 5 s is detected"
    files = [item for item in manifest["deliverables"] if item["kind"] == "subtitles"]
    assert len(files) == 3 * 3 * len(TARGETS)
    for item in files:
        rules = PackageConfig().rules_for(item["language"])
        result = check_subtitle_file(folder / item["path"], rules, item["language"], 25.0, shots)
        assert result.passed, [v.describe(25.0) for v in result.violations]


def test_forced_track_holds_only_the_foreign_line_and_sdh_names_speakers(folder: Path) -> None:
    forced = read_cues(folder / "en" / "episode.en.forced.srt")
    assert [cue.text for cue in forced] == ["Hands up!"]
    sdh = read_cues(folder / "en" / "episode.en.sdh.srt")
    assert sdh[0].text.startswith("[Rosa]") and sdh[1].text.startswith("[Tito]")
    ttml = (folder / "en" / "episode.en.forced.ttml").read_text(encoding="utf-8")
    assert 'itts:forcedDisplay="true"' in ttml


def test_review_proxy_is_small_with_subtitles_burned_in(folder: Path) -> None:
    proxy = folder / "en" / "episode.en.review.mp4"
    streams = ffprobe_streams(proxy)
    video = next(s for s in streams if s["codec_type"] == "video")
    assert (video["codec_name"], video["height"], video["width"]) == ("h264", 270, 480)
    assert any(s["codec_type"] == "audio" and s["codec_name"] == "aac" for s in streams)
    assert abs(float(video["duration"]) - 10.0) < 0.2

    def frame(path: Path, at: float) -> np.ndarray:
        command = ["ffmpeg", "-v", "error", "-ss", str(at), "-i", str(path), "-frames:v", "1", "-vf", "scale=480:270", "-f", "rawvideo"]
        raw = subprocess.run([*command, "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype=np.uint8).reshape(270, 480).astype(int)

    source = folder.parent.parent / "episode.mp4"
    during, outside = 1.5, 9.5  # a subtitle is on screen at 1.5 s, none at 9.5 s
    bottom = slice(215, 268)
    assert np.abs(frame(proxy, during)[bottom] - frame(source, during)[bottom]).mean() > 8
    assert np.abs(frame(proxy, outside)[bottom] - frame(source, outside)[bottom]).mean() < 8
    top_left = (slice(0, 20), slice(0, 120))
    assert np.abs(frame(proxy, outside)[top_left] - frame(source, outside)[top_left]).mean() > 8, "timecode burned in"


def test_failed_packaging_leaves_no_manifest(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out" / "episode"
    shutil.copytree(folder, copy, symlinks=True)
    ctx, episode = resume_context(copy)
    before = (copy / "en" / "episode.en.srt").read_bytes()
    broken = episode.tracks["fr"].model_copy(update={"mix": "missing/mix.wav"})
    episode = episode.model_copy(update={"tracks": {**episode.tracks, "fr": broken}})
    from localize.stages.package import PackageStage

    with pytest.raises(OSError):
        PackageStage().run(episode, ctx)
    assert not (copy / "manifest.json").exists(), "an unfinished package must not carry a manifest"
    assert (copy / "en" / "episode.en.srt").read_bytes() == before, "nothing moved into place before the whole package was staged"
