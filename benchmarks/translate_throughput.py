"""Translation throughput (lines per second) per backend on the glossary test set, with and without enforcement.

Backends measured: Apertium (embedded); transformers and CTranslate2 on a Marian
model of Opus-MT shape built here with random weights (no model can be
downloaded here, so the output is noise, but the batching, tokenization and
decoding work per line is real; decoding stops at ``--max-length`` tokens); and
an OpenAI-compatible chat endpoint when ``--chat-url`` is given (e.g. llama.cpp's
server with Gemma 3 270M).

Usage: .venv/bin/python benchmarks/translate_throughput.py [--lines 240] [--target en] [--chat-url http://127.0.0.1:8080/v1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.glossary_quality import DATA, ensure_testset  # noqa: E402
from localize.glossary import load_glossary  # noqa: E402
from localize.registry import create  # noqa: E402
from localize.stages.translate import TranslationRequest, Translator  # noqa: E402
from localize.stages.translate.enforce import translate_lines  # noqa: E402


def measure(name: str, options: dict[str, Any], requests: list[TranslationRequest], target: str, enforce: bool) -> float:
    """Lines per second for one backend (after one warm-up line, so model loading is not counted)."""
    translator = create("translate", name, options)
    assert isinstance(translator, Translator)
    glossary = load_glossary(DATA / "glossary.yaml") if enforce else None
    translate_lines(translator, requests[:1], "es-AR", target, glossary)
    started = time.perf_counter()
    translate_lines(translator, requests, "es-AR", target, glossary)
    return len(requests) / (time.perf_counter() - started)


def main() -> None:
    """Print one row per backend and mode."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=240)
    parser.add_argument("--target", default="en")
    parser.add_argument("--max-length", type=int, default=48)
    parser.add_argument("--neural-lines", type=int, default=64, help="Lines for the Marian runs.")
    parser.add_argument("--chat-url", default=None)
    parser.add_argument("--chat-lines", type=int, default=20)
    args = parser.parse_args()
    ensure_testset()
    texts = [line["text"] for line in json.loads((DATA / "lines.json").read_text(encoding="utf-8"))][: args.lines]
    requests = [TranslationRequest(text) for text in texts]
    runs: list[tuple[str, dict[str, Any], list[TranslationRequest]]] = [("apertium.v1", {}, requests)]
    with tempfile.TemporaryDirectory() as folder:
        try:
            from benchmarks.tiny_marian import build_marian

            hf, ct2 = build_marian(Path(folder), d_model=512, layers=6)
            common = {"max_length": args.max_length, "beams": 4, "candidates": 2, "batch_size": 16}
            runs += [
                ("transformers.v1", {"model": str(hf), **common}, requests[: args.neural_lines]),
                ("ctranslate2.v1", {"model": str(ct2), **common}, requests[: args.neural_lines]),
            ]
        except ImportError as exc:
            print(f"skipping transformers/CTranslate2: {exc} (pip install 'localize[transformers]')")
        if args.chat_url:
            chat = {"base_url": args.chat_url, "response_format": "json_object", "candidates": 2}
            runs.append(("openai-chat.v1", chat, requests[: args.chat_lines]))
        print(f"{len(texts)} lines es-AR -> {args.target}; Marian runs: Opus-MT shape (d_model 512, 6+6 layers), beam 4, 2 candidates")
        print(f"{'backend':<17} {'lines':>5} {'plain l/s':>10} {'enforced l/s':>13}")
        for name, options, batch in runs:
            plain = measure(name, options, batch, args.target, enforce=False)
            enforced = measure(name, options, batch, args.target, enforce=True)
            print(f"{name:<17} {len(batch):>5} {plain:>10.1f} {enforced:>13.1f}")


if __name__ == "__main__":
    main()
