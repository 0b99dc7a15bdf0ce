"""Episodes to benchmark packaging on: the sample run through the mix, and a 10-minute episode built from it.

The 10-minute episode is the sample's picture and sound concatenated (stream copy)
to 600 s, its lines, renditions and takes repeated at each loop, and each
language's dub mix and dialogue stem tiled the same way. Written to the
git-ignored ``benchmarks/out/``.

Usage: .venv/bin/python benchmarks/package_episodes.py   (prints the two episode folders)
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from localize.cache import WorkDir  # noqa: E402
from localize.media.audio import write_wav  # noqa: E402
from localize.media.probe import probe  # noqa: E402
from localize.model import Episode, Line, Rendition, Track  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
SAMPLE = ROOT / "samples" / "colectivo" / "episode.mp4"
GLOSSARY = ROOT / "glossaries" / "colectivo.yaml"
TARGETS = "en,pt-BR,fr"
LONG_SECONDS = 600.0

__all__ = ["long_episode", "sample_episode"]


def sample_episode() -> Path:
    """The sample localized end to end by the current code (a run that is all cache hits when nothing changed)."""
    command = [sys.executable, "-m", "localize.cli", "run", str(SAMPLE), "--from", "es-AR", "--to", TARGETS]
    subprocess.run([*command, "--glossary", str(GLOSSARY), "--out", str(OUT / "sample"), "--quiet"], check=True, cwd=ROOT)
    return OUT / "sample" / "episode"


def _tile(source: Path, out: Path, loops: int, length: int) -> None:
    audio, rate = soundfile.read(source, dtype="float32", always_2d=True)
    tiled = np.tile(audio, (loops, 1))[:length]
    write_wav(out, tiled if tiled.shape[1] > 1 else tiled[:, 0], rate)


def long_episode() -> Path:
    """The 10-minute episode, packaged-ready (through the mix), built from the sample's run."""
    sample = WorkDir.at(sample_episode())
    episode = sample.load()
    assert episode is not None
    workdir = WorkDir(OUT / "long", "episode")
    if workdir.load() is not None:
        return workdir.root
    workdir.prepare()
    loops = math.ceil(LONG_SECONDS / episode.source.duration)
    video = OUT / "long" / "episode.mp4"
    listing = OUT / "long" / "loops.txt"
    listing.write_text("".join(f"file '{SAMPLE}'\n" for _ in range(loops)), encoding="utf-8")
    concat = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
    subprocess.run([*concat, "-t", str(LONG_SECONDS), "-c", "copy", str(video)], check=True)
    info = probe(video)
    lines: list[Line] = []
    tracks: dict[str, Track] = {}
    renditions: dict[str, dict[str, Rendition]] = {language: {} for language in episode.tracks}
    for loop in range(loops):
        offset = loop * episode.source.duration
        for line in episode.lines:
            if line.end + offset > info.duration:
                continue
            line_id = f"{line.id}-{loop:02d}"
            lines.append(line.model_copy(update={"id": line_id, "start": line.start + offset, "end": line.end + offset, "words": []}))
            for language, track in episode.tracks.items():
                rendition = track.renditions.get(line.id)
                if rendition is None:
                    continue
                take = rendition.take
                if take is not None:
                    audio = sample.resolve(take.audio).resolve()
                    take = take.model_copy(
                        update={
                            "audio": str(audio),
                            "start": take.start + offset,
                            "window_start": take.window_start + offset,
                            "window_end": take.window_end + offset,
                        }
                    )
                renditions[language][line_id] = rendition.model_copy(update={"line_id": line_id, "take": take})
    length = round(info.duration * 48_000)
    for language, track in episode.tracks.items():
        folder = workdir.artifacts / "long"
        mix, dialogue = folder / f"{language}.mix.wav", folder / f"{language}.dialogue.wav"
        assert track.mix and track.dialogue_stem
        _tile(sample.resolve(track.mix), mix, loops, length)
        _tile(sample.resolve(track.dialogue_stem), dialogue, loops, length)
        tracks[language] = track.model_copy(
            update={"renditions": renditions[language], "mix": workdir.relative(mix), "dialogue_stem": workdir.relative(dialogue)}
        )
    long = Episode(
        id="episode",
        source=info,
        source_language=episode.source_language,
        speakers=episode.speakers,
        lines=lines,
        tracks=tracks,
        run=episode.run,
    )
    workdir.save(long)
    return workdir.root


if __name__ == "__main__":
    print(sample_episode())
    print(long_episode())
