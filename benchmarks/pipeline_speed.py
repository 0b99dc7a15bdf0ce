"""Wall time per stage and in total on the bundled sample, the cached second run, and peak memory.

Usage: .venv/bin/python benchmarks/pipeline_speed.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "colectivo" / "episode.mp4"
GLOSSARY = ROOT / "glossaries" / "colectivo.yaml"


def run_once(out: Path) -> tuple[float, float, dict[str, dict[str, float]]]:
    """Run the CLI in a child process; return wall seconds, child peak RSS (MiB) and stage records."""
    command = [
        sys.executable,
        "-m",
        "localize.cli",
        "run",
        str(SAMPLE),
        "--from",
        "es-AR",
        "--to",
        "en,pt-BR,fr",
        "--glossary",
        str(GLOSSARY),
        "--out",
        str(out),
        "--quiet",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    manifest = json.loads((out / "episode" / ".localize" / "manifest.json").read_text(encoding="utf-8"))
    return seconds, peak_mib, manifest["stages"]


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a fresh temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="localize-bench-"))
    duration = float(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(SAMPLE)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    first, peak, stages = run_once(out)
    print(f"sample: {SAMPLE.relative_to(ROOT)} ({duration:.1f} s), targets en,pt-BR,fr, 2 CPU cores")
    print(f"{'stage':<12}{'seconds':>9}{'x real time':>13}")
    for name, record in stages.items():
        print(f"{name:<12}{record['seconds']:>9.2f}{record['seconds'] / duration:>13.3f}")
    print(f"{'first run':<12}{first:>9.2f}{first / duration:>13.3f}   (process wall time, start-up included)")
    second, peak2, stages2 = run_once(out)
    hits = sum(1 for r in stages2.values() if r["cache_hit"])
    print(
        f"{'second run':<12}{second:>9.2f}{second / duration:>13.3f}   ({hits}/{len(stages2)} stages from cache, "
        f"{100 * second / first:.1f}% of the first run)"
    )
    print(f"peak RSS: {max(peak, peak2):.0f} MiB")


if __name__ == "__main__":
    main()
