"""Every write of state is atomic: a process killed (SIGKILL) at random points while saving the manifest and writing a
deliverable leaves each file either as one complete earlier version or absent, never half-written."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile

from localize.model import Episode

pytestmark = pytest.mark.slow

_SAVER = """
import sys
from pathlib import Path

import numpy as np

from localize.cache import WorkDir
from localize.media.audio import write_wav
from localize.model import Episode, Line, MediaInfo

workdir = WorkDir(Path(sys.argv[1]), "ep")
workdir.prepare()
source = MediaInfo(path="ep.mp4", size=1, fingerprint="f", duration=4000.0, container="mp4")
lines = [Line(id=f"L{i:05d}", start=i, end=i + 0.9, speaker="SPEAKER_00", text="palabra " * 30) for i in range(3000)]
episode = Episode(id="ep", source=source, lines=lines)
tone = np.sin(np.linspace(0, 2000, 48000 * 8)).astype(np.float32) * 0.1
print("ready", flush=True)
count = 0
while True:
    count += 1
    workdir.save(episode.model_copy(update={"warnings": [f"save {count}"]}))
    write_wav(workdir.root / "en" / "ep.en.dub-mix.wav", tone * (1 + count % 5) / 5)
"""


def test_a_process_killed_while_saving_leaves_only_whole_files(tmp_path: Path) -> None:
    rng = random.Random(14)
    versions_seen: set[str] = set()
    for _ in range(12):
        saver = subprocess.Popen([sys.executable, "-c", _SAVER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        assert saver.stdout is not None and saver.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 1.5))
        saver.send_signal(signal.SIGKILL)
        saver.wait(30)
        manifest = tmp_path / "ep" / ".localize" / "manifest.json"
        if manifest.exists():
            episode = Episode.model_validate(json.loads(manifest.read_text(encoding="utf-8")))
            assert len(episode.lines) == 3000 and episode.warnings[0].startswith("save ")
            versions_seen.add(episode.warnings[0])
        wav = tmp_path / "ep" / "en" / "ep.en.dub-mix.wav"
        if wav.exists():
            info = soundfile.info(wav)
            assert (info.frames, info.samplerate) == (48000 * 8, 48000), "the deliverable is whole"
            assert abs(soundfile.read(wav, frames=10, start=48000 * 8 - 10)[0]).max() > 0, "its end was written"
        partial = [p.name for p in tmp_path.rglob("*") if p.is_file() and ".part" in p.name]
        assert all(name.startswith(".") for name in partial), "a partial file is hidden and never under a final name"
    assert versions_seen, "some saves completed before a kill"
