"""The reviewer's glossary report opened in a real headless Chromium: it renders, filters, and embeds playable audio."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from localize.cache import WorkDir
from localize.glossary import Glossary, load_glossary, write_glossary_report
from localize.model import Episode
from tests.conftest import ffmpeg
from tests.test_glossary import GLOSSARY, report_episode

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium)")]


class DomRows(HTMLParser):
    """Rows of the occurrences table as Chromium left them (hidden or not), and the 'shown' counter."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, bool]] = []
        self.shown = ""
        self.in_shown = False
        self.buttons = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tr" and "data-status" in attributes:
            self.rows.append((attributes["data-status"] or "", "hidden" in attributes))
        self.in_shown = attributes.get("id") == "shown"
        self.buttons += tag == "button" and attributes.get("class") == "play"

    def handle_data(self, data: str) -> None:
        if self.in_shown:
            self.shown += data

    def handle_endtag(self, tag: str) -> None:
        self.in_shown = False


def render(page: Path, fragment: str = "") -> DomRows:
    """The DOM of ``page`` after its scripts ran in headless Chromium."""
    assert CHROMIUM is not None
    url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--virtual-time-budget=3000", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    dom = DomRows()
    dom.feed(done.stdout)
    return dom


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report with the source dialogue and the dub stem embedded (real WAVs made by ffmpeg)."""
    folder = tmp_path_factory.mktemp("report")
    glossary_file = folder / "g.yaml"
    glossary_file.write_text(GLOSSARY, encoding="utf-8")
    glossary: Glossary = load_glossary(glossary_file)
    workdir = WorkDir(folder, "ep1")
    workdir.prepare()
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=8", "-ar", "16000", workdir.root / "dialogue.wav")
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=8", "-ar", "48000", workdir.root / "dub.wav")
    episode: Episode = report_episode()
    track = episode.tracks["en"].model_copy(update={"dialogue_stem": "dub.wav"})
    episode = episode.model_copy(update={"dialogue_audio": "dialogue.wav", "tracks": {"en": track}})
    html, _ = write_glossary_report(episode, glossary, "en", folder, workdir)
    return html


def test_renders_every_occurrence(report: Path) -> None:
    dom = render(report)
    assert [status for status, _ in dom.rows] == ["kept", "honoured", "honoured", "violated", "honoured", "forbidden"]
    assert not any(hidden for _, hidden in dom.rows)
    assert dom.shown == "6 of 6 shown", "the page's script ran"
    assert dom.buttons == 12, "a source and a dub play button per occurrence"


@pytest.mark.parametrize(
    ("fragment", "visible", "shown"),
    [
        ("status=violated", ["violated"], "1 of 6 shown"),
        ("status=honoured", ["honoured"] * 3, "3 of 6 shown"),
        ("q=plaza", ["kept", "honoured", "honoured"], "3 of 6 shown"),
        ("q=tea&status=forbidden", ["forbidden"], "1 of 6 shown"),
        ("q=no-such-word", [], "0 of 6 shown"),
    ],
)
def test_filtering(report: Path, fragment: str, visible: list[str], shown: str) -> None:
    dom = render(report, fragment)
    assert [status for status, hidden in dom.rows if not hidden] == visible
    assert dom.shown == shown


def test_embedded_audio_decodes(report: Path, tmp_path: Path) -> None:
    page = report.read_text(encoding="utf-8")
    uris = re.findall(r'<audio data-kind="(\w+)" preload="auto" src="data:audio/ogg;base64,([^"]+)"', page)
    assert [kind for kind, _ in uris] == ["source", "dub"]
    for kind, payload in uris:
        clip = tmp_path / f"{kind}.ogg"
        clip.write_bytes(base64.b64decode(payload))
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "csv=p=0", str(clip)],
            capture_output=True,
            text=True,
            check=True,
        )
        codec, duration = probe.stdout.split()
        assert codec == "opus" and abs(float(duration) - 8.0) < 0.1
