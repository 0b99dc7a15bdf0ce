"""Write the QC page of an episode, at packaging time or again later with ``localize qc``."""

from __future__ import annotations

from pathlib import Path

from localize.cache import WorkDir, atomic_write_text, sha256_file
from localize.config import Config
from localize.errors import InputError
from localize.media.blocks import read_blocks
from localize.model import Deliverable, Episode
from localize.qc.checks import QcReport, assess
from localize.qc.page import qc_html
from localize.qc.plots import PLOT_RATE, AudioTrace, loudness_plot, timing_histogram
from localize.qc.spec import QcSpec

__all__ = ["QC_PAGE", "check_episode_folder", "write_qc_page"]

QC_PAGE = "qc.html"
"""The QC page's name in the episode folder."""


def write_qc_page(report: QcReport, episode: Episode, folder: Path, config: Config, out: Path) -> None:
    """Render ``report`` with its plots (original audio against each dub mix under ``folder``) to ``out``."""
    spec = QcSpec.from_config(config)
    images: dict[str, dict[str, bytes]] = {}
    original = None
    if any(entry.mix for entry in report.languages):
        stream = episode.source.audio_streams[episode.source.audio_stream or 0].index
        original = _trace(Path(episode.source.path), episode.source.duration, stream)
    for entry in report.languages:
        pictures = images.setdefault(entry.language, {})
        if entry.take_errors:
            pictures["timing"] = timing_histogram(entry.take_errors, spec.max_take_error)
        if entry.mix and original is not None:
            dub = _trace(folder / entry.mix, episode.source.duration)
            target = entry.loudness.get("target_lkfs")
            pictures["loudness"] = loudness_plot(original, dub, f"{entry.language} dub", target)
    atomic_write_text(out, qc_html(report, images, spec))


PLOT_BLOCK = 160_000
"""Frames decoded at a time for the plots (10 s)."""


def _trace(path: Path, duration: float, stream: int | None = None) -> AudioTrace:
    """The plotted figures of an audio stream, decoded mono at the plot rate block by block (``duration`` seconds)."""
    length = round(duration * PLOT_RATE)
    trace = AudioTrace(PLOT_RATE, length)
    for block in read_blocks(path, PLOT_RATE, 1, length, PLOT_BLOCK, stream):
        trace.add(block)
    return trace


def check_episode_folder(folder: Path, config: Config | None = None, decode: bool = True) -> QcReport:
    """Check a packaged episode folder again (hashes, masters decoded to the end), rewrite its QC page, return the report.

    The deliverables are those of ``OUT/<episode>/manifest.json`` (what packaging wrote last).
    """
    workdir = WorkDir(folder.parent, folder.name)
    episode = workdir.load_published()
    state = workdir.load()
    if state is None or state.run is None:
        raise InputError(f"{folder} holds no usable manifest", "run 'localize run' on the episode again")
    config = config or Config.model_validate(state.run.config)
    package = episode.package
    frame_rate = package.frame_rate if package else episode.source.frame_rate or 25.0
    shots = package.shot_changes if package else []
    report = assess(episode, folder, episode.deliverables, config, shots, frame_rate, decode, True)
    page = folder / QC_PAGE
    write_qc_page(report, episode, folder, config, page)
    deliverables = [_refreshed(item, page) if item.kind == "qc-report" else item for item in episode.deliverables]
    workdir.save(state.model_copy(update={"deliverables": deliverables}))
    atomic_write_text(folder / "manifest.json", episode.model_copy(update={"deliverables": deliverables}).model_dump_json(indent=2))
    return report


def _refreshed(item: Deliverable, page: Path) -> Deliverable:
    return item.model_copy(update={"sha256": sha256_file(page), "bytes": page.stat().st_size})
