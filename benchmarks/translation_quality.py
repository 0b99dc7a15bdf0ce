"""Translation quality on the Rioplatense test set: raw Apertium against the full embedded pipeline.

Per target language and split: chrF++ and BLEU (sacrebleu, against the one
reference of each line), term success, the untranslated-word rate and the
names-kept rate; then the pipeline's throughput.

- raw Apertium: the installed pair on each line as written (``apertium`` on the
  batch, its unknown-word marks counted, then removed; no pivot language).
- pipeline: the translate stage as a run uses it by default (Apertium with the
  es-AR regional layer, auto-protected names, words the direct pair lacks
  translated through Catalan or Galician, and post-editing), on an episode
  made of the split's lines, in a fresh work directory (nothing cached).
- term success: the share of the test set's names and places (the ``names``
  field, which every reference keeps verbatim) that the output keeps verbatim,
  counted per occurrence through the glossary checker as do-not-translate terms
  (so "Doña Rosa" must come out as "Doña Rosa"). Names kept: the share of lines
  whose every name is kept.
- untranslated words: source words (names aside) the translator left as they
  were, per 100 source words: Apertium's unknown-word marks for both systems.
- throughput: lines per second of the stage on the split, all targets, after a
  warm-up run on other text (lexicon and layer loading not counted), per second of
  CPU time (this process and the Apertium processes it waits for, so the load of a
  shared machine does not change it) and per second of wall time.
- ``--hold-out-test-only`` adds a third system, "held-out": the pipeline with the
  layer's entries that match test lines and no dev line removed (in memory; see
  benchmarks/translation/leakage.py), the conservative figure for the test split.

The test split is held out (benchmarks/translation/README.md): nothing here is
tuned on it; report it, develop on ``--split dev``.

Usage: .venv/bin/python benchmarks/translation_quality.py [--split dev|test|both] [--targets en,pt-BR,fr]
       [--hold-out-test-only]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sacrebleu  # noqa: E402

from benchmarks.translation.leakage import held_out, split_texts, test_only  # noqa: E402
from localize.cache import WorkDir  # noqa: E402
from localize.config import Config  # noqa: E402
from localize.glossary.check import check_matches  # noqa: E402
from localize.glossary.model import Entry, Glossary  # noqa: E402
from localize.model import Episode, Line, MediaInfo  # noqa: E402
from localize.regional.load import layer_for  # noqa: E402
from localize.regional.model import RegionalLayer  # noqa: E402
from localize.stages.base import RunContext  # noqa: E402
from localize.stages.translate import TranslateStage, TranslationRequest  # noqa: E402
from localize.stages.translate.apertium import ApertiumTranslator  # noqa: E402
from localize.stages.translate.postedit.common import unknown_words, unmark  # noqa: E402

DATA = ROOT / "benchmarks" / "translation" / "rioplatense.jsonl"
SOURCE = "es-AR"
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Output:
    """One system's translations of a split into one language, and the source words it left untranslated."""

    texts: list[str]
    untranslated: list[list[str]]


def raw_apertium(rows: list[dict[str, Any]], target: str) -> Output:
    """Apertium's direct pair on each line as written (no pivot); its marks counted, then removed."""
    translator = ApertiumTranslator(ApertiumTranslator.Options(alternatives=False, pivots=[]))
    marked = [candidates[0] for candidates in translator.translate([TranslationRequest(r["es"]) for r in rows], SOURCE, target)]
    return Output([unmark(text) for text in marked], [unknown_words(text) for text in marked])


def _episode(rows: list[dict[str, Any]]) -> Episode:
    media = MediaInfo(path="benchmark", size=0, fingerprint="benchmark", duration=len(rows) * 4.0, container="none")
    lines = [Line(id=r["id"], start=i * 4.0, end=i * 4.0 + 3.0, speaker="S1", text=r["es"]) for i, r in enumerate(rows)]
    return Episode(id="rioplatense", source=media, source_language=SOURCE, lines=lines)


class _LayerGiven(TranslateStage):
    """The translate stage reading a given regional layer instead of the shipped one."""

    def __init__(self, layer: RegionalLayer | None) -> None:
        super().__init__()
        self.layer = layer

    def _layer(self, source: str, ctx: RunContext) -> RegionalLayer | None:
        return self.layer


@dataclass(frozen=True)
class Rate:
    """Lines translated (all targets) per second of CPU time and of wall time."""

    cpu: float
    wall: float


def _cpu_seconds() -> float:
    """CPU time of this process and of the child processes it has waited for (Apertium's pipelines)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def pipeline(rows: list[dict[str, Any]], targets: list[str], layer: RegionalLayer | None = None) -> tuple[dict[str, Output], Rate]:
    """The translate stage on the lines, all targets, in a fresh work directory; outputs and lines per second.
    ``layer``: the regional layer to read instead of the shipped one."""
    stage = TranslateStage() if layer is None else _LayerGiven(layer)
    with tempfile.TemporaryDirectory() as folder:
        ctx = RunContext(workdir=WorkDir(Path(folder), "rioplatense"), config=Config(source_language=SOURCE), targets=targets)
        ctx.workdir.prepare()
        cpu, wall = _cpu_seconds(), time.perf_counter()
        episode = stage.run(_episode(rows), ctx)
        cpu, wall = _cpu_seconds() - cpu, time.perf_counter() - wall
    outputs = {}
    for target in targets:
        renditions = [episode.tracks[target].renditions[r["id"]] for r in rows]
        outputs[target] = Output([r.text for r in renditions], [r.untranslated for r in renditions])
    count = len(rows) * len(targets)
    return outputs, Rate(count / cpu, count / wall)


def warm_up(targets: list[str]) -> None:
    """Load the lexicons, the layer and Apertium's pairs once, on text that is not in the set."""
    rows = [{"id": "W1", "es": "Che, ¿vos sabés dónde queda la plaza? Tengo que laburar."}]
    pipeline(rows, targets)


def held_out_layer() -> RegionalLayer:
    """The shipped layer without its entries that match test lines and no dev line."""
    layer = layer_for(SOURCE)
    if layer is None:
        raise SystemExit(f"no regional layer for {SOURCE}")
    dev, test = split_texts()
    leak = test_only(layer, dev, test)
    print(f"held-out: without {len(leak.term_ids)} terms and {len(leak.names)} names that match test lines only (leakage.py lists them)")
    return held_out(layer, leak)


def _names_glossary(rows: list[dict[str, Any]]) -> Glossary:
    names = sorted({name for row in rows for name in row["names"]}, key=lambda n: (-len(n), n))
    entries = [Entry(id=f"name{i}", term=name, dnt=True, case_sensitive=True, scope="other") for i, name in enumerate(names)]
    return Glossary(name="test-set names", source_language=SOURCE, terms=entries)


def _kept(text: str, name: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def score(rows: list[dict[str, Any]], output: Output, target: str, names: Glossary) -> dict[str, float]:
    """chrF++, BLEU, term success, untranslated words per 100 and lines with every name kept, for one system."""
    references = [row[target] for row in rows]
    chrf = sacrebleu.corpus_chrf(output.texts, [references], word_order=2).score
    bleu = sacrebleu.corpus_bleu(output.texts, [references]).score
    hits = [hit for row, text in zip(rows, output.texts, strict=True) for _, hit in check_matches(row["es"], text, names, SOURCE, target)]
    terms = sum(hit.status == "kept" for hit in hits) / len(hits) if hits else 1.0
    name_words = {word for row in rows for name in row["names"] for word in _WORD.findall(name)}
    words = sum(len([w for w in _WORD.findall(row["es"]) if w not in name_words]) for row in rows)
    left = sum(len([w for w in untranslated if w not in name_words]) for untranslated in output.untranslated)
    named = [(row, text) for row, text in zip(rows, output.texts, strict=True) if row["names"]]
    kept = sum(all(_kept(text, name) for name in row["names"]) for row, text in named) / len(named) if named else 1.0
    return {"chrf": chrf, "bleu": bleu, "terms": 100 * terms, "untranslated": 100 * left / words, "names": 100 * kept}


def _change(target: str, system: str, raw: dict[str, float], full: dict[str, float]) -> str:
    """A system's figures less raw Apertium's (untranslated words as a relative change)."""
    cut = 100 * (1 - full["untranslated"] / raw["untranslated"]) if raw["untranslated"] else 0.0
    return (f"{target:<7} {system:<10} {full['chrf'] - raw['chrf']:>+7.1f} {full['bleu'] - raw['bleu']:>+6.1f}"
            f" {full['terms'] - raw['terms']:>+8.1f} {-cut:>+14.0f}% {full['names'] - raw['names']:>+13.1f}")  # fmt: skip


def report(split: str, rows: list[dict[str, Any]], targets: list[str], held: RegionalLayer | None) -> None:
    """Print the split's table (with the held-out system when ``held`` is given) and the pipeline's throughput."""
    names = _names_glossary(rows)
    piped, rate = pipeline(rows, targets)
    systems = {"pipeline": piped}
    if held is not None:
        systems["held-out"] = pipeline(rows, targets, held)[0]
    print(f"\n{split}: {len(rows)} lines, {sum(len(_WORD.findall(r['es'])) for r in rows)} source words")
    print(f"{'target':<7} {'system':<10} {'chrF++':>7} {'BLEU':>6} {'terms %':>8} {'untransl./100w':>15} {'names kept %':>13}")
    for target in targets:
        raw = score(rows, raw_apertium(rows, target), target, names)
        scored = {system: score(rows, outputs[target], target, names) for system, outputs in systems.items()}
        for system, figures in (("apertium", raw), *scored.items()):
            print(
                f"{target:<7} {system:<10} {figures['chrf']:>7.1f} {figures['bleu']:>6.1f} {figures['terms']:>8.1f}"
                f" {figures['untranslated']:>15.2f} {figures['names']:>13.1f}"
            )
        for system, figures in scored.items():
            print(_change(target, "change" if system == "pipeline" else "change h-o", raw, figures))
    print(
        f"pipeline throughput: {rate.cpu:.1f} lines/s of CPU time, {rate.wall:.1f} lines/s of wall time"
        f" ({len(rows)} lines x {len(targets)} targets, cold cache, load average {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    """Print the tables for the chosen splits."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--targets", default="en,pt-BR,fr")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--hold-out-test-only", action="store_true", help="also score the layer without its test-only entries")
    args = parser.parse_args()
    targets = args.targets.split(",")
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    held = held_out_layer() if args.hold_out_test_only else None
    warm_up(targets)
    for split in ("dev", "test") if args.split == "both" else (args.split,):
        report(split, [row for row in rows if row["split"] == split], targets, held)


if __name__ == "__main__":
    main()
