"""Whole-run speed and memory against the speech-recognition floor: wall and CPU time and peak RSS per stage.

Usage::

    .venv/bin/python benchmarks/pipeline_speed.py [--episode sample|10|60] [--targets en,pt-BR,fr]
                                                  [--fewer] [--rerun] [--no-floor] [--out DIR]

``--episode 10`` and ``60`` are the scripted episodes of ``benchmarks/longform/make_longform.py``
(Kokoro voices, music bed, test-pattern picture; run it with ``--minutes 60`` for the hour).

One after the other, each in its own process:

1. the floor: faster-whisper itself (the bundled model, int8, word timestamps, VAD: the arguments our
   backend builds) loading the model, decoding the file and transcribing it;
2. the run: every stage in turn, as ``localize run`` runs them, with the stage's wall time, CPU time
   (the process and its ffmpeg children), the process's peak RSS while the stage ran (the kernel's
   high-water mark, reset before each stage through ``/proc/self/clear_refs``) and its RSS once the stage
   ended (what the next stage starts from);
3. with ``--fewer``, the run again with one target language fewer (fresh folder): the cost of one language;
4. with ``--rerun``, the run again in the same folder (everything from the cache).

The machine's load average is printed with the figures: on shared cores wall times vary with it, so the run
is also compared with the floor by CPU time (each process and its children).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "glossaries" / "colectivo.yaml"
EPISODES = {
    "sample": ROOT / "samples" / "colectivo" / "episode.mp4",
    "10": ROOT / "benchmarks" / "longform" / "out" / "episode.mp4",
    "60": ROOT / "benchmarks" / "longform" / "out" / "60min" / "episode.mp4",
}
SOURCE_LANGUAGE = "es-AR"

FLOOR = r"""
import json, resource, sys, time
from faster_whisper import decode_audio
from localize.registry import create
source, language, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
started = time.perf_counter()
backend = create("transcribe", "faster-whisper.v1", {"cpu_threads": threads})
model = backend.model
loaded = time.perf_counter()
audio = decode_audio(source, sampling_rate=16_000)
decoded = time.perf_counter()
segments, _ = model.transcribe(audio, **backend.decode_arguments(language, backend.hints([])))
words = sum(len(segment.words or []) for segment in segments)
done = time.perf_counter()
own = resource.getrusage(resource.RUSAGE_SELF)
cpu = own.ru_utime + own.ru_stime
print(json.dumps({"load": loaded - started, "decode": decoded - loaded, "transcribe": done - decoded, "cpu": cpu, "words": words}))
"""

RUN = r"""
import json, resource, sys, time
from pathlib import Path
from localize.config import load_config
from localize.pipeline import RunRequest, prepare_run, run_stages
from localize.stages import STAGE_NAMES

def status(field):
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith(field):
            return int(row.split()[1]) / 1024
    return float("nan")

def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

source, out, targets, glossary, language = sys.argv[1:6]
started = time.perf_counter()
config = load_config(None, {"source_language": language})
request = RunRequest(source=Path(source), out=Path(out), targets=targets.split(","), glossary=Path(glossary))
ctx, episode = prepare_run(request, config)
records = [{"stage": "start-up", "seconds": time.perf_counter() - started, "cpu": cpu(), "peak": status("VmHWM:"),
            "after": status("VmRSS:"), "cached": False}]
for name in STAGE_NAMES:
    Path("/proc/self/clear_refs").write_text("5")
    began, spent = time.perf_counter(), cpu()
    episode = run_stages(episode, ctx, (name,))
    records.append({"stage": name, "seconds": time.perf_counter() - began, "cpu": cpu() - spent,
                    "peak": status("VmHWM:"), "after": status("VmRSS:"), "cached": episode.stages[name].cache_hit})
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"stages": records, "children_peak": children, "lines": len(episode.lines)}))
"""


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} CPUs)"


def _child(code: str, *arguments: str) -> tuple[dict, float]:
    """Run ``code`` in a fresh interpreter; return the JSON it printed last and its wall time (start-up included)."""
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", code, *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"child process failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1]), seconds


@dataclass(frozen=True)
class Cost:
    """Wall seconds and CPU seconds (the process and its children) of one measured step."""

    wall: float
    cpu: float

    def ratio(self, base: Cost) -> str:
        return f"wall {self.wall / base.wall:.2f}, CPU {self.cpu / base.cpu:.2f}"


def floor(source: Path, threads: int) -> Cost:
    """Print and return the faster-whisper floor (model load + decode + transcription)."""
    print(f"floor: faster-whisper directly, {threads or 'default'} threads   [{_load()}]")
    figures, _ = _child(FLOOR, str(source), SOURCE_LANGUAGE.split("-")[0], str(threads))
    total = figures["load"] + figures["decode"] + figures["transcribe"]
    print(
        f"  load {figures['load']:.1f} s + decode {figures['decode']:.1f} s + transcribe {figures['transcribe']:.1f} s"
        f" = {total:.1f} s wall, {figures['cpu']:.1f} s CPU ({figures['words']} words)   [{_load()}]"
    )
    return Cost(total, figures["cpu"])


def run(source: Path, out: Path, targets: str, duration: float, label: str) -> Cost:
    """Run every stage in a child process; print the table; return the run's cost (stages and start-up)."""
    print(f"{label}: localize run, targets {targets}   [{_load()}]")
    result, process = _child(RUN, str(source), str(out), targets, str(GLOSSARY), SOURCE_LANGUAGE)
    records = result["stages"]
    print(f"  {'stage':<11}{'wall s':>8}{'CPU s':>8}{'x RT':>8}{'peak RSS MiB':>14}{'RSS after MiB':>15}")
    for record in records:
        cached = "  (cache)" if record["cached"] else ""
        print(
            f"  {record['stage']:<11}{record['seconds']:>8.1f}{record['cpu']:>8.1f}{record['seconds'] / duration:>8.3f}"
            f"{record['peak']:>14.0f}{record['after']:>15.0f}{cached}"
        )
    cost = Cost(sum(record["seconds"] for record in records), sum(record["cpu"] for record in records))
    package = next(record for record in records if record["stage"] == "package")
    peak = max(record["peak"] for record in records)
    print(
        f"  run {cost.wall:.1f} s wall = {cost.wall / duration:.3f}x real time, {cost.cpu:.1f} s CPU = {cost.cpu / duration:.3f}x"
        f" ({result['lines']} lines; {process:.1f} s wall with interpreter start-up); package {100 * package['seconds'] / cost.wall:.1f}%"
        f" of the wall time, {100 * package['cpu'] / cost.cpu:.1f}% of the CPU time; peak RSS {peak:.0f} MiB"
        f" (largest child process {result['children_peak']:.0f} MiB)   [{_load()}]"
    )
    return cost


def main() -> None:
    """Measure the floor, then the run (and optionally the run with one language fewer, and a cached re-run)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", choices=sorted(EPISODES), default="sample")
    parser.add_argument("--targets", default="en,pt-BR,fr")
    parser.add_argument(
        "--threads", type=int, default=0, help="faster-whisper threads for the floor (default: the backend's, as in the run)"
    )
    parser.add_argument("--fewer", action="store_true", help="also run with the last target left out (the cost of one language)")
    parser.add_argument("--rerun", action="store_true", help="also run again in the same folder (from the cache)")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default: a fresh temporary one)")
    args = parser.parse_args()
    source = EPISODES[args.episode]
    if not source.is_file():
        minutes = "" if args.episode in ("sample", "10") else f" --minutes {args.episode}"
        sys.exit(f"{source} is missing: run benchmarks/longform/make_longform.py{minutes} first")
    out = args.out or Path(tempfile.mkdtemp(prefix="localize-speed-"))
    probe = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(source)]
    duration = float(subprocess.run(probe, capture_output=True, text=True, check=True).stdout)
    print(f"episode: {source.relative_to(ROOT)} ({duration:.1f} s = {duration / 60:.1f} min), source {SOURCE_LANGUAGE}")
    base = None if args.no_floor else floor(source, args.threads)
    total = run(source, out / "all", args.targets, duration, "run")
    if base is not None:
        print(f"run / floor: {total.ratio(base)}")
    if args.fewer:
        fewer = ",".join(args.targets.split(",")[:-1])
        less = run(source, out / "fewer", fewer, duration, "run with one language fewer")
        extra = Cost(total.wall - less.wall, total.cpu - less.cpu)
        print(
            f"one more language ({args.targets.split(',')[-1]}): +{extra.wall:.1f} s wall = +{extra.wall / duration:.3f}x real time,"
            f" +{extra.cpu:.1f} s CPU = +{extra.cpu / duration:.3f}x"
        )
    if args.rerun:
        again = run(source, out / "all", args.targets, duration, "re-run (cache)")
        print(f"re-run: {100 * again.wall / total.wall:.1f}% of the first run's wall time, {100 * again.cpu / total.cpu:.1f}% of its CPU")


if __name__ == "__main__":
    main()
