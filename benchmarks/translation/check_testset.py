"""Check the Rioplatense translation test set against the rules of README.md and print its counts per split and tag.

The test set (``rioplatense.jsonl``) numbers its lines R001, R002, ... and splits them one dev in six; a development
set (``--dev``: every other ``.jsonl`` here) has ids of its own letter (X001, F001, B001, ...) and only dev lines.
The rules for each line are the same.

Usage: .venv/bin/python benchmarks/translation/check_testset.py [--dev] [benchmarks/translation/rioplatense.jsonl]
Prints one line per problem and exits 1 when the set breaks a rule; prints the counts either way.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_SET = Path(__file__).resolve().parent / "rioplatense.jsonl"
TARGETS = ("en", "pt-BR", "fr")
FIELDS = ("id", "split", "es", *TARGETS, "names", "tags", "note")
TAGS = ("voseo", "lunfardo", "name", "place", "number", "idiom", "interjection", "diminutive")
SPLIT_SIZES = {"dev": 60, "test": 300}
DEV_EVERY = 6  # R001, R007, R013, ... are dev: one line in six, spread over the whole set
MIN_WORDS, MAX_WORDS = 2, 20
NBSP = "\u00a0"
# Forms that are not Rioplatense (tuteo, vosotros, Mexican diminutive).
NOT_RIOPLATENSE = re.compile(r"(?<!\w)(tú|vosotros|vosotras|ahorita)(?!\w)", re.IGNORECASE)
# Spellings the 2009 reform abolished in Brazil: trema, accented "éi"/"ói" in paroxytones, "vôo", "vêem".
PRE_REFORM_PT = re.compile(r"ü|éia|óia|óic|ôo|êem(?!\w)", re.IGNORECASE)


def expected_split(number: int) -> str:
    """The split a line's number puts it in."""
    return "dev" if (number - 1) % DEV_EVERY == 0 else "test"


def contains_verbatim(text: str, name: str) -> bool:
    """Whether ``name`` occurs in ``text`` exactly, as whole words (so "Pato" is not found in "Patota")."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def french_typography_problems(text: str) -> list[str]:
    """The French spacing rules ``text`` breaks: U+00A0 before ? ! : ; and inside « »."""
    problems = []
    for index, char in enumerate(text):
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if char in "?!:;":
            if char == ":" and before.isdigit() and after.isdigit():
                continue
            if before != NBSP and before not in "?!":
                problems.append(f"no U+00A0 before {char!r} at {index}")
        elif char == "«" and after != NBSP:
            problems.append(f"no U+00A0 after '«' at {index}")
        elif char == "»" and before != NBSP:
            problems.append(f"no U+00A0 before '»' at {index}")
    return problems


def line_problems(number: int, entry: Any, seen_sources: set[str], prefix: str | None = None) -> list[str]:
    """Every rule one line breaks, as short phrases. ``prefix``: a development set's id letter (all its lines are
    dev); None for the test set (R ids, split by number)."""
    if not isinstance(entry, dict):
        return ["not a JSON object"]
    if list(entry) != list(FIELDS):
        return [f"fields are {list(entry)}, expected {list(FIELDS)} in that order"]
    problems = []
    texts = {key: entry[key] for key in ("es", *TARGETS)}
    for key, value in [*texts.items(), ("note", entry["note"]), ("id", entry["id"]), ("split", entry["split"])]:
        if not isinstance(value, str):
            return [f"{key} is not a string"]
        if value != value.strip() or "  " in value or "\n" in value:
            problems.append(f"{key} has stray whitespace")
    if entry["id"] != f"{prefix or 'R'}{number:03d}":
        problems.append(f"id {entry['id']!r} is not {prefix or 'R'}{number:03d} (ids are sequential)")
    split = "dev" if prefix else expected_split(number)
    if entry["split"] != split:
        problems.append(f"split {entry['split']!r}, the rule says {split!r}")
    for key, value in texts.items():
        if not value:
            problems.append(f"{key} is empty")
    words = len(entry["es"].split())
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append(f"es has {words} words (allowed {MIN_WORDS}-{MAX_WORDS})")
    source_key = " ".join(re.sub(r"[^\w\s]", " ", entry["es"].casefold()).split())
    if source_key in seen_sources:
        problems.append("es repeats an earlier line")
    seen_sources.add(source_key)
    if match := NOT_RIOPLATENSE.search(entry["es"]):
        problems.append(f"es uses {match.group()!r}, which is not Rioplatense")
    names, tags = entry["names"], entry["tags"]
    if not isinstance(names, list) or not all(isinstance(name, str) and name.strip() for name in names):
        return [*problems, "names is not a list of non-empty strings"]
    if not isinstance(tags, list) or len(set(tags)) != len(tags) or not set(tags) <= set(TAGS):
        return [*problems, f"tags {tags!r} must be a list of distinct tags from {TAGS} (empty for a plain line)"]
    for name in names:
        for key, value in texts.items():
            if not contains_verbatim(value, name):
                problems.append(f"name {name!r} missing from {key}")
    if bool(names) != bool({"name", "place"} & set(tags)):
        problems.append("names and the name/place tags disagree")
    for key in ("es", "en", "pt-BR"):
        if re.search(r"\s[?!:;]", texts[key]) or NBSP in texts[key]:
            problems.append(f"{key} has a space before ? ! : ; (only French takes one)")
    problems += [f"fr: {problem}" for problem in french_typography_problems(texts["fr"])]
    if match := PRE_REFORM_PT.search(texts["pt-BR"]):
        problems.append(f"pt-BR has the pre-2009 spelling {match.group()!r}")
    return problems


def check(path: Path, dev: bool = False) -> tuple[list[str], list[dict[str, Any]]]:
    """Problems found in the set at ``path`` (as "R012: ..." lines) and its entries that parsed. ``dev``: a
    development set (the first line's id letter for all, every line dev, any size)."""
    problems: list[str] = []
    entries: list[dict[str, Any]] = []
    seen_sources: set[str] = set()
    prefix = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            entry = json.loads(raw)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON ({error.msg})")
            continue
        if dev and prefix is None:
            prefix = str(entry.get("id", "D"))[:1] if isinstance(entry, dict) else "D"
        label = f"{prefix or 'R'}{number:03d}"
        problems += [f"{label}: {problem}" for problem in line_problems(number, entry, seen_sources, prefix)]
        if isinstance(entry, dict):
            entries.append(entry)
    sizes = Counter(entry.get("split") for entry in entries)
    for split, size in SPLIT_SIZES.items() if not dev else ():
        if sizes[split] != size:
            problems.append(f"split {split} has {sizes[split]} lines, expected {size}")
    return problems, entries


def counts_table(entries: list[dict[str, Any]]) -> str:
    """Lines per tag and split, with the distinct names, as a Markdown table."""
    splits = list(SPLIT_SIZES)
    rows = [["lines", *(sum(entry.get("split") == split for entry in entries) for split in splits), len(entries)]]
    for tag in TAGS:
        row = [sum(entry.get("split") == split and tag in entry.get("tags", []) for entry in entries) for split in splits]
        rows.append([tag, *row, sum(row)])
    distinct = [{name for entry in entries if entry.get("split") == split for name in entry.get("names", [])} for split in splits]
    rows.append(["distinct names", *(len(names) for names in distinct), len(set().union(*distinct))])
    lines = ["| | " + " | ".join(splits) + " | all |", "|---|" + "---:|" * (len(splits) + 1)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--dev", action="store_true", help="a development set: ids of its own letter, all dev")
    args = parser.parse_args()
    problems, entries = check(args.path, args.dev)
    print(counts_table(entries))
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) in {args.path.name}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
