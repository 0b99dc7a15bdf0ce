"""DER (pyannote.metrics, 0.25 s collar, overlaps scored), speaker count, overlaps found and speed of a diarizer.

Usage: .venv/bin/python benchmarks/diarization_eval.py [--only en01 es02] [--backend embedded.v1] [--options JSON]

Needs the evaluation set (benchmarks/evalset/make_evalset.py). Speed is wall time
divided by audio duration on this machine's cores (``--threads``, default 2).
Overlaps: stretches where two reference speakers talk at once, counted found
when a stretch where the diarizer has two speakers lies within
``OVERLAP_TOLERANCE`` seconds of one (and the reverse for precision).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import load_clips

OVERLAP_TOLERANCE = 0.5


def near(stretch: object, others: object) -> bool:
    """Whether a pyannote ``Segment`` lies within ``OVERLAP_TOLERANCE`` of any segment of a ``Timeline``."""
    return any(stretch.start - OVERLAP_TOLERANCE < other.end and other.start < stretch.end + OVERLAP_TOLERANCE for other in others)  # type: ignore[attr-defined]


def main() -> None:
    """Diarize every clip and print per-clip and overall figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--backend", default="embedded.v1")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--options", default="{}", help="backend options as JSON")
    args = parser.parse_args()

    import warnings

    import torch
    from pyannote.core import Annotation, Segment
    from pyannote.database.util import load_rttm
    from pyannote.metrics.diarization import DiarizationErrorRate

    from localize.progress import silent_hook
    from localize.registry import create

    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    backend = create("diarize", args.backend, json.loads(args.options))
    metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    total_audio = total_wall = total_cpu = 0.0
    worst_count = true_overlaps = found_overlaps = overlaps_hit = overlaps_right = 0
    print(f"{'clip':<6} {'music':<5} {'true':>4} {'found':>5} {'DER%':>6} {'xRT':>6} {'overlaps found/true':>20}")
    for clip in load_clips(only=args.only):
        reference = next(iter(load_rttm(str(clip.rttm)).values()))
        started, cpu = time.perf_counter(), time.process_time()
        result = backend.diarize(clip.audio, silent_hook)
        wall = time.perf_counter() - started
        total_cpu += time.process_time() - cpu
        hypothesis = Annotation(uri=clip.id)
        for turn in result.turns:
            hypothesis[Segment(turn.start, turn.end)] = turn.speaker
        der = metric(reference, hypothesis)
        found = len({t.speaker for t in result.turns})
        worst_count = max(worst_count, abs(found - len(clip.speakers)))
        duration = clip.duration
        total_audio += duration
        total_wall += wall
        truth, guessed = reference.get_overlap(), hypothesis.get_overlap()
        hit = sum(near(stretch, guessed) for stretch in truth)
        true_overlaps, found_overlaps, overlaps_hit = true_overlaps + len(truth), found_overlaps + len(guessed), overlaps_hit + hit
        overlaps_right += sum(near(stretch, truth) for stretch in guessed)
        overlaps = f"{hit}/{len(truth)} ({len(guessed)} marked)"
        print(f"{clip.id:<6} {clip.music!s:<5} {len(clip.speakers):>4} {found:>5} {100 * der:>6.1f} {wall / duration:>6.3f} {overlaps:>20}")
    print(f"overall DER {100 * abs(metric):.1f}% (target <= 12%)")
    print(f"speaker count off by at most {worst_count} (target <= 1)")
    print(
        f"overlaps: {overlaps_hit} of {true_overlaps} found ({100 * overlaps_hit / max(1, true_overlaps):.0f}% recall), "
        f"{overlaps_right} of {found_overlaps} marked are real ({100 * overlaps_right / max(1, found_overlaps):.0f}% precision)"
    )
    print(f"diarize speed {total_wall / total_audio:.3f}x real time over {total_audio:.0f} s, {args.threads} threads (target <= 0.05)")
    print(f"diarize CPU time {total_cpu / total_audio:.3f} s per audio second (all threads; wall on idle cores >= this / {args.threads})")


if __name__ == "__main__":
    main()
