"""Transcribe speed: our faster-whisper backend vs calling faster-whisper directly, same settings, same file.

Usage: .venv/bin/python benchmarks/asr_speed.py [--clip es03] [--threads 2] [--repeat 2]

Both runs load the bundled base model (int8) with ``cpu_threads`` threads and
decode with the arguments our backend builds (language hint, beam size, VAD,
word timestamps, temperature fallback). "ours" is run without the per-line
language check (code-switching), with it on doubtful lines (text that looks
foreign, or words the decoder was unsure of: the default), and with it on every line (one extra encoder pass per line). Runs
alternate so that load from other processes hits every variant alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import load_clips


def main() -> None:
    """Time each variant ``--repeat`` times and print the best wall time and real-time factor."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", default="es03")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=None, help="Override the backend's beam size (default: its own).")
    args = parser.parse_args()

    import soundfile

    from localize.progress import silent_hook
    from localize.registry import create

    clip = load_clips(only=[args.clip])[0]
    options: dict[str, object] = {"cpu_threads": args.threads}
    if args.beam_size:
        options["beam_size"] = args.beam_size
    ours = create("transcribe", "faster-whisper.v1", options)
    ours_plain = create("transcribe", "faster-whisper.v1", {**options, "detect_line_language": False})
    model = ours.model
    ours_always = create("transcribe", "faster-whisper.v1", {**options, "line_language_gate": "always"})
    ours_plain.__dict__["model"] = ours_always.__dict__["model"] = model  # the same loaded model for every variant
    arguments = ours.decode_arguments(clip.language, ours.hints([]))

    def direct() -> None:
        samples, _ = soundfile.read(clip.audio, dtype="float32")
        segments, _ = model.transcribe(samples, **arguments)
        for _ in segments:
            pass

    variants = {
        "faster-whisper directly": direct,
        "ours, line language check off": lambda: ours_plain.transcribe(clip.audio, clip.language, [], silent_hook),
        "ours, check on doubtful lines (default)": lambda: ours.transcribe(clip.audio, clip.language, [], silent_hook),
        "ours, check on every line": lambda: ours_always.transcribe(clip.audio, clip.language, [], silent_hook),
    }
    best = {name: float("inf") for name in variants}
    for _ in range(args.repeat):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    duration = clip.duration
    base = best["faster-whisper directly"]
    beam = arguments["beam_size"]
    print(f"clip {clip.id}, {duration:.1f} s, bundled base int8, beam {beam}, {args.threads} threads, best of {args.repeat}")
    for name, seconds in best.items():
        print(f"{name:<50} {seconds:7.1f} s  {seconds / duration:.3f}x RT  {100 * (seconds / base - 1):+.1f}% vs direct")


if __name__ == "__main__":
    main()
