"""What a re-run costs after a small change: one translated line, one glossary rendering, one speaker's name.

Usage::

    .venv/bin/python benchmarks/incremental.py                 # the bundled sample
    .venv/bin/python benchmarks/incremental.py --longform      # benchmarks/longform/out (make_longform.py makes it)

Prints, for a full run, the cached re-run and a re-run after each change: wall and CPU seconds (the CPU time
of the run and every program it started, which other load on the machine does not inflate), the share of the
full run's CPU time, the stages that ran, the lines synthesised again, and which deliverables changed.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from localize.glossary import load_glossary

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("en", "pt-BR", "fr")


@dataclass(frozen=True)
class Material:
    """An episode to run and its glossary."""

    source: Path
    glossary: Path


SAMPLE = Material(ROOT / "samples" / "colectivo" / "episode.mp4", ROOT / "glossaries" / "colectivo.yaml")
LONGFORM = Material(ROOT / "benchmarks" / "longform" / "out" / "episode.wav", ROOT / "glossaries" / "colectivo.yaml")


@dataclass(frozen=True)
class Cost:
    """What one command took: wall seconds and CPU seconds (its own and its children's)."""

    wall: float
    cpu: float


def localize(*args: str | Path) -> Cost:
    """Run the CLI in a child process."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([sys.executable, "-m", "localize.cli", *map(str, args)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Cost(time.perf_counter() - started, cpu)


def state(folder: Path) -> dict:
    return json.loads((folder / ".localize" / "manifest.json").read_text(encoding="utf-8"))


def deliverables(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return {item["path"]: item["sha256"] for item in manifest["deliverables"]}


def takes(folder: Path) -> set[str]:
    return {path.name for path in (folder / ".localize" / "artifacts").rglob("*.take.wav")}


def run(material: Material, out: Path, glossary: Path) -> Cost:
    args = ["run", material.source, "--from", "es-AR", "--to", ",".join(TARGETS), "--glossary", glossary, "--out", out, "--quiet"]
    return localize(*args)


def report(label: str, cost: Cost, full: Cost, folder: Path, before: dict[str, str], before_takes: set[str]) -> None:
    ran = [name for name, record in state(folder)["stages"].items() if not record["cache_hit"]]
    after = deliverables(folder)
    changed = sorted(path for path in after if before.get(path) != after[path])
    languages = sorted({path.split("/")[0] for path in changed if "/" in path})
    top = [path for path in changed if "/" not in path]
    resynthesised = len(takes(folder) - before_takes)
    where = f"languages {','.join(languages) or '-'}; top level {','.join(top) or '-'}"
    print(
        f"{label:<36} {cost.wall:6.1f} s wall {cost.cpu:6.1f} s CPU {100 * cost.cpu / full.cpu:5.1f}%  ran: {','.join(ran) or '-':<36} "
        f"takes made: {resynthesised:<4} changed: {len(changed)} files ({where})"
    )


def edit_french_line(folder: Path, scratch: Path) -> str:
    """Export the French script, change the third line's translation, import it; the line id."""
    script = scratch / "fr.csv"
    localize("script", "export", folder, "--language", "fr", "--format", "csv", "--out", script)
    rows = list(csv.reader(script.open(encoding="utf-8-sig")))
    rows[3][rows[0].index("Translation")] = "Une réplique corrigée par la relectrice."
    with script.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    localize("script", "import", folder, script, "--language", "fr")
    return rows[3][0]


def change_rendering(glossary: Path, folder: Path, scratch: Path) -> tuple[Path, str, int]:
    """A copy of the glossary with a French rendering changed: the entry found in the most lines, and how many."""
    terms = load_glossary(glossary)
    lines = [line["text"] for line in state(folder)["lines"]]
    found = {entry.id: sum(entry in terms.entries_for(text, "fr") for text in lines) for entry in terms.terms}
    term = max(found, key=lambda entry_id: found[entry_id])
    data = yaml.safe_load(glossary.read_text(encoding="utf-8"))
    entry = next(entry for entry in data["terms"] if entry["id"] == term)
    entry.setdefault("targets", {}).setdefault("fr", {})["renderings"] = [f"{entry['term']} (revu)"]
    changed = scratch / glossary.name
    changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return changed, term, found[term]


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

    glossary, term, holding = change_rendering(material.glossary, folder, scratch)
    before, before_takes = deliverables(folder), takes(folder)
    report(f"(b) '{term}' fr rendering ({holding} lines)", run(material, out, glossary), full, folder, before, before_takes)

    speakers = folder / "speakers.yaml"
    names = yaml.safe_load(speakers.read_text(encoding="utf-8"))
    first = next(iter(names))
    speakers.write_text(yaml.safe_dump({**names, first: "Tito"}, allow_unicode=True), encoding="utf-8")
    before, before_takes = deliverables(folder), takes(folder)
    report(f"(c) {first} renamed", run(material, out, glossary), full, folder, before, before_takes)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
