"""Gender from the voice embedding against the 165 Hz pitch threshold, on labelled real and synthetic voices.

Usage: .venv/bin/python benchmarks/gender_eval.py [--librispeech DIR] [--train]

``DIR`` is the ``audio_data`` folder of Resemblyzer's repository (github:
resemble-ai/Resemblyzer, Apache-2.0; its LibriSpeech excerpts are CC BY 4.0,
Panayotov et al. 2015): ``librispeech_train-clean-100/`` (251 readers, one
utterance each) and ``librispeech_test-other/`` (10 readers, 10 utterances
each), each with LibriSpeech's ``SPEAKERS.TXT``.

``--train`` fits the logistic model on the 251 train-clean readers (printing its
5-fold cross-validated accuracy) and writes ``localize/stages/diarize/gender_model.json``.

Then prints, per set, how often the embedding model and the pitch threshold get
the gender right: LibriSpeech test-other readers (held out), the speakers of the
ten AMI meeting excerpts (``../shared/data/ami-train``; AMI speaker ids start
with their gender: ``FEE083`` is a woman), each from the speech they say alone,
and the evaluation set's voices of known gender (Kokoro's ``jf_``/``jm_`` styles;
Piper's male voice unshifted or lowered: voices shifted up, formants and all,
have no true gender and are left out).
"""

from __future__ import annotations

import argparse
import json
import sys
from math import gcd
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.ami_diarization import DEFAULT_DATA as AMI_DATA

RATE = 16_000
L2 = 1.0
"""Ridge penalty of the logistic fit (the same accuracy from 0.1 to 100 in cross-validation)."""
MIN_SOLO_SECONDS = 1.0


def _load(path: Path) -> np.ndarray:
    import soundfile
    from scipy.signal import resample_poly

    samples, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != RATE:
        mono = resample_poly(mono, RATE // gcd(RATE, rate), rate // gcd(RATE, rate)).astype(np.float32)
    return mono


def _sexes(path: Path) -> dict[str, str]:
    """Reader id -> ``F`` or ``M``, from a LibriSpeech ``SPEAKERS.TXT``."""
    fields = (line.split("|") for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith(";"))
    return {parts[0].strip(): parts[1].strip() for parts in fields if len(parts) > 1}


def _voice(samples: np.ndarray) -> tuple[np.ndarray, float | None]:
    """The voiceprint and the median F0 of some speech."""
    from localize.media.voiceprint import voiceprint
    from localize.model import SpeechTurn
    from localize.stages.diarize.profile import median_f0

    return voiceprint(samples), median_f0(samples, RATE, [SpeechTurn(start=0.0, end=len(samples) / RATE, speaker="x")])


def librispeech(folder: Path, utterances: int = 3) -> list[tuple[str, bool, np.ndarray, float | None]]:
    """(reader, is female, voiceprint, F0) per reader: a reader's folder, or the readers' files directly in ``folder``."""
    sexes = _sexes(folder / "SPEAKERS.TXT")
    readers: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.flac")):
        readers.setdefault(path.name.split("-")[0], []).append(path)
    voices = []
    for reader, paths in readers.items():
        embedding, f0 = _voice(np.concatenate([_load(path) for path in paths[:utterances]]))
        voices.append((reader, sexes[reader] == "F", embedding, f0))
    return voices


def ami(folder: Path) -> list[tuple[str, bool, np.ndarray, float | None]]:
    """(clip:speaker, is female, voiceprint, F0) for every AMI excerpt speaker with a second of speech alone."""
    from pyannote.database.util import load_rttm

    voices = []
    for uri, reference in sorted(load_rttm(str(folder / "train.rttm")).items()):
        samples = _load(folder / f"{uri}.wav")
        labels = reference.labels()
        active = np.zeros((len(samples), len(labels)), dtype=bool)
        for segment, _, label in reference.itertracks(yield_label=True):
            active[int(segment.start * RATE) : int(segment.end * RATE), labels.index(label)] = True
        for index, label in enumerate(labels):
            alone = active[:, index] & (active.sum(axis=1) == 1)
            if alone.sum() >= MIN_SOLO_SECONDS * RATE:
                embedding, f0 = _voice(samples[alone])
                voices.append((f"{uri}:{label}", label.startswith("F"), embedding, f0))
    return voices


def evaluation_set() -> list[tuple[str, bool, np.ndarray, float | None]]:
    """(voice, is female, voiceprint, F0) for the evaluation set's voices of known gender, from their lines alone."""
    from benchmarks.evalset.make_evalset import VOICES
    from benchmarks.evalset.truth import CLIPS_DIR, load_clips

    known = {
        voice.id: bool(voice.styles) and voice.styles[0].startswith("jf_")  # Piper's voice is a man's
        for voice in VOICES.values()
        if (voice.styles and voice.styles[0][:3] in ("jf_", "jm_")) or (voice.engine == "piper" and voice.semitones <= 0)
    }
    if not any(CLIPS_DIR.glob("*.json")):
        return []
    speech: dict[str, list[np.ndarray]] = {}
    for clip in load_clips():
        samples = _load(clip.audio)
        for line in clip.lines:
            if line["speaker"] in known:
                speech.setdefault(line["speaker"], []).append(samples[int(line["start"] * RATE) : int(line["end"] * RATE)])
    return [(voice, known[voice], *_voice(np.concatenate(pieces[:6]))) for voice, pieces in sorted(speech.items())]


def fit(vectors: np.ndarray, female: np.ndarray) -> tuple[np.ndarray, float]:
    """Ridge-penalised logistic regression by Newton's method: weights and bias."""
    design = np.hstack([vectors, np.ones((len(vectors), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * L2
    penalty[-1, -1] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (p - female) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def train(folder: Path) -> None:
    """Fit on the train-clean readers, print the cross-validated accuracy, write the model."""
    from localize.stages.diarize.gender import MODEL_PATH

    voices = librispeech(folder / "librispeech_train-clean-100", utterances=1)
    vectors, female = np.stack([v[2] for v in voices]), np.array([v[1] for v in voices], dtype=float)
    order = np.random.default_rng(0).permutation(len(voices))
    right = 0
    for fold in np.array_split(order, 5):
        held = np.zeros(len(voices), dtype=bool)
        held[fold] = True
        weights, bias = fit(vectors[~held], female[~held])
        right += int(np.sum(((vectors[held] @ weights + bias) > 0) == (female[held] > 0.5)))
    print(f"LibriSpeech train-clean ({len(voices)} readers, {int(female.sum())} women): 5-fold accuracy {100 * right / len(voices):.1f}%")
    weights, bias = fit(vectors, female)
    model = {
        "about": "logistic model: P(female) from a unit Resemblyzer voiceprint; fitted by benchmarks/gender_eval.py --train "
        f"on {len(voices)} LibriSpeech train-clean-100 readers (CC BY 4.0)",
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(bias, 6),
    }
    MODEL_PATH.write_text(json.dumps(model) + "\n", encoding="utf-8")
    print(f"wrote {MODEL_PATH}")


def report(name: str, voices: list[tuple[str, bool, np.ndarray, float | None]]) -> None:
    """Accuracy of the embedding model and of the F0 threshold on one set; the voices either gets wrong."""
    from localize.stages.diarize.gender import MALE_FEMALE_F0, female_probability

    if not voices:
        print(f"{name}: no voices (missing data)")
        return
    by_embedding = by_pitch = 0
    wrong = []
    for voice, female, embedding, f0 in voices:
        probability = female_probability(embedding)
        embedding_right = (probability >= 0.5) == female
        pitch_right = f0 is not None and (f0 >= MALE_FEMALE_F0) == female
        by_embedding += embedding_right
        by_pitch += pitch_right
        if not (embedding_right and pitch_right):
            wrong.append(f"{voice} ({'F' if female else 'M'}: P(female) {probability:.2f}, F0 {f0} Hz)")
    women = sum(v[1] for v in voices)
    print(
        f"{name}: {len(voices)} voices ({women} women): embedding right on {by_embedding} ({100 * by_embedding / len(voices):.0f}%), "
        f"F0 >= {MALE_FEMALE_F0:g} Hz right on {by_pitch} ({100 * by_pitch / len(voices):.0f}%)"
    )
    for line in wrong:
        print(f"    {line}")


def main() -> None:
    """Train when asked, then measure on every set at hand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--librispeech", type=Path, help="Resemblyzer's audio_data folder")
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--ami", type=Path, default=AMI_DATA)
    args = parser.parse_args()

    import warnings

    warnings.filterwarnings("ignore")
    if args.train:
        if args.librispeech is None:
            sys.exit("--train needs --librispeech DIR")
        train(args.librispeech)
    if args.librispeech is not None:
        report("LibriSpeech test-other (held out)", librispeech(args.librispeech / "librispeech_test-other"))
    report("AMI excerpts (real meetings, far-field)", ami(args.ami) if (args.ami / "train.rttm").is_file() else [])
    report("evaluation set (Kokoro styles, Piper)", evaluation_set())


if __name__ == "__main__":
    main()
