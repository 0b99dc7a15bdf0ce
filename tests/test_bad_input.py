"""Bad input: one clear line naming the problem and the fix, non-zero exit, no traceback, nothing finished-looking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localize.config import Config
from localize.media.mux import probe_streams
from localize.pipeline import RunRequest, open_episode, run_stages
from localize.stages.base import RunContext
from tests.conftest import SAMPLE_GLOSSARY, espeak, ffmpeg, run_cli


def assert_clean_failure(result: object, *needles: str) -> None:
    """Non-zero exit, one error line with every needle, and no traceback."""
    assert result.returncode != 0, result.stdout  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.strip().splitlines() if line.startswith("localize: error")]
    assert len(lines) == 1, stderr
    assert "fix:" in lines[0], lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), lines[0]


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli("run", tmp_path / "nope.mp4", "--to", "en", "--out", tmp_path / "out")
    assert_clean_failure(result, "does not exist")
    assert not (tmp_path / "out").exists()


def test_empty_file(media_dir: Path, tmp_path: Path) -> None:
    assert_clean_failure(run_cli("run", media_dir / "empty.mp4", "--to", "en", "--out", tmp_path), "empty", "0 bytes")


def test_not_media(media_dir: Path, tmp_path: Path) -> None:
    assert_clean_failure(run_cli("run", media_dir / "notes.mp4", "--to", "en", "--out", tmp_path), "not a media file")


def test_video_without_audio(media_dir: Path, tmp_path: Path) -> None:
    assert_clean_failure(run_cli("run", media_dir / "no_audio.mp4", "--to", "en", "--out", tmp_path), "no audio stream")


def test_unknown_target_language(media_dir: Path, tmp_path: Path) -> None:
    assert_clean_failure(run_cli("run", media_dir / "short.mp4", "--to", "en,xx-Klingon", "--out", tmp_path), "xx-Klingon")


def test_language_pair_without_mt(media_dir: Path, tmp_path: Path) -> None:
    result = run_cli("run", media_dir / "short.mp4", "--from", "es", "--to", "ja", "--out", tmp_path)
    assert_clean_failure(result, "ja")
    assert not list(tmp_path.glob("*/manifest.json"))


def test_language_pair_names_package(media_dir: Path, tmp_path: Path) -> None:
    result = run_cli("run", media_dir / "short.mp4", "--from", "es", "--to", "it", "--out", tmp_path)
    assert_clean_failure(result, "apertium-spa-ita")


def test_malformed_glossary(media_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    text = SAMPLE_GLOSSARY.read_text(encoding="utf-8").replace("renderings: [chimarrão]", "renderings: chimarrão: []", 1)
    broken.write_text(text, encoding="utf-8")
    result = run_cli("run", media_dir / "short.mp4", "--to", "en", "--glossary", broken, "--out", tmp_path / "out")
    assert_clean_failure(result, "broken.yaml:")


def test_glossary_missing_field(media_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "g.yaml"
    broken.write_text("name: x\nsource_language: es\ntargets: [en]\nterms:\n  - id: a\n    term: mate\n  - id: b\n    note: no term here\n")
    result = run_cli("run", media_dir / "short.mp4", "--to", "en", "--glossary", broken, "--out", tmp_path / "out")
    assert_clean_failure(result, "g.yaml:7", "term")


@pytest.mark.parametrize("out", ["/sys/localize-test", "FILE"])
def test_output_not_writable(media_dir: Path, tmp_path: Path, out: str) -> None:
    target = Path(out)
    if out == "FILE":
        target = tmp_path / "a-file"
        target.write_text("x")
    result = run_cli("run", media_dir / "short.mp4", "--to", "en", "--out", target)
    assert_clean_failure(result, "cannot write")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["silent", "music"])
def test_no_dialogue_without_a_language_completes_with_warning(media_dir: Path, tmp_path: Path, name: str) -> None:
    result = run_cli("run", media_dir / f"{name}.mp4", "--to", "en", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no dialogue found" in result.stderr
    folder = tmp_path / name
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lines"] == [] and manifest["source_language"] is None
    assert (folder / f"{name}.mkv").is_file() and (folder / f"{name}.mp4").is_file()
    assert (folder / "en" / f"{name}.en.srt").read_text(encoding="utf-8").strip() == ""


def _master_audio_codecs(master: Path) -> list[str]:
    return [s["codec_name"] for s in probe_streams(master) if s["codec_type"] == "audio"]


@pytest.mark.slow
def test_truncated_flac_source_gets_both_masters_a_warning_and_a_failed_qc(tmp_path: Path) -> None:
    speech = espeak("Che, Martín, ¿querés un mate? El agua ya está lista. Vamos a la plaza después del almuerzo.", tmp_path / "s.wav")
    full = tmp_path / "full.flac"
    ffmpeg("-i", speech, "-af", "apad=pad_dur=6", "-ar", "48000", "-c:a", "flac", full)
    source = tmp_path / "cut.flac"
    source.write_bytes(full.read_bytes()[: full.stat().st_size * 2 // 3])  # a copy that stopped early
    result = run_cli("run", source, "--from", "es", "--to", "en", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "TRUNCATED SOURCE" in result.stderr
    folder = tmp_path / "out" / "cut"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert any("TRUNCATED SOURCE" in warning for warning in manifest["warnings"])
    qc = next(d for d in manifest["deliverables"] if d["kind"] == "qc-report")
    assert "source-complete source" in qc["figures"]["failed"]
    assert _master_audio_codecs(folder / "cut.mkv") == ["flac", "flac"]  # the original copied, the dub lossless
    assert _master_audio_codecs(folder / "cut.mp4") == ["aac", "aac"]  # FLAC in MP4 is experimental in ffmpeg: encoded


def test_truncated_mp4_is_found_at_ingest(tmp_path: Path) -> None:
    full = tmp_path / "full.mp4"
    video, tone = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=24"], ["-f", "lavfi", "-i", "sine=f=300:d=10"]
    ffmpeg(*video, *tone, "-t", "10", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", full)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    config = Config()
    workdir, episode = open_episode(RunRequest(source=cut, out=tmp_path / "out", targets=["en"]), config)
    episode = run_stages(episode, RunContext(workdir=workdir, config=config, targets=["en"]), names=("ingest",))
    assert episode.source.duration == pytest.approx(10.0, abs=0.1)
    assert episode.source.decoded_duration is not None and episode.source.decoded_duration < 8.0
    assert episode.source.truncated
    assert any("TRUNCATED SOURCE" in warning for warning in episode.warnings)
