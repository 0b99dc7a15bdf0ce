"""Review proxies rendered by ffmpeg: subtitles burned in on the right frames, a running timecode, text kept literal."""

from __future__ import annotations

import itertools
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from localize.package.cues import Cue
from localize.package.proxy import ProxyJob, ass_document, write_review_proxies

WIDTH, HEIGHT, FPS = 320, 180, 24


def _media(folder: Path, seconds: int) -> tuple[Path, Path]:
    """A black picture and a tone of ``seconds``."""
    video, audio = folder / "black.mp4", folder / "tone.m4a"
    ffmpeg = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi"]
    subprocess.run([*ffmpeg, "-i", f"color=c=black:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}", "-pix_fmt", "yuv420p", str(video)], check=True)
    subprocess.run([*ffmpeg, "-i", f"sine=f=440:d={seconds}", "-c:a", "aac", "-f", "ipod", str(audio)], check=True)
    return video, audio


@pytest.fixture(scope="module")
def proxies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two proxies of a 3 s black picture: one with a cue from 1.0 s to 2.0 s, one with a hostile cue all along."""
    folder = tmp_path_factory.mktemp("proxy")
    video, audio = _media(folder, 3)
    jobs = {
        "plain": ProxyJob(audio, [Cue(1.0, 2.0, ["Hello there"])], "English dub", folder / "plain.mp4"),
        "hostile": ProxyJob(audio, [Cue(0.0, 3.0, ["{\\fs120}X\\NY"])], "% dub", folder / "hostile.mp4"),
    }
    write_review_proxies(video, list(jobs.values()), FPS, (WIDTH, HEIGHT), HEIGHT)
    return {name: job.out for name, job in jobs.items()}


def _frames(path: Path) -> np.ndarray:
    command = ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, HEIGHT, WIDTH)


def test_subtitle_shows_on_exactly_the_frames_of_its_cue(proxies: dict[str, Path]) -> None:
    frames = _frames(proxies["plain"])
    assert len(frames) == 3 * FPS
    shown = [index for index, frame in enumerate(frames) if frame[HEIGHT // 2 :].max() > 128]
    assert shown == list(range(FPS, 2 * FPS))


def test_timecode_runs_and_is_the_same_in_every_proxy(proxies: dict[str, Path]) -> None:
    plain, hostile = _frames(proxies["plain"]), _frames(proxies["hostile"])
    corner = (slice(0, HEIGHT // 8), slice(0, WIDTH // 3))
    assert plain[0][corner].max() > 128, "timecode burned in"
    changed = [int(np.abs(a[corner].astype(int) - b[corner].astype(int)).max()) for a, b in itertools.pairwise(plain)]
    assert min(changed) > 64, "the frame digits change on every frame"
    assert np.abs(plain[30][corner].astype(int) - hostile[30][corner].astype(int)).max() < 48, "same time, same timecode"


def test_override_tags_in_subtitle_text_stay_literal(proxies: dict[str, Path]) -> None:
    frame = _frames(proxies["hostile"])[FPS]
    rows = np.flatnonzero(frame[HEIGHT // 2 :].max(axis=1) > 128)
    assert 0 < rows.max() - rows.min() < HEIGHT // 8, "one line of text at the normal size: neither \\fs nor \\N took effect"


def test_ass_document_keeps_each_cue_one_event() -> None:
    document = ass_document([Cue(0.5, 1.25, ["a\nDialogue: 0,0:00:00.00,9:00:00.00,Default,,0,0,0,,injected", "b"])], WIDTH, HEIGHT)
    events = [line for line in document.splitlines() if line.startswith("Dialogue:")]
    assert events == ["Dialogue: 0,0:00:00.50,0:00:01.25,Default,,0,0,0,,a Dialogue: 0,0:00:00.00,9:00:00.00,Default,,0,0,0,,injected\\Nb"]


def test_files_in_a_folder_with_filter_syntax_in_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    odd = tmp_path / "it's: [a], b; c\\d"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))  # where the subtitles, label and graph files are written
    video, audio = _media(odd, 1)
    out = odd / "proxy.mp4"
    write_review_proxies(video, [ProxyJob(audio, [Cue(0.0, 1.0, ["Hi"])], "it's: [a]", out)], FPS, (WIDTH, HEIGHT), HEIGHT)
    assert _frames(out)[12][HEIGHT // 2 :].max() > 128
