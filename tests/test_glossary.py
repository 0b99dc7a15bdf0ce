"""Glossary: loading (YAML, CSV, TBX), errors with line and field, matching, checking, reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from localize.errors import GlossaryError
from localize.glossary import (
    Entry,
    Glossary,
    TargetRule,
    check_rendition,
    find_rendering,
    find_terms,
    load_glossary,
    save_glossary,
    write_glossary_report,
)
from localize.model import Episode, Line, MediaInfo, PivotedWord, Rendition, Speaker, Track
from tests.conftest import SAMPLE_GLOSSARY

# Line numbers matter: the malformed cases below point into this text.
GLOSSARY = """\
name: Test series
source_language: es-AR
targets: [en, pt-BR, fr]
terms:
  - id: mate
    term: mate
    variants: [mates]
    pos: NOUN
    scope: food
    dnt: false
    case_sensitive: false
    note: Infusion of yerba mate.
    targets:
      en: {renderings: [mate], forbidden: [tea], note: "Keep mate."}
      pt-BR: {renderings: [chimarrão]}
      fr: {renderings: [maté], forbidden: [thé]}
  - id: martin
    term: Martín
    scope: character
    dnt: true
    case_sensitive: true
  - id: plaza
    term: Plaza de Mayo
    scope: place
    targets:
      en: {renderings: [Plaza de Mayo], forbidden: [Square of May]}
      pt-BR: {renderings: [Praça de Maio]}
  - id: colectivo-brand
    term: Colectivo
    scope: brand
    dnt: true
    case_sensitive: true
formality:
  - speakers: [Martín, Lucía]
    register: informal
  - speakers: [Martín, Don Ramón]
    register: formal
"""


def write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    return load_glossary(write(tmp_path, GLOSSARY))


def test_loads_the_schema(glossary: Glossary) -> None:
    assert glossary.name == "Test series"
    assert glossary.source_language == "es-AR"
    assert glossary.targets == ["en", "pt-BR", "fr"]
    mate = glossary.terms[0]
    assert (mate.id, mate.term, mate.variants, mate.pos, mate.scope) == ("mate", "mate", ["mates"], "NOUN", "food")
    assert mate.line == 5
    assert mate.targets["en"] == TargetRule(renderings=["mate"], forbidden=["tea"], note="Keep mate.")
    assert mate.rule("pt-BR").renderings == ["chimarrão"]
    assert mate.rule("fr-CA").renderings == ["maté"], "falls back to the base language"
    assert mate.rule("de").renderings == []
    assert glossary.terms[1].rule("en") == TargetRule(renderings=["Martín"], dnt=True, case_sensitive=True)
    assert glossary.formality_for("Martín", "Lucía") == "informal"
    assert glossary.formality_for("Martín", "Don Ramón") == "formal"
    assert glossary.formality_for("Martín") is None, "ambiguous without an addressee"
    assert glossary.formality_for("Lucía") == "informal"


def test_sample_glossary_loads() -> None:
    sample = load_glossary(SAMPLE_GLOSSARY)
    assert sample.source_language == "es-AR"
    assert {"mate", "colectivo"} <= {entry.id for entry in sample.terms}


def replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


CONFLICTING = "  - id: mate2\n    term: Mates\n    targets:\n      en: {renderings: [tereré]}\n"
MALFORMED = {
    "missing term": (replace("    term: Martín\n", ""), 17, "term"),
    "unknown field": (replace("    pos: NOUN\n", "    pos: NOUN\n    colour: red\n"), 9, "colour"),
    "target not a language": (replace("      fr: {", "      klingonish: {"), 16, "targets.klingonish"),
    "target not declared": (replace("      fr: {", "      de: {"), 16, "targets.de"),
    "renderings not a list": (replace("[chimarrão]", "chimarrão"), 15, "targets.pt-BR.renderings"),
    "rendering not a string": (replace("[chimarrão]", "[1, 2]"), 15, "targets.pt-BR.renderings.0"),
    "invalid YAML": (replace("variants: [mates]", "variants: [mates"), 8, "(syntax)"),
    "duplicate id": (replace("  - id: plaza\n", "  - id: mate\n"), 22, "id"),
    "conflicting term": (
        replace("formality:", CONFLICTING + "formality:"),
        34,
        "term",
    ),
    "rendering also forbidden": (replace("forbidden: [thé]", "forbidden: [thé, Maté]"), 16, "targets.fr.forbidden"),
    "bad scope": (replace("scope: food", "scope: drinks"), 9, "scope"),
    "duplicate key": (replace("    pos: NOUN\n", "    pos: NOUN\n    pos: VERB\n"), 9, "pos"),
    "bad register": (replace("register: formal", "register: polite"), 37, "register"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_yaml_names_line_and_field(tmp_path: Path, case: str) -> None:
    edit, line, field = MALFORMED[case]
    path = write(tmp_path, edit(GLOSSARY))
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    assert (caught.value.line, caught.value.field) == (line, field), caught.value.message
    assert caught.value.file == str(path)
    assert f"g.yaml:{line}" in caught.value.one_line()


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="expected a mapping"):
        load_glossary(write(tmp_path, "- just\n- a list\n"))


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="unsupported format"):
        load_glossary(write(tmp_path, "x", "g.txt"))


def comparable(glossary: Glossary) -> list[dict]:
    return [entry.model_dump(exclude={"line"}) for entry in glossary.terms]


@pytest.mark.parametrize("suffix", ["csv", "tbx", "yaml"])
def test_round_trip(glossary: Glossary, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out.{suffix}"
    save_glossary(glossary, path)
    again = load_glossary(path, source_language="es-AR")
    assert comparable(again) == comparable(glossary)
    assert again.source_language == "es-AR"
    assert again.targets == glossary.targets
    if suffix != "csv":
        assert again.name == glossary.name
    if suffix == "yaml":
        assert again.formality == glossary.formality


def test_csv_columns_and_row_errors(glossary: Glossary, tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    save_glossary(glossary, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:11] == [
        *("id", "term", "variants", "pos", "scope", "dnt", "case_sensitive", "note"),
        *("en:renderings", "en:forbidden", "en:note"),
    ]
    assert lines[1].startswith("mate,mate,mates,NOUN,food,false,false,")
    path.write_text("\n".join([*lines, "broken,,,,,maybe,,"]) + "\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    assert (caught.value.line, caught.value.field) == (len(lines) + 1, "dnt")
    path.write_text("id,term,colour\nx,y,red\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="unknown column") as caught:
        load_glossary(path)
    assert caught.value.line == 1


def test_tbx_is_iso_30042_and_reports_lines(glossary: Glossary, tmp_path: Path) -> None:
    path = tmp_path / "g.tbx"
    save_glossary(glossary, path)
    text = path.read_text(encoding="utf-8")
    assert 'xmlns="urn:iso:std:iso:30042:ed-2"' in text and '<conceptEntry id="mate">' in text
    assert "deprecatedTerm-admn-sts" in text
    broken = text.replace('<langSec xml:lang="fr">', '<langSec xml:lang="klingonish">')
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(GlossaryError) as caught:
        load_glossary(path)
    expected_line = broken.splitlines().index('        <langSec xml:lang="klingonish">') + 1
    assert (caught.value.line, caught.value.field) == (expected_line, "targets.klingonish")
    path.write_text(text[:200], encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"\(syntax\)"):
        load_glossary(path)


def test_tbx_2008_martif_import(tmp_path: Path) -> None:
    martif = """<?xml version="1.0"?>
<martif type="TBX" xml:lang="es"><text><body>
  <termEntry id="mate">
    <langSet xml:lang="es"><tig><term>mate</term></tig></langSet>
    <langSet xml:lang="en"><tig><term>mate</term></tig>
      <tig><term>tea</term><termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote></tig></langSet>
  </termEntry>
</body></text></martif>
"""
    loaded = load_glossary(write(tmp_path, martif, "old.tbx"))
    assert loaded.terms[0].targets["en"] == TargetRule(renderings=["mate"], forbidden=["tea"])
    assert loaded.name == "old"


def surfaces(glossary: Glossary, text: str) -> list[tuple[str, str]]:
    return [(m.entry.id, m.surface) for m in find_terms(glossary, text, "es-AR")]


def test_matching_is_inflection_aware(glossary: Glossary) -> None:
    assert surfaces(glossary, "¿Tomamos unos mates?") == [("mate", "mates")]
    assert surfaces(glossary, "Mate amargo, por favor.") == [("mate", "Mate")]
    assert surfaces(glossary, "Lo mató ayer.") == [], "a verb form of 'matar' is not the noun 'mate'"


def test_multiword_and_offsets(glossary: Glossary) -> None:
    text = "Nos vemos en la Plaza de Mayo con Martín."
    matches = find_terms(glossary, text, "es-AR")
    assert [(m.entry.id, m.surface) for m in matches] == [("plaza", "Plaza de Mayo"), ("martin", "Martín")]
    assert all(text[m.start : m.end] == m.surface for m in matches)
    assert surfaces(glossary, "la plaza de mayo") == [("plaza", "plaza de mayo")]


def test_case_sensitive_entries(glossary: Glossary) -> None:
    assert surfaces(glossary, "Me tomo el colectivo.") == []
    assert surfaces(glossary, "Trabajo en Colectivo.") == [("colectivo-brand", "Colectivo")]
    assert surfaces(glossary, "MARTÍN y martín") == []


def test_longest_match_wins_without_overlap() -> None:
    glossary = Glossary(
        name="x",
        source_language="es",
        terms=[
            Entry(id="plaza", term="plaza", targets={"en": TargetRule(renderings=["square"])}),
            Entry(id="pdm", term="Plaza de Mayo", dnt=True),
            Entry(id="mayo", term="mayo", targets={"en": TargetRule(renderings=["May"])}),
        ],
    )
    assert surfaces(glossary, "En la Plaza de Mayo y en otra plaza, en mayo.") == [
        ("pdm", "Plaza de Mayo"),
        ("plaza", "plaza"),
        ("mayo", "mayo"),
    ]
    assert [m.surface for m in find_terms(glossary, "La Plaza de Mayo", "es", target="en")] == ["Plaza de Mayo"]


@pytest.mark.slow
def test_find_rendering_inflections() -> None:
    found = find_rendering("Dois chimarrões, por favor.", ["chimarrão"], "pt-BR")
    assert found is not None and found.surface == "chimarrões" and found.start == 5
    found = find_rendering("Deux matés, s'il vous plaît.", ["maté"], "fr")
    assert found is not None and found.surface == "matés"
    found = find_rendering("Two mates and a tea.", ["mate", "tea"], "en")
    assert found is not None and found.rendering == "mate"
    assert find_rendering("Green tea.", ["mate"], "en") is None


def test_check_rendition_statuses(glossary: Glossary) -> None:
    def statuses(source: str, target: str) -> list[tuple[str, str, str | None]]:
        return [(h.term_id, h.status, h.found) for h in check_rendition(source, target, glossary, "es-AR", "en")]

    source = "Martín, ¿unos mates?"
    assert statuses(source, "Martín, some mates?") == [("martin", "kept", "Martín"), ("mate", "honoured", "mates")]
    assert statuses(source, "Martin, some tea?") == [("martin", "violated", None), ("mate", "forbidden", "tea")]
    assert statuses(source, "Martín, something?") == [("martin", "kept", "Martín"), ("mate", "violated", None)]
    hit = check_rendition("Un mate.", "A tea.", glossary, "es-AR", "en")[0]
    assert (hit.expected, hit.note, hit.source) == (["mate"], "Keep mate.", "mate")
    hit = check_rendition("Un mate.", "Um chá.", glossary, "es-AR", "pt-BR")[0]
    assert hit.note == "Infusion of yerba mate.", "the entry note when the target rule has none"


def with_rendering(glossary: Glossary, entry_id: str, target: str, rendering: str) -> Glossary:
    """A copy of the glossary with one entry's rule for ``target`` replaced."""
    rule = TargetRule(renderings=[rendering])

    def edit(entry: Entry) -> Entry:
        return entry.model_copy(update={"targets": {**entry.targets, target: rule}}) if entry.id == entry_id else entry

    return glossary.model_copy(update={"terms": [edit(entry) for entry in glossary.terms]})


def test_digest_changes_only_for_affected_texts(glossary: Glossary) -> None:
    with_mate, without = "Tomamos mate en la plaza.", "Nos vemos en la Plaza de Mayo."
    assert [e.id for e in glossary.entries_for(with_mate, "pt-BR")] == ["mate"]
    before = {text: glossary.digest(text, "pt-BR") for text in (with_mate, without)}
    edited = with_rendering(glossary, "mate", "pt-BR", "mate")
    assert edited.digest(with_mate, "pt-BR") != before[with_mate]
    assert edited.digest(without, "pt-BR") == before[without]
    assert edited.digest(with_mate, "fr") == glossary.digest(with_mate, "fr"), "other targets are unaffected"


class TableReader(HTMLParser):
    """Collects table rows (with their data-status) and checks tags are balanced."""

    VOID: ClassVar[set[str]] = {"meta", "input", "br", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.rows: list[dict] = []
        self.cell: list[str] | None = None
        self.marks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "tr" and dict(attrs).get("data-status"):
            self.rows.append({"status": dict(attrs)["data-status"], "cells": []})
        elif tag == "td" and self.rows:
            self.cell = []
        elif tag == "mark":
            self.marks += 1

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}> in {self.stack}"
        self.stack.pop()
        if tag == "td" and self.cell is not None:
            self.rows[-1]["cells"].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def report_episode() -> Episode:
    lines = [
        ("L1", 1.0, "S1", "Martín, ¿unos mates en la Plaza de Mayo?", "Martín, some mates in Plaza de Mayo?"),
        ("L2", 62.5, "S2", "No, gracias <b>Martín</b>. Tomo té.", "No, thanks <b>Martin</b>. I drink tea."),
        ("L3", 3725.04, "S1", "Mañana voy a Quilmes con Rosario y Quilmes, con mate.", "Tomorrow, Quilmes with mate."),
        ("L4", 70.0, "S2", "Un mate bien caliente.", "A very hot tea."),
    ]
    return Episode(
        id="ep1",
        source=MediaInfo(path="ep1.mp4", size=1, fingerprint="f", duration=4000, container="mp4", frame_rate=24.0),
        source_language="es-AR",
        speakers=[Speaker(id="S1", name="Lucía"), Speaker(id="S2", name="Don Ramón")],
        lines=[Line(id=i, start=s, end=s + 2, speaker=sp, text=t) for i, s, sp, t, _ in lines],
        tracks={"en": Track(language="en", renditions={i: Rendition(line_id=i, text=tr) for i, _, _, _, tr in lines})},
    )


def test_report_html_and_json(glossary: Glossary, tmp_path: Path) -> None:
    html_path, json_path = write_glossary_report(report_episode(), glossary, "en", tmp_path)
    assert (html_path.name, json_path.name) == ("glossary-report.en.html", "glossary-report.en.json")
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["summary"] == {
        "occurrences": 6,
        "honoured": 3,
        "kept": 1,
        "violated": 1,
        "forbidden": 1,
        "violations": 2,
        "success_rate": 0.6667,
        "dnt_kept": 1,
        "dnt_total": 2,
    }
    first = data["occurrences"][0]
    keys = ("timecode", "character", "term_id", "status")
    assert [first[key] for key in keys] == ["00:00:01:00", "Lucía", "martin", "kept"]
    assert [o["timecode"] for o in data["occurrences"]][-2:] == ["01:02:05:01", "00:01:10:00"]
    assert [c["word"] for c in data["candidates"] if c["reason"] == "name-like"] == ["Quilmes", "Rosario"]

    page = html_path.read_text(encoding="utf-8")
    reader = TableReader()
    reader.feed(page)
    reader.close()
    assert not reader.stack, "every tag is closed"
    statuses = [row["status"] for row in reader.rows]
    assert statuses == ["kept", "honoured", "honoured", "violated", "honoured", "forbidden"]
    assert reader.rows[3]["cells"][:3] == ["00:01:02:12", "Don Ramón", "Martín (dnt)"]
    assert reader.rows[3]["cells"][3] == "No, gracias <b>Martín</b>. Tomo té.", "source text is escaped, not markup"
    assert "&lt;b&gt;" in page and "<b>Martín</b>" not in page
    assert reader.marks == 11, "each source term and each found rendering is highlighted"
    assert 'id="filter"' in page and 'id="status"' in page and "addEventListener('click'" in page


def test_report_lists_words_translated_through_a_pivot(glossary: Glossary, tmp_path: Path) -> None:
    episode = report_episode()
    pivoted = [PivotedWord(word="lechuga", via="ca", rendering="lettuce")]
    rendition = Rendition(line_id="L4", text="A lettuce.", pivoted=pivoted)
    episode.tracks["en"].renditions["L4"] = rendition
    episode.lines[3] = episode.lines[3].model_copy(update={"text": "Una lechuga."})
    html_path, json_path = write_glossary_report(episode, glossary, "en", tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["pivoted"] == [{"line_id": "L4", "source": "Una lechuga.", "word": "lechuga", "via": "ca", "rendering": "lettuce"}]
    assert {"word": "lechuga", "count": 1, "lines": ["L4"], "reason": "pivoted"} in data["candidates"]
    assert '<table id="pivoted">' in html_path.read_text(encoding="utf-8")


def test_target_case_sensitivity(tmp_path: Path) -> None:
    text = GLOSSARY.replace("fr: {renderings: [maté], forbidden: [thé]}", "fr: {renderings: [Maté], case_sensitive: true}")
    glossary = load_glossary(write(tmp_path, text))
    assert glossary.terms[0].rule("fr").case_sensitive and not glossary.terms[0].rule("en").case_sensitive
    assert [h.status for h in check_rendition("Un mate.", "Un Maté.", glossary, "es", "fr")] == ["honoured"]
    assert [h.status for h in check_rendition("Un mate.", "Un maté.", glossary, "es", "fr")] == ["violated"]
    assert [h.status for h in check_rendition("Un mate.", "A MATE.", glossary, "es", "en")] == ["honoured"]
    for suffix in ("csv", "tbx"):
        path = tmp_path / f"g.{suffix}"
        save_glossary(glossary, path)
        assert load_glossary(path, "es-AR").terms[0].rule("fr").case_sensitive
