"""Term success rate and do-not-translate preservation on the glossary test set, with and without enforcement.

Term success rate follows the WMT 2023 terminology task: the share of source
term occurrences whose required target term appears in the translation,
matched on lemmas (spaCy lookup tables, so "croissants" counts for
"croissant"). Do-not-translate preservation: the share of do-not-translate
occurrences that survive verbatim.

Usage: .venv/bin/python benchmarks/glossary_quality.py [--backend apertium.v1] [--targets en,pt-BR,fr]
(builds the test set with benchmarks/glossary_testset.py first when it is missing;
throughput is measured by benchmarks/translate_throughput.py)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / ".data" / "glossary"
sys.path.insert(0, str(ROOT))

from localize.glossary import load_glossary  # noqa: E402
from localize.glossary.check import check_matches  # noqa: E402
from localize.registry import create  # noqa: E402
from localize.stages.translate import TranslationRequest, Translator  # noqa: E402
from localize.stages.translate.enforce import translate_lines  # noqa: E402


def ensure_testset() -> None:
    """Build the test set if it is not there yet."""
    if not (DATA / "lines.json").is_file():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "glossary_testset.py"), "--out", str(DATA)], check=True)


def score(texts: list[str], outputs: list[str], glossary_path: Path, target: str) -> dict[str, float | int]:
    """Occurrence counts and rates for one target."""
    glossary = load_glossary(glossary_path)
    occurrences = honoured = dnt = kept = forbidden = inflected = multiword = 0
    for text, output in zip(texts, outputs, strict=True):
        for match, hit in check_matches(text, output, glossary, glossary.source_language, target):
            occurrences += 1
            honoured += hit.status in {"honoured", "kept"}
            forbidden += hit.status == "forbidden"
            inflected += match.surface.casefold() != match.entry.term.casefold()
            multiword += " " in match.entry.term
            if match.entry.rule(target).dnt:
                dnt += 1
                kept += hit.status == "kept"
    return {
        "occurrences": occurrences,
        "inflected": inflected,
        "multiword": multiword,
        "success": honoured / occurrences if occurrences else 0.0,
        "dnt": dnt,
        "dnt_kept": kept / dnt if dnt else 1.0,
        "forbidden": forbidden,
    }


def main() -> None:
    """Translate the test set per target with and without enforcement; print one row per run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="apertium.v1")
    parser.add_argument("--options", default="{}", help="Backend options as JSON.")
    parser.add_argument("--targets", default="en,pt-BR,fr")
    args = parser.parse_args()
    ensure_testset()
    glossary_path = DATA / "glossary.yaml"
    glossary = load_glossary(glossary_path)
    texts = [line["text"] for line in json.loads((DATA / "lines.json").read_text(encoding="utf-8"))]
    translator = create("translate", args.backend, json.loads(args.options))
    assert isinstance(translator, Translator)
    requests = [TranslationRequest(text) for text in texts]
    print(f"glossary test set: {len(texts)} lines, {len(glossary.terms)} terms; backend {args.backend}")
    print(f"{'target':<7} {'mode':<13} {'occ':>4} {'infl':>4} {'multi':>5} {'success':>8} {'dnt kept':>9} {'forbid':>6}")
    totals: dict[str, list[float]] = {}
    for target in args.targets.split(","):
        for mode, enforced in (("enforced", glossary), ("no-enforce", None)):
            outputs = [c[0] for c in translate_lines(translator, requests, glossary.source_language, target, enforced)]
            row = score(texts, outputs, glossary_path, target)
            total = totals.setdefault(mode, [0, 0, 0, 0])
            total[0] += row["occurrences"]
            total[1] += row["success"] * row["occurrences"]
            total[2] += row["dnt"]
            total[3] += row["dnt_kept"] * row["dnt"]
            print(
                f"{target:<7} {mode:<13} {row['occurrences']:>4} {row['inflected']:>4} {row['multiword']:>5} "
                f"{row['success']:>8.1%} {row['dnt_kept']:>9.1%} {row['forbidden']:>6}"
            )
    for mode, (occ, good, dnt, kept) in totals.items():
        print(f"all     {mode:<13} {int(occ):>4} term success {good / occ:.1%}, do-not-translate kept {kept / dnt:.1%} ({int(dnt)})")


if __name__ == "__main__":
    main()
