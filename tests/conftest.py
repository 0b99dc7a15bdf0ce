"""Shared fixtures: real media made with ffmpeg and espeak-ng, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "colectivo"
SAMPLE_GLOSSARY = ROOT / "glossaries" / "colectivo.yaml"
LONGEST_FIRST = ("tests/test_pipeline.py", "tests/test_service.py", "tests/security/test_hard_kill.py", "tests/test_translate_chat.py")
"""Files that run whole episodes or a model server: started first, so that parallel workers (``make test``) end together."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the longest files first; ``make test`` hands files to its workers in this order."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))


def run_cli(*args: str | Path, timeout: float | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``localize`` as a user would, in a subprocess (pytest's per-test timeout, in pyproject.toml, stops a hung run)."""
    env = {**os.environ, "LOCALIZE_DEBUG": ""}
    env.pop("LOCALIZE_DEBUG")
    return subprocess.run(
        [sys.executable, "-m", "localize.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or ROOT,
        env=env,
        check=False,
    )


def ffmpeg(*args: str | Path) -> None:
    """Run ffmpeg quietly, failing the test on error."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)], check=True)


def espeak(text: str, out: Path, voice: str = "es-419", pitch: int = 50, speed: int = 165) -> Path:
    """Speak ``text`` into a WAV with espeak-ng."""
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out), text], check=True)
    return out


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of small real media files for input-handling tests."""
    folder = tmp_path_factory.mktemp("media")
    picture = ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=24"]
    h264 = ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    with_sound = [*h264, "-c:a", "aac", "-shortest"]
    ffmpeg(*picture, "-t", "2", *h264, folder / "no_audio.mp4")
    ffmpeg(*picture, "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "4", *with_sound, folder / "silent.mp4")
    chord = [part for note in ("C3", "E3", "G3", "C4") for part in ("pluck", note)]
    music = folder / "music.wav"  # a plucked chord swelling once a second: music with no voice
    subprocess.run(["sox", "-n", "-r", "48000", "-c", "2", music, "synth", "8", *chord, "tremolo", "1", "90"], check=True)
    ffmpeg(*picture, "-i", music, "-t", "8", *with_sound, folder / "music.mp4")
    (folder / "empty.mp4").write_bytes(b"")
    (folder / "notes.mp4").write_text("these are meeting notes, not a video\n" * 20)
    speech = espeak("Che, Martín, ¿querés un mate? El agua ya está lista.", folder / "speech.wav")
    ffmpeg(*picture, "-i", speech, *with_sound, folder / "short.mp4")
    return folder
