"""Packaging time per language, on the sample and on a 10-minute episode, with where the time goes.

Runs the package stage alone (everything before it comes from a finished run,
see ``benchmarks/package_episodes.py``) and times each of its phases through
the progress hook: shot detection, per-language files (subtitles, stems,
scripts, glossary report), review proxies (ffmpeg), masters, QC page. Media work runs in a pool
beside the text work, so the phases overlap: their times add up to more than the stage's.
CPU seconds include child processes (ffmpeg).

Usage: .venv/bin/python benchmarks/package_speed.py [--only sample|long]
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.package_episodes import long_episode, sample_episode  # noqa: E402
from localize.pipeline import resume_context  # noqa: E402
from localize.stages.package import PackageStage  # noqa: E402


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(folder: Path) -> None:
    """Package ``folder`` once and print the figures."""
    ctx, episode = resume_context(folder)
    marks: list[tuple[str, float, float]] = [("start", time.perf_counter(), _cpu())]

    def hook(stage: str, step: str, completed: int, total: int) -> None:
        marks.append((step, time.perf_counter(), _cpu()))

    ctx.hook = hook
    PackageStage().run(episode, ctx)
    marks.append(("end", time.perf_counter(), _cpu()))
    languages = len(ctx.targets)
    wall, cpu = marks[-1][1] - marks[0][1], marks[-1][2] - marks[0][2]
    print(f"{folder.relative_to(ROOT)}: {episode.source.duration:.1f} s programme, {len(episode.lines)} lines, {languages} languages")
    print(
        f"  package stage: {wall:.1f} s wall, {cpu:.1f} s CPU -> {wall / languages:.1f} s wall / {cpu / languages:.1f} s CPU per language"
    )
    phases: dict[str, list[float]] = {}
    names = {"start": "shot detection"}
    for (step, when, spent), (_, after, spent_after) in itertools.pairwise(marks):
        name = names.get(step, "language files" if step in ctx.targets else step)
        total = phases.setdefault(name, [0.0, 0.0])
        total[0] += after - when
        total[1] += spent_after - spent
    for name, (seconds, cpu_seconds) in phases.items():
        per = f", {seconds / languages:.1f} s wall per language" if name in ("language files", "encode dubs", "review proxies") else ""
        print(f"  {name:<16}{seconds:>7.1f} s wall {cpu_seconds:>7.1f} s CPU{per}")


def main() -> None:
    """Print the figures for the sample and the 10-minute episode."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", choices=["sample", "long"], default=None)
    args = parser.parse_args()
    if args.only in (None, "sample"):
        measure(sample_episode())
    if args.only in (None, "long"):
        measure(long_episode())


if __name__ == "__main__":
    main()
