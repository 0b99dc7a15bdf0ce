"""WER of each synthetic voice of the evaluation set on its own: the floor the set's WER can reach.

Usage: .venv/bin/python benchmarks/evalset/voice_intelligibility.py [--voices ES_A EN_B] [--sentences 20]

Each voice speaks the first ``--sentences`` sentences of its language one by
one, with a pause between them: no overlap, no music, no other voice. The
faster-whisper backend transcribes that track with its defaults and the voice's
language as the hint. What a voice scores here is how well the model hears the
synthesizer, not how the pipeline copes with a conversation; a clip can hardly
score better than the voices speaking in it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.evalset.make_evalset import RATE, SENTENCES, VOICES, Synth
from benchmarks.evalset.truth import normalise_text

PAUSE_SECONDS = 0.8


def main() -> None:
    """Synthesize each voice's track, transcribe it, and print WER per voice and per language."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", nargs="*", default=list(VOICES))
    parser.add_argument("--sentences", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import jiwer
    import soundfile

    from localize.progress import silent_hook
    from localize.registry import create

    backend = create("transcribe", "faster-whisper.v1", {"cpu_threads": args.threads})
    pooled: dict[str, tuple[list[str], list[str]]] = {}
    with tempfile.TemporaryDirectory() as temp:
        synth = Synth(Path(temp))
        print(f"{'voice':<6} {'engine':<7} {'setting':<36} {'WER%':>6}")
        for voice_id in args.voices:
            voice = VOICES[voice_id]
            language = voice.language.split("-")[0]
            sentences = SENTENCES[language][: args.sentences]
            pause = np.zeros(int(PAUSE_SECONDS * RATE), dtype=np.float32)
            track = np.concatenate([part for text in sentences for part in (pause, 0.3 * _peak_normalised(synth.speak(voice, text)))])
            audio = Path(temp) / f"{voice_id}.wav"
            soundfile.write(audio, np.concatenate([track, pause]), RATE, subtype="PCM_16")
            words = backend.transcribe(audio, language, [], silent_hook).words
            reference = normalise_text(" ".join(sentences))
            hypothesis = normalise_text(" ".join(w.text for w in words))
            references, hypotheses = pooled.setdefault(language, ([], []))
            references.append(reference)
            hypotheses.append(hypothesis)
            setting = f"{voice.semitones:+.0f} st, x{voice.length_scale:.2f}"
            if voice.engine == "kokoro":
                setting = f"{'+'.join(voice.styles)} {voice.espeak_voice} {setting}"
            print(f"{voice_id:<6} {voice.engine:<7} {setting:<36} {100 * jiwer.wer(reference, hypothesis):>6.1f}", flush=True)
    for language, (references, hypotheses) in pooled.items():
        print(f"{language}: voices alone, WER {100 * jiwer.wer(references, hypotheses):.1f}%")


def _peak_normalised(samples: np.ndarray) -> np.ndarray:
    return samples / (float(np.max(np.abs(samples))) + 1e-9)


if __name__ == "__main__":
    main()
