"""The source's sound-to-picture offset: the cases' programme with its sound moved by known amounts.

    nice -n 10 python benchmarks/lips/offset.py

For each shift (positive: the sound comes later than the picture) the programme is rewritten with
its sound delayed or advanced by ffmpeg, the lips stage runs on it from a cold cache, and the offset
it reports is compared with the shift: the error in frames (25 fps) must stay within one.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.common import CASES, see

SHIFTS = (0.0, 0.08, -0.08, 0.2, -0.2, 0.5, -0.5)
FPS = 25


def shifted(programme: Path, shift: float, out: Path) -> None:
    """``programme`` with its sound ``shift`` seconds later (earlier when negative), same length."""
    delayed, advanced = f"adelay={round(shift * 1000)}:all=1", f"atrim=start={-shift},asetpts=PTS-STARTPTS,apad"
    sound = delayed if shift >= 0 else advanced
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(programme), "-map", "0:v", "-map", "0:a", "-c:v", "copy"]
    command += ["-af", sound, "-c:a", "pcm_s16le", "-shortest", str(out)]
    subprocess.run(command, check=True)


def main() -> int:
    programme = CASES / "programme.mkv"
    print(f"{'shift ms':>8} {'found ms':>8} {'error frames':>12} {'lines':>5} {'score':>6}")
    worst = 0.0
    with tempfile.TemporaryDirectory(prefix="lips-offset-") as folder:
        for shift in SHIFTS:
            moved = Path(folder) / f"shift{round(shift * 1000):+d}.mkv"
            shifted(programme, shift, moved)
            picture = see(moved, f"offset{round(shift * 1000):+d}").episode.picture
            assert picture is not None
            found = picture.sync_offset
            error = (found - shift) * FPS if found is not None else float("inf")
            worst = max(worst, abs(error))
            print(
                f"{shift * 1000:>+8.0f} {found * 1000 if found is not None else float('nan'):>+8.0f} {error:>+12.2f} "
                f"{picture.sync_lines:>5} {picture.sync_score or 0:>6.2f}"
            )
    print(f"worst error: {worst:.2f} frames at {FPS} fps ({'within' if worst <= 1 else 'NOT within'} one frame)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
