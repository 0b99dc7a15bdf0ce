"""Peak RSS of transcribing and diarizing a long programme (default 60 minutes), each in its own process.

Usage: .venv/bin/python benchmarks/transcribe_diarize_memory.py [--minutes 60] [--threads 2] [--only transcribe|diarize]

The programme is the evaluation set's clips concatenated until it is long
enough, written as 16 kHz mono WAV into the git-ignored benchmarks/evalset/clips/
(what ingest makes). Each backend runs in a child process; its peak RSS is the
child's ``ru_maxrss``. Target: under 2.5 GB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import CLIPS_DIR, load_clips

CHILD = """
import sys, torch
from pathlib import Path
from localize.progress import silent_hook
from localize.registry import create
kind, audio, threads = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
if kind == "transcribe":
    result = create("transcribe", "faster-whisper.v1", {"cpu_threads": threads}).transcribe(audio, None, [], silent_hook)
    print(len(result.words), "words")
else:
    result = create("diarize", "embedded.v1").diarize(audio, silent_hook)
    print(len({t.speaker for t in result.turns}), "speakers")
"""


def programme(minutes: float) -> Path:
    """A 16 kHz mono WAV of ``minutes``, made from the evaluation clips (streamed, never held whole)."""
    import soundfile

    path = CLIPS_DIR / f"programme-{minutes:g}min.wav"
    if path.is_file():
        return path
    clips = load_clips()
    target = int(minutes * 60 * 16_000)
    written = 0
    with soundfile.SoundFile(path, "w", samplerate=16_000, channels=1, subtype="PCM_16") as out:
        while written < target:
            for clip in clips:
                samples, _ = soundfile.read(clip.audio, dtype="float32")
                samples = samples[: target - written]
                out.write(samples)
                written += len(samples)
                if written >= target:
                    break
    return path


def main() -> None:
    """Run each backend on the programme in a child process and print its peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=["transcribe", "diarize"])
    args = parser.parse_args()
    audio = programme(args.minutes)
    for kind in [args.only] if args.only else ["transcribe", "diarize"]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        command = [sys.executable, "-c", CHILD, kind, str(audio), str(args.threads)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            f"{kind:<10} {args.minutes:g} min programme: peak RSS {max(peak, before) / 1024:.0f} MiB "
            f"(target < 2560 MiB), {seconds:.0f} s wall, {done.stdout.strip()}"
        )


if __name__ == "__main__":
    main()
