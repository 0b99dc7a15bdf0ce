"""Kokoro under different ONNX Runtime session options: CPU seconds per second of speech, and whether the sound changes.

Usage::

    .venv/bin/python benchmarks/kokoro_session.py [--rounds 2]

Each variant gets its own session over the model the dub stage runs (float convolutions) and speaks the
same lines (English, French, Portuguese, short and long), the variants taking turns round after round so
a change in the machine's load falls on all of them. Printed per variant: CPU seconds (this process) per
second of speech, wall seconds per second of speech, session creation CPU, and the largest difference of
its samples from the first variant's (0: the same sound).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

LINES = {
    "en": ["No, thanks.", "Where were you last night? I waited for you until the last bus left the station."],
    "fr": ["Non, merci.", "Le chauffeur dit que la ligne a changé à cause de la grève, alors on marche."],
    "pt-BR": ["Onde você estava ontem à noite?", "O motorista diz que a linha mudou por causa da greve, então vamos a pé."],
}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _variants(ort: Any, cores: int) -> dict[str, Callable[[], Any]]:
    """Name -> a function building that variant's session options."""

    def options(threads: int = 1, spinning: bool = True, level: Any = None, arena: bool = True, pattern: bool = True) -> Any:
        made = ort.SessionOptions()
        made.intra_op_num_threads = threads
        made.inter_op_num_threads = 1
        made.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        made.graph_optimization_level = level if level is not None else ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        made.enable_cpu_mem_arena = arena
        made.enable_mem_pattern = pattern
        if not spinning:
            made.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return made

    return {
        "1 thread (now)": lambda: options(),
        f"{cores} threads": lambda: options(cores),
        f"{cores} threads, no spinning": lambda: options(cores, spinning=False),
        "1 thread, basic graph optimisation": lambda: options(level=ort.GraphOptimizationLevel.ORT_ENABLE_BASIC),
        "1 thread, extended graph optimisation": lambda: options(level=ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED),
        "1 thread, no arena, no memory pattern": lambda: options(arena=False, pattern=False),
    }


def main() -> None:
    """Build each variant's session, then speak the lines with each in turn."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    import numpy as np
    import onnxruntime as ort

    from localize.models import resolve_model
    from localize.registry import create
    from localize.stages.dub.casting import read_catalog
    from localize.stages.dub.kokoro import DERIVED, KOKORO_RATE, parse_blend
    from localize.stages.dub.phonemes import espeak_voice, kokoro_phonemes

    synthesizer = create("tts", "kokoro.v1", {})
    model = synthesizer.model()
    folder = Path(resolve_model(synthesizer.options.model, False, None))
    fast = next(folder.glob(f"*{DERIVED[0]}"))
    cores = len(os.sched_getaffinity(0))
    work = []
    for language, texts in LINES.items():
        voice = next(v for v in read_catalog(language).voices if v.backend == "kokoro.v1")
        for text in texts:
            phonemes = kokoro_phonemes(text, voice.pronunciation or espeak_voice(language) or language)
            work.append((phonemes, parse_blend(voice.voice), voice.speed))
    sessions: dict[str, Any] = {}
    creation: dict[str, float] = {}
    for name, build in _variants(ort, cores).items():
        began = _cpu()
        sessions[name] = ort.InferenceSession(str(fast), sess_options=build(), providers=["CPUExecutionProvider"])
        creation[name] = _cpu() - began
    cpu = dict.fromkeys(sessions, 0.0)
    wall = dict.fromkeys(sessions, 0.0)
    speech = dict.fromkeys(sessions, 0.0)
    reference: list[np.ndarray] = []
    difference = dict.fromkeys(sessions, 0.0)
    for round_ in range(args.rounds):
        for name, session in sessions.items():
            model.session = session
            began, started = _cpu(), time.perf_counter()
            outputs = [model.speak(phonemes, blend, speed) for phonemes, blend, speed in work]
            cpu[name] += _cpu() - began
            wall[name] += time.perf_counter() - started
            speech[name] += sum(len(audio) for audio in outputs) / KOKORO_RATE
            if not reference:
                reference = outputs
            elif round_ == 0:
                pairs = zip(outputs, reference, strict=True)
                difference[name] = max(float(np.max(np.abs(a - b))) if len(a) == len(b) else float("inf") for a, b in pairs)
    one, five, _ = os.getloadavg()
    print(f"{len(work)} lines x {args.rounds} rounds, {cores} cores, load average {one:.1f}, {five:.1f}")
    print(f"  {'variant':<40}{'CPU s / speech s':>18}{'wall s / speech s':>19}{'session CPU s':>15}{'max sample diff':>17}")
    for name in sessions:
        figures = f"{cpu[name] / speech[name]:>18.3f}{wall[name] / speech[name]:>19.3f}{creation[name]:>15.2f}{difference[name]:>17.4f}"
        print(f"  {name:<40}{figures}")


if __name__ == "__main__":
    main()
