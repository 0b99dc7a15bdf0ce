"""A small packaged episode built from real media (ffmpeg picture, espeak-ng speech), shared by the package and QC tests.

Ten seconds, two shots (a cut at 5 s), two Spanish lines and a German one (a
forced narrative), dubbed into English and French by espeak-ng, mixed by the
real mix stage and packaged by the real package stage.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import soundfile

from localize.config import load_config
from localize.model import Line, Rendition, Speaker, Take, Track
from localize.pipeline import RunRequest, prepare_run, run_stages
from tests.conftest import SAMPLE_GLOSSARY, espeak, ffmpeg

__all__ = ["LINES", "TARGETS", "packaged_episode"]

TARGETS = ["en", "fr"]
SHOT_CHANGE = 5.0
LINES = [
    # start, speaker, source language, source text, {target: translation}
    (0.6, "S1", "es", "Hola Tito, ¿cómo andás hoy?", {"en": "Hi Tito, how are you today?", "fr": "Salut Tito, ça va aujourd'hui ?"}),
    (3.2, "S2", "es", "Bien, gracias. ¿Y vos?", {"en": "Fine, thanks. And you?", "fr": "Bien, merci. Et toi ?"}),
    (6.5, "S1", "de", "Hände hoch!", {"en": "Hands up!", "fr": "Haut les mains !"}),
]
_VOICES = {"es": "es-419", "de": "de", "en": "en-us", "fr": "fr-fr"}
_built: dict[str, Path] = {}


def _speech(text: str, language: str, out: Path, pitch: int) -> float:
    """espeak-ng speech at 48 kHz mono; returns its duration."""
    raw = espeak(text, out.with_suffix(".raw.wav"), voice=_VOICES[language], pitch=pitch)
    ffmpeg("-i", raw, "-ar", "48000", "-ac", "1", "-c:a", "pcm_s24le", out)
    return float(soundfile.info(str(out)).duration)


def _source(folder: Path) -> Path:
    """The episode: two coloured shots with moving test patterns, and the three lines spoken at their starts."""
    clips = []
    for number, (start, speaker, language, text, _) in enumerate(LINES):
        clip = folder / f"source{number}.wav"
        _speech(text, language, clip, 35 if speaker == "S1" else 70)
        clips.append((start, clip))
    inputs: list[str | Path] = []
    for _, clip in clips:
        inputs += ["-i", clip]
    delays = "".join(f"[{n}]adelay={int(start * 1000)}:all=1[d{n}];" for n, (start, _) in enumerate(clips))
    mix = (
        "".join(f"[d{n}]" for n in range(len(clips)))
        + f"amix=inputs={len(clips)}:normalize=0,apad,atrim=0:10,aformat=channel_layouts=stereo[a]"
    )
    picture = (
        "testsrc2=size=320x180:rate=25:duration=5,hue=h=40[v0];"
        "mandelbrot=size=320x180:rate=25,trim=duration=5,setpts=PTS-STARTPTS[v1];[v0][v1]concat=n=2:v=1:a=0,format=yuv420p[v]"
    )
    episode = folder / "episode.mp4"
    ffmpeg(*inputs, "-filter_complex", delays + mix + ";" + picture, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-g", "25",
           "-c:a", "aac", "-ar", "48000", "-t", "10", episode)  # fmt: skip
    return episode


def packaged_episode(factory: pytest.TempPathFactory) -> Path:
    """Build (once per test session) and package the episode; return its folder OUT/episode."""
    if "folder" in _built:
        return _built["folder"]
    root = factory.mktemp("packaged")
    source = _source(root)
    config = load_config(None, {"source_language": "es-AR"})
    ctx, episode = prepare_run(RunRequest(source=source, out=root / "out", targets=TARGETS, glossary=SAMPLE_GLOSSARY), config)
    takes_dir = ctx.workdir.artifacts / "takes"
    takes_dir.mkdir(parents=True)
    lines, renditions = [], {target: {} for target in TARGETS}
    for number, (start, speaker, language, text, translations) in enumerate(LINES, start=1):
        line_id = f"L{number:04d}"
        durations: dict[str, float] = {}
        for target in TARGETS:
            if language == "es":
                take_path = takes_dir / f"{line_id}.{target}.wav"
                durations[target] = _speech(translations[target], target, take_path, 35 if speaker == "S1" else 70)
        end = start + max([*durations.values(), 1.2])
        forced = language != "es"
        lines.append(Line(id=line_id, start=start, end=end, speaker=speaker, text=text, language=language, forced_narrative=forced))
        for target in TARGETS:
            take = None
            if target in durations:
                take = Take(
                    audio=ctx.workdir.relative(takes_dir / f"{line_id}.{target}.wav"),
                    voice="espeak-ng",
                    start=start,
                    duration=durations[target],
                    window_start=start,
                    window_end=end,
                    duration_error=round(durations[target] - (end - start), 3),
                )
            renditions[target][line_id] = Rendition(line_id=line_id, text=translations[target], take=take)
    episode = episode.model_copy(
        update={
            "speakers": [Speaker(id="S1", name="Rosa", gender="female"), Speaker(id="S2", name="Tito", gender="male")],
            "lines": lines,
            "tracks": {target: Track(language=target, renditions=renditions[target]) for target in TARGETS},
        }
    )
    run_stages(episode, ctx, names=("mix", "package"))
    _built["folder"] = ctx.workdir.root
    return ctx.workdir.root


def ffprobe_streams(path: Path) -> list[dict]:
    """Every stream of a file, as ffprobe reports it."""
    import json

    raw = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)], capture_output=True, check=True)
    return json.loads(raw.stdout)["streams"]
