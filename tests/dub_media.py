"""A short translated episode made from real espeak-ng speech, for the dub and mix tests.

Three characters speak five lines over a quiet chord bed. The Episode is built the
way the earlier stages leave it (probed source, words with times, speaker profiles
measured from the audio, English renditions), so the dub and mix stages run on it
without transcription.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.cache import WorkDir
from localize.config import Config
from localize.media.probe import probe
from localize.model import Episode, Line, Rendition, Speaker, SpeechTurn, Track, Word
from localize.stages.base import RunContext
from localize.stages.diarize.gender import estimate_gender
from localize.stages.diarize.profile import median_f0
from tests.conftest import espeak

RATE = 48_000
DURATION = 24.0
VOICES = {"A": ("es-419+m3", 40), "B": ("es-419+f4", 70), "C": ("es-419+m7", 20)}


@dataclass(frozen=True)
class Scripted:
    """One line: who, where, what is said (chunks separated by pauses), and its translation."""

    id: str
    speaker: str
    start: float
    chunks: tuple[str, ...]
    translation: str
    candidates: tuple[str, ...] = ()
    pause: float = 1.5


SCRIPT = (
    Scripted("L1", "A", 1.0, ("Che, ¿querés un mate? El agua ya está lista.",), "Hey, do you want a mate? The water is ready."),
    Scripted("L2", "B", 5.0, ("Gracias, Lucía.", "No sé si llego."), "Thanks, Lucía. I do not know if I will make it."),
    Scripted(
        "L3",
        "A",
        11.0,
        ("Vengo por el alquiler, como siempre.",),
        "Well, I have come about the rent, as always, like every single month.",
        ("I have come about the rent.",),
    ),
    Scripted("L4", "C", 15.0, ("Mañana, siempre mañana.",), "…"),
    Scripted("L5", "B", 18.0, ("Tenga cuidado con los colectivos.",), "Be careful with the buses."),
    Scripted("L6", "C", 21.5, ("Hasta luego.",), "See you later."),
)


def _speech(chunk: str, voice: str, pitch: int, folder: Path) -> np.ndarray:
    path = espeak(chunk, folder / "line.wav", voice=voice, pitch=pitch)
    samples, rate = soundfile.read(path, dtype="float32")
    from scipy.signal import resample_poly

    samples = resample_poly(samples, RATE // 1000, rate // 1000).astype(np.float32)
    loud = np.flatnonzero(np.abs(samples) > 0.01 * np.max(np.abs(samples)))
    return samples[loud[0] : loud[-1] + 1]


def make_source(folder: Path) -> tuple[Path, Path, list[Line], list[SpeechTurn]]:
    """Write ``episode.wav`` (dialogue over the bed) and ``bed.wav``; return them, the lines and the turns."""
    dialogue = np.zeros(int(DURATION * RATE), dtype=np.float32)
    lines: list[Line] = []
    turns: list[SpeechTurn] = []
    with tempfile.TemporaryDirectory() as tmp:
        for scripted in SCRIPT:
            voice, pitch = VOICES[scripted.speaker]
            cursor = scripted.start
            words: list[Word] = []
            for chunk in scripted.chunks:
                audio = _speech(chunk, voice, pitch, Path(tmp)) * 0.3
                first = round(cursor * RATE)
                dialogue[first : first + len(audio)] += audio
                length = len(audio) / RATE
                tokens = chunk.split()
                total = sum(len(t) + 1 for t in tokens)
                at = cursor
                for token in tokens:
                    span = length * (len(token) + 1) / total
                    words.append(Word(text=token, start=round(at, 3), end=round(at + span - 0.02, 3), speaker=scripted.speaker))
                    at += span
                turns.append(SpeechTurn(start=cursor, end=cursor + length, speaker=scripted.speaker))
                cursor += length + scripted.pause
            text = " ".join(scripted.chunks)
            lines.append(Line(id=scripted.id, start=words[0].start, end=words[-1].end, speaker=scripted.speaker, text=text, words=words))
    t = np.arange(len(dialogue)) / RATE
    bed = 0.02 * (np.sin(2 * np.pi * 220 * t) + 0.5 * np.sin(2 * np.pi * 330 * t))
    bed = np.stack([bed, bed * 0.9], axis=1).astype(np.float32)
    source = folder / "episode.wav"
    soundfile.write(source, bed + dialogue[:, None], RATE, subtype="PCM_24")
    soundfile.write(folder / "bed.wav", bed, RATE, subtype="PCM_24")
    return source, folder / "bed.wav", lines, turns


def make_episode(folder: Path) -> Episode:
    """The translated Episode (English track) of the scripted source in ``folder``."""
    source, _, lines, turns = make_source(folder)
    samples, rate = soundfile.read(source, dtype="float32")
    from scipy.signal import resample_poly

    mono = resample_poly(samples.mean(axis=1), 1, 3).astype(np.float32)
    speakers = []
    for sid in VOICES:
        own = [turn for turn in turns if turn.speaker == sid]
        f0 = median_f0(mono, rate // 3, own)
        seconds = round(sum(t.end - t.start for t in own), 2)
        speakers.append(Speaker(id=sid, name=sid, gender=estimate_gender([], f0), median_f0=f0, speech_seconds=seconds))
    renditions = {s.id: Rendition(line_id=s.id, text=s.translation, candidates=[s.translation, *s.candidates]) for s in SCRIPT}
    return Episode(
        id="episode",
        source=probe(source),
        source_language="es-AR",
        lines=lines,
        turns=turns,
        speakers=speakers,
        tracks={"en": Track(language="en", renditions=renditions)},
    )


BROKEN_CATALOG = """
voices:
  - {id: en-espeak-m3, backend: espeak-ng.v1, voice: "en-us+m3", gender: male, pitch_hz: 110, pitch: 40}
  - {id: en-espeak-m7, backend: espeak-ng.v1, voice: "en-us+m7", gender: male, pitch_hz: 90, pitch: 25}
  - {id: en-espeak-f3, backend: espeak-ng.v1, voice: "en-us+f3", gender: female, pitch_hz: 215, pitch: 55}
  - {id: en-broken, backend: espeak-ng.v1, voice: "xx-no-such-voice", gender: male, pitch_hz: 80}
"""
"""An English catalog with one voice espeak-ng does not have (cast to speaker C by configuration)."""
_DUBBED: dict[str, Dubbed] = {}


@dataclass(frozen=True)
class Dubbed:
    """The episode before and after the dub stage, the folder holding its media, and the run context."""

    before: Episode
    after: Episode
    folder: Path
    ctx: RunContext


def dubbed_episode(factory: pytest.TempPathFactory) -> Dubbed:
    """Build and dub the episode once per test session (shared by the dub and mix tests)."""
    if "episode" not in _DUBBED:
        from localize.config import DubConfig
        from localize.stages.dub import DubStage

        folder = factory.mktemp("dubbed")
        episode = make_episode(folder)
        voices = folder / "voices"
        voices.mkdir()
        (voices / "en.yaml").write_text(BROKEN_CATALOG)
        config = Config(dub=DubConfig(voices_dir=voices, casting={"C": {"en": "en-broken"}}, casting_file=folder / "casting.json"))
        ctx = context(folder / "out", config)
        _DUBBED["episode"] = Dubbed(episode, DubStage().run(episode, ctx), folder, ctx)
    return _DUBBED["episode"]


def context(out: Path, config: Config) -> RunContext:
    """A run context writing into ``out/episode``, dubbing English."""
    workdir = WorkDir(out, "episode")
    workdir.prepare()
    return RunContext(workdir=workdir, config=config, targets=["en"])
