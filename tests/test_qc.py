"""The QC page and ``localize qc``: pass/fail per check, the page opened in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from localize.package.cues import Cue
from localize.package.subtitles import srt_text
from tests.conftest import run_cli
from tests.packaged import TARGETS, packaged_episode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return packaged_episode(tmp_path_factory)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "headless Chromium is needed: apt-get install chromium"
    return path


def _headless(*args: str) -> subprocess.CompletedProcess[str]:
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def test_page_renders_in_headless_chromium(folder: Path, tmp_path: Path) -> None:
    page = (folder / "qc.html").resolve()
    dom = _headless("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    assert 'id="verdict" class="verdict pass"' in html
    for language in TARGETS:
        assert f'id="lang-{language}"' in html
        assert f'href="{language}/glossary-report.{language}.html"' in html
    assert html.count("data:image/png;base64,") == 2 * len(TARGETS), "a loudness plot and a timing histogram per language"
    for check in ("loudness", "timing-fit", "subtitles", "glossary", "master-layout", "master-decode"):
        assert f'data-check="{check}"' in html
    shot = tmp_path / "qc.png"
    result = _headless("--window-size=1200,1600", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1200, 1600)
        assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50, "the page drew text and plots"


def test_localize_qc_passes_then_fails_on_a_broken_subtitle(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out" / "episode"
    shutil.copytree(folder, copy, symlinks=True)
    result = run_cli("qc", copy, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pass    master-decode episode.mkv" in result.stdout
    assert "pass    integrity" in result.stdout

    srt = copy / "en" / "episode.en.srt"
    srt.write_text(srt_text([Cue(1.0, 1.3, ["This subtitle is far, far too long for one line and too fast to read"])]), encoding="utf-8")
    result = run_cli("qc", copy, "--no-decode", timeout=600)
    assert result.returncode == 1
    assert "fail    subtitles     en" in result.stdout
    assert "en/episode.en #1 00:00:01:00-00:00:01:07 chars-per-line" in result.stdout and "(srt)" in result.stdout
    assert "fail    integrity" in result.stdout and "en/episode.en.srt changed since packaging" in result.stdout
    page = (copy / "qc.html").read_text(encoding="utf-8")
    assert 'class="verdict fail"' in page and "reading-speed" in page


def test_qc_on_a_folder_that_was_never_packaged(tmp_path: Path) -> None:
    result = run_cli("qc", tmp_path, timeout=120)
    assert result.returncode == 2 and "never packaged" in result.stderr and "Traceback" not in result.stderr
