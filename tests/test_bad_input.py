"""Bad input: one clear line naming the problem and the fix, non-zero exit, no traceback, nothing finished-looking."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE_GLOSSARY, run_cli


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
def test_silence_completes_with_warning(media_dir: Path, tmp_path: Path) -> None:
    result = run_cli("run", media_dir / "silent.mp4", "--from", "es", "--to", "en", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no dialogue found" in result.stderr
    folder = tmp_path / "silent"
    assert (folder / "manifest.json").is_file()
    assert (folder / "silent.mkv").is_file()
    assert (folder / "en" / "silent.en.srt").read_text(encoding="utf-8").strip() == ""
