"""Dubbing scripts: export (CSV, XLSX, XLIFF 2), import of reviewed edits, `glossary check`, and a real re-dub of edited lines."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from lxml import etree

from localize.cache import WorkDir
from localize.config import Config
from localize.errors import InputError
from localize.glossary import load_glossary
from localize.model import Episode, Line, MediaInfo, Rendition, RunSettings, Speaker, Track
from localize.pipeline import run_stages
from localize.review import import_script
from localize.script import Conflict, apply_script, check_script, read_script, write_dubbing_script
from localize.script.xliff import XLIFF_NS
from localize.stages.base import RunContext
from localize.stages.segment import carry_revisions
from tests.conftest import SAMPLE_GLOSSARY, run_cli

LINES = [
    ("L1", "LUCIA", "Che, Martín, ¿querés un mate?", "Hey, Martín, do you want a mate?"),
    ("L2", "MARTIN", "El colectivo nunca pasa a horario.", "The bus never comes on time."),
    ("L3", "RAMON", "Me voy a Plaza de Mayo.", "I am going to the Square of May."),
]


def make_episode(tmp_path: Path, glossary: Path | None = SAMPLE_GLOSSARY) -> tuple[WorkDir, Episode]:
    """A three-line episode saved as a work directory (as `localize run` leaves it)."""
    workdir = WorkDir(tmp_path, "ep")
    workdir.prepare()
    episode = Episode(
        id="ep",
        source=MediaInfo(path="ep.mp4", size=1, fingerprint="f", duration=12.0, container="mp4", frame_rate=25.0),
        source_language="es-AR",
        speakers=[
            Speaker(id="LUCIA", name="Lucía", gender="female"),
            Speaker(id="MARTIN", name="Martín", gender="male"),
            Speaker(id="RAMON", name="Don Ramón", gender="male"),
        ],
        lines=[Line(id=i, start=n * 4.0, end=n * 4.0 + 3.2, speaker=s, text=t) for n, (i, s, t, _) in enumerate(LINES)],
        tracks={"en": Track(language="en", renditions={i: Rendition(line_id=i, text=tr, candidates=[tr]) for i, _, _, tr in LINES})},
        run=RunSettings(targets=["en"], glossary=str(glossary) if glossary else None, config=Config().model_dump(mode="json")),
    )
    workdir.save(episode)
    return workdir, episode


def edit_csv(path: Path, changes: dict[str, str], status: dict[str, str] | None = None) -> None:
    """Edit the Translation (and Status) cells of an exported CSV as a reviewer would in a spreadsheet."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        row[header.index("Translation")] = changes.get(row[0], row[header.index("Translation")])
        row[header.index("Status")] = (status or {}).get(row[0], row[header.index("Status")])
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xlf"])
def test_export_then_read_back(tmp_path: Path, suffix: str) -> None:
    _, episode = make_episode(tmp_path)
    path = tmp_path / f"ep.en.script{suffix}"
    write_dubbing_script(episode, "en", path)
    script = read_script(path)
    assert [(r.line_id, r.source, r.translation, r.status) for r in script.rows] == [(i, t, tr, "machine") for i, _, t, tr in LINES]
    assert [r.character for r in script.rows] == ["Lucía", "Martín", "Don Ramón"]
    assert [r.timecode for r in script.rows] == ["00:00:00:00", "00:00:04:00", "00:00:08:00"]
    assert script.language == "en"


def test_xliff_is_version_2_with_notes_and_states(tmp_path: Path) -> None:
    workdir, episode = make_episode(tmp_path)
    track = episode.tracks["en"]
    renditions = {**track.renditions, "L2": track.renditions["L2"].model_copy(update={"origin": "approved"})}
    episode = episode.model_copy(update={"tracks": {"en": track.model_copy(update={"renditions": renditions})}})
    path = tmp_path / "script.xlf"
    write_dubbing_script(episode, "en", path)
    root = etree.parse(str(path)).getroot()
    ns = {"x": XLIFF_NS}
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "es-AR", "en")
    units = root.findall(".//x:unit", ns)
    assert [u.get("id") for u in units] == ["L1", "L2", "L3"]
    assert [u.find("x:segment", ns).get("state") for u in units] == ["translated", "final", "translated"]
    notes = {n.get("category"): n.text for n in units[0].findall(".//x:note", ns)}
    assert notes["character"] == "Lucía" and notes["timecode"] == "00:00:00:00 - 00:00:03:05"
    # A CAT tool edits the target and marks it reviewed: the import takes it as an edit.
    target = units[2].find("x:segment/x:target", ns)
    target.text = "I am going to Plaza de Mayo."
    units[2].find("x:segment", ns).set("state", "reviewed")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    result = import_script(workdir.root, path)
    assert (result.language, result.edited, result.approved) == ("en", ["L3"], ["L2"]), "state 'final' approves L2"
    saved = workdir.load()
    assert saved is not None
    l3 = saved.tracks["en"].renditions["L3"]
    assert (l3.text, l3.origin, l3.candidates[0]) == ("I am going to Plaza de Mayo.", "edited", "I am going to Plaza de Mayo.")
    assert "I am going to the Square of May." in l3.candidates, "the machine's alternatives stay to choose from"
    assert [h.status for h in l3.glossary_hits] == ["kept"]


def test_import_marks_edits_and_approvals(tmp_path: Path) -> None:
    workdir, episode = make_episode(tmp_path)
    path = tmp_path / "ep.en.script.csv"
    write_dubbing_script(episode, "en", path)
    edit_csv(path, {"L3": "I'm off to Plaza de Mayo."}, {"L1": "approved"})
    result = import_script(workdir.root, path)
    assert (result.edited, result.approved, result.unchanged) == (["L3"], ["L1"], ["L2"])
    saved = workdir.load()
    assert saved is not None
    renditions = saved.tracks["en"].renditions
    assert [renditions[i].origin for i in ("L1", "L2", "L3")] == ["approved", "machine", "edited"]
    assert renditions["L3"].text == "I'm off to Plaza de Mayo." and renditions["L3"].take is None
    assert renditions["L1"].text == LINES[0][3], "approving keeps the text"


def test_import_skips_stale_and_unknown_rows(tmp_path: Path) -> None:
    _, episode = make_episode(tmp_path)
    path = tmp_path / "ep.en.script.csv"
    write_dubbing_script(episode, "en", path)
    rows = read_script(path).rows
    stale = rows[0].__class__(line_id="L1", source="Otra cosa.", translation="Something else.")
    unknown = rows[0].__class__(line_id="L99", source="", translation="Nobody.")
    updated, result = apply_script(episode, [stale, unknown, rows[1]], "en", None)
    assert (result.stale, result.unknown, result.unchanged) == (["L1"], ["L99"], ["L2"])
    assert updated.tracks == episode.tracks
    with pytest.raises(InputError, match="no row of the script names a line"):
        apply_script(episode, [unknown], "en", None)
    with pytest.raises(InputError, match="has no fr track"):
        apply_script(episode, rows, "fr", None)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".xlf"])
def test_an_older_export_never_overwrites_a_newer_edit(tmp_path: Path, suffix: str) -> None:
    workdir, episode = make_episode(tmp_path)
    older, newer = tmp_path / f"older.en.script{suffix}", tmp_path / "newer.en.script.csv"
    write_dubbing_script(episode, "en", older)
    write_dubbing_script(episode, "en", newer)
    edit_csv(newer, {"L2": "The bus is always late."})
    assert import_script(workdir.root, newer).edited == ["L2"]
    assert [row.revision for row in read_script(older).rows] == [0, 0, 0]

    rows = read_script(older).rows  # the older export still has the machine text of L2; its reviewer changed L3
    rows[2] = rows[2].__class__(**{**rows[2].__dict__, "translation": "Off to Plaza de Mayo."})
    saved = workdir.load()
    assert saved is not None
    updated, result = apply_script(saved, rows, "en", None)
    assert result.conflicts == [Conflict("L2", 0, 1)] and result.edited == ["L3"]
    assert updated.tracks["en"].renditions["L2"].text == "The bus is always late.", "the newer edit stays"
    forced, result = apply_script(saved, rows, "en", None, force=True)
    assert not result.conflicts and forced.tracks["en"].renditions["L2"].text == LINES[1][3]
    assert forced.tracks["en"].renditions["L2"].revision == 2


def test_the_cli_reports_each_conflict_and_applies_it_only_with_force(tmp_path: Path) -> None:
    workdir, episode = make_episode(tmp_path)
    older, newer = tmp_path / "older.en.script.csv", tmp_path / "newer.en.script.csv"
    write_dubbing_script(episode, "en", older)
    write_dubbing_script(episode, "en", newer)
    edit_csv(newer, {"L2": "The bus is always late.", "L3": "Off to Plaza de Mayo."})
    assert run_cli("script", "import", workdir.root, newer).returncode == 0
    edit_csv(older, {"L1": "Hey Martín, fancy a mate?"})
    refused = run_cli("script", "import", workdir.root, older)
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout.strip() == "en: 1 edited, 0 approved, 0 unchanged; edited lines: L1"
    conflicts = [line for line in refused.stderr.splitlines() if line.startswith("conflict:")]
    assert [line.split()[1] for line in conflicts] == ["L2", "L3"] and "revision 0, now 1" in conflicts[0]
    saved = workdir.load()
    assert saved is not None
    assert [saved.tracks["en"].renditions[i].text for i in ("L1", "L2")] == ["Hey Martín, fancy a mate?", "The bus is always late."]
    forced = run_cli("script", "import", workdir.root, older, "--force")
    assert forced.returncode == 0 and "edited lines: L2, L3" in forced.stdout, forced.stderr


def test_a_line_whose_text_changes_gets_a_new_revision() -> None:
    before = [
        Line(id="L1", start=0, end=1, speaker="A", text="Hola.", revision=2),
        Line(id="L2", start=1, end=2, speaker="B", text="Chau."),
    ]
    after = [Line(id="L1", start=0, end=1.2, speaker="A", text="Hola."), Line(id="L2", start=1, end=2, speaker="B", text="Chau, che.")]
    assert [line.revision for line in carry_revisions(before, after)] == [2, 1]
    rendition = Rendition(line_id="L1", text="Hi.", revision=3)
    assert (rendition.revision_for("Hi.", "machine"), rendition.revision_for("Hello.", "machine")) == (3, 4)
    assert rendition.revision_for("Hi.", "approved") == 4


def test_bad_script_files_are_one_line_errors(tmp_path: Path) -> None:
    _, episode = make_episode(tmp_path)
    (tmp_path / "headless.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_script(tmp_path / "headless.csv")
    (tmp_path / "broken.xlf").write_text("<xliff version='2.0'><file>", encoding="utf-8")
    with pytest.raises(InputError, match="not well-formed"):
        read_script(tmp_path / "broken.xlf")
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError, match="not an XLSX"):
        read_script(tmp_path / "fake.xlsx")
    with pytest.raises(InputError, match="cannot write a dubbing script"):
        write_dubbing_script(episode, "en", tmp_path / "script.docx")


def test_glossary_check_command(tmp_path: Path) -> None:
    _, episode = make_episode(tmp_path)
    path = tmp_path / "vendor.en.script.csv"
    write_dubbing_script(episode, "en", path)
    result = check_script(path, load_glossary(SAMPLE_GLOSSARY))
    assert [(row.line_id, hit.term_id, hit.status) for row, hit in result.violations] == [("L3", "plaza_de_mayo", "violated")]

    failed = run_cli("glossary", "check", path, "--glossary", SAMPLE_GLOSSARY)
    assert failed.returncode == 1, failed.stderr
    assert "L3 00:00:08:00: 'Plaza de Mayo' violated" in failed.stdout
    assert "5 term occurrences, success rate 80.0%" in failed.stderr and "fails: 1 violations" in failed.stderr

    edit_csv(path, {"L3": "I'm going to Plaza de Mayo."})
    passed = run_cli("glossary", "check", path, "-g", SAMPLE_GLOSSARY, "--language", "en")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "success rate 100.0%; passes" in passed.stderr

    unknown = run_cli("glossary", "check", tmp_path / "missing.csv", "-g", SAMPLE_GLOSSARY)
    assert unknown.returncode == 2 and unknown.stderr.startswith("localize: error:") and "Traceback" not in unknown.stderr


def test_script_commands(tmp_path: Path) -> None:
    workdir, _ = make_episode(tmp_path)
    exported = run_cli("script", "export", workdir.root, "--language", "en", "--format", "xlf")
    assert exported.returncode == 0, exported.stderr
    path = Path(exported.stdout.strip())
    assert path == workdir.root / "ep.en.script.xlf" and path.is_file()
    text = path.read_text(encoding="utf-8").replace("I am going to the Square of May.", "Off to Plaza de Mayo.")
    path.write_text(text, encoding="utf-8")
    imported = run_cli("script", "import", workdir.root, path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "en: 1 edited, 0 approved, 2 unchanged; edited lines: L3"
    wrong = run_cli("script", "export", workdir.root, "--language", "fr")
    assert wrong.returncode == 2 and "has no fr track" in wrong.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None or shutil.which("apertium") is None, reason="needs espeak-ng and Apertium")
def test_edited_lines_survive_reruns_and_only_they_are_redubbed(tmp_path: Path) -> None:
    workdir, episode = make_episode(tmp_path)
    episode = episode.model_copy(update={"tracks": {}})
    glossary = load_glossary(SAMPLE_GLOSSARY)
    ctx = RunContext(workdir=workdir, config=Config(), targets=["en"], glossary=glossary, hook=lambda *args: None)
    first = run_stages(episode, ctx, names=("translate", "dub"))
    takes = {i: r.take for i, r in first.tracks["en"].renditions.items()}
    assert all(take is not None for take in takes.values())
    workdir.save(first)
    clips_before = set(workdir.artifacts.rglob("*.wav"))

    path = tmp_path / "ep.en.script.csv"
    write_dubbing_script(first, "en", path)
    edit_csv(path, {"L2": "The bus is always late."})
    assert import_script(workdir.root, path).edited == ["L2"]
    reviewed = workdir.load()
    assert reviewed is not None
    second = run_stages(reviewed, ctx, names=("translate", "dub"))
    renditions = second.tracks["en"].renditions
    assert (renditions["L2"].text, renditions["L2"].origin) == ("The bus is always late.", "edited")
    new_take = renditions["L2"].take
    assert new_take is not None and new_take.text == "The bus is always late."
    assert new_take.audio != takes["L2"].audio  # type: ignore[union-attr]
    for line_id in ("L1", "L3"):
        assert renditions[line_id].take == takes[line_id], f"{line_id} was not re-dubbed"
    made = {p for p in set(workdir.artifacts.rglob("*.wav")) - clips_before if not p.name.startswith(".")}
    assert made and all(str(p.relative_to(workdir.root)) != renditions[i].take.audio for p in made for i in ("L1", "L3"))  # type: ignore[union-attr]

    third = run_stages(second, ctx, names=("translate", "dub"), force=True)
    assert third.tracks["en"].renditions["L2"].text == "The bus is always late.", "a later run never overwrites an edit"
