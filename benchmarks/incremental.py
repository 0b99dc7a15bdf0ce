"""What a re-run costs after a small change: one translated line, one glossary rendering, one speaker's name.

Usage::

    .venv/bin/python benchmarks/incremental.py                 # the bundled sample
    .venv/bin/python benchmarks/incremental.py --longform      # benchmarks/longform/out (make_longform.py makes it)

Prints, for a full run, the cached re-run and a re-run after each change: wall seconds, the share of
the full run, the stages that ran, the lines synthesised again, and which deliverables changed.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("en", "pt-BR", "fr")


@dataclass(frozen=True)
class Material:
    """An episode to run and the glossary term to change."""

    source: Path
    glossary: Path
    term: str
    """The glossary entry (id) whose French rendering changes in step (b)."""


SAMPLE = Material(ROOT / "samples" / "colectivo" / "episode.mp4", ROOT / "glossaries" / "colectivo.yaml", "mate")
LONGFORM = Material(ROOT / "benchmarks" / "longform" / "out" / "episode.wav", ROOT / "glossaries" / "colectivo.yaml", "mate")


def localize(*args: str | Path) -> float:
    """Run the CLI in a child process; its wall seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "localize.cli", *map(str, args)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def state(folder: Path) -> dict:
    return json.loads((folder / ".localize" / "manifest.json").read_text(encoding="utf-8"))


def deliverables(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {item["path"]: item["sha256"] for item in manifest["deliverables"]}


def takes(folder: Path) -> set[str]:
    return {path.name for path in (folder / ".localize" / "artifacts").rglob("*.take.wav")}


def run(material: Material, out: Path, glossary: Path) -> float:
    args = ["run", material.source, "--from", "es-AR", "--to", ",".join(TARGETS), "--glossary", glossary, "--out", out, "--quiet"]
    return localize(*args)


def report(label: str, seconds: float, full: float, folder: Path, before: dict[str, str], before_takes: set[str]) -> None:
    ran = [name for name, record in state(folder)["stages"].items() if not record["cache_hit"]]
    after = deliverables(folder)
    changed = sorted(path for path in after if before.get(path) != after[path])
    languages = sorted({path.split("/")[0] for path in changed if "/" in path})
    top = [path for path in changed if "/" not in path]
    resynthesised = len(takes(folder) - before_takes)
    where = f"languages {','.join(languages) or '-'}; top level {','.join(top) or '-'}"
    print(
        f"{label:<34} {seconds:7.1f} s {100 * seconds / full:5.1f}%  ran: {','.join(ran) or '-':<40} "
        f"takes made: {resynthesised:<4} changed: {len(changed)} files ({where})"
    )


def edit_french_line(folder: Path, scratch: Path) -> str:
    """Export the French script, change the third line's translation, import it; the line id."""
    script = scratch / "fr.csv"
    localize("script", "export", folder, "--language", "fr", "--format", "csv", "--out", script)
    rows = list(csv.reader(script.open(encoding="utf-8-sig")))
    rows[3][5] = "Une réplique corrigée par la relectrice."
    with script.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    localize("script", "import", folder, script, "--language", "fr")
    return rows[3][0]


def change_rendering(glossary: Path, term: str, scratch: Path) -> Path:
    """A copy of the glossary with ``term``'s French rendering changed."""
    data = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    entry = next(entry for entry in data["terms"] if entry["id"] == term)
    entry.setdefault("targets", {}).setdefault("fr", {})["renderings"] = ["maté infusé"]
    changed = scratch / glossary.name
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--longform", action="store_true", help="the 10-minute episode instead of the sample")
    args = parser.parse_args()
    material = LONGFORM if args.longform else SAMPLE
    if not material.source.is_file():
        sys.exit(f"{material.source} is missing: run benchmarks/longform/make_longform.py first")
    scratch = Path(tempfile.mkdtemp(prefix="localize-incremental-"))
    out = scratch / "out"
    folder = out / material.source.stem
    print(f"{material.source.relative_to(ROOT)} -> {', '.join(TARGETS)}")
    full = run(material, out, material.glossary)
    report("full run", full, full, folder, {}, set())
    before, before_takes = deliverables(folder), takes(folder)
    report("cached re-run", run(material, out, material.glossary), full, folder, before, before_takes)

    line = edit_french_line(folder, scratch)
    before, before_takes = deliverables(folder), takes(folder)
    report(f"(a) fr {line} edited", run(material, out, material.glossary), full, folder, before, before_takes)

    glossary = change_rendering(material.glossary, material.term, scratch)
    holding = sum(material.term in line["text"].lower() for line in state(folder)["lines"])
    before, before_takes = deliverables(folder), takes(folder)
    report(f"(b) '{material.term}' fr rendering ({holding} lines)", run(material, out, glossary), full, folder, before, before_takes)

    speakers = folder / "speakers.yaml"
    names = yaml.safe_load(speakers.read_text(encoding="utf-8"))
    first = next(iter(names))
    speakers.write_text(yaml.safe_dump({**names, first: "Tito"}, allow_unicode=True), encoding="utf-8")
    before, before_takes = deliverables(folder), takes(folder)
    report(f"(c) {first} renamed", run(material, out, glossary), full, folder, before, before_takes)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
