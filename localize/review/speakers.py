"""Review operations on speakers: name a character, merge two speakers into one, split a speaker's lines off.

A name is what SDH labels, scripts, reports and casting show. Merging and
splitting move lines (each becomes the person's, kept by segmentation); a
speaker split off is the person's too (``origin="edited"``), kept by diarization.
"""

from __future__ import annotations

from localize.errors import EditConflict, InputError
from localize.model import Episode, Speaker
from localize.review.audit import Change
from localize.review.edit import Edit
from localize.review.lines import reassign_line

__all__ = ["MAX_NAME_CHARS", "merge_speakers", "rename_speaker", "split_speaker"]

MAX_NAME_CHARS = 80


def _speaker(episode: Episode, speaker_id: str) -> Speaker:
    speaker = episode.speaker(speaker_id)
    if speaker is None:
        raise InputError(f"episode {episode.id} has no speaker {speaker_id}", "reload the episode")
    return speaker


def _clean_name(episode: Episode, name: str, speaker_id: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_CHARS:
        raise InputError(f"a character name must have 1 to {MAX_NAME_CHARS} characters", "type the character's name")
    other = next((s for s in episode.speakers if s.name == name and s.id != speaker_id), None)
    if other is not None:
        raise InputError(f"{other.id} is already called {name}", f"merge {speaker_id} into {other.id} if they are one character")
    return name


def rename_speaker(episode: Episode, speaker_id: str, name: str, seen_name: str | None) -> Edit:
    """The speaker's character name set; ``seen_name`` is the name the reviewer saw (another one is a conflict)."""
    speaker = _speaker(episode, speaker_id)
    if seen_name is not None and seen_name != speaker.name:
        raise EditConflict(f"speaker {speaker_id} (now '{speaker.name}')", 0, 1)
    name = _clean_name(episode, name, speaker_id)
    if name == speaker.name:
        return Edit(episode, [])
    speakers = [s.model_copy(update={"name": name}) if s.id == speaker_id else s for s in episode.speakers]
    return Edit(episode.model_copy(update={"speakers": speakers}), [Change(f"speaker {speaker_id}", "name", speaker.name, name)])


def _move_lines(episode: Episode, line_ids: list[str], speaker_id: str) -> Edit:
    changes: list[Change] = []
    for line_id in line_ids:
        edit = reassign_line(episode, line_id, speaker_id, None)
        episode = edit.episode
        changes.extend(edit.changes)
    return Edit(episode, changes)


def merge_speakers(episode: Episode, source_id: str, into_id: str) -> Edit:
    """Every line of ``source_id`` given to ``into_id`` (one character heard as two)."""
    source, into = _speaker(episode, source_id), _speaker(episode, into_id)
    if source.id == into.id:
        raise InputError(f"cannot merge {source_id} into itself", "pick two different speakers")
    return _move_lines(episode, [line.id for line in episode.lines if line.speaker == source_id], into_id)


def split_speaker(episode: Episode, speaker_id: str, line_ids: list[str], name: str) -> Edit:
    """A new speaker named ``name`` (voice profile copied from ``speaker_id``) given these lines of ``speaker_id``."""
    source = _speaker(episode, speaker_id)
    own = {line.id for line in episode.lines if line.speaker == speaker_id}
    if not line_ids or not set(line_ids) <= own:
        raise InputError(f"split {speaker_id}: give some of its own lines", f"its lines: {', '.join(sorted(own)) or 'none'}")
    if set(line_ids) == own:
        raise InputError(f"split {speaker_id}: that is every line it has", "rename the speaker instead")
    taken = {s.id for s in episode.speakers}
    new_id = next(f"{speaker_id}.{n}" for n in range(2, len(taken) + 3) if f"{speaker_id}.{n}" not in taken)
    speaker = source.model_copy(
        update={"id": new_id, "name": _clean_name(episode, name, new_id), "origin": "edited", "speech_seconds": 0.0}
    )
    added = episode.model_copy(update={"speakers": [*episode.speakers, speaker]})
    moved = _move_lines(added, line_ids, new_id)
    return Edit(moved.episode, [Change(f"speaker {new_id}", "name", None, speaker.name), *moved.changes])
