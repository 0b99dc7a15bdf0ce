"""DER on real meetings: the ten AMI excerpts in ``../shared/data/ami-train`` (collar 0.25 s, overlap scored, over the UEM).

Usage: .venv/bin/python benchmarks/ami_diarization.py [--data DIR] [--only trn00 trn03] [--options '{"threshold": 0.3}']

Prints, per clip and overall: DER with its parts (missed speech, false alarm,
confusion), the speaker count found against the reference, the same with the
true count given (``num_speakers``), and the diarizer's speed (wall time over
audio time, ``--threads`` cores; and its CPU time, which a busy machine does not
inflate). Targets (issue 16): DER <= 25 %, missed speech <= 10 %, count exact
on >= 7 of 10 and within 1 on all; exact on 10 of 10 with ``num_speakers``;
<= 0.05x real time on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = next(
    (folder for folder in (p / "shared" / "data" / "ami-train" for p in ROOT.parents) if folder.is_dir()),
    ROOT.parent / "shared" / "data" / "ami-train",
)
"""``shared/`` beside the checkout (or beside a folder of worktrees above it)."""


def _hypothesis(uri: str, turns: list[Any]) -> Any:
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=uri)
    for number, turn in enumerate(turns):
        annotation[Segment(turn.start, turn.end), number] = turn.speaker
    return annotation


def _score(name: str, runs: list[tuple[str, Any, Any, Any]]) -> tuple[float, float, float, int, int]:
    """Print the per-clip rows of one setting; return DER, missed and false-alarm shares, exact and within-one counts."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=0.25, skip_overlap=False)
    exact = within = 0
    print(f"\n{name}")
    print(f"{'clip':<6} {'true':>4} {'found':>5} {'DER%':>6} {'miss%':>6} {'FA%':>5} {'conf%':>6}")
    for uri, reference, hypothesis, uem in runs:
        parts = metric(reference, hypothesis, uem=uem, detailed=True)
        total = max(parts["total"], 1e-9)
        true, found = len(reference.labels()), len(hypothesis.labels())
        exact += true == found
        within += abs(true - found) <= 1
        print(
            f"{uri:<6} {true:>4} {found:>5} {100 * parts['diarization error rate']:>6.1f} {100 * parts['missed detection'] / total:>6.1f}"
            f" {100 * parts['false alarm'] / total:>5.1f} {100 * parts['confusion'] / total:>6.1f}"
        )
    totals = metric[:]  # accumulated components
    total = totals["total"]
    der, missed, alarm = abs(metric), totals["missed detection"] / total, totals["false alarm"] / total
    print(
        f"overall DER {100 * der:.1f}% (missed {100 * missed:.1f}%, false alarm {100 * alarm:.1f}%, "
        f"confusion {100 * totals['confusion'] / total:.1f}%); count exact on {exact}/{len(runs)}, within 1 on {within}/{len(runs)}"
    )
    return der, missed, alarm, exact, within


def main() -> None:
    """Diarize every excerpt twice (count estimated, count given) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--backend", default="embedded.v1")
    parser.add_argument("--options", default="{}", help="backend options as JSON")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import warnings

    import soundfile
    import torch
    from pyannote.core import Segment, Timeline
    from pyannote.database.util import load_rttm, load_uem

    from localize.progress import silent_hook
    from localize.registry import create

    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    if not (args.data / "train.rttm").is_file():
        sys.exit(f"no AMI excerpts in {args.data} (expected train.rttm, train.uem and trnNN.wav)")
    references = load_rttm(str(args.data / "train.rttm"))
    uems = load_uem(str(args.data / "train.uem"))
    options = json.loads(args.options)
    estimated: list[tuple[str, Any, Any, Any]] = []
    given: list[tuple[str, Any, Any, Any]] = []
    audio_seconds = wall = cpu = 0.0
    for uri in sorted(references):
        if args.only and uri not in args.only:
            continue
        reference, audio = references[uri], args.data / f"{uri}.wav"
        uem = uems.get(uri) or Timeline([Segment(0, soundfile.info(str(audio)).duration)])
        backend = create("diarize", args.backend, options)
        started, cpu_started = time.perf_counter(), time.process_time()
        result = backend.diarize(audio, silent_hook)
        wall += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        audio_seconds += soundfile.info(str(audio)).duration
        estimated.append((uri, reference, _hypothesis(uri, result.turns), uem))
        counted = create("diarize", args.backend, {**options, "num_speakers": len(reference.labels())})
        given.append((uri, reference, _hypothesis(uri, counted.diarize(audio, silent_hook).turns), uem))
    der, missed, _, exact, within = _score("speaker count estimated", estimated)
    _, _, _, exact_given, _ = _score("num_speakers given (the reference count)", given)
    clips = len(estimated)
    print(f"\nDER {100 * der:.1f}% (target <= 25%), missed speech {100 * missed:.1f}% (target <= 10%)")
    print(f"count exact on {exact}/{clips} (target >= 7/10), within 1 on {within}/{clips} (target all)")
    print(f"num_speakers given: count exact on {exact_given}/{clips} (target all)")
    print(f"diarize speed {wall / max(audio_seconds, 1e-9):.3f}x real time, {args.threads} threads (target <= 0.05)")
    per_second = cpu / max(audio_seconds, 1e-9)
    print(f"diarize CPU time {per_second:.3f} s per audio second (all threads; wall on idle cores >= this / {args.threads})")


if __name__ == "__main__":
    main()
