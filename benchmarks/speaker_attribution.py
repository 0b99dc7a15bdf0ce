"""Who says each word: speaker attribution of the dialogue lines, overall and where two people speak at once.

Usage: .venv/bin/python benchmarks/speaker_attribution.py [--only en05 es02] [--threads 2]

Each clip goes through the stages as a run does: transcribe (faster-whisper),
diarize (embedded), each word given the speaker whose turns cover it, words
grouped into lines (one speaker per line). Found speakers are mapped one-to-one
to the reference speakers by shared speaking time (Hungarian). A word counts as
right when its line's speaker is one of the reference speakers talking at the
word's middle (100 ms tolerance); a word inside overlapping reference lines is
right with either speaker. Needs the evaluation set (benchmarks/evalset/make_evalset.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evalset.truth import load_clips

TOLERANCE = 0.1


def _speaker_map(turns: list[Any], reference: list[dict[str, Any]]) -> dict[str, str]:
    """Found speaker -> reference speaker, maximising the speaking time they share."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    found = sorted({turn.speaker for turn in turns})
    truth = sorted({line["speaker"] for line in reference})
    shared = np.zeros((len(found), len(truth)))
    for turn in turns:
        for line in reference:
            overlap = min(turn.end, line["end"]) - max(turn.start, line["start"])
            shared[found.index(turn.speaker), truth.index(line["speaker"])] += max(0.0, overlap)
    rows, columns = linear_sum_assignment(-shared)
    return {found[row]: truth[column] for row, column in zip(rows, columns, strict=True)}


def main() -> None:
    """Run the clips through transcribe, diarize and segment; print the share of words given a speaker who is talking."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import warnings

    import torch

    from localize.config import SegmentConfig
    from localize.progress import silent_hook
    from localize.registry import create
    from localize.stages.segment import words_to_lines
    from localize.stages.turns import assign_speakers

    warnings.filterwarnings("ignore")
    torch.set_num_threads(args.threads)
    transcriber = create("transcribe", "faster-whisper.v1", {"cpu_threads": args.threads})
    diarizer = create("diarize", "embedded.v1")
    totals = {"words": 0, "right": 0, "overlap": 0, "overlap_right": 0}
    print(f"{'clip':<6} {'music':<5} {'words':>5} {'right%':>7} {'in overlap':>10} {'right%':>7}")
    for clip in load_clips(only=args.only):
        words = transcriber.transcribe(clip.audio, clip.language, [], silent_hook).words
        turns = diarizer.diarize(clip.audio, silent_hook).turns
        mapping = _speaker_map(turns, clip.lines)
        lines = words_to_lines(assign_speakers(words, turns), SegmentConfig(), clip.language)
        counts = dict.fromkeys(totals, 0)
        for line in lines:
            for word in line.words:
                middle = (word.start + word.end) / 2
                talking = {ref["speaker"] for ref in clip.lines if ref["start"] - TOLERANCE <= middle <= ref["end"] + TOLERANCE}
                if not talking:
                    continue
                right = mapping.get(line.speaker) in talking
                counts["words"] += 1
                counts["right"] += right
                if len(talking) > 1:
                    counts["overlap"] += 1
                    counts["overlap_right"] += right
        for key, value in counts.items():
            totals[key] += value
        print(
            f"{clip.id:<6} {clip.music!s:<5} {counts['words']:>5} {_share(counts['right'], counts['words']):>7}"
            f" {counts['overlap']:>10} {_share(counts['overlap_right'], counts['overlap']):>7}",
            flush=True,
        )
    print(f"words given a speaker who is talking: {_share(totals['right'], totals['words'])}% of {totals['words']}")
    overlapped = _share(totals["overlap_right"], totals["overlap"])
    print(f"words spoken over another speaker given one of the two: {overlapped}% of {totals['overlap']}")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "-"


if __name__ == "__main__":
    main()
