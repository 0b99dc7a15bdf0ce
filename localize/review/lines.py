"""Review operations on the source transcript: correct a line's text or timing, split, merge, give it another speaker.

A changed line becomes the person's (``origin="edited"``, one revision up):
segmentation keeps it as it is from then on. Its words are aligned to the audio
again by an :data:`Aligner`. Every translation of a line whose text changed is
flagged ``source-changed`` at once: a person's is kept for re-review, a
machine's is translated again by the next run; none is silently kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from localize.errors import EditConflict, InputError
from localize.model import Episode, Line, RenditionFlag, Word
from localize.review.audit import Change
from localize.review.edit import Edit

__all__ = ["Aligner", "edit_source", "merge_lines", "new_line_id", "reassign_line", "retime_line", "split_line"]

Aligner = Callable[[str, float, float], list[Word]]
"""(text, start, end) -> the text's words timed against the audio between start and end (programme seconds)."""
_LINE_NUMBER = re.compile(r"^L(\d+)$")


def _line(episode: Episode, line_id: str, revision: int | None) -> Line:
    line = episode.line(line_id)
    if line is None:
        raise InputError(f"episode {episode.id} has no line {line_id}", "reload the episode")
    if revision is not None and revision != line.revision:
        raise EditConflict(line_id, revision, line.revision)
    return line


def new_line_id(episode: Episode) -> str:
    """An id no line of the episode has: one past the highest ``L<number>``."""
    numbers = [int(match[1]) for line in episode.lines if (match := _LINE_NUMBER.match(line.id))]
    return f"L{max(numbers, default=0) + 1:04d}"


def _person(line: Line, **update: object) -> Line:
    """``line`` changed by a person: its origin ``edited``, one revision up."""
    return line.model_copy(update={**update, "origin": "edited", "revision": line.revision + 1})


def _with_lines(
    episode: Episode, replaced: dict[str, Line], added: tuple[Line, ...] = (), removed: frozenset[str] = frozenset()
) -> Episode:
    lines = [replaced.get(line.id, line) for line in episode.lines if line.id not in removed] + list(added)
    lines.sort(key=lambda line: (line.start, line.end))
    tracks = {
        language: track.model_copy(update={"renditions": {k: r for k, r in track.renditions.items() if k not in removed}})
        for language, track in episode.tracks.items()
    }
    return episode.model_copy(update={"lines": lines, "tracks": tracks})


def _stale(episode: Episode, line_ids: list[str]) -> Edit:
    """Every translation of these lines flagged source-changed."""
    changes: list[Change] = []
    tracks = dict(episode.tracks)
    for language, track in episode.tracks.items():
        renditions = dict(track.renditions)
        for line_id in line_ids:
            rendition = renditions.get(line_id)
            if rendition is None or RenditionFlag.SOURCE_CHANGED in rendition.flags:
                continue
            renditions[line_id] = rendition.model_copy(update={"flags": [*rendition.flags, RenditionFlag.SOURCE_CHANGED]})
            changes.append(Change(f"{language} {line_id}", "flags", list(rendition.flags), list(renditions[line_id].flags)))
        tracks[language] = track.model_copy(update={"renditions": renditions})
    return Edit(episode.model_copy(update={"tracks": tracks}), changes)


def _timed(words: list[Word], line: Line) -> list[Word]:
    return [word.model_copy(update={"speaker": line.speaker, "language": line.language}) for word in words]


def _line_changes(old: Line, new: Line, fields: tuple[str, ...]) -> list[Change]:
    return [Change(old.id, name, getattr(old, name), getattr(new, name)) for name in fields if getattr(old, name) != getattr(new, name)]


def edit_source(episode: Episode, line_id: str, text: str, revision: int | None, align: Aligner) -> Edit:
    """The line's text corrected; its words aligned to the audio of its span again."""
    text = " ".join(text.split())
    if not text:
        raise InputError(f"the new text of {line_id} is empty", "type what is said, or merge the line into its neighbour")
    old = _line(episode, line_id, revision)
    if text == old.text:
        return Edit(episode, [])
    new = _person(old, text=text, words=_timed(align(text, old.start, old.end), old))
    stale = _stale(_with_lines(episode, {line_id: new}), [line_id])
    return Edit(stale.episode, [*_line_changes(old, new, ("text",)), *stale.changes])


def retime_line(episode: Episode, line_id: str, start: float, end: float, revision: int | None, align: Aligner) -> Edit:
    """The line's start and end corrected; its words aligned to the audio of the new span."""
    old = _line(episode, line_id, revision)
    start, end = round(start, 3), round(end, 3)
    if not 0 <= start < end <= episode.source.duration:
        raise InputError(
            f"{line_id}: {start:.3f}-{end:.3f} s is not a span of the programme", f"give 0 <= start < end <= {episode.source.duration:.3f}"
        )
    if (start, end) == (old.start, old.end):
        return Edit(episode, [])
    new = _person(old, start=start, end=end, words=_timed(align(old.text, start, end), old))
    return Edit(_with_lines(episode, {line_id: new}), _line_changes(old, new, ("start", "end")))


def split_line(episode: Episode, line_id: str, word_index: int, revision: int | None) -> Edit:
    """The line cut before its word ``word_index``: the first part keeps the id, the rest is a new line."""
    old = _line(episode, line_id, revision)
    if not 0 < word_index < len(old.words):
        raise InputError(f"{line_id} cannot be split before word {word_index}", f"split between two of its {len(old.words)} words")
    head_words, tail_words = old.words[:word_index], old.words[word_index:]
    head = _person(old, text=" ".join(w.text for w in head_words), words=head_words, end=head_words[-1].end)
    tail = Line(
        id=new_line_id(episode),
        start=tail_words[0].start,
        end=old.end,
        speaker=old.speaker,
        text=" ".join(w.text for w in tail_words),
        words=tail_words,
        language=old.language,
        forced_narrative=old.forced_narrative,
        origin="edited",
    )
    stale = _stale(_with_lines(episode, {line_id: head}, added=(tail,)), [line_id])
    changes = [*_line_changes(old, head, ("text", "end")), Change(tail.id, "line", None, tail.text), *stale.changes]
    return Edit(stale.episode, changes)


def merge_lines(episode: Episode, first_id: str, second_id: str, revisions: tuple[int | None, int | None]) -> Edit:
    """Two neighbouring lines made one: the first keeps its id and speaker, the second (and its translations) goes."""
    first, second = _line(episode, first_id, revisions[0]), _line(episode, second_id, revisions[1])
    order = [line.id for line in episode.lines]
    if order.index(second_id) != order.index(first_id) + 1:
        raise InputError(f"{first_id} and {second_id} are not neighbours", "merge a line with the one right after it")
    words = [*first.words, *_timed(second.words, first)]
    merged = _person(first, text=f"{first.text} {second.text}", words=words, end=max(first.end, second.end))
    stale = _stale(_with_lines(episode, {first_id: merged}, removed=frozenset({second_id})), [first_id])
    changes = [*_line_changes(first, merged, ("text", "end")), Change(second_id, "line", second.text, None), *stale.changes]
    return Edit(stale.episode, changes)


def reassign_line(episode: Episode, line_id: str, speaker_id: str, revision: int | None) -> Edit:
    """The line given to another speaker (its words too): cast and dubbed with that speaker's voice from then on."""
    old = _line(episode, line_id, revision)
    if episode.speaker(speaker_id) is None:
        raise InputError(f"episode {episode.id} has no speaker {speaker_id}", "pick one of its speakers, or split one off first")
    if old.speaker == speaker_id:
        return Edit(episode, [])
    new = _person(old, speaker=speaker_id, words=[w.model_copy(update={"speaker": speaker_id}) for w in old.words])
    return Edit(_with_lines(episode, {line_id: new}), _line_changes(old, new, ("speaker",)))
