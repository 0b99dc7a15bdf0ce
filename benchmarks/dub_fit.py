"""Isochrony of the dub, in the manner of the IWSLT 2023 dubbing task, plus dub+mix speed and loudness.

Runs the flow up to translation once (cached in the output folder), then the dub and
mix stages from a cold TTS cache, timed, and prints per line (``--lines``) and in
summary: relative duration error, min/max duration ratio, share of takes off their
window by more than 0.3 s (a take is in its window when it starts at the source
speech and ends between the end of the source speech and the end of its window),
onset error, stretch factor, ladder step used, overlapping takes, dropped lines, and
each language's loudness against the spec; and the dub's cost: CPU seconds and syntheses per take (a
take re-synthesized at another speaking rate counts again). ``--save FILE`` keeps every take's figures and
``--compare FILE`` lists how the takes differ from a saved run (rate, length, window error, QC timing-fit).

Usage (from the repository root)::

    .venv/bin/python benchmarks/dub_fit.py --episode sample   [--lines] [--save takes.json] [--compare before.json]
    .venv/bin/python benchmarks/longform/make_longform.py   # once
    .venv/bin/python benchmarks/dub_fit.py --episode longform [--lines]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EPISODES = {
    "sample": ROOT / "samples" / "colectivo" / "episode.mp4",
    "longform": ROOT / "benchmarks" / "longform" / "out" / "episode.wav",
}
GLOSSARY = ROOT / "glossaries" / "colectivo.yaml"
TARGETS = ["en", "pt-BR", "fr"]
OFF_WINDOW = 0.3
BEFORE_DUB = ("ingest", "transcribe", "diarize", "segment", "translate")


def _cold(workdir: Path) -> None:
    """Forget every synthesized clip and take so the dub runs from scratch."""
    for pattern in ("*.clip.wav", "*.take.wav", "*.dialogue.wav", "*.mix.wav"):
        for path in (workdir / ".localize").rglob(pattern):
            path.unlink()


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _Counted:
    """Counts the syntheses of retime's takes (voiceprints of the catalog excepted) by wrapping a backend's method."""

    def __init__(self) -> None:
        self.calls = 0

    def wrap(self, cls: Any) -> None:
        original = cls.synthesize

        def synthesize(backend: Any, text: str, voice: Any, rate: float, out: Path) -> None:
            self.calls += out.name == "raw.wav"  # retime's Voice.say writes raw.wav; voiceprints write sample.wav
            original(backend, text, voice, rate, out)

        cls.synthesize = synthesize


def _take_figures(episode: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """language -> line id -> the take's rate, stretch, length, window error, ladder step and flags."""
    return {
        language: {
            line_id: {
                "rate": r.take.rate,
                "stretch": r.take.stretch,
                "duration": r.take.duration,
                "error": r.take.duration_error,
                "overlap": r.take.overlap,
                "step": r.take.ladder_step,
                "flags": sorted(str(flag) for flag in r.take.flags),
            }
            for line_id, r in track.renditions.items()
            if r.take is not None
        }
        for language, track in episode.tracks.items()
    }


def _compare(now: dict[str, dict[str, dict[str, Any]]], before: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Print how the takes differ from a saved run, and the QC timing-fit of both."""
    from localize.qc.spec import QcSpec

    spec = QcSpec()
    for language in sorted(now):
        old, new = before.get(language, {}), now[language]
        shared = sorted(set(old) & set(new))
        rates = sum(old[i]["rate"] != new[i]["rate"] for i in shared)
        steps = sum(old[i]["step"] != new[i]["step"] for i in shared)
        lengths = [abs(old[i]["duration"] - new[i]["duration"]) for i in shared]

        def timing(takes: dict[str, dict[str, Any]]) -> str:
            fitted = sum(abs(t["error"]) <= 0.1 for t in takes.values())
            bad = sum(
                abs(t["error"]) > spec.max_take_error or t["overlap"] > spec.max_take_overlap or "overrun" in t["flags"]
                for t in takes.values()
            )
            mean = statistics.mean(abs(t["error"]) for t in takes.values()) if takes else 0.0
            return f"{len(takes)} takes, {fitted} within 0.1 s, {bad} out of spec, mean |error| {mean:.3f} s"

        print(
            f"{language} vs saved: {len(shared)} takes in both, rate differs in {rates}, ladder step in {steps},"
            f" length differs by mean {statistics.mean(lengths) if lengths else 0:.3f} s max {max(lengths, default=0):.3f} s"
        )
        print(f"{language} timing-fit before: {timing(old)}")
        print(f"{language} timing-fit now:    {timing(new)}")


def main() -> None:
    """Prepare, dub, mix and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episode", choices=sorted(EPISODES), default="sample")
    parser.add_argument("--out", type=Path, default=None, help="work folder (default benchmarks/longform/out/work-<episode>)")
    parser.add_argument("--lines", action="store_true", help="print every line")
    parser.add_argument("--warm", action="store_true", help="keep the TTS cache (time a re-run)")
    parser.add_argument("--save", type=Path, default=None, help="write every take's figures to this JSON file")
    parser.add_argument("--compare", type=Path, default=None, help="compare the takes with a file --save wrote")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")

    from localize.config import load_config
    from localize.pipeline import RunRequest, prepare_run, run_stages
    from localize.registry import backend_class
    from localize.stages.dub.windows import speech_spans

    source = EPISODES[args.episode]
    if not source.is_file():
        raise SystemExit(f"{source} is missing; run benchmarks/longform/make_longform.py first")
    out = args.out or ROOT / "benchmarks" / "longform" / "out" / f"work-{args.episode}"
    config = load_config(overrides={"source_language": "es-AR"})
    ctx, episode = prepare_run(RunRequest(source=source, out=out, targets=TARGETS, glossary=GLOSSARY), config)
    episode = run_stages(episode, ctx, names=BEFORE_DUB)
    if not args.warm:
        _cold(ctx.workdir.root)
    counter = _Counted()
    for name in ("kokoro.v1", "espeak-ng.v1", "piper.v1"):
        counter.wrap(backend_class("tts", name))
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    episode = run_stages(episode, ctx, names=("dub",), force=True)
    dubbed = time.perf_counter()
    dub_cpu = _cpu_seconds() - cpu_before
    episode = run_stages(episode, ctx, names=("mix",), force=True)
    mixed = time.perf_counter()
    cpu = _cpu_seconds() - cpu_before

    duration = episode.source.duration
    per_language = (mixed - started) / len(TARGETS)
    print(f"episode {args.episode}: {duration:.1f} s, {len(episode.lines)} lines, targets {','.join(TARGETS)}, cpus {os.cpu_count()}")
    print(
        f"speed: dub {dubbed - started:.1f} s + mix {mixed - dubbed:.1f} s for {len(TARGETS)} languages"
        f" = {per_language:.1f} s per language = {per_language / duration:.3f} x real time per language (wall)"
    )
    print(
        f"cpu: {cpu:.1f} CPU-seconds (this process and its espeak-ng/rubberband/ffmpeg children) = {cpu / len(TARGETS):.1f} per language"
        f" = {cpu / len(TARGETS) / duration / 2:.3f} x real time per language on 2 cores if both are busy"
    )
    figures = _take_figures(episode)
    takes = sum(len(language) for language in figures.values())
    print(
        f"dub: {dub_cpu:.1f} CPU-seconds, {takes} takes, {counter.calls} syntheses = {counter.calls / max(1, takes):.2f} per take,"
        f" {dub_cpu / max(1, takes):.2f} CPU-seconds per take"
    )
    if args.save:
        args.save.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if args.compare:
        _compare(figures, json.loads(args.compare.read_text(encoding="utf-8")))
    speech = {line.id: speech_spans(line, ctx.config.dub.pause_split) for line in episode.lines}
    all_ok = True
    for language in TARGETS:
        track = episode.tracks[language]
        rows = []
        dropped = 0
        skipped = 0
        for line in episode.lines:
            rendition = track.renditions.get(line.id)
            take = rendition.take if rendition else None
            if take is None:
                if rendition is not None and {"not-dubbed", "forced-narrative"} & set(rendition.all_flags):
                    skipped += 1
                else:
                    dropped += 1
                continue
            source_start, source_end = speech[line.id][0].start, speech[line.id][-1].end
            source_length = source_end - source_start
            # In its window: starting at the source start, ending between the source speech end and the window end (slack).
            take_end = take.start + take.duration
            end_low = min(source_end, take.window_end)
            end_off = max(0.0, end_low - take_end, take_end - take.window_end)
            off = max(abs(take.start - source_start), end_off)
            rows.append(
                {
                    "id": line.id,
                    "ratio": take.duration / source_length,
                    "rel_error": abs(take.duration - source_length) / source_length,
                    "onset": take.start - source_start,
                    "off": off,
                    "stretch": max(take.stretch, 1 / take.stretch),
                    "rate": take.rate,
                    "step": take.ladder_step,
                    "overlap": take.overlap,
                    "flags": rendition.all_flags if rendition else [],
                }
            )
        placed = sorted(
            (r.take.start, r.take.start + r.take.duration, line_id) for line_id, r in track.renditions.items() if r.take is not None
        )
        overlapping = 0
        for index, (_, end, first) in enumerate(placed):
            for start, _, second in placed[index + 1 :]:
                if start >= end:
                    break
                if end - start > max(0.0, speech[first][-1].end - speech[second][0].start) + 0.01:
                    overlapping += 1
        if args.lines:
            print(f"\n[{language}] id      ratio  rel.err  onset   off   stretch rate  step      flags")
            for row in rows:
                print(
                    f"[{language}] {row['id']:<7} {row['ratio']:5.2f}  {row['rel_error']:6.3f}  {row['onset']:+5.2f}  {row['off']:5.2f}"
                    f"  {row['stretch']:5.3f}  {row['rate']:4.2f}  {row['step']:<9} {','.join(row['flags'])}"
                )
        within = sum(row["off"] <= OFF_WINDOW for row in rows) / max(1, len(rows))
        max_stretch = max((row["stretch"] for row in rows), default=1.0)
        steps = Counter(row["step"] for row in rows)
        loud = track.loudness
        gated = loud.get("dialogue_share", 0.0) >= ctx.config.mix.dialogue_share_for_gating
        measured = loud["dialogue_lkfs"] if gated else loud["programme_lkfs"]
        target = ctx.config.mix.dialogue_lkfs if gated else ctx.config.mix.programme_lkfs
        loud_ok = abs(measured - target) <= 2.0 and loud["true_peak_dbtp"] <= ctx.config.mix.true_peak_dbtp
        ok = within >= 0.95 and max_stretch <= ctx.config.dub.max_stretch + 1e-3 and overlapping == 0 and dropped == 0 and loud_ok
        all_ok &= ok
        print(f"{language}: voices {track.voices}")
        print(
            f"{language}: takes {len(rows)}, skipped {skipped}, dropped {dropped}, overlapping {overlapping}"
            f" | within {OFF_WINDOW} s of window {within:.1%}"
            f" | rel. duration error mean {statistics.mean(r['rel_error'] for r in rows):.3f}"
            f" | duration ratio min {min(r['ratio'] for r in rows):.2f} max {max(r['ratio'] for r in rows):.2f}"
            f" | onset error mean {statistics.mean(abs(r['onset']) for r in rows):.3f} s max {max(abs(r['onset']) for r in rows):.3f} s"
            f" | stretch max {max_stretch:.3f} | steps {dict(sorted(steps.items()))}"
        )
        print(
            f"{language}: loudness {'dialogue-gated' if gated else 'programme'} {measured:.2f} LKFS (target {target:.0f} ±2),"
            f" programme {loud['programme_lkfs']:.2f} LKFS, true peak {loud['true_peak_dbtp']:.2f} dBTP, LRA {loud['lra_lu']:.1f} LU,"
            f" dialogue share {loud['dialogue_share']:.0%} -> {'PASS' if ok else 'FAIL'}"
        )
    print(f"all targets met: {all_ok}")


if __name__ == "__main__":
    main()
