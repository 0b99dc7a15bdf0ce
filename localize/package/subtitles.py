"""Subtitle files (SRT, WebVTT) from a track's renditions."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pysubs2

from localize.cache import atomic_path
from localize.model import Episode, Track

__all__ = ["MAX_CHARS_PER_LINE", "subtitle_events", "write_subtitles"]

MAX_CHARS_PER_LINE = 42
MAX_LINES = 2
MIN_EVENT = 5 / 6


def _wrap(text: str) -> list[str]:
    """Split text into events of at most two lines of 42 characters."""
    rows = textwrap.wrap(" ".join(text.split()), MAX_CHARS_PER_LINE) or [""]
    return ["\n".join(rows[i : i + MAX_LINES]) for i in range(0, len(rows), MAX_LINES)]


def subtitle_events(episode: Episode, track: Track) -> list[tuple[float, float, str]]:
    """(start, end, text) per event; long renditions split over the line's time by length."""
    events: list[tuple[float, float, str]] = []
    for line in sorted(episode.lines, key=lambda item: item.start):
        rendition = track.renditions.get(line.id)
        if rendition is None or not rendition.text.strip():
            continue
        start = rendition.take.start if rendition.take else line.start
        end = max(line.end, rendition.take.start + rendition.take.duration if rendition.take else line.end)
        chunks = _wrap(rendition.text)
        total = sum(len(chunk) for chunk in chunks)
        cursor = start
        for chunk in chunks:
            share = (end - start) * len(chunk) / total
            events.append((cursor, cursor + max(share, MIN_EVENT), chunk))
            cursor += share
    fixed: list[tuple[float, float, str]] = []
    for index, (start, end, text) in enumerate(events):
        if index + 1 < len(events):
            end = min(end, events[index + 1][0] - 0.084)
        fixed.append((start, max(end, start + 0.3), text))
    return fixed


def write_subtitles(episode: Episode, track: Track, path: Path) -> None:
    """Write SRT or WebVTT (by suffix) atomically."""
    subs = pysubs2.SSAFile()
    for start, end, text in subtitle_events(episode, track):
        subs.append(pysubs2.SSAEvent(start=round(start * 1000), end=round(end * 1000), text=text.replace("\n", "\\N")))
    with atomic_path(path) as temp:
        subs.save(str(temp), format_="vtt" if path.suffix == ".vtt" else "srt")
