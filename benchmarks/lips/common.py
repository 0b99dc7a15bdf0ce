"""Shared by the lips benchmarks: run ingest and the lips stage on a case programme with its labelled lines."""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from localize.cache import WorkDir
from localize.config import Config
from localize.media.probe import probe
from localize.model import Episode, Line
from localize.stages.base import RunContext, run_stage
from localize.stages.ingest import IngestStage
from localize.stages.lips import LipsStage

CASES = Path(__file__).parent / "cases"
OUT = Path(__file__).resolve().parents[1] / "out" / "lips"


@dataclass(frozen=True)
class Seen:
    """The episode after the lips stage, and what the stage cost."""

    episode: Episode
    cpu_seconds: float
    wall_seconds: float
    workdir: WorkDir


def labelled_lines() -> list[dict[str, object]]:
    """The programme's lines and their labels (``cases.py`` writes them)."""
    path = CASES / "lines.json"
    if not path.is_file():
        raise SystemExit("no cases: run benchmarks/lips/gather.py, then benchmarks/lips/cases.py")
    lines: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))
    return lines


def see(programme: Path, name: str, config: Config | None = None) -> Seen:
    """Ingest ``programme`` and run the lips stage on it from a cold cache, with the labelled lines as its lines."""
    workdir = WorkDir(OUT, name)
    if workdir.root.exists():
        shutil.rmtree(workdir.root)
    workdir.prepare()
    lines = [Line(id=str(d["id"]), start=float(d["start"]), end=float(d["end"]), speaker="A", text="") for d in labelled_lines()]  # type: ignore[arg-type]
    episode = Episode(id=name, source=probe(programme), lines=lines)
    ctx = RunContext(workdir=workdir, config=config or Config(), targets=[])
    episode = run_stage(IngestStage(), episode, ctx)
    usage = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    episode = run_stage(LipsStage(), episode, ctx)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - (b.ru_utime + b.ru_stime) for a, b in zip(after, usage, strict=True))
    return Seen(episode, cpu, wall, workdir)
