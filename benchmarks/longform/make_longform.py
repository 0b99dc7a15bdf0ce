"""Generate a scripted es-AR episode of any length (10 minutes by default) with picture, deterministically.

Run from the repository root::

    .venv/bin/python benchmarks/longform/make_longform.py [--minutes 10] [--out DIR]

It writes into ``benchmarks/longform/out/`` (10 minutes) or ``benchmarks/longform/out/<N>min/``
(git-ignored): ``episode.mp4`` (640x360 24 fps test-pattern picture cut into shots, the
mix as AAC), ``episode.wav`` (the same mix, stereo 48 kHz 24-bit), ``episode.me.flac``
(the music-and-effects bed alone; ``localize run episode.mp4`` finds it) and
``truth.json`` (lines with speaker, start, end and text, and the shot starts).

Four characters speak with Kokoro-82M (the product's natural voices, reading espeak-ng's
Spanish phonemes), each a style blend at its own speed: the sample's three voices and one
more, synthesized by the sample's generator. No sentence is said twice: lines
are built from a fixed grammar of everyday statements and questions, drawn without
replacement with a fixed seed. Some lines hold a long internal pause, some overlap the
line before, some follow it closely. The voices, speech synthesis and bed (chord pads,
knocks, passing buses) come from the bundled sample's generator
(``samples/colectivo/make_sample.py``), imported, not copied.
Audio is written block by block, so an hour needs no more memory than ten minutes.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
SEED = 20261123
FPS = 24
SIZE = "640x360"


def _sample_module():  # type: ignore[no-untyped-def]
    """The sample generator, imported by path (``samples/`` is not a package)."""
    path = ROOT / "samples" / "colectivo" / "make_sample.py"
    spec = importlib.util.spec_from_file_location("make_sample", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = module
    spec.loader.exec_module(module)
    return module


ms = _sample_module()


VOICES = {
    **ms.VOICES,
    "ELENA": ms.Voice("Elena", "female", "jf_gongitsune*0.6+jf_tebukuro*0.4", speed=0.95),
}

WHEN = (
    "Ayer",
    "Esta mañana",
    "El domingo",
    "Anoche",
    "El lunes",
    "Hace un rato",
    "La semana pasada",
    "Esta tarde",
    "El sábado",
    "Hoy temprano",
)
WHO = (
    "mi hermana",
    "el vecino del quinto",
    "la abuela",
    "el jefe",
    "tu primo",
    "la maestra",
    "el verdulero",
    "mi tío",
    "la portera",
    "el médico",
    "mi cuñado",
    "la señora de enfrente",
)
DID = (
    "compró pan",
    "perdió las llaves",
    "arregló la bicicleta",
    "pintó la puerta",
    "cocinó empanadas",
    "vendió el auto",
    "encontró un perro",
    "pidió un café",
    "cerró el negocio",
    "llamó a la policía",
    "leyó el diario",
    "tomó el colectivo",
)
WHERE = (
    "en la esquina",
    "cerca de la estación",
    "en el mercado",
    "frente a la plaza",
    "en el barrio",
    "al lado del banco",
    "en la cancha",
    "en el centro",
)
FORMS = (
    "{when}, {who} {did} {where}.",
    "¿Es verdad que {who} {did} {where}?",
    "No sé si {who} {did} {where}.",
    "Me dijeron que {who} {did} {where}.",
)


def sentences(rng: np.random.Generator) -> Iterator[str]:
    """Every sentence of the grammar once, in a shuffled order (about 46,000 of them)."""
    combinations = list(itertools.product(range(len(FORMS)), range(len(WHEN)), range(len(WHO)), range(len(DID)), range(len(WHERE))))
    for index in rng.permutation(len(combinations)):
        form, when, who, did, where = combinations[int(index)]
        text = FORMS[form].format(when=WHEN[when], who=WHO[who], did=DID[did], where=WHERE[where])
        yield text[0].upper() + text[1:] if form != 1 else text


@dataclass(frozen=True)
class ScriptLine:
    """One line to speak: who, the chunks (joined by pauses), and the silence before it (negative: overlap)."""

    speaker: str
    chunks: tuple[str, ...]
    gap: float
    pauses: tuple[float, ...]


def script(rng: np.random.Generator, minutes: float) -> Iterator[ScriptLine]:
    """Lines until the timeline is (by estimate) long enough."""
    speakers = list(VOICES)
    pool = sentences(rng)
    estimate, previous = ms.LEAD_IN, ""
    while estimate < minutes * 60 - 4:
        speaker = str(rng.choice([s for s in speakers if s != previous]))
        picked = [next(pool) for _ in range(int(rng.choice([1, 1, 2, 2, 3])))]
        draw = float(rng.random())
        gap = -0.35 if draw < 0.05 else 0.2 if draw < 0.12 else round(float(rng.uniform(0.5, 1.8)), 2)
        if len(picked) > 1 and rng.random() < 0.15:
            line = ScriptLine(speaker, (picked[0], " ".join(picked[1:])), gap, (1.2,))
        else:
            line = ScriptLine(speaker, (" ".join(picked),), gap, ())
        yield line
        estimate += gap + sum(len(c) for c in line.chunks) * 0.068 + sum(line.pauses)
        previous = speaker


class Timeline:
    """Dialogue and bed laid out in time and written out block by block, behind the last placed line."""

    LOOP_SECONDS = 64.0
    """Length of the pad loop (four times the chord cycle); its ends are cross-faded."""

    def __init__(self, mix: sf.SoundFile, bed: sf.SoundFile) -> None:
        self.mix, self.bed_file = mix, bed
        fade = ms.SR
        loop = ms.pads(round(self.LOOP_SECONDS * ms.SR) + fade) * 10 ** (-30 / 20)
        ramp = np.linspace(0.0, 1.0, fade)[:, None]
        loop[:fade] = loop[:fade] * ramp + loop[-fade:] * (1 - ramp)
        self.loop = loop[:-fade]
        self.written = 0
        self.dialogue = np.zeros(0)
        self.effects = np.zeros((0, 2))

    def reach(self, sample: int) -> None:
        """Make room up to sample ``sample``."""
        grow = sample - self.written - len(self.dialogue)
        if grow > 0:
            self.dialogue = np.concatenate([self.dialogue, np.zeros(grow)])
            self.effects = np.concatenate([self.effects, np.zeros((grow, 2))])

    def add_speech(self, first: int, audio: np.ndarray) -> None:
        """Sum mono speech in at sample ``first`` (not yet written)."""
        self.reach(first + len(audio))
        at = first - self.written
        self.dialogue[at : at + len(audio)] += audio

    def add_effect(self, first: int, sound: np.ndarray, gain_db: float) -> None:
        """Sum a mono or stereo effect into the bed at sample ``first``."""
        stereo = sound if sound.ndim == 2 else np.stack([sound, sound], axis=1)
        self.reach(first + len(stereo))
        at = first - self.written
        self.effects[at : at + len(stereo)] += stereo * 10 ** (gain_db / 20)

    def flush(self, until: int) -> None:
        """Write everything before sample ``until``."""
        count = min(until - self.written, len(self.dialogue))
        if count <= 0:
            return
        positions = np.arange(self.written, self.written + count) % len(self.loop)
        bed = self.loop[positions] + self.effects[:count]
        self.bed_file.write(bed)
        self.mix.write((bed + self.dialogue[:count, None]).astype(np.float32))
        self.dialogue, self.effects = self.dialogue[count:], self.effects[count:]
        self.written += count


def lay_out(minutes: float, mix: sf.SoundFile, bed: sf.SoundFile) -> tuple[list[dict[str, object]], int]:
    """Synthesize every line, place it and the effects, write the audio; return the lines and the sample count."""
    rng = np.random.default_rng(SEED)
    target_rms = 10 ** (ms.DIALOGUE_RMS_DBFS / 20)
    timeline = Timeline(mix, bed)
    placed: list[dict[str, object]] = []
    cursor = ms.LEAD_IN
    knocks, buses = itertools.count(20.0, 47.0), itertools.count(45.0, 95.0)
    next_knock, next_bus = next(knocks), next(buses)
    for number, line in enumerate(script(rng, minutes), start=1):
        pieces = [ms.trim(ms.synthesize(VOICES[line.speaker], chunk)) for chunk in line.chunks]
        gain = target_rms / math.sqrt(float(np.mean(np.concatenate(pieces) ** 2)))
        start = cursor + line.gap if placed else cursor
        parts: list[np.ndarray] = []
        for index, piece in enumerate(pieces):
            parts.append(piece * gain)
            if index < len(line.pauses):
                parts.append(np.zeros(round(line.pauses[index] * ms.SR)))
        audio = np.concatenate(parts)
        first = round(start * ms.SR)
        timeline.add_speech(first, audio)
        end = start + len(audio) / ms.SR
        text = " ".join(line.chunks)
        placed.append({"id": f"L{number:04d}", "speaker": line.speaker, "start": round(start, 3), "end": round(end, 3), "text": text})
        while next_knock < end:
            timeline.add_effect(round(next_knock * ms.SR), ms.door_knock(rng), -21)
            next_knock = next(knocks)
        while next_bus < end:
            timeline.add_effect(round(next_bus * ms.SR), ms.bus_pass(rng, 6.0), -24)
            next_bus = next(buses)
        timeline.flush(first)
        cursor = end
    total = round((cursor + ms.TAIL) * ms.SR)
    timeline.reach(total)
    timeline.flush(total)
    return placed, total


PATTERNS = (
    "testsrc2=s={size}:r={fps}",
    "smptebars=s={size}:r={fps}",
    "testsrc=s={size}:r={fps}",
    "pal75bars=s={size}:r={fps}",
    "gradients=s={size}:r={fps}:speed=0.02",
    "yuvtestsrc=s={size}:r={fps}",
    "rgbtestsrc=s={size}:r={fps}",
)
PATTERN_SECONDS = 30


def picture(seconds: float, folder: Path, rng: np.random.Generator) -> tuple[Path, list[float]]:
    """A concat list of test-pattern shots (4 to 15 s, cut on whole seconds) covering ``seconds``; and the shot starts."""
    ffmpeg = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    clips = []
    for number, pattern in enumerate(PATTERNS):
        clip = folder / f"pattern{number}.mp4"
        source = pattern.format(size=SIZE, fps=FPS)
        encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p", "-bf", "0"]
        encode += ["-x264-params", f"keyint={FPS}:min-keyint={FPS}:scenecut=0"]
        subprocess.run([*ffmpeg, "-f", "lavfi", "-i", source, "-t", str(PATTERN_SECONDS), *encode, str(clip)], check=True)
        clips.append(clip)
    listing, starts, at, previous = [], [], 0, -1
    while at < seconds:
        pattern = int(rng.choice([p for p in range(len(clips)) if p != previous]))
        length = int(rng.integers(4, 16))
        inpoint = int(rng.integers(0, PATTERN_SECONDS - length + 1))
        listing.append(f"file '{clips[pattern].name}'\ninpoint {inpoint}\noutpoint {inpoint + length}\n")
        starts.append(float(at))
        at, previous = at + length, pattern
    shots = folder / "shots.txt"
    shots.write_text("".join(listing), encoding="utf-8")
    return shots, starts[1:]


def build(minutes: float, out: Path) -> dict[str, object]:
    """Synthesize and lay out the episode, cut its picture, write the files into ``out``; return the truth."""
    out.mkdir(parents=True, exist_ok=True)
    wav, me = out / "episode.wav", out / "episode.me.flac"
    with (
        sf.SoundFile(wav, "w", ms.SR, 2, subtype="PCM_24", format="WAV") as mix,
        sf.SoundFile(me, "w", ms.SR, 2, subtype="PCM_24", format="FLAC") as bed,
    ):
        lines, samples = lay_out(minutes, mix, bed)
    duration = samples / ms.SR
    with tempfile.TemporaryDirectory() as temp:
        shots, cuts = picture(duration, Path(temp), np.random.default_rng(SEED + 1))
        command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(shots), "-i", str(wav)]
        command += ["-map", "0:v", "-map", "1:a", "-t", f"{duration:.3f}", "-c:v", "copy", "-c:a", "aac", "-b:a", "192k"]
        subprocess.run([*command, "-movflags", "+faststart", str(out / "episode.mp4")], check=True)
    truth = {
        "language": "es-AR",
        "duration": round(duration, 3),
        "speakers": {key: {"name": v.name, "gender": v.gender} for key, v in VOICES.items()},
        "shots": [cut for cut in cuts if cut < duration],
        "lines": lines,
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def main() -> None:
    """Parse arguments and build the episode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="default: out/ for 10 minutes, out/<N>min/ otherwise")
    args = parser.parse_args()
    ms.check_tools()
    out = args.out or (HERE / "out" if args.minutes == 10 else HERE / "out" / f"{args.minutes:g}min")
    truth = build(args.minutes, out)
    lines = truth["lines"]
    assert isinstance(lines, list)
    print(f"{out}/episode.mp4: {truth['duration']} s, {len(lines)} lines")


if __name__ == "__main__":
    main()
