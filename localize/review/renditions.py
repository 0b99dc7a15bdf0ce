"""Review operations on a line's translations: edit, approve, reject, hand back to the machine.

Each takes the revision the reviewer saw (the line's plus the rendition's, as a
script row carries it) and raises :class:`EditConflict` when it has changed
since, so a stale save never overwrites a newer change.
"""

from __future__ import annotations

from localize.errors import EditConflict, InputError
from localize.glossary.model import Glossary
from localize.model import Episode, Line, Origin, Rendition, RenditionFlag, Review
from localize.review.audit import Change
from localize.review.edit import Edit
from localize.script.edits import retext, row_revision, with_rendition

__all__ = ["ReviewStatus", "edit_translation", "revert_to_machine", "set_status"]

ReviewStatus = Origin


def _found(episode: Episode, language: str, line_id: str) -> tuple[Line, Rendition]:
    track = episode.tracks.get(language)
    if track is None:
        raise InputError(f"episode {episode.id} has no {language} track", f"pick one of: {', '.join(episode.tracks) or 'none'}")
    line = episode.line(line_id)
    rendition = track.renditions.get(line_id)
    if line is None or rendition is None:
        raise InputError(f"episode {episode.id} has no {language} line {line_id}", "reload the episode")
    return line, rendition


def _checked(episode: Episode, language: str, line_id: str, revision: int | None) -> tuple[Line, Rendition]:
    line, rendition = _found(episode, language, line_id)
    current = row_revision(line, rendition)
    if revision is not None and revision != current:
        raise EditConflict(f"{language} {line_id}", revision, current)
    return line, rendition


def _changes(subject: str, old: Rendition, new: Rendition, fields: tuple[str, ...]) -> list[Change]:
    return [
        Change(subject, name, _plain(getattr(old, name)), _plain(getattr(new, name)))
        for name in fields
        if getattr(old, name) != getattr(new, name)
    ]


def _plain(value: object) -> object:
    return value.model_dump() if isinstance(value, Review) else value


def _source(episode: Episode, glossary: Glossary | None) -> str:
    return episode.source_language or (glossary.source_language if glossary else "und")


def edit_translation(episode: Episode, language: str, line_id: str, text: str, revision: int | None, glossary: Glossary | None) -> Edit:
    """The line's translation replaced by a person's ``text`` (status ``edited``)."""
    text = " ".join(text.split())
    if not text:
        raise InputError(f"the new {language} text of {line_id} is empty", "type the translation (or reject the line)")
    line, old = _checked(episode, language, line_id, revision)
    if text == old.text and old.origin == "edited":
        return Edit(episode, [])
    new = retext(old, line, text, "edited", glossary, _source(episode, glossary), language)
    new = new.model_copy(update={"review": None})
    return Edit(with_rendition(episode, language, new), _changes(f"{language} {line_id}", old, new, ("text", "origin")))


def set_status(episode: Episode, language: str, line_id: str, status: ReviewStatus, revision: int | None, review: Review) -> Edit:
    """The rendition approved or rejected (``review`` says who, when, why); approving confirms it for the line as it
    reads now (a source-changed flag is cleared)."""
    if status not in ("approved", "rejected"):
        raise InputError(f"cannot set a rendition to '{status}' by review", "approve or reject it")
    if status == "rejected" and not review.comment.strip():
        raise InputError(f"rejecting {language} {line_id} needs a comment", "say what is wrong with the line")
    line, old = _checked(episode, language, line_id, revision)
    update: dict[str, object] = {"origin": status, "review": review, "revision": old.revision_for(old.text, status)}
    if status == "approved":
        update |= {"source_text": line.text, "flags": [f for f in old.flags if f != RenditionFlag.SOURCE_CHANGED]}
    new = old.model_copy(update=update)
    changes = _changes(f"{language} {line_id}", old, new, ("origin",))
    changes.append(Change(f"{language} {line_id}", "review", _plain(old.review), _plain(review)))
    return Edit(with_rendition(episode, language, new), changes)


def revert_to_machine(episode: Episode, language: str, line_id: str, revision: int | None) -> Edit:
    """The rendition handed back to the translator (the next translate run gives it a machine translation)."""
    _, old = _checked(episode, language, line_id, revision)
    if old.origin == "machine":
        return Edit(episode, [])
    new = old.model_copy(update={"origin": "machine", "review": None, "take": None, "revision": old.revision + 1})
    return Edit(with_rendition(episode, language, new), _changes(f"{language} {line_id}", old, new, ("origin",)))
