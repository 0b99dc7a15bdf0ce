"""Review operations applied to an episode folder, by a named person: the one way the studio, ``script import`` and
tests change an episode.

Each operation runs under the episode's edit lock (held by renders too, so an
edit never lands between a render's read and its save), on the manifest as it
is on disk, checks the revision the person saw, saves atomically and appends
one audit entry per changed field. The files beside the manifest that people
edit (``speakers.yaml``, ``casting.yaml``, the series glossary) are written by
the same operations.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from localize.cache import WorkDir
from localize.config import Config
from localize.errors import InputError, LocalizeError
from localize.glossary.load import load_glossary
from localize.glossary.model import Glossary, Scope
from localize.model import Episode, Review
from localize.review import lines, renditions, speakers
from localize.review.audit import AuditEntry, Change, append_audit
from localize.review.edit import Edit
from localize.review.glossary_terms import add_glossary_term, new_entry
from localize.review.lines import Aligner
from localize.stages.diarize.speakers import read_speakers_file, speakers_path, write_speakers_file
from localize.stages.dub.casting import find_voice, load_catalog
from localize.stages.dub.episode_casting import EPISODE_CASTING_FILE, read_episode_casting, write_episode_casting

__all__ = ["LOCK_FILE", "EpisodeBusy", "EpisodeEditor", "now"]

LOCK_FILE = "edit.lock"
"""In the work directory; held while an operation or a render changes the episode."""
LOCK_WAIT_SECONDS = 10.0


class EpisodeBusy(LocalizeError):
    """Another edit or a render holds the episode longer than an edit waits."""


def now() -> str:
    """The current time as the audit log and review records write it (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class EpisodeEditor:
    """Applies review operations to the episode in ``folder`` on behalf of ``who``."""

    def __init__(self, folder: Path, who: str, aligner: Aligner | None = None) -> None:
        self.workdir = WorkDir.at(folder)
        self.who = who
        self._aligner = aligner

    # --- reading and locking ---

    def load(self) -> Episode:
        """The episode as saved."""
        episode = self.workdir.load()
        if episode is None:
            raise InputError(f"{self.workdir.root} holds no usable manifest", "run 'localize run' on the episode again")
        return episode

    @property
    def config(self) -> Config:
        """The configuration the episode was last run with (the defaults if it has no record of its run)."""
        run = self.load().run
        return Config.model_validate(run.config) if run is not None else Config()

    @contextlib.contextmanager
    def locked(self, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Hold the episode's edit lock (waiting up to ``wait`` seconds, then EpisodeBusy)."""
        handle = os.open(self.workdir.state / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise EpisodeBusy(
                            f"episode {self.workdir.root.name} is being rendered or edited", "try again when the render has finished"
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(handle)

    def apply(self, action: str, operation: Callable[[Episode], Edit], comment: str = "") -> Edit:
        """Run ``operation`` on the saved episode under the lock; save it and log its changes when it changed anything."""
        with self.locked():
            edit = operation(self.load())
            if edit.changes:
                self.workdir.save(edit.episode)
                self.audit(action, edit.changes, comment)
        return edit

    def audit(self, action: str, changes: list[Change], comment: str = "") -> None:
        """Log changes made by ``action`` (one entry per field)."""
        at = now()
        entries = [AuditEntry(at, self.who, action, c.subject, c.field, c.before, c.after, comment) for c in changes]
        append_audit(self.workdir, entries)

    # --- translations ---

    def glossary(self) -> Glossary | None:
        """The glossary the episode was run with, as its file reads now."""
        run = self.load().run
        path = Path(run.glossary) if run and run.glossary else None
        return load_glossary(path) if path is not None and path.is_file() else None

    def edit_translation(self, language: str, line_id: str, text: str, revision: int | None) -> Edit:
        """A person's translation of a line."""
        glossary = self.glossary()
        return self.apply("edit translation", lambda e: renditions.edit_translation(e, language, line_id, text, revision, glossary))

    def set_status(self, language: str, line_id: str, status: renditions.ReviewStatus, revision: int | None, comment: str = "") -> Edit:
        """Approve or reject a line's translation (a rejection says why)."""
        review = Review(by=self.who, at=now(), comment=comment.strip())
        return self.apply(status, lambda e: renditions.set_status(e, language, line_id, status, revision, review), comment.strip())

    def revert_to_machine(self, language: str, line_id: str, revision: int | None) -> Edit:
        """Hand a line's translation back to the translator."""
        return self.apply("re-translate", lambda e: renditions.revert_to_machine(e, language, line_id, revision))

    # --- the source transcript ---

    @cached_property
    def aligner(self) -> Aligner:
        """Aligns corrected text to the episode's dialogue audio (the Whisper model it was transcribed with)."""
        if self._aligner is not None:
            return self._aligner
        from localize.review.align import WhisperAligner

        episode = self.load()
        if episode.dialogue_audio is None:
            raise InputError(f"episode {episode.id} has no dialogue audio yet", "run 'localize run' on it first")
        return WhisperAligner(self.config, self.workdir.resolve(episode.dialogue_audio), episode.source_language)

    def edit_source(self, line_id: str, text: str, revision: int | None) -> Edit:
        """Correct what a line says; its words are aligned to the audio again."""
        return self.apply("edit source", lambda e: lines.edit_source(e, line_id, text, revision, self.aligner))

    def retime(self, line_id: str, start: float, end: float, revision: int | None) -> Edit:
        """Correct when a line is said."""
        return self.apply("retime", lambda e: lines.retime_line(e, line_id, start, end, revision, self.aligner))

    def split_line(self, line_id: str, word_index: int, revision: int | None) -> Edit:
        """Cut a line in two before one of its words."""
        return self.apply("split line", lambda e: lines.split_line(e, line_id, word_index, revision))

    def merge_lines(self, first_id: str, second_id: str, revisions: tuple[int | None, int | None]) -> Edit:
        """Join a line and the next one."""
        return self.apply("merge lines", lambda e: lines.merge_lines(e, first_id, second_id, revisions))

    def reassign_line(self, line_id: str, speaker_id: str, revision: int | None) -> Edit:
        """Give a line to another speaker."""
        return self.apply("reassign line", lambda e: lines.reassign_line(e, line_id, speaker_id, revision))

    # --- speakers and casting ---

    def _speakers_file(self) -> Path:
        return speakers_path(self.config, self.workdir.root)

    def _name_in_file(self, edit: Edit) -> None:
        """Write the names an edit gave into the speakers file (what the diarize stage names speakers by)."""
        names = {
            c.subject.removeprefix("speaker "): c.after for c in edit.changes if c.field == "name" and c.subject.startswith("speaker ")
        }
        if names:
            path = self._speakers_file()
            write_speakers_file(path, {**read_speakers_file(path), **names})

    def rename_speaker(self, speaker_id: str, name: str, seen_name: str | None) -> Edit:
        """Give a speaker its character name (in the manifest and the speakers file)."""
        with self.locked():
            edit = speakers.rename_speaker(self.load(), speaker_id, name, seen_name)
            if edit.changes:
                self._name_in_file(edit)
                self.workdir.save(edit.episode)
                self.audit("rename speaker", edit.changes)
        return edit

    def merge_speakers(self, source_id: str, into_id: str) -> Edit:
        """Give every line of one speaker to another."""
        return self.apply("merge speakers", lambda e: speakers.merge_speakers(e, source_id, into_id))

    def split_speaker(self, speaker_id: str, line_ids: list[str], name: str) -> Edit:
        """Make a new speaker of some of a speaker's lines."""
        with self.locked():
            edit = speakers.split_speaker(self.load(), speaker_id, line_ids, name)
            self._name_in_file(edit)
            self.workdir.save(edit.episode)
            self.audit("split speaker", edit.changes)
        return edit

    def cast_voice(self, speaker_id: str, language: str, voice_id: str) -> Edit:
        """Choose a speaker's voice in one language (kept in the episode's ``casting.yaml``)."""
        with self.locked():
            episode = self.load()
            if episode.speaker(speaker_id) is None or language not in episode.tracks:
                raise InputError(f"episode {episode.id} has no speaker {speaker_id} in {language}", "reload the episode")
            if find_voice(load_catalog(language, self.config.dub.voices_dir), voice_id) is None:
                raise InputError(f"'{voice_id}' is not a {language} voice of the catalog", "pick a voice from the casting panel")
            path = self.workdir.root / EPISODE_CASTING_FILE
            choices = read_episode_casting(path)
            before = choices.get(speaker_id, {}).get(language) or episode.tracks[language].voices.get(speaker_id)
            if before == voice_id:
                return Edit(episode, [])
            choices.setdefault(speaker_id, {})[language] = voice_id
            write_episode_casting(path, choices)
            changes = [Change(f"casting {language} {speaker_id}", "voice", before, voice_id)]
            self.audit("cast voice", changes)
        return Edit(episode, changes)

    # --- the glossary ---

    def add_glossary_term(self, term: str, scope: Scope, dnt: bool, renderings: dict[str, str], note: str = "") -> Edit:
        """Add a term to the series glossary the episode was run with (the file's previous version kept)."""
        with self.locked():
            episode = self.load()
            path = Path(episode.run.glossary) if episode.run and episode.run.glossary else None
            if path is None or not path.is_file():
                raise InputError(f"episode {episode.id} was run without a glossary file", "run it with --glossary to add terms")
            entry = new_entry(load_glossary(path), term, scope, dnt, renderings, note)
            backup = add_glossary_term(path, entry)
            changes = [Change(f"glossary {path.name}", "term", None, entry.model_dump(exclude={"line"}, exclude_defaults=True))]
            self.audit("add glossary term", changes, f"previous version: {backup.name}")
        return Edit(episode, changes)
