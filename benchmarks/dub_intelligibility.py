"""Intelligibility, distinctness and speed of the dub, per language and TTS backend, by back-transcription.

Runs the flow up to translation once (cached in the output folder), then the dub
stage once per backend with a catalog holding only that backend's shipped voices
(``kokoro`` is the default catalog's Kokoro voices, ``espeak-ng`` its espeak-ng
voices, ``piper`` the bundled English Piper voice). The takes of each dub voice are
laid end to end with a pause between takes and transcribed by the bundled Whisper
(faster-whisper defaults, the language as hint); printed per voice, then per
language and backend:

- WER against the text each take was meant to say (per voice, and over all voices), and per
  band of speed (the engine's rate times Rubber Band's stretch: how much faster than the
  voice's natural delivery the take speaks), to tell retiming from voice and text; with
  ``--natural``, also each take's text said by its voice at the voice's own speed
  (``natural speed``: the same words without retiming);
- distinctness: the mean cosine similarity between different characters' dub voices
  (the mean voiceprint of their takes, Resemblyzer as diarization uses it), target <= 0.75;
- consistency: the mean cosine similarity of each take of at least 1 s to its
  character's mean voiceprint, target >= 0.85;
- speed: the dub stage's wall time per language over the programme's duration, with
  the load average before and after (the machine is shared), and its CPU time (this
  process and its children) per programme second over 2 cores: what the wall time
  would be on 2 idle cores.

The long-form episode is the held-out scene: its lines are not the sentences the
catalog's voices were chosen on (``voice_catalog.py``).

Usage (from the repository root)::

    .venv/bin/python benchmarks/dub_intelligibility.py --episode sample [--backends kokoro espeak-ng piper]
    .venv/bin/python benchmarks/longform/make_longform.py   # once
    .venv/bin/python benchmarks/dub_intelligibility.py --episode longform --backends kokoro
    .venv/bin/python benchmarks/dub_intelligibility.py --source benchmarks/longform/out/5min/episode.wav --backends kokoro
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.dub_fit import BEFORE_DUB, EPISODES, GLOSSARY, _cpu_seconds  # noqa: E402
from benchmarks.evalset.truth import normalise_text  # noqa: E402

BACKENDS = {"kokoro": "kokoro.v1", "espeak-ng": "espeak-ng.v1", "piper": "piper.v1"}
TARGETS = ["en", "pt-BR", "fr"]
"""The sample's targets; Spanish voices are measured on Spanish sentences by voice_catalog.py (the source is Spanish)."""
SPEED_BANDS = (1.05, 1.2, 1.4)
"""Upper bounds of the speed bands takes are scored in (the last band is open)."""
PAUSE_SECONDS = 0.8
MIN_TAKE_SECONDS = 1.0


def _catalog(backend: str, languages: list[str], folder: Path) -> list[str]:
    """Write catalogs of the shipped voices of ``backend`` into ``folder``; return the languages it has voices for."""
    import yaml

    from localize.stages.dub.casting import default_voices_dir

    folder.mkdir(parents=True, exist_ok=True)
    covered = []
    for language in languages:
        data = yaml.safe_load((default_voices_dir() / f"{language}.yaml").read_text(encoding="utf-8"))
        voices = [v for v in data["voices"] if v["backend"] == backend]
        if voices:
            (folder / f"{language}.yaml").write_text(yaml.safe_dump({**data, "voices": voices}, allow_unicode=True), encoding="utf-8")
            covered.append(language)
    return covered


def _speech(path: Path) -> np.ndarray:
    """A recording as mono 16 kHz samples."""
    import math

    import soundfile
    from scipy.signal import resample_poly

    samples, rate = soundfile.read(str(path), dtype="float32")
    if samples.ndim > 1:
        samples = samples.mean(axis=1)
    common = math.gcd(16_000, rate)
    return resample_poly(samples, 16_000 // common, rate // common).astype(np.float32)


@dataclass
class _Voice:
    """One dub voice's takes of a language: their speech laid end to end, what they should say, their voiceprints."""

    speech: list[np.ndarray] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    prints: list[tuple[str, np.ndarray]] = field(default_factory=list)
    """(speaker, voiceprint) of each take of at least MIN_TAKE_SECONDS."""


def _heard(voice: _Voice, language: str, whisper) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(word errors, reference words) of Whisper's transcript of the voice's takes."""
    import jiwer
    import soundfile

    from localize.progress import silent_hook

    pause = np.zeros(int(PAUSE_SECONDS * 16_000), dtype=np.float32)
    pieces = [part for speech in voice.speech for part in (pause, 0.3 * speech / (np.max(np.abs(speech)) + 1e-9))]
    with tempfile.TemporaryDirectory() as temp:
        audio = Path(temp) / "takes.wav"
        soundfile.write(audio, np.concatenate([*pieces, pause]), 16_000, subtype="PCM_16")
        words = whisper.transcribe(audio, language.split("-")[0], [], silent_hook).words
    reference = normalise_text(" ".join(voice.texts))
    result = jiwer.process_words(reference, normalise_text(" ".join(w.text for w in words)))
    return result.substitutions + result.deletions + result.insertions, len(reference.split())


def _band(speed: float) -> str:
    """The speed band a take falls in ("speed <=1.05", ..., "speed >1.4")."""
    bound = next((bound for bound in SPEED_BANDS if speed <= bound), None)
    return f"speed <={bound:g}" if bound is not None else f"speed >{SPEED_BANDS[-1]:g}"


def _natural(ctx, language: str):  # type: ignore[no-untyped-def]
    """A function saying a take's text with its voice at the voice's own speed (no rate change, no stretch), as 16 kHz
    samples: what the take would sound like without retiming."""
    from localize.stages.dub.casting import find_voice, read_catalog
    from localize.stages.dub.stage import DubStage

    voices = read_catalog(language, ctx.config.dub.voices_dir).voices
    synthesizers: dict[str, object] = {}

    def say(voice_id: str, text: str) -> np.ndarray:
        voice = find_voice(voices, voice_id)
        if voice is None:
            raise SystemExit(f"voice {voice_id} is not in the {language} catalog")
        synthesizer = synthesizers.setdefault(voice.backend, DubStage.synthesizer(voice.backend, ctx))
        with tempfile.TemporaryDirectory() as temp:
            out = Path(temp) / "take.wav"
            synthesizer.synthesize(text, voice, 1.0, out)  # type: ignore[attr-defined]
            return _speech(out)

    return say


def _measure(episode, language: str, resolve, whisper, natural=None) -> tuple[dict[str, tuple[int, int]], float, float]:  # type: ignore[no-untyped-def]
    """(voice id, speed band or "natural" -> (word errors, words), distinctness, consistency) of one language's takes;
    ``natural`` (see ``_natural``) also scores the takes' texts said without retiming."""
    from localize.media.voiceprint import voiceprint

    track = episode.tracks[language]
    voices: dict[str, _Voice] = {}
    bands: dict[str, _Voice] = {}
    for line in sorted(episode.lines, key=lambda item: item.start):
        rendition = track.renditions.get(line.id)
        if rendition is None or rendition.take is None:
            continue
        speech = _speech(resolve(rendition.take.audio))
        voice = voices.setdefault(rendition.take.voice, _Voice())
        voice.speech.append(speech)
        voice.texts.append(rendition.take.text or rendition.text)
        band = bands.setdefault(_band(rendition.take.rate * rendition.take.stretch), _Voice())
        band.speech.append(speech)
        band.texts.append(voice.texts[-1])
        if natural is not None:
            unhurried = bands.setdefault("natural speed", _Voice())
            unhurried.speech.append(natural(rendition.take.voice, voice.texts[-1]))
            unhurried.texts.append(voice.texts[-1])
        if len(speech) >= MIN_TAKE_SECONDS * 16_000:
            voice.prints.append((line.speaker, voiceprint(speech)))
    errors = {voice_id: _heard(voice, language, whisper) for voice_id, voice in sorted(voices.items())}
    errors |= {band: _heard(takes, language, whisper) for band, takes in sorted(bands.items())}
    prints: dict[str, list[np.ndarray]] = {}
    for voice in voices.values():
        for speaker, vector in voice.prints:
            prints.setdefault(speaker, []).append(vector)
    means = {speaker: np.mean(vectors, axis=0) / np.linalg.norm(np.mean(vectors, axis=0)) for speaker, vectors in prints.items()}
    speakers = sorted(means)
    between = [float(means[a] @ means[b]) for i, a in enumerate(speakers) for b in speakers[i + 1 :]]
    within = [float(vector @ means[speaker]) for speaker, vectors in prints.items() if len(vectors) > 1 for vector in vectors]
    return errors, float(np.mean(between)) if between else float("nan"), float(np.mean(within))


def main() -> None:
    """Prepare once, dub with each backend, measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", choices=sorted(EPISODES), default="sample")
    parser.add_argument("--source", type=Path, default=None, help="another episode (e.g. benchmarks/longform/out/5min/episode.wav)")
    parser.add_argument("--backends", nargs="*", choices=sorted(BACKENDS), default=sorted(BACKENDS))
    parser.add_argument("--languages", nargs="*", default=TARGETS)
    parser.add_argument("--natural", action="store_true", help="also say each take's text without retiming, and score that")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default benchmarks/longform/out/intelligibility-<episode>)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")

    from localize.config import load_config
    from localize.pipeline import RunRequest, prepare_run, run_stages
    from localize.registry import create

    source = args.source or EPISODES[args.episode]
    if not source.is_file():
        raise SystemExit(f"{source} is missing; run benchmarks/longform/make_longform.py first")
    name = source.parent.name if args.source else args.episode
    out = args.out or ROOT / "benchmarks" / "longform" / "out" / f"intelligibility-{name}"
    whisper = create("transcribe", "faster-whisper.v1", {"cpu_threads": 2})
    print(f"episode {source.relative_to(ROOT) if source.is_relative_to(ROOT) else source}, cpus {os.cpu_count()}, nice {os.nice(0)}")
    columns = ("WER%", 6), ("words", 6), ("distinct", 9), ("consist", 8), ("dub xRT", 8), ("CPU xRT/2", 9)
    print(f"{'backend':<10} {'lang':<6} {'voice':<22} {' '.join(f'{name:>{width}}' for name, width in columns)}  load before/after")
    for backend in args.backends:
        languages = _catalog(BACKENDS[backend], args.languages, out / "catalogs" / backend)
        if not languages:
            continue
        overrides = {"source_language": "es-AR", "dub": {"voices_dir": str(out / "catalogs" / backend)}}
        config = load_config(overrides=overrides)
        ctx, episode = prepare_run(RunRequest(source=source, out=out, targets=languages, glossary=GLOSSARY), config)
        episode = run_stages(episode, ctx, names=BEFORE_DUB)
        for language in languages:
            single = replace(ctx, targets=[language])
            load, cpu = os.getloadavg()[0], _cpu_seconds()
            started = time.perf_counter()
            episode = run_stages(episode, single, names=("dub",), force=True)
            seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
            natural = _natural(single, language) if args.natural else None
            errors, distinct, consistent = _measure(episode, language, ctx.workdir.resolve, whisper, natural)
            for voice_id, (wrong, words) in errors.items():
                print(f"{backend:<10} {language:<6} {voice_id:<22} {100 * wrong / max(1, words):>6.1f} {words:>6}", flush=True)
            by_voice = [counts for key, counts in errors.items() if not key.startswith(("speed", "natural"))]
            wrong, words = (sum(column) for column in zip(*by_voice, strict=True))
            duration = episode.source.duration
            print(
                f"{backend:<10} {language:<6} {'all voices':<22} {100 * wrong / max(1, words):>6.1f} {words:>6} {distinct:>9.2f}"
                f" {consistent:>8.2f} {seconds / duration:>8.3f} {cpu / duration / 2:>9.3f}  {load:.1f}/{os.getloadavg()[0]:.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
