"""A full disk: every write of state or deliverables ends in the one-line "no space left" error (exit 5), leaves no
published manifest and no partial file, and the same command finishes once space is freed.

The output goes to a 3 MB tmpfs mounted by the test (needs root, as in the CI container; skipped elsewhere).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from localize.cache import atomic_write_text
from localize.errors import OutputError
from localize.media.audio import write_wav
from localize.service.cluster import QUICK_JOB_CONFIG
from tests.conftest import espeak, ffmpeg, run_cli


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs; grow it with ``mount -o remount,size=...``."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_library_write_or_a_state_write_on_a_full_disk_is_one_line_and_leaves_nothing(tiny_disk: Path) -> None:
    with pytest.raises(OutputError) as raised:
        write_wav(tiny_disk / "ep" / "mix.wav", np.zeros((48000 * 20, 2), dtype=np.float32))  # 5.8 MB of 24-bit stereo
    message = raised.value.one_line()
    assert message.startswith(f"no space left on {tiny_disk} while writing {tiny_disk / 'ep' / 'mix.wav'}")
    assert "free at least 3 MB there, or choose another --out" in message
    with pytest.raises(OutputError, match="no space left on"):
        atomic_write_text(tiny_disk / "ep" / "manifest.json", "x" * (4 << 20))
    assert [p.name for p in tiny_disk.rglob("*") if p.is_file()] == [], "no partial file is left"


@pytest.mark.slow
def test_a_run_onto_a_full_disk_stops_in_one_line_and_resumes_once_space_is_freed(tiny_disk: Path, tmp_path: Path) -> None:
    speech = espeak("Hola Martín, ¿querés un mate? El agua ya está lista.", tmp_path / "speech.wav")
    episode = tmp_path / "episode.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-i", speech,
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", episode,
    )  # fmt: skip
    config = tmp_path / "localize.toml"
    config.write_text(QUICK_JOB_CONFIG, encoding="utf-8")
    command = ("run", episode, "--to", "en", "--out", tiny_disk, "--config", config, "--quiet")

    full = run_cli(*command)
    assert full.returncode == 5, full.stderr
    assert full.stderr.count("\n") == 1 and full.stderr.startswith(f"localize: error: no space left on {tiny_disk} while writing")
    assert "internal error" not in full.stderr and "Traceback" not in full.stderr
    folder = tiny_disk / "episode"
    assert not (folder / "manifest.json").exists(), "no published manifest"
    assert not [p for p in tiny_disk.rglob("*.part*")], "no partial file"

    subprocess.run(["mount", "-o", "remount,size=300m", str(tiny_disk)], check=True)
    resumed = run_cli(*command)
    assert resumed.returncode == 0, resumed.stderr
    assert "stages from cache" in resumed.stderr and " 0/8 stages from cache" not in resumed.stderr, "finished stages are kept"
    assert (folder / "manifest.json").is_file() and (folder / "episode.mp4").is_file() and (folder / "en" / "episode.en.srt").is_file()
