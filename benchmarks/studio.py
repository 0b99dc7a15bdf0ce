"""The review studio's speed: opening a 60-minute episode, hearing a re-dubbed line, rendering after one edit.

1. open: an episode of 800 lines (the sample's lines, renditions and takes repeated to 65 minutes, built from the
   sample's run like ``package_episodes.py`` does): the server's time to answer the page (median of 5), as it is and
   just after a change to the episode (the manifest read again), and the time until the page is interactive in
   Chromium (its script has run: rows, filters, timeline, keys);
2. regenerate: on the sample, a French line edited and re-dubbed from the page (the ``g`` key) until its take is
   heard (the audio element's ``playing`` event); median of 3 edits, the studio's models loaded;
3. render: the sample's full run (``localize run``) against the studio's render after one edited French line (the
   pipeline on the folder; then QC with every master decoded, reported apart).

Screenshots of the main views go to ``benchmarks/out/studio-*.png`` (git-ignored).

Usage: .venv/bin/python benchmarks/studio.py [--steps open,regenerate,render]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.package_episodes import OUT, sample_episode  # noqa: E402
from localize.cache import WorkDir  # noqa: E402
from localize.model import Episode, Line, Rendition, Track  # noqa: E402

LINES = 800
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync", "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
HEARD = "window.heard = 0; clip.addEventListener('playing', () => { window.heard = performance.now(); }, {once: true})"
"""Notes when the page's clip player (the ``clip`` element) starts playing."""
EDITS = ("Encore en retard ? Tu es un désastre.", "Encore ? Quel désastre, andouille.", "Tu es encore en retard, andouille.")


def _copy(folder: Path, name: str) -> Path:
    """A fresh copy of an episode folder under benchmarks/out/studio/ (its glossary copied beside it)."""
    target = OUT / "studio" / name
    shutil.rmtree(target.parent, ignore_errors=True) if name == "sample" else shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target / "episode")
    workdir = WorkDir.at(target / "episode")
    episode = workdir.load()
    assert episode is not None and episode.run is not None and episode.run.glossary
    glossary = target / Path(episode.run.glossary).name
    shutil.copy(episode.run.glossary, glossary)
    workdir.save(episode.model_copy(update={"run": episode.run.model_copy(update={"glossary": str(glossary)})}))
    return target / "episode"


def long_review_episode() -> Path:
    """The 800-line episode: the sample's lines repeated with their words, renditions and takes (media of the sample)."""
    sample = WorkDir.at(sample_episode())
    episode = sample.load()
    assert episode is not None
    folder = OUT / "studio" / "long" / "episode"
    shutil.rmtree(folder.parent, ignore_errors=True)
    workdir = WorkDir(folder.parent, "episode")
    workdir.prepare()
    lines: list[Line] = []
    renditions: dict[str, dict[str, Rendition]] = {language: {} for language in episode.tracks}
    loop = 0
    while len(lines) < LINES:
        offset = loop * episode.source.duration
        for line in episode.lines[: LINES - len(lines)]:
            line_id = f"L{len(lines) + 1:04d}"
            words = [w.model_copy(update={"start": w.start + offset, "end": w.end + offset}) for w in line.words]
            lines.append(line.model_copy(update={"id": line_id, "start": line.start + offset, "end": line.end + offset, "words": words}))
            for language, track in episode.tracks.items():
                rendition = track.renditions[line.id]
                take = rendition.take
                if take is not None:
                    audio = str(sample.resolve(take.audio).resolve())
                    window = {"window_start": take.window_start + offset, "window_end": take.window_end + offset}
                    take = take.model_copy(update={"audio": audio, "start": take.start + offset, **window})
                renditions[language][line_id] = rendition.model_copy(update={"line_id": line_id, "take": take})
        loop += 1
    duration = loop * episode.source.duration
    tracks = {
        language: Track(language=language, renditions=renditions[language], voices=track.voices)
        for language, track in episode.tracks.items()
    }
    source = episode.source.model_copy(update={"duration": duration})
    long = Episode(id="episode", source=source, source_language=episode.source_language, speakers=episode.speakers, lines=lines,
                   tracks=tracks, run=episode.run, dialogue_audio=str(sample.resolve(episode.dialogue_audio or "").resolve()))  # fmt: skip
    workdir.save(long)
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``localize studio`` on a folder, in a child process."""

    def __init__(self, folder: Path) -> None:
        port = _free_port()
        command = [sys.executable, "-m", "localize.cli", "studio", str(folder), "--port", str(port), "--reviewer", "bench"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().split("localize studio: ")[-1].strip()
        self.base = self.url.split("/?")[0]

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _page(browser: Any, server: Server, language: str = "fr") -> Any:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for _ in range(180):
        try:
            page.goto(server.url)
            break
        except Exception:  # noqa: BLE001 - the server is still importing its libraries
            time.sleep(1)
    page.goto(f"{server.base}/?lang={language}")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    return page


def measure_open(browser: Any) -> None:
    folder = long_review_episode()
    with Server(folder) as server:
        page = _page(browser, server)
        page.wait_for_timeout(20_000)  # let the warm-up finish: it is not what is measured
        workdir = WorkDir.at(folder)
        saved = workdir.load()
        assert saved is not None
        server_ms: dict[str, list[float]] = {"unchanged": [], "changed": []}
        for _ in range(5):
            for state, times in server_ms.items():
                if state == "changed":
                    workdir.save(saved)  # a new manifest on disk, as after an edit: the server reads it again
                times.append(page.evaluate(
                    """async (url) => { const t = performance.now(); const r = await fetch(url, {credentials: 'same-origin'});
                       const first = performance.now() - t; await r.text(); return first; }""",
                    f"{server.base}/?lang=fr",
                ))  # fmt: skip
        interactive = []
        for _ in range(3):
            started = time.perf_counter()
            page.goto(f"{server.base}/?lang=fr")
            page.wait_for_selector("body[data-ready='1']", state="attached")
            interactive.append(time.perf_counter() - started)
        rows = page.locator("tr.line").count()
        html = len(page.content().encode())
        print(f"open {rows} lines ({folder.relative_to(ROOT)}): server answers the page in "
              f"{statistics.median(server_ms['unchanged']):.0f} ms, {statistics.median(server_ms['changed']):.0f} ms just after "
              f"a change to the episode (medians of 5, time to first byte); page interactive in Chromium in "
              f"{statistics.median(interactive):.2f} s (median of 3; page {html / 1e6:.1f} MB)")  # fmt: skip
        page.screenshot(path=str(OUT / "studio-lines-800.png"))


def measure_regenerate(browser: Any, folder: Path) -> None:
    with Server(folder) as server:
        page = _page(browser, server)
        page.wait_for_timeout(20_000)  # the warm-up loads the aligner and the voices' engines
        line_id = WorkDir.at(folder).load().lines[2].id  # type: ignore[union-attr]
        times = []
        for text in EDITS:
            box = page.locator(f"#row-{line_id} textarea.translation")
            box.fill(text)
            with page.expect_response(lambda r: r.url.endswith("/fr/text"), timeout=180_000):  # the first save loads the checker
                box.press("Control+Enter")
            page.evaluate(HEARD)
            page.locator(f"#row-{line_id} td.id").click()
            started = page.evaluate("performance.now()")
            page.keyboard.press("g")
            page.wait_for_function("window.heard > 0", timeout=120_000)
            times.append((page.evaluate("window.heard") - started) / 1000)
        listed = ", ".join(f"{t:.2f}" for t in times)
        load = os.getloadavg()[0]
        print(f"regenerate: edited line re-dubbed and audible in {statistics.median(times):.2f} s "
              f"(median of {len(times)}: {listed}; {os.cpu_count()} cores, load {load:.1f})")  # fmt: skip
        _screenshots(page)


def _screenshots(page: Any) -> None:
    page.locator(f"#row-{page.locator('tr.line').nth(2).get_attribute('data-id')} td.id").click()
    page.screenshot(path=str(OUT / "studio-lines.png"))
    for tab in ("speakers", "glossary", "audit"):
        page.locator(f'.tabs [data-tab="{tab}"]').click()
        page.wait_for_timeout(4000 if tab == "speakers" else 1500)
        page.screenshot(path=str(OUT / f"studio-{tab}.png"), full_page=True)
    page.locator('.tabs [data-tab="lines"]').click()


def measure_render(folder: Path) -> None:
    from localize.review import EpisodeEditor
    from localize.studio.render import render

    full_out = OUT / "studio" / "full"
    shutil.rmtree(full_out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "localize.cli", "run", str(ROOT / "samples" / "colectivo" / "episode.mp4"), "--from", "es-AR",
                    "--to", "en,pt-BR,fr", "--glossary", str(ROOT / "glossaries" / "colectivo.yaml"), "--out", str(full_out), "--quiet"],
                   check=True, cwd=ROOT)  # fmt: skip
    full = time.perf_counter() - started
    editor = EpisodeEditor(folder, "bench")
    episode = editor.load()
    line = episode.lines[5]
    rendition = episode.tracks["fr"].renditions[line.id]
    editor.edit_translation("fr", line.id, "Merci, Lucía. Écoute, je ne sais pas si j'arrive.", line.revision + rendition.revision)
    result = render(editor, lambda *args: None, decode=False)
    print(f"render after one edited French line: {result.seconds:.1f} s = {100 * result.seconds / full:.1f}% of the full run "
          f"({full:.1f} s); stages run: {', '.join(result.ran)}; {len(result.changed)} deliverables changed; QC (no decoding) "
          f"{'passes' if result.qc_passed else 'fails: ' + '; '.join(result.qc_failed)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", default="open,regenerate,render", help="which of open, regenerate, render to measure")
    steps = set(parser.parse_args().steps.split(","))
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    sample = _copy(sample_episode(), "sample")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        if "open" in steps:
            measure_open(browser)
        if "regenerate" in steps:
            measure_regenerate(browser, sample)
        browser.close()
    if "render" in steps:
        measure_render(sample)


if __name__ == "__main__":
    main()
