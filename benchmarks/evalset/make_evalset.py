"""Generate the transcription/diarization evaluation set, deterministically.

Run from the repository root::

    .venv/bin/python benchmarks/evalset/make_evalset.py [--out benchmarks/evalset/clips]

It writes, per clip, into a git-ignored folder:

* ``<clip>.wav``  - 16 kHz mono 16-bit dialogue (over a music bed for some clips);
* ``<clip>.rttm`` - the reference speaker turns (one per spoken chunk, overlaps kept);
* ``<clip>.json`` - the reference lines: speaker, language, start, end, text.

The set is separate from the sample episode and varied on purpose: English and
Spanish, 2 to 5 speakers, slow to fast speaking rates, overlapping turns, clips
with and without music, and one Spanish clip with English lines
(code-switching). English voices are the bundled Piper voice made into distinct
speakers by Rubber Band pitch shifts (formants move with the pitch) and speaking
rate; Spanish voices are Kokoro-82M's five voice styles reading espeak-ng's
``es``/``es-419`` phonemes at different rates, one of them also pitch-shifted
(the product's ``kokoro.v1`` engine). Every random choice comes from a fixed seed per clip.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from localize.media.audio import time_stretch
from localize.models import resolve_model
from localize.stages.dub.kokoro import KOKORO_RATE, kokoro_model
from localize.stages.dub.phonemes import kokoro_phonemes

log = logging.getLogger("evalset")

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "clips"
RATE = 16_000
DIALOGUE_RMS_DB = -24.0
TRIM_DB = -40.0


@dataclass(frozen=True)
class Voice:
    """A synthetic speaker: the Piper voice, or a Kokoro voice style, at its own rate and pitch."""

    id: str
    language: str
    engine: str  # "piper" | "kokoro"
    semitones: float = 0.0
    length_scale: float = 1.0
    """Above 1: slower speech."""
    espeak_voice: str = ""
    """Whose pronunciation Kokoro reads (espeak-ng's phonemes)."""
    styles: tuple[str, ...] = ()
    """Kokoro voice styles, averaged."""


VOICES = {
    v.id: v
    for v in (
        Voice("EN_A", "en", "piper", semitones=0.0, length_scale=1.0),
        Voice("EN_B", "en", "piper", semitones=-4.0, length_scale=1.12),
        Voice("EN_C", "en", "piper", semitones=5.0, length_scale=0.92),
        Voice("EN_D", "en", "piper", semitones=9.0, length_scale=1.05),
        Voice("EN_E", "en", "piper", semitones=-7.0, length_scale=0.85),
        Voice("EN_F", "en", "piper", semitones=12.0, length_scale=1.25),
        Voice("ES_A", "es", "kokoro", espeak_voice="es", styles=("jm_kumo",)),
        Voice("ES_B", "es", "kokoro", length_scale=1.05, espeak_voice="es-419", styles=("jf_alpha",)),
        Voice("ES_C", "es", "kokoro", semitones=-4.0, length_scale=1.12, espeak_voice="es", styles=("jm_kumo",)),
        Voice("ES_D", "es", "kokoro", length_scale=0.9, espeak_voice="es-419", styles=("jf_nezumi",)),
        Voice("ES_E", "es", "kokoro", length_scale=0.85, espeak_voice="es", styles=("jf_gongitsune",)),
        Voice("ES_F", "es-419", "kokoro", length_scale=1.2, espeak_voice="es-419", styles=("jf_tebukuro",)),
    )
}

SENTENCES = {
    "en": (
        "Good morning, did you sleep well last night?",
        "I left my keys on the kitchen table again.",
        "We should leave before the traffic gets worse.",
        "Can you call your sister and tell her we are late?",
        "The train was cancelled, so I walked all the way home.",
        "I think it is going to rain this afternoon.",
        "Where did you put the letter from the bank?",
        "She said the meeting starts after lunch.",
        "Please close the window, it is getting cold in here.",
        "I have never seen this street so quiet.",
        "Do you want coffee or tea with your breakfast?",
        "My brother is coming to visit us next week.",
        "We need to buy bread, milk and some fresh fruit.",
        "The doctor told me to rest for a few days.",
        "I am sorry, I did not hear what you said.",
        "Let us meet at the station at the usual time.",
        "The children are playing in the garden.",
        "That is the best idea I have heard all day.",
        "Could you help me carry these boxes upstairs?",
        "I will finish the report before the end of the day.",
        "He always forgets to turn off the lights.",
        "The shop on the corner closes early on Sundays.",
        "I cannot find my phone anywhere.",
        "You look tired, you should go to bed early tonight.",
        "Our neighbours are moving to another city.",
        "The dinner was delicious, thank you very much.",
        "Wait for me, I am almost ready.",
        "This old car still runs like new.",
        "We are going to the beach if the weather is nice.",
        "I read about it in the newspaper this morning.",
        "Nobody answered the door when I knocked.",
        "Turn left at the church and then keep going straight.",
        "The music was too loud at the party.",
        "I think we are lost, let me look at the map.",
        "Tell me the truth, what really happened?",
        "The film was long, but I enjoyed every minute.",
        "Dinner will be ready in half an hour.",
        "Do not worry, everything is going to be fine.",
        "I need to wash my clothes before the trip.",
        "It was nice to see you again after all this time.",
    ),
    "es": (
        "Buenos días, ¿dormiste bien anoche?",
        "Dejé las llaves otra vez en la mesa de la cocina.",
        "Tenemos que salir antes de que haya más tráfico.",
        "¿Podés llamar a tu hermana y decirle que llegamos tarde?",
        "El tren no vino, así que volví caminando a casa.",
        "Creo que va a llover esta tarde.",
        "¿Dónde pusiste la carta del banco?",
        "Ella dijo que la reunión empieza después del almuerzo.",
        "Por favor, cerrá la ventana, que hace frío.",
        "Nunca vi esta calle tan tranquila.",
        "¿Querés café o té con el desayuno?",
        "Mi hermano viene a visitarnos la semana que viene.",
        "Tenemos que comprar pan, leche y un poco de fruta.",
        "El médico me dijo que descanse unos días.",
        "Perdón, no escuché lo que dijiste.",
        "Nos vemos en la estación a la hora de siempre.",
        "Los chicos están jugando en el jardín.",
        "Es la mejor idea que escuché en todo el día.",
        "¿Me ayudás a subir estas cajas?",
        "Voy a terminar el informe antes de la noche.",
        "Él siempre se olvida de apagar la luz.",
        "El negocio de la esquina cierra temprano los domingos.",
        "No encuentro mi teléfono por ningún lado.",
        "Parecés cansado, tendrías que acostarte temprano.",
        "Los vecinos se mudan a otra ciudad.",
        "La cena estuvo riquísima, muchas gracias.",
        "Esperame, ya casi estoy lista.",
        "Este auto viejo todavía anda como nuevo.",
        "Vamos a la playa si hace buen tiempo.",
        "Lo leí en el diario esta mañana.",
        "Nadie abrió la puerta cuando toqué.",
        "Doblá a la izquierda en la iglesia y seguí derecho.",
        "La música estaba muy fuerte en la fiesta.",
        "Creo que estamos perdidos, dejame mirar el mapa.",
        "Decime la verdad, ¿qué pasó de verdad?",
        "La película fue larga, pero me gustó mucho.",
        "La cena va a estar lista en media hora.",
        "No te preocupes, todo va a salir bien.",
        "Tengo que lavar la ropa antes del viaje.",
        "Qué lindo verte otra vez después de tanto tiempo.",
    ),
}


@dataclass(frozen=True)
class ClipSpec:
    """One clip of the set."""

    id: str
    language: str
    voices: tuple[str, ...]
    seconds: float
    music: bool
    overlap: float
    """Chance that a line starts before the previous one has ended."""
    foreign: tuple[str, ...] = ()
    """Voices that speak English lines inside a Spanish clip (code-switching)."""
    seed: int = 0


CLIPS = (
    ClipSpec("en01", "en", ("EN_A", "EN_D"), 70, music=False, overlap=0.0, seed=1),
    ClipSpec("en02", "en", ("EN_B", "EN_C", "EN_F"), 100, music=True, overlap=0.15, seed=2),
    ClipSpec("en03", "en", ("EN_A", "EN_B", "EN_C", "EN_D"), 130, music=False, overlap=0.1, seed=3),
    ClipSpec("en04", "en", ("EN_A", "EN_B", "EN_C", "EN_D", "EN_E"), 160, music=True, overlap=0.1, seed=4),
    ClipSpec("en05", "en", ("EN_E", "EN_C", "EN_F"), 90, music=False, overlap=0.25, seed=5),
    ClipSpec("es01", "es", ("ES_A", "ES_B"), 70, music=False, overlap=0.0, seed=6),
    ClipSpec("es02", "es", ("ES_C", "ES_D", "ES_E"), 100, music=True, overlap=0.15, seed=7),
    ClipSpec("es03", "es", ("ES_A", "ES_B", "ES_C", "ES_F"), 130, music=False, overlap=0.1, seed=8),
    ClipSpec("es04", "es", ("ES_A", "ES_B", "ES_C", "ES_D", "ES_E"), 160, music=True, overlap=0.1, seed=9),
    ClipSpec("es05", "es", ("ES_F", "ES_E"), 90, music=False, overlap=0.25, seed=10),
    ClipSpec("mix01", "es", ("ES_B", "ES_C", "EN_B"), 100, music=False, overlap=0.05, foreign=("EN_B",), seed=11),
)


@dataclass
class Placed:
    """A synthesized line on the clip's timeline."""

    speaker: str
    language: str
    text: str
    start: float
    audio: np.ndarray

    @property
    def end(self) -> float:
        """Where the line's speech stops."""
        return self.start + len(self.audio) / RATE


def _to_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples
    divisor = np.gcd(rate, RATE)
    return np.asarray(resample_poly(samples, RATE // divisor, rate // divisor), dtype=np.float32)


def _read_wav(path: Path) -> np.ndarray:
    samples, rate = soundfile.read(path, dtype="float32", always_2d=False)
    return _to_rate(samples, rate)


class Synth:
    """Speaks text with the set's voices."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._piper: object | None = None

    def _piper_voice(self) -> object:
        if self._piper is None:
            from piper import PiperVoice

            model = Path(resolve_model("bundled:piper-en_US-joe-medium"))
            self._piper = PiperVoice.load(str(next(model.glob("*.onnx"))))
        return self._piper

    def speak(self, voice: Voice, text: str) -> np.ndarray:
        """16 kHz mono speech of ``text``, trimmed to its first and last sound."""
        raw = self.folder / "raw.wav"
        if voice.engine == "piper":
            from piper import SynthesisConfig

            config = SynthesisConfig(length_scale=voice.length_scale, noise_scale=0.5, noise_w_scale=0.6)
            with wave.open(str(raw), "wb") as handle:
                self._piper_voice().synthesize_wav(text, handle, syn_config=config)  # type: ignore[attr-defined]
        else:
            model = kokoro_model(resolve_model("bundled:kokoro-82m"), 2)
            blend = tuple((style, 1.0) for style in voice.styles)
            speech = model.speak(kokoro_phonemes(text, voice.espeak_voice), blend, 1.0 / voice.length_scale)
            soundfile.write(raw, speech, KOKORO_RATE, subtype="FLOAT")
        if voice.semitones:
            shifted = self.folder / "shifted.wav"
            time_stretch(raw, shifted, 1.0, voice.semitones)
            raw = shifted
        return _trim(_read_wav(raw))


def _trim(samples: np.ndarray) -> np.ndarray:
    level = np.abs(samples)
    loud = np.flatnonzero(level > level.max() * 10 ** (TRIM_DB / 20))
    out = samples[loud[0] : loud[-1] + 1].astype(np.float32)
    fade = int(0.004 * RATE)
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    out[:fade] *= ramp
    out[-fade:] *= ramp[::-1]
    return out


def music_bed(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Chord pads, a bass line and a soft hi-hat at about 12 dB under the dialogue."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    bed = np.zeros(n)
    chords = ((57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62))
    bar = 2.4
    for index in range(int(np.ceil(seconds / bar))):
        lo, hi = int(index * bar * RATE), min(n, int((index + 1) * bar * RATE))
        seg = t[lo:hi]
        env = np.minimum(1.0, np.minimum(seg - seg[0], seg[-1] - seg + 1e-3) / 0.3)
        for midi in chords[index % len(chords)]:
            freq = 440.0 * 2 ** ((midi - 69) / 12)
            bed[lo:hi] += env * (np.sin(2 * np.pi * freq * seg) + 0.3 * np.sin(4 * np.pi * freq * seg))
        bass = 440.0 * 2 ** ((chords[index % len(chords)][0] - 24 - 69) / 12)
        bed[lo:hi] += 1.5 * env * np.sin(2 * np.pi * bass * seg)
    beat = int(0.3 * RATE)
    for first in range(0, n - beat, beat):
        hit = rng.standard_normal(int(0.05 * RATE)) * np.exp(-np.arange(int(0.05 * RATE)) / (0.008 * RATE))
        bed[first : first + len(hit)] += 0.8 * hit
    bed /= np.sqrt(np.mean(bed**2)) + 1e-9
    return (bed * 10 ** ((DIALOGUE_RMS_DB - 12.0) / 20)).astype(np.float32)


def build_clip(spec: ClipSpec, synth: Synth) -> tuple[np.ndarray, list[Placed]]:
    """Synthesize and place lines until the clip is ``spec.seconds`` long."""
    rng = np.random.default_rng(spec.seed)
    levels = {voice: rng.uniform(0.8, 1.2) for voice in spec.voices}
    placed: list[Placed] = []
    cursor = 1.0
    previous = ""
    target_rms = 10 ** (DIALOGUE_RMS_DB / 20)
    while cursor < spec.seconds - 4.0:
        choices = [v for v in spec.voices if v != previous] or list(spec.voices)
        speaker = str(rng.choice(choices))
        voice = VOICES[speaker]
        language = "en" if speaker in spec.foreign else voice.language.split("-")[0]
        pool = SENTENCES[language]
        count = 1 if rng.random() < 0.6 else 2
        text = " ".join(pool[int(i)] for i in rng.choice(len(pool), size=count, replace=False))
        audio = synth.speak(voice, text)
        gain = target_rms / (np.sqrt(np.mean(audio**2)) + 1e-9) * levels[speaker]
        if placed and rng.random() < spec.overlap:
            start = max(placed[-1].start + 0.5, placed[-1].end - rng.uniform(0.3, 0.9))
        else:
            start = cursor + (rng.uniform(2.0, 3.0) if rng.random() < 0.1 else rng.uniform(0.25, 1.0))
        placed.append(Placed(speaker, language, text, round(start * RATE) / RATE, (audio * gain).astype(np.float32)))
        cursor = max(cursor, placed[-1].end)
        previous = speaker
    total = int((cursor + 1.5) * RATE)
    mix = music_bed(total / RATE, rng) if spec.music else np.zeros(total, dtype=np.float32)
    for line in placed:
        first = round(line.start * RATE)
        mix[first : first + len(line.audio)] += line.audio
    peak = float(np.max(np.abs(mix)))
    if peak > 0.98:
        mix *= 0.98 / peak
    return mix, placed


def write_truth(spec: ClipSpec, lines: list[Placed], folder: Path) -> None:
    """Write the clip's RTTM and JSON references."""
    rows = [f"SPEAKER {spec.id} 1 {line.start:.3f} {line.end - line.start:.3f} <NA> <NA> {line.speaker} <NA> <NA>" for line in lines]
    (folder / f"{spec.id}.rttm").write_text("\n".join(rows) + "\n", encoding="utf-8")
    truth = {
        "id": spec.id,
        "language": spec.language,
        "music": spec.music,
        "speakers": sorted({line.speaker for line in lines}),
        "lines": [
            {
                "speaker": line.speaker,
                "language": line.language,
                "start": round(line.start, 3),
                "end": round(line.end, 3),
                "text": line.text,
            }
            for line in lines
        ],
    }
    (folder / f"{spec.id}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    """Generate every clip into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="*", help="clip ids to generate (default: all)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        synth = Synth(Path(temp))
        for spec in CLIPS:
            if args.only and spec.id not in args.only:
                continue
            mix, lines = build_clip(spec, synth)
            soundfile.write(args.out / f"{spec.id}.wav", mix, RATE, subtype="PCM_16")
            write_truth(spec, lines, args.out)
            overlaps = sum(1 for a, b in itertools.pairwise(lines) if b.start < a.end)
            log.info(
                "%s: %.1f s, %d lines, %d speakers, %d overlaps, music=%s",
                spec.id,
                len(mix) / RATE,
                len(lines),
                len({line.speaker for line in lines}),
                overlaps,
                spec.music,
            )


if __name__ == "__main__":
    main()
