"""Regional-layer entries only the test split could have suggested: terms and names that match test lines, no dev line.

The test split is held out (README.md beside this file), but nothing proves the
layers' vocabulary was written without it in view. This lists, from the layer of
the test set's language (es.yaml with es-AR.yaml on top):

- terms and interjections that take part in reading a test line (a standard word
  read instead, a conjugated verb, a rendering put in) and in reading no dev line
  (the ``dev`` split of rioplatense.jsonl and rioplatense_extra_dev.jsonl), for
  any of the layer's targets;
- gazetteer names found in a test line (whole words, exact case, each name on its
  own) and in no dev line.

Removing an entry can let a shorter one it covered take part instead, so the
search is repeated on the layer without what it found until nothing new turns up.
``held_out`` gives the layer without those entries: translation_quality.py
``--hold-out-test-only`` scores it, the conservative figure (a legitimate word
that happens to occur only in test is removed too). The data files are not changed.

Usage: .venv/bin/python benchmarks/translation/leakage.py [--region es-AR]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from localize.regional.load import default_regions_dir, layer_for, load_layer  # noqa: E402
from localize.regional.model import LayerTerm, RegionalLayer  # noqa: E402
from localize.regional.reader import LayerReader  # noqa: E402

HERE = Path(__file__).resolve().parent
TESTSET = HERE / "rioplatense.jsonl"
EXTRA_DEV = HERE / "rioplatense_extra_dev.jsonl"


@dataclass(frozen=True)
class Leak:
    """Layer entries that match test lines and no dev line."""

    term_ids: frozenset[str]
    names: frozenset[str]


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split_texts() -> tuple[list[str], list[str]]:
    """The source lines of every dev set, and of the test split."""
    rows = _rows(TESTSET) + _rows(EXTRA_DEV)
    return [r["es"] for r in rows if r["split"] == "dev"], [r["es"] for r in rows if r["split"] == "test"]


def terms_used(layer: RegionalLayer, texts: list[str]) -> set[str]:
    """Ids of the layer's terms and interjections that take part in reading any of ``texts`` into any target."""
    ids = {term.id for term in (*layer.terms, *layer.interjections)}
    used: set[str] = set()
    for target in layer.targets:
        reader = LayerReader(layer, target)
        for text in texts:
            normalised = reader.normalise(text)
            used |= {edit.rule for edit in normalised.edits if edit.rule in ids}
            for read in (text, normalised.text):
                used |= {match.entry.id for match in reader.rendered_terms(read) if match.entry.id in ids}
    return used


def names_used(names: list[str], texts: list[str]) -> set[str]:
    """The names found in any of ``texts``, each on its own (whole words, exact case)."""
    joined = "\n".join(texts)
    return {name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", joined)}


def held_out(layer: RegionalLayer, leak: Leak) -> RegionalLayer:
    """The layer without the leaked entries (in memory)."""
    return layer.model_copy(
        update={
            "terms": [term for term in layer.terms if term.id not in leak.term_ids],
            "interjections": [term for term in layer.interjections if term.id not in leak.term_ids],
            "names": [name for name in layer.names if name not in leak.names],
        }
    )


def test_only(layer: RegionalLayer, dev: list[str], test: list[str]) -> Leak:
    """The entries that match test lines and no dev line, searched again on what is left until nothing new is found."""
    names = frozenset(names_used(layer.names, test) - names_used(layer.names, dev))
    dev_terms = terms_used(layer, dev)
    leak = Leak(frozenset(), names)
    while True:
        found = terms_used(held_out(layer, leak), test) - dev_terms
        if not found:
            return leak
        leak = Leak(leak.term_ids | found, names)


def _files(region: str) -> dict[str, str]:
    """Which shipped file defines each term id (the more specific file wins)."""
    folder = default_regions_dir()
    owners: dict[str, str] = {}
    for stem in dict.fromkeys([region.split("-")[0], region]):
        path = folder / f"{stem}.yaml"
        if path.is_file():
            shipped = load_layer(path)
            owners |= {term.id: path.name for term in (*shipped.terms, *shipped.interjections)}
    return owners


def _describe(term: LayerTerm) -> str:
    forms = ", ".join(form for form in term.forms if form != term.term)
    return f"{term.id}: {term.term}" + (f" ({forms})" if forms else "")


def main() -> None:
    """Print the test-only terms (multi-word first) and names."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--region", default="es-AR")
    args = parser.parse_args()
    layer = layer_for(args.region)
    if layer is None:
        raise SystemExit(f"no regional layer for {args.region}")
    dev, test = split_texts()
    leak = test_only(layer, dev, test)
    owners = _files(args.region)
    terms = [term for term in (*layer.terms, *layer.interjections) if term.id in leak.term_ids]
    multi = [term for term in terms if " " in term.term.strip()]
    single = [term for term in terms if " " not in term.term.strip()]
    entries = len(layer.terms) + len(layer.interjections)
    print(f"{len(dev)} dev lines, {len(test)} test lines; layer {args.region}: {entries} terms, {len(layer.names)} names")
    for title, group in (("multi-word terms", multi), ("single-word terms", single)):
        print(f"\n{title} matching test lines only: {len(group)}")
        for term in group:
            print(f"  {owners.get(term.id, '?'):<12} {_describe(term)}")
    print(f"\ngazetteer names matching test lines only: {len(leak.names)}")
    print("  " + ", ".join(sorted(leak.names)))


if __name__ == "__main__":
    main()
