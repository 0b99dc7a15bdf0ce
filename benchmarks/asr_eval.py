"""WER (jiwer, normalised text) per clip and overall of the faster-whisper backend on the evaluation set.

Usage: .venv/bin/python benchmarks/asr_eval.py [--only en01 es02] [--model bundled:whisper-base] [--threads 2]

Each clip is transcribed with its programme language as the hint (as ``--from``
does) through the same backend the transcribe stage uses; the WER target applies
to clips without a music bed. Needs benchmarks/evalset/make_evalset.py run first.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import load_clips, normalise_text


def main() -> None:
    """Transcribe every clip and print WER per clip, for clips without music, and overall."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--model", default="bundled:whisper-base")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--max-word-seconds", type=float, default=1.5, help="skipped-speech recovery threshold; 0: off")
    args = parser.parse_args()

    import jiwer

    from localize.progress import silent_hook
    from localize.registry import create

    backend = create(
        "transcribe",
        "faster-whisper.v1",
        {
            "model": args.model,
            "cpu_threads": args.threads,
            "beam_size": args.beam_size,
            "max_word_seconds": args.max_word_seconds or None,
        },
    )
    references: dict[bool, list[str]] = {False: [], True: []}
    hypotheses: dict[bool, list[str]] = {False: [], True: []}
    audio = wall = cpu = 0.0
    print(f"{'clip':<6} {'lang':<4} {'music':<5} {'WER%':>6} {'xRT':>6}")
    for clip in load_clips(only=args.only):
        started, cpu_started = time.perf_counter(), time.process_time()
        transcript = backend.transcribe(clip.audio, clip.language, [], silent_hook)
        seconds = time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        reference = normalise_text(clip.text)
        hypothesis = normalise_text(" ".join(w.text for w in transcript.words))
        references[clip.music].append(reference)
        hypotheses[clip.music].append(hypothesis)
        audio += clip.duration
        wall += seconds
        wer = jiwer.wer(reference, hypothesis) if hypothesis else 1.0
        print(f"{clip.id:<6} {clip.language:<4} {clip.music!s:<5} {100 * wer:>6.1f} {seconds / clip.duration:>6.3f}", flush=True)
    for music, label in ((False, "without music"), (True, "with music")):
        if references[music]:
            print(f"WER {label}: {100 * jiwer.wer(references[music], hypotheses[music]):.1f}%" + (" (target <= 10%)" if not music else ""))
    everything = references[False] + references[True]
    print(f"WER overall: {100 * jiwer.wer(everything, hypotheses[False] + hypotheses[True]):.1f}%")
    print(f"transcribe speed (whole backend, per-line language check included) {wall / audio:.3f}x real time, {args.threads} threads")
    print(f"transcribe CPU time {cpu / audio:.3f} s per audio second (all threads)")


if __name__ == "__main__":
    main()
