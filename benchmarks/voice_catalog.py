"""Intelligibility, pitch and distinctness of dub voices, per language: how the catalog in voices/ was chosen.

Usage: .venv/bin/python benchmarks/voice_catalog.py [--languages en es fr pt-BR] [--sentences 8]
       [--candidates]   # screen Kokoro style blends instead of the shipped catalog

Each voice speaks ``--sentences`` sentences of its language one by one with a
pause between them; the bundled Whisper (faster-whisper defaults, the language
as hint) transcribes the track. Printed per voice: WER, median F0 and the
highest cosine similarity of its voiceprint (Resemblyzer, as diarization
computes it) to any other voice of the language; per language: the mean
similarity between voices.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.make_evalset import SENTENCES as EVALSET_SENTENCES
from benchmarks.evalset.truth import normalise_text

PAUSE_SECONDS = 0.8
SENTENCES = {
    "en": EVALSET_SENTENCES["en"],
    "es": EVALSET_SENTENCES["es"],
    "fr": (
        "Bonjour, tu as bien dormi cette nuit ?",
        "J'ai encore oublié mes clés sur la table de la cuisine.",
        "On devrait partir avant que la circulation empire.",
        "Tu peux appeler ta sœur pour lui dire qu'on est en retard ?",
        "Le train a été annulé, alors je suis rentré à pied.",
        "Je crois qu'il va pleuvoir cet après-midi.",
        "Où as-tu mis la lettre de la banque ?",
        "Elle a dit que la réunion commence après le déjeuner.",
        "Ferme la fenêtre, s'il te plaît, il commence à faire froid.",
        "Je n'ai jamais vu cette rue aussi calme.",
        "Tu veux du café ou du thé avec ton petit déjeuner ?",
        "Mon frère vient nous rendre visite la semaine prochaine.",
    ),
    "pt-BR": (
        "Bom dia, você dormiu bem ontem à noite?",
        "Esqueci as chaves na mesa da cozinha de novo.",
        "A gente devia sair antes que o trânsito piore.",
        "Você pode ligar para a sua irmã e dizer que estamos atrasados?",
        "O trem foi cancelado, então eu voltei a pé para casa.",
        "Acho que vai chover hoje à tarde.",
        "Onde você colocou a carta do banco?",
        "Ela disse que a reunião começa depois do almoço.",
        "Fecha a janela, por favor, está ficando frio aqui.",
        "Eu nunca vi esta rua tão tranquila.",
        "Você quer café ou chá no café da manhã?",
        "Meu irmão vem nos visitar na semana que vem.",
    ),
}
STYLES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
CANDIDATES = (
    *((style, 1.0) for style in STYLES),
    ("jm_kumo*0.7+jf_alpha*0.3", 1.0),
    ("jm_kumo*0.7+jf_nezumi*0.3", 1.0),
    ("jm_kumo*0.6+jf_gongitsune*0.4", 1.0),
    ("jm_kumo*1.3+jf_alpha*-0.3", 0.9),
    ("jm_kumo*1.2+jf_tebukuro*-0.2", 1.0),
    ("jf_alpha*0.5+jf_nezumi*0.5", 1.0),
    ("jf_gongitsune*0.5+jf_tebukuro*0.5", 1.0),
    ("jf_alpha*0.7+jm_kumo*0.3", 1.0),
    ("jf_tebukuro*0.7+jm_kumo*0.3", 0.92),
)
"""Style blends screened with ``--candidates`` (blend, speed)."""


def _voices(language: str, candidates: bool) -> list:
    from localize.stages.dub.backend import VoiceSpec
    from localize.stages.dub.casting import load_catalog

    if not candidates:
        return load_catalog(language)
    return [
        VoiceSpec(id=f"{blend}@{speed:g}", backend="kokoro.v1", voice=blend, language=language, gender="male", pitch_hz=150, speed=speed)
        for blend, speed in CANDIDATES
    ]


def main() -> None:
    """Speak, transcribe and embed every voice; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="*", default=["en", "es", "fr", "pt-BR"])
    parser.add_argument("--sentences", type=int, default=8)
    parser.add_argument("--candidates", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import jiwer
    import soundfile
    from scipy.signal import resample_poly

    from localize.media.audio import SPEECH_RATE
    from localize.media.voiceprint import voiceprint
    from localize.model import SpeechTurn
    from localize.progress import silent_hook
    from localize.registry import create
    from localize.stages.diarize.profile import median_f0

    whisper = create("transcribe", "faster-whisper.v1", {"cpu_threads": args.threads})
    engines: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as temp:
        for language in args.languages:
            sentences = SENTENCES[language][: args.sentences]
            prints: dict[str, np.ndarray] = {}
            rows: list[tuple[str, float, float | None]] = []
            for voice in _voices(language, args.candidates):
                engine = engines.setdefault(voice.backend, create("tts", voice.backend, {}))
                pause = np.zeros(int(PAUSE_SECONDS * SPEECH_RATE), dtype=np.float32)
                parts = []
                for index, text in enumerate(sentences):
                    raw = Path(temp) / f"{index}.wav"
                    engine.synthesize(text, voice, 1.0, raw)  # type: ignore[attr-defined]
                    samples, rate = soundfile.read(raw, dtype="float32", always_2d=True)
                    speech = resample_poly(samples.mean(axis=1), SPEECH_RATE, rate).astype(np.float32)
                    parts += [pause, 0.3 * speech / (np.max(np.abs(speech)) + 1e-9)]
                track = np.concatenate([*parts, pause])
                audio = Path(temp) / "track.wav"
                soundfile.write(audio, track, SPEECH_RATE, subtype="PCM_16")
                words = whisper.transcribe(audio, language.split("-")[0], [], silent_hook).words  # type: ignore[attr-defined]
                wer = jiwer.wer(normalise_text(" ".join(sentences)), normalise_text(" ".join(w.text for w in words)))
                f0 = median_f0(track, SPEECH_RATE, [SpeechTurn(start=0.0, end=len(track) / SPEECH_RATE, speaker="x")])
                prints[voice.id] = voiceprint(track)
                rows.append((voice.id, wer, f0))
            ids = list(prints)
            matrix = np.array([[float(prints[a] @ prints[b]) for b in ids] for a in ids])
            print(f"\n{language}: {'voice':<40} {'WER%':>6} {'F0 Hz':>6} {'max cos':>8}  nearest")
            for index, (voice_id, wer, f0) in enumerate(rows):
                others = [(matrix[index, j], ids[j]) for j in range(len(ids)) if j != index]
                nearest = max(others) if others else (float("nan"), "-")
                print(f"{language}: {voice_id:<40} {100 * wer:>6.1f} {f0 or 0:>6.0f} {nearest[0]:>8.2f}  {nearest[1]}", flush=True)
            off_diagonal = matrix[~np.eye(len(ids), dtype=bool)]
            print(f"{language}: mean cosine between voices {off_diagonal.mean():.2f}; mean WER {100 * np.mean([r[1] for r in rows]):.1f}%")


if __name__ == "__main__":
    main()
