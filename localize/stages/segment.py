"""Dialogue lines from speaker-labelled words: one speaker per line.

A line ends at a speaker change, at a pause longer than ``max_pause``, at a
sentence end followed by a pause, or before it would exceed ``max_seconds``.
An ellipsis is not a sentence end: "Mirá... no sé" stays one line, its pause kept.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from localize.model import Episode, Line, Word
from localize.stages.base import RunContext

__all__ = ["SegmentOptions", "SegmentStage", "words_to_lines"]

SENTENCE_END = (".", "?", "!", "。", "？", "！")


class SegmentOptions(BaseModel):
    """Where lines are cut."""

    max_seconds: float = Field(default=8.0, gt=1.0)
    max_pause: float = Field(default=2.0, gt=0.1)
    sentence_pause: float = Field(default=0.35, ge=0.0)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip("\"'”»)")
    return stripped.endswith(SENTENCE_END) and not stripped.endswith(("...", "…"))


def _split_long(words: list[Word], max_seconds: float) -> list[list[Word]]:
    """Cut a too-long run of words at its widest pause, recursively."""
    if len(words) < 2 or words[-1].end - words[0].start <= max_seconds:
        return [words]
    gaps = [(words[i + 1].start - words[i].end, i) for i in range(len(words) - 1)]
    _, cut = max(gaps)
    return _split_long(words[: cut + 1], max_seconds) + _split_long(words[cut + 1 :], max_seconds)


def words_to_lines(words: list[Word], options: SegmentOptions) -> list[Line]:
    """Group words into dialogue lines."""
    groups: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        if current:
            previous = current[-1]
            pause = word.start - previous.end
            if (
                word.speaker != previous.speaker
                or pause > options.max_pause
                or (_ends_sentence(previous.text) and pause >= options.sentence_pause)
            ):
                groups.append(current)
                current = []
        current.append(word)
    if current:
        groups.append(current)
    lines: list[Line] = []
    for group in groups:
        for part in _split_long(group, options.max_seconds):
            speaker = Counter(w.speaker or "SPEAKER_00" for w in part).most_common(1)[0][0]
            lines.append(
                Line(
                    id=f"L{len(lines) + 1:04d}",
                    start=part[0].start,
                    end=part[-1].end,
                    speaker=speaker,
                    text=" ".join(w.text for w in part),
                    words=part,
                )
            )
    return lines


class SegmentStage:
    """Build the dialogue lines that translation and dubbing work on."""

    name = "segment"
    version = 1

    def __init__(self, options: SegmentOptions | None = None) -> None:
        self.options = options or SegmentOptions()

    def backend_name(self, ctx: RunContext) -> str:
        """Segmentation is built in."""
        return "rules.v1"

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """The labelled words and the options."""
        return [self.options.model_dump(), [(w.text, w.start, w.end, w.speaker) for w in episode.words]]

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Lines live in the manifest."""
        return True

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Replace the episode's lines."""
        lines = [line.model_copy(update={"language": episode.source_language}) for line in words_to_lines(episode.words, self.options)]
        return episode.model_copy(update={"lines": lines})
