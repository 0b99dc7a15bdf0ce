"""The Rioplatense translation test set (benchmarks/translation) keeps the rules its README states."""

import json
from pathlib import Path

import pytest

from benchmarks.translation.check_testset import DEFAULT_SET, check


def test_the_rioplatense_set_passes_its_checker() -> None:
    problems, entries = check(DEFAULT_SET)
    assert problems == []
    assert [entry["split"] for entry in entries].count("test") == 300


@pytest.mark.parametrize("name", ["rioplatense_extra_dev", "rioplatense_fresh_dev", "rioplatense_blind2"])
def test_each_development_set_passes_its_checker(name: str) -> None:
    problems, entries = check(DEFAULT_SET.with_name(f"{name}.jsonl"), dev=True)
    assert problems == [] and entries and {entry["split"] for entry in entries} == {"dev"}


def test_the_checker_flags_french_spacing_and_a_name_a_reference_dropped(tmp_path: Path) -> None:
    entry = json.loads(DEFAULT_SET.read_text(encoding="utf-8").splitlines()[0])
    entry["fr"] = entry["fr"].replace("\u00a0?", " ?")
    entry["pt-BR"] = entry["pt-BR"].replace("Martín", "Martinho")
    broken = tmp_path / "set.jsonl"
    broken.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    problems, _ = check(broken)
    assert "R001: fr: no U+00A0 before '?' at 49" in problems
    assert "R001: name 'Martín' missing from pt-BR" in problems
