"""The review studio end to end, in a real browser (Debian's Chromium driven by Playwright), on a copy of the sample's
run narrowed to French (tests/test_pipeline.py's run: one pipeline run per test session): a scripted reviewer
corrects the transcript, names speakers, edits, approves and rejects lines, regenerates a take, adds a glossary
term and renders; the deliverables change exactly where the edits reach, QC finds nothing new, the audit log lists
every change, and a second reviewer's stale edit is a conflict."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from playwright.sync_api import expect

from localize.cache import WorkDir
from localize.config import Config
from localize.model import Episode, Rendition
from localize.qc import QcReport, check_episode_folder
from localize.review import read_audit
from localize.review.glossary_terms import versions_folder
from localize.stages.dub import DubStage
from localize.studio.render import deliverable_digests
from tests.conftest import ROOT, SAMPLE, SAMPLE_GLOSSARY

__all__ = ["CHROMIUM_ARGS", "review_in_studio", "served_studio"]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
LANGUAGE = "fr"
RENDER_TIMEOUT_MS = 1_800_000
SLOW_MS = 180_000
"""The first alignment, check or synthesis loads its model (seconds on an idle machine, more on a busy one)."""
REJECTION = "Too literal: the landlord says alquiler, not alquirer."


@dataclass(frozen=True)
class Studio:
    """A studio server on a copy of the sample run, and what the episode was before the review."""

    folder: Path
    url: str
    glossary: Path
    before: Episode
    digests: dict[str, str]
    qc_failed: set[tuple[str, str]]
    """(check, problem) of each QC failure before the review."""
    bed: Path
    """The French music-and-effects bed as it was before the review."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _saved(folder: Path) -> Episode:
    episode = WorkDir.at(folder).load()
    assert episode is not None
    return episode


@contextmanager
def served_studio(run: Path, root: Path) -> Iterator[Studio]:
    """``localize studio`` serving a copy of the episode folder ``run`` under ``root``, narrowed to French (its
    glossary copied beside it, so adding a term leaves the original alone)."""
    folder = root / "episode"
    shutil.copytree(run, folder)
    glossary = root / SAMPLE_GLOSSARY.name
    shutil.copy(SAMPLE_GLOSSARY, glossary)
    baseline = check_episode_folder(folder, decode=False)
    workdir = WorkDir.at(folder)
    episode = _saved(folder)
    assert episode.run is not None
    run_settings = episode.run.model_copy(update={"glossary": str(glossary), "targets": [LANGUAGE]})
    workdir.save(episode.model_copy(update={"run": run_settings, "tracks": {LANGUAGE: episode.tracks[LANGUAGE]}}))
    command = [sys.executable, "-m", "localize.cli", "studio", str(folder), "--port", str(_free_port()), "--reviewer", "ana"]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    url = server.stdout.readline().split("localize studio: ")[-1].strip()
    bed = Path(shutil.copy(_bed(folder, episode.id), root / "bed-before.wav"))
    try:
        yield Studio(folder, url, glossary, _saved(folder), deliverable_digests(folder), _problems(baseline), bed)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _open(browser: Any, studio: Studio, language: str = LANGUAGE) -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for _ in range(120):  # the server imports its libraries first
        try:
            page.goto(studio.url)
            break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(1)
    page.goto(page.url.split("?")[0] + f"?lang={language}")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    return page


def _row(page: Any, line_id: str) -> Any:
    return page.locator(f"#row-{line_id}")


def _press_on(page: Any, line_id: str, key: str, answer: str = "") -> None:
    """Select a line's row and press a shortcut key (answering a prompt with ``answer``), waiting for the server's reply."""
    if answer:
        page.once("dialog", lambda dialog: dialog.accept(answer))
    _row(page, line_id).locator("td.id").click()
    posted = f"/api/lines/{line_id}/"
    with page.expect_response(lambda response: posted in response.url and response.request.method == "POST", timeout=SLOW_MS) as reply:
        page.keyboard.press(key)
    assert reply.value.ok, reply.value.text()


def review_in_studio(studio: Studio, browser: Any) -> None:
    """The scripted reviewer's session, then what the render made of it."""
    before = studio.before
    truth = json.loads((SAMPLE / "truth.json").read_text(encoding="utf-8"))["lines"]
    first, second = before.lines[0], before.lines[1]
    page = _open(browser, studio)
    other = _open(browser, studio)  # a second reviewer, who opened the episode before the first one's edits

    # the player follows the lines, the keys move between them, the filters find what needs work
    page.evaluate(f"seek({before.lines[3].start + 0.1})")
    page.wait_for_selector(f"#row-{before.lines[3].id}.playing")
    page.locator(f"#row-{first.id} td.id").click()
    page.keyboard.press("j")
    expect(_row(page, second.id)).to_have_class(re.compile(r"\bcurrent\b"))
    page.locator("#f-confidence").check()
    doubtful = page.locator("tr.line:visible")
    assert doubtful.count() > 0 and all(doubtful.nth(i).get_attribute("data-lowconf") == "1" for i in range(doubtful.count()))
    page.locator("#f-confidence").uncheck()

    # the transcript: the first line as it was said (Whisper misheard "¿querés un mate?")
    corrected = truth[0]["text"]
    page.locator(f"#row-{first.id} .words").dblclick()
    page.locator(f"#row-{first.id} .source-text").fill(corrected)
    with page.expect_response(lambda response: response.url.endswith(f"/api/lines/{first.id}/source?lang=fr"), timeout=SLOW_MS) as reply:
        page.locator(f"#row-{first.id} .source-text").press("Control+Enter")
    assert reply.value.ok, reply.value.text()
    expect(_row(page, first.id).locator(".words")).to_contain_text("mate?")
    expect(_row(page, first.id)).to_have_attribute("data-stale", "1")  # its translation is stale at once

    # two speakers named
    names = {first.speaker: "Lucía", second.speaker: "Martín"}
    page.locator('.tabs [data-tab="speakers"]').click()
    for speaker, name in names.items():
        card = page.locator(f'.card[data-speaker="{speaker}"]')
        card.locator("input.name").fill(name)
        with page.expect_navigation():
            card.locator('[data-act="rename"]').click()
        page.wait_for_selector("body[data-ready='1']", state="attached")
        page.locator('.tabs [data-tab="speakers"]').click()
    page.locator('.tabs [data-tab="lines"]').click()

    # a French line edited, its glossary and fit checked live before it is saved
    edited, edited_text = before.lines[2].id, "Encore en retard ? Tu es un désastre, andouille."
    box = _row(page, edited).locator("textarea.translation")
    with page.expect_response(lambda response: response.url.endswith(f"/api/lines/{edited}/fr/check"), timeout=SLOW_MS):
        box.fill(edited_text)
    page.wait_for_selector(f"#row-{edited} .fit.live")
    expect(_row(page, edited).locator(".hits")).to_contain_text("andouille")
    with page.expect_response(lambda response: response.url.endswith(f"/api/lines/{edited}/fr/text")):
        box.press("Control+Enter")
    expect(_row(page, edited)).to_have_attribute("data-status", "edited")

    # the second reviewer, on the revision they loaded, edits the same line: a conflict, not a lost update
    stale = _row(other, edited).locator("textarea.translation")
    stale.fill("Encore ? Quel désastre.")
    with other.expect_response(lambda response: response.url.endswith(f"/api/lines/{edited}/fr/text")) as reply:
        stale.press("Control+Enter")
    assert reply.value.status == 409
    expect(other.locator("#toast")).to_contain_text("changed since it was read")
    expect(_row(other, edited)).to_have_class(re.compile(r"\bconflict\b"))
    other.context.close()

    # three lines approved, one rejected with a comment (keyboard)
    approved = [line.id for line in before.lines[3:6]]
    for line_id in approved:
        _press_on(page, line_id, "a")
    rejected = before.lines[8].id
    _press_on(page, rejected, "x", REJECTION)
    for line_id, status in [*((line_id, "approved") for line_id in approved), (rejected, "rejected")]:
        expect(_row(page, line_id)).to_have_attribute("data-status", status)

    # one take regenerated now, and heard
    take_before = _saved(studio.folder).tracks["fr"].renditions[edited].take
    page.evaluate("document.getElementById('clip').addEventListener('playing', () => { window.heard = true; }, {once: true})")
    started = time.perf_counter()
    _press_on(page, edited, "g")
    page.wait_for_function("window.heard === true", timeout=120_000)
    print(f"regenerated take audible after {time.perf_counter() - started:.1f} s")
    take_now = _saved(studio.folder).tracks["fr"].renditions[edited].take
    assert take_now is not None and take_now.text == edited_text and (take_before is None or take_now.audio != take_before.audio)

    # a candidate term added to the glossary in one click
    page.locator('.tabs [data-tab="glossary"]').click()
    candidate = page.locator("tr.candidate").first
    candidate.wait_for()
    term = candidate.get_attribute("data-term")
    candidate.locator("input.dnt").check()
    with page.expect_response(lambda response: response.url.endswith("/api/glossary/terms")):
        candidate.locator("button.add").click()
    assert f"term: {term}" in studio.glossary.read_text(encoding="utf-8")
    assert len(list(versions_folder(studio.glossary).iterdir())) == 1, "the glossary's previous version is kept"
    page.locator('.tabs [data-tab="lines"]').click()

    # render: only what changed is made again, then QC
    page.locator("#render").click()
    page.wait_for_selector("#render-status.passed, #render-status.failed", timeout=RENDER_TIMEOUT_MS)
    assert "render failed" not in page.locator("#render-status").inner_text(), page.locator("#render-status").inner_text()
    _check_render(studio, corrected, names, edited, edited_text, approved, rejected, str(term))


def _problems(report: QcReport) -> set[tuple[str, str]]:
    """(check, problem) of each failure: a line's own problem (``L0001: ...``) where the check lists them."""
    return {(check.name, problem) for check in report.failed for problem in (check.details or (check.summary,))}


def _bed(folder: Path, episode_id: str) -> Path:
    return folder / LANGUAGE / f"{episode_id}.{LANGUAGE}.me.wav"


def _same_bed_at_another_gain(before: Path, after: Path) -> bool:
    """Whether ``after`` is ``before`` scaled (the stems sum to the mix at its final gain, which follows the dialogue's
    loudness: a changed take moves it), up to the 24-bit rounding."""
    old, new = (soundfile.read(path, dtype="float64")[0] for path in (before, after))
    if old.shape != new.shape:
        return False
    scale = float(np.vdot(old, new) / max(np.vdot(old, old), 1e-12))
    return float(np.max(np.abs(new - scale * old))) < 1e-4


def _take_audio(rendition: Rendition | None) -> str | None:
    return rendition.take.audio if rendition and rendition.take else None


def _check_render(
    studio: Studio, corrected: str, names: dict[str, str], edited: str, edited_text: str, approved: list[str], rejected: str, term: str
) -> None:
    before, after = studio.before, _saved(studio.folder)
    first = after.line(before.lines[0].id)
    assert first is not None and (first.text, first.origin) == (corrected, "edited"), "the correction survived the re-run"
    assert {s.id: s.name for s in after.speakers if s.id in names} == names
    french = after.tracks["fr"].renditions
    assert (french[edited].text, french[edited].origin) == (edited_text, "edited")
    assert [french[i].origin for i in approved] == ["approved"] * 3
    review = french[rejected].review
    assert french[rejected].origin == "rejected" and review is not None and (review.comment, review.by) == (REJECTION, "ana")

    # takes made again for every line whose translation changed and for none but those and the lines whose dubbing
    # window moved (the corrected line's words were aligned again, which may move its neighbours' windows too)
    assert after.run is not None and after.run.targets == ["fr"]
    config = Config.model_validate(after.run.config).dub
    windows = [DubStage.windows(episode, config) for episode in (before, after)]
    old = before.tracks["fr"].renditions
    retexted = {line_id for line_id, rendition in french.items() if line_id not in old or rendition.text != old[line_id].text}
    moved = {line_id for line_id in french if windows[0].get(line_id) != windows[1].get(line_id)}
    retaken = {line_id for line_id, rendition in french.items() if _take_audio(rendition) != _take_audio(old.get(line_id))}
    assert {edited, first.id} <= retexted <= retaken, (sorted(retexted), sorted(retaken))
    with_term = {line.id for line in after.lines if term.casefold() in line.text.casefold()}
    assert retexted <= {edited, first.id} | with_term, f"translated again without a reason: {sorted(retexted - with_term)}"
    assert retaken <= retexted | moved, f"re-dubbed without a reason: {sorted(retaken - retexted - moved)}"

    # deliverables: French and the masters changed (a corrected source line, named speakers), the M&E bed only in level
    digests = deliverable_digests(studio.folder)
    changed = {path for path, digest in digests.items() if studio.digests.get(path) != digest}
    assert _same_bed_at_another_gain(studio.bed, _bed(studio.folder, after.id)), "the music-and-effects bed is the same sound"
    for kind in (".dub-mix.wav", ".srt", ".sdh.srt", ".script.csv", ".review.mp4"):
        assert f"fr/{after.id}.fr{kind}" in changed, kind
    assert {"episode.mkv", "episode.mp4"} <= changed

    # QC (the render's own, masters decoded, is on the page): nothing fails that did not fail before the review, but
    # the lines translated again may (a corrected source word the translator does not know is reported untranslated)
    new = _problems(check_episode_folder(studio.folder, decode=False)) - studio.qc_failed
    assert all(problem.split(":")[0] in retexted for _, problem in new), sorted(new)

    # the audit log lists every change, by whom
    entries = read_audit(WorkDir.at(studio.folder))
    assert {entry.by for entry in entries} == {"ana"}
    logged = {(entry.action, entry.subject, entry.field) for entry in entries}
    expected = {
        ("edit source", first.id, "text"),
        *(("rename speaker", f"speaker {speaker}", "name") for speaker in names),
        ("edit translation", f"fr {edited}", "text"),
        *(("approved", f"fr {line_id}", "origin") for line_id in approved),
        ("rejected", f"fr {rejected}", "origin"),
        ("regenerate take", f"fr {edited}", "take"),
        ("add glossary term", f"glossary {studio.glossary.name}", "term"),
    }
    assert expected <= logged, sorted(expected - logged)
    assert any(e.action == "rejected" and e.comment == REJECTION for e in entries)
    assert any(e.action == "add glossary term" and e.after["term"] == term for e in entries)
