"""Per-line language check: how many evaluation-set lines Whisper base tells right, and at what cost, by encoder input.

Usage: .venv/bin/python benchmarks/language_check.py [--only mix01 es03] [--paddings 2 5]

Every reference line is cut from its clip and its language detected the way
the faster-whisper backend checks a line: the line's log-mel frames plus
``padding`` seconds in the encoder (``language_check_padding``), or the full
30-second window Whisper was trained on. Counts lines told right, lines told
wrong with a probability at or over the backend's ``line_language_threshold``
(those would be decoded again in the wrong language), and the seconds spent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import load_clips


def main() -> None:
    """Detect every reference line's language with each encoder input and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--paddings", nargs="*", type=float, default=[2.0], help="seconds after the line; the full window is always run")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import soundfile

    from localize.registry import create

    variants = {f"line + {padding:g} s": padding for padding in args.paddings} | {"30 s window": None}
    backends = {
        name: create("transcribe", "faster-whisper.v1", {"cpu_threads": args.threads, "language_check_padding": padding})
        for name, padding in variants.items()
    }
    shared = next(iter(backends.values())).model  # type: ignore[attr-defined]
    for backend in backends.values():
        backend.__dict__["model"] = shared  # one loaded model for every variant
    threshold = next(iter(backends.values())).options.line_language_threshold  # type: ignore[attr-defined]
    right = dict.fromkeys(variants, 0)
    sure_wrong = dict.fromkeys(variants, 0)
    seconds = dict.fromkeys(variants, 0.0)
    lines = 0
    for clip in load_clips(only=args.only):
        samples, rate = soundfile.read(clip.audio, dtype="float32")
        for line in clip.lines:
            piece = samples[int(line["start"] * rate) : int(line["end"] * rate)]
            lines += 1
            for name, backend in backends.items():
                started = time.perf_counter()
                language, probability = backend._detect(piece)  # type: ignore[attr-defined]
                seconds[name] += time.perf_counter() - started
                right[name] += language == line["language"]
                sure_wrong[name] += language != line["language"] and probability >= threshold
    print(f"{lines} reference lines; 'sure and wrong': another language at p >= {threshold}")
    print(f"{'encoder input':<14} {'right':>6} {'sure and wrong':>15} {'seconds':>8} {'per line':>9}")
    for name in variants:
        print(f"{name:<14} {right[name]:>6} {sure_wrong[name]:>15} {seconds[name]:>8.1f} {seconds[name] / lines:>8.2f}s")


if __name__ == "__main__":
    main()
