"""Dialogue lines from speaker-labelled words: one speaker and one language per line.

A line ends at a speaker change, at a change of spoken language, at a pause
longer than ``max_pause``, at a sentence end (spaCy's sentence boundaries for the
source language) followed by a pause, or before it would exceed ``max_seconds``.
An ellipsis is not a sentence end: "Mirá... no sé" stays one line, its pause kept.
A line in another language than the programme's is marked forced narrative: it is
subtitled, and not dubbed unless the configuration asks for it.
"""

from __future__ import annotations

from collections import Counter

from localize.config import SegmentConfig
from localize.languages import base_language
from localize.model import Episode, Line, Word
from localize.stages.base import RunContext, Stage
from localize.stages.turns import assign_speakers

__all__ = ["SegmentOptions", "SegmentStage", "sentence_ends", "words_to_lines"]

SegmentOptions = SegmentConfig
ELLIPSIS = ("...", "…")


def sentence_ends(words: list[Word], language: str | None) -> set[int]:
    """Indices of the words that end a sentence, from spaCy's sentence boundaries (an ellipsis never does)."""
    if not words:
        return set()
    from localize.package.breaks import load_pipeline

    nlp = load_pipeline(language or "xx")
    starts: list[int] = []
    cursor = 0
    for word in words:
        starts.append(cursor)
        cursor += len(word.text) + 1
    text = " ".join(word.text for word in words)
    ends: set[int] = set()
    index = 0
    for sentence in nlp(text).sents:
        last_char = sentence.end_char - 1
        while index + 1 < len(words) and starts[index + 1] <= last_char:
            index += 1
        if not words[index].text.rstrip("\"'”»)").endswith(ELLIPSIS):
            ends.add(index)
    ends.discard(len(words) - 1)
    return ends


def _split_long(words: list[Word], max_seconds: float) -> list[list[Word]]:
    """Cut a too-long run of words at its widest pause, recursively."""
    if len(words) < 2 or words[-1].end - words[0].start <= max_seconds:
        return [words]
    gaps = [(words[i + 1].start - words[i].end, i) for i in range(len(words) - 1)]
    _, cut = max(gaps)
    return _split_long(words[: cut + 1], max_seconds) + _split_long(words[cut + 1 :], max_seconds)


def _language(word: Word, default: str | None) -> str | None:
    return base_language(word.language) if word.language else default


def words_to_lines(words: list[Word], options: SegmentOptions, language: str | None = None) -> list[Line]:
    """Group words into dialogue lines; ``language`` is the programme's (lines in another are forced narrative)."""
    programme = base_language(language) if language else None
    ends = sentence_ends(words, language)
    groups: list[list[Word]] = []
    current: list[Word] = []
    for index, word in enumerate(words):
        if current:
            previous = current[-1]
            pause = word.start - previous.end
            if (
                word.speaker != previous.speaker
                or _language(word, programme) != _language(previous, programme)
                or pause > options.max_pause
                or (index - 1 in ends and pause >= options.sentence_pause)
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
            spoken = Counter(w.language for w in part if w.language).most_common(1)
            line_language = spoken[0][0] if spoken else language
            foreign = bool(programme and line_language and base_language(line_language) != programme)
            lines.append(
                Line(
                    id=f"L{len(lines) + 1:04d}",
                    start=part[0].start,
                    end=part[-1].end,
                    speaker=speaker,
                    text=" ".join(w.text for w in part),
                    words=part,
                    language=line_language if foreign else language,
                    forced_narrative=foreign,
                )
            )
    return lines


class SegmentStage(Stage):
    """Build the dialogue lines that translation and dubbing work on: each word given its speaker, then cut.

    Lines a person edited (``origin="edited"``) are kept as they are; only the words around them are cut into lines.
    """

    name = "segment"
    reads = ("words", "turns", "source_language", "lines")
    """``lines``: its own output, read back for the lines people edited (kept) and the ids and revisions of the others."""
    writes = ("lines",)
    settings = ("segment",)

    def __init__(self, options: SegmentOptions | None = None) -> None:
        self.options = options

    def _options(self, ctx: RunContext) -> SegmentOptions:
        return self.options or ctx.config.segment

    def backend_name(self, ctx: RunContext) -> str:
        """Segmentation is built in."""
        return "rules.v2"

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Replace the episode's machine lines (a line keeps its revision, raised when its text or speaker changed)."""
        kept = [line for line in episode.lines if line.origin == "edited"]
        words = [word for word in assign_speakers(episode.words, episode.turns) if not _covered(word, kept)]
        runs = _runs_between(words, kept)
        made = [line for run in runs for line in words_to_lines(run, self._options(ctx), episode.source_language)]
        lines = sorted([*kept, *_ids(episode.lines, made, kept)], key=lambda line: (line.start, line.end))
        return episode.model_copy(update={"lines": carry_revisions(episode.lines, lines)})


def _middle(word: Word) -> float:
    return (word.start + word.end) / 2


def _covered(word: Word, lines: list[Line]) -> bool:
    """Whether the middle of ``word`` falls inside one of ``lines``."""
    return any(line.start <= _middle(word) <= line.end for line in lines)


def _runs_between(words: list[Word], kept: list[Line]) -> list[list[Word]]:
    """``words`` cut into runs wherever a kept line lies between two of them (no machine line spans a person's)."""
    edges = sorted(line.start for line in kept)
    runs: list[list[Word]] = [[]]
    for word in words:
        previous = runs[-1][-1] if runs[-1] else None
        if previous is not None and any(_middle(previous) < edge <= _middle(word) for edge in edges):
            runs.append([])
        runs[-1].append(word)
    return [run for run in runs if run]


def _ids(old: list[Line], made: list[Line], kept: list[Line]) -> list[Line]:
    """``made`` lines with stable ids: the id of the old machine line with the same span, else their position
    among all lines when that is free, else one past the highest."""
    by_span = {(round(line.start, 3), round(line.end, 3)): line.id for line in old if line.origin == "machine"}
    taken = {line.id for line in kept}
    ids: dict[int, str] = {}
    for index, line in enumerate(made):
        same = by_span.get((round(line.start, 3), round(line.end, 3)))
        if same is not None and same not in taken:
            ids[index] = same
            taken.add(same)
    order = sorted([*((line.start, 1, index) for index, line in enumerate(made)), *((line.start, 0, -1) for line in kept)])
    for number, (_, _, index) in enumerate(order, start=1):
        if index < 0 or index in ids:
            continue
        wanted = f"L{number:04d}"
        if wanted in taken:
            wanted = f"L{_highest(taken | {line.id for line in old}) + 1:04d}"
        ids[index] = wanted
        taken.add(wanted)
    return [line.model_copy(update={"id": ids[index]}) for index, line in enumerate(made)]


def _highest(ids: set[str]) -> int:
    return max((int(item[1:]) for item in ids if item[:1] == "L" and item[1:].isdigit()), default=0)


def carry_revisions(old: list[Line], new: list[Line]) -> list[Line]:
    """``new`` lines with the revision of the old line of the same id, one higher where its text or speaker changed."""
    before = {line.id: line for line in old}
    carried = []
    for line in new:
        previous = before.get(line.id)
        if previous is not None and line.origin == "machine":
            changed = (previous.text, previous.speaker) != (line.text, line.speaker)
            line = line.model_copy(update={"revision": previous.revision + changed})
        carried.append(line)
    return carried
