"""Controlled ON/OFF cases built with ffmpeg from the gathered clips, each line labelled.

    python benchmarks/lips/gather.py          # once: the clips
    python benchmarks/lips/cases.py           # writes benchmarks/lips/cases/programme.mkv + lines.json

One programme (640x360, 25 fps, PCM sound so no codec delay moves the sound) holds, per clip,
one segment of each kind, cut one after the other:

- ``on``: the clip as it is (its speaker seen speaking: ON);
- ``off-cut``: its sound over a shot of its own background, the face cut out of the frame (OFF);
- ``off-covered``: its sound over its picture with the face covered by a box (OFF);
- ``off-listener``: its sound over another speaker's face, frozen (a listener: OFF);
- ``on-beside-still``: its picture beside another speaker's frozen face, its sound (ON, the speaker on one side);
- ``on-beside-talking``: its picture beside another speaker talking silently, 1.3 s out of step (ON).

A segment's line is its clip's speech: from where the speech-band energy first rises within 30 dB
of its loudest to where it last falls below.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.sources import CLIPS, Clip
from localize.media.lipsync import HOP, Samples, speech_envelope

CASES_DIR = Path(__file__).parent / "cases"
WIDTH, HEIGHT, FPS, RATE = 640, 360, 25, 48000
KINDS = ("on", "off-cut", "off-covered", "off-listener", "on-beside-still", "on-beside-talking")
SPEECH_DB = 30.0


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def _duration(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _speech(clip: Clip, duration: float) -> tuple[float, float]:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(clip.file), "-ac", "1", "-ar", "16000", "-f", "f32le", "-"], capture_output=True, check=True
    ).stdout
    envelope = speech_envelope(Samples(np.frombuffer(raw, dtype=np.float32), 16000), 0.0, duration)
    loud = np.flatnonzero(envelope > envelope.max() - SPEECH_DB)
    return round(float(loud[0] * HOP), 3), round(float((loud[-1] + 1) * HOP), 3)


def _fit(label: str, width: int = WIDTH) -> str:
    """Scale into a ``width`` x HEIGHT box, padded, at FPS, named ``label``."""
    box = f"{width}:{HEIGHT}"
    return f"scale={box}:force_original_aspect_ratio=decrease,pad={box}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FPS}[{label}]"


def _half(label: str) -> str:
    return _fit(label, WIDTH // 2)


def _segment(kind: str, clip: Clip, other: Clip, duration: float, left: bool, out: Path) -> None:
    """One segment: ``clip``'s sound over the picture ``kind`` says, ``duration`` seconds."""
    inputs = ["-i", str(clip.file), "-i", str(other.file)]
    if kind == "on":
        graph = f"[0:v]{_fit('v')}"
    elif kind == "off-cut":
        graph = f"[0:v]crop=iw/5:ih/5:0:0,{_fit('v')}"
    elif kind == "off-covered":
        graph = f"[0:v]drawbox=x=iw*0.2:y=ih*0.05:w=iw*0.6:h=ih*0.95:color=gray:t=fill,{_fit('v')}"
    elif kind == "off-listener":
        graph = f"[1:v]trim=end_frame=1,loop=loop=-1:size=1,setpts=N/{FPS}/TB,{_fit('v')}"
    elif kind == "on-beside-still":
        still = f"[1:v]trim=end_frame=1,loop=loop=-1:size=1,setpts=N/{FPS}/TB,{_half('b')}"
        pair = "[a][b]" if left else "[b][a]"
        graph = f"[0:v]{_half('a')};{still};{pair}hstack[v]"
    else:
        inputs = ["-i", str(clip.file), "-stream_loop", "-1", "-ss", "1.3", "-i", str(other.file)]
        pair = "[a][b]" if left else "[b][a]"
        graph = f"[0:v]{_half('a')};[1:v]setpts=PTS-STARTPTS,{_half('b')};{pair}hstack[v]"
    _ffmpeg(
        *inputs,
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-map",
        "0:a:0",
        "-t",
        f"{duration:.3f}",
        "-af",
        f"aresample={RATE},pan=mono|c0=c0,apad",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "20",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "pcm_s16le",
        str(out),
    )


def main() -> int:
    missing = [clip.name for clip in CLIPS if not clip.file.is_file()]
    if missing:
        print(f"clips missing ({', '.join(missing)}): run benchmarks/lips/gather.py first")
        return 1
    CASES_DIR.mkdir(parents=True, exist_ok=True)
    lines = []
    clock = 0.0
    with tempfile.TemporaryDirectory(prefix="lips-cases-") as folder:
        parts: list[Path] = []
        for index, clip in enumerate(CLIPS):
            duration = round(_duration(clip.file) * FPS) / FPS
            speech = _speech(clip, duration)
            other = CLIPS[(index + 3) % len(CLIPS)]
            for number, kind in enumerate(KINDS):
                left = (index + number) % 2 == 0
                part = Path(folder) / f"{len(parts):03d}.mkv"
                _segment(kind, clip, other, duration, left, part)
                parts.append(part)
                side = ("left" if left else "right") if kind.startswith("on-beside") else ("centre" if kind == "on" else None)
                lines.append(
                    {
                        "id": f"L{len(lines) + 1:03d}",
                        "clip": clip.name,
                        "kind": kind,
                        "label": "on" if kind.startswith("on") else "off",
                        "side": side,
                        "start": round(clock + speech[0], 3),
                        "end": round(clock + speech[1], 3),
                    }
                )
                clock = round(clock + duration, 3)
            print(f"{clip.name}: {len(KINDS)} segments, speech {speech[0]:.2f}-{speech[1]:.2f} s of {duration:.2f} s")
        listing = Path(folder) / "parts.txt"
        listing.write_text("".join(f"file '{part}'\n" for part in parts), encoding="utf-8")
        _ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(CASES_DIR / "programme.mkv"))
    (CASES_DIR / "lines.json").write_text(json.dumps(lines, indent=1), encoding="utf-8")
    print(f"{len(lines)} lines, {clock:.1f} s -> {CASES_DIR / 'programme.mkv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
