"""ON/OFF per line on the controlled cases, the speaker's side where two faces are seen, and the face analysis's cost.

    nice -n 10 python benchmarks/lips/onoff.py

Prints accuracy per case kind and overall (unclear counts as wrong), the side of the chosen face
for two-face segments, the source offset found (the cases are in sync: 0 expected), the lips
stage's CPU time (user + system, ffmpeg included) over the programme's length, and peak memory.
"""

from __future__ import annotations

import resource
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.common import CASES, labelled_lines, see
from localize.media.mouths import MouthTracks


def main() -> int:
    truth = labelled_lines()
    seen = see(CASES / "programme.mkv", "cases")
    picture = seen.episode.picture
    assert picture is not None
    tracks = MouthTracks.load(seen.workdir.resolve(picture.mouths))
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    sides = Counter[str]()
    for line in truth:
        sight = picture.lines[str(line["id"])]
        by_kind[str(line["kind"])][sight.screen.value] += 1
        if line["side"] in ("left", "right") and sight.face is not None:
            side = "right" if float(np.median(tracks.x[tracks.track == sight.face])) > 0.5 else "left"
            sides["correct" if side == line["side"] else "wrong"] += 1
    correct = 0
    print(f"{'kind':<20} {'lines':>5} {'on':>4} {'off':>4} {'unclear':>7}  correct")
    for kind, counts in by_kind.items():
        label = "on" if kind.startswith("on") else "off"
        total = sum(counts.values())
        correct += counts[label]
        print(f"{kind:<20} {total:>5} {counts['on']:>4} {counts['off']:>4} {counts['unclear']:>7}  {counts[label] / total:.0%}")
    print(f"ON/OFF correct: {correct}/{len(truth)} = {correct / len(truth):.1%}")
    print(f"two faces, speaker's side found: {sides['correct']}/{sides['correct'] + sides['wrong']}")
    print(f"source offset found: {picture.sync_offset} s over {picture.sync_lines} lines (score {picture.sync_score}); cases are in sync")
    duration = seen.episode.source.duration
    print(f"face tracks: {picture.faces}; analysis rate {picture.rate:.2f} fps at 640 px")
    print(
        f"lips stage: {seen.cpu_seconds:.1f} s CPU ({seen.cpu_seconds / duration:.3f} x real time on one core, "
        f"{seen.cpu_seconds / duration / 2:.3f} x on 2), {seen.wall_seconds:.1f} s wall for {duration:.0f} s of programme"
    )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
