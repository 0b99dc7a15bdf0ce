"""The face analysis's cost and memory against the programme's length.

    nice -n 10 python benchmarks/lips/speed.py [--repeat 1 3]

The cases' programme is joined to itself ``repeat`` times (stream copy) and each length is
analysed from a cold start in a fresh process (shot changes, then faces and mouths at the
proxy's rate and size): CPU seconds (user + system, ffmpeg included) per second of programme,
on one core and shared by two, and the process's peak memory, which must not grow with length.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.common import CASES

MEASURE = """
import json, resource, sys, time
from pathlib import Path
from localize.media.probe import probe
from localize.media.scenes import detect_shot_changes
from localize.media.mouths import track_mouths
video = Path(sys.argv[1])
info = probe(video)
wall = time.perf_counter()
shots = detect_shot_changes(video)
tracks = track_mouths(video, info.frame_rate, info.width, info.height, shots)
wall = time.perf_counter() - wall
own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
faces = len(set(tracks.track.tolist()))
print(json.dumps({"duration": info.duration, "cpu": cpu, "wall": wall, "rss_mb": own.ru_maxrss / 1024, "faces": faces}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    programme = CASES / "programme.mkv"
    if not programme.is_file():
        raise SystemExit("no cases: run benchmarks/lips/gather.py, then benchmarks/lips/cases.py")
    root = Path(__file__).resolve().parents[2]
    print(f"{'programme s':>11} {'CPU s':>7} {'x RT 1 core':>11} {'x RT 2 cores':>12} {'wall s':>7} {'peak MB':>8} {'faces':>6}")
    with tempfile.TemporaryDirectory(prefix="lips-speed-") as folder:
        for repeat in args.repeat:
            joined = Path(folder) / f"x{repeat}.mkv"
            listing = Path(folder) / "parts.txt"
            listing.write_text(f"file '{programme}'\n" * repeat, encoding="utf-8")
            command = [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "concat",
                "-safe",
                "0",
                "-i",
                str(listing),
                "-c",
                "copy",
                str(joined),
            ]
            subprocess.run(command, check=True)
            out = subprocess.run([sys.executable, "-c", MEASURE, str(joined)], capture_output=True, text=True, check=True, cwd=root)
            m = json.loads(out.stdout.strip().splitlines()[-1])
            rt = m["cpu"] / m["duration"]
            print(
                f"{m['duration']:>11.0f} {m['cpu']:>7.1f} {rt:>11.3f} {rt / 2:>12.3f} {m['wall']:>7.1f} {m['rss_mb']:>8.0f} {m['faces']:>6}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
