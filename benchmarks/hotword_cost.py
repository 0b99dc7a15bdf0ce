"""What the glossary's hotwords cost the transcriber: CPU seconds and temperature fallbacks with and without them.

Usage::

    .venv/bin/python benchmarks/hotword_cost.py [--source samples/colectivo/episode.mp4] [--glossary glossaries/colectivo.yaml]

The bundled model decodes the same audio twice with the arguments the transcribe stage builds (language es,
beam 5, VAD, word timestamps, temperature fallback): once without hints (the floor of pipeline_speed.py) and
once with the glossary's names as hotwords (the stage's default). Printed per decode: CPU seconds, segments,
words, and the temperature each 30-second window was finally decoded at (above 0.0: the window fell back,
each step a sampled decode of ``best_of`` candidates).
"""

from __future__ import annotations

import argparse
import resource
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def main() -> None:
    """Decode without and with hotwords; print the cost of each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "samples" / "colectivo" / "episode.mp4")
    parser.add_argument("--glossary", type=Path, default=ROOT / "glossaries" / "colectivo.yaml")
    parser.add_argument("--language", default="es")
    args = parser.parse_args()

    import faster_whisper.transcribe as whisper
    from faster_whisper import decode_audio

    from localize.glossary import load_glossary
    from localize.registry import create
    from localize.stages.transcribe.stage import glossary_vocabulary

    backend = create("transcribe", "faster-whisper.v1", {})
    model = backend.model
    audio = decode_audio(str(args.source), sampling_rate=16_000)
    vocabulary = glossary_vocabulary(SimpleNamespace(glossary=load_glossary(args.glossary)))  # type: ignore[arg-type]
    temperatures: list[float] = []
    fallback = whisper.WhisperModel.generate_with_fallback

    def counted(self: Any, *arguments: Any, **keywords: Any) -> Any:
        result = fallback(self, *arguments, **keywords)
        temperatures.append(result[2])
        return result

    whisper.WhisperModel.generate_with_fallback = counted  # type: ignore[method-assign]
    print(f"{args.source.name}: {len(audio) / 16_000:.1f} s; hotwords: {', '.join(vocabulary)}")
    for label, words in (("no hints", []), ("glossary hotwords", vocabulary)):
        temperatures.clear()
        began = _cpu()
        segments, _ = model.transcribe(audio, **backend.decode_arguments(args.language, backend.hints(words)))
        decoded = list(segments)
        spent = _cpu() - began
        count = sum(len(segment.words or []) for segment in decoded)
        print(f"  {label:<18} {spent:6.1f} s CPU, {len(decoded)} segments, {count} words, window temperatures {temperatures}")


if __name__ == "__main__":
    main()
