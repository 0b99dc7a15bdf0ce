"""The translator protocol every translate backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from localize.errors import BackendUnavailable
from localize.registry import Backend

__all__ = ["TranslationRequest", "Translator"]


@dataclass(frozen=True)
class TranslationRequest:
    """One line to translate, with what a context-aware backend may use."""

    text: str
    previous: str = ""
    """Text of the line before (context only, not translated)."""
    next: str = ""
    """Text of the line after (context only, not translated)."""
    gender: Literal["male", "female", "unknown"] = "unknown"
    """The speaker's gender, for languages that inflect for it."""
    formality: Literal["formal", "informal"] | None = None
    """The register the speaker uses, when the glossary sets one."""
    glossary: tuple[str, ...] = ()
    """Glossary instructions for this line, for backends that take them (``constraints``)."""
    speaker: str = ""
    """Who says the line (a character's name)."""
    addressee: str = ""
    """Who the line is probably said to."""
    characters: tuple[str, ...] = ()
    """The character sheet: one entry per character (name, gender, register with the others)."""
    syllables: int | None = None
    """About how many syllables the dub of this line can hold (its window times the target's speaking rate)."""

    def context(self) -> tuple[object, ...]:
        """Everything besides the text that a context-reading backend uses (for cache keys)."""
        return (self.previous, self.next, self.gender, self.formality, self.speaker, self.addressee, self.characters, self.syllables)


class Translator(Backend, ABC):
    """A translate backend: batches of lines in, ranked candidates out."""

    constraints: ClassVar[bool] = False
    """Whether the backend follows glossary instructions in the request (else terms are masked by placeholders)."""
    reads_context: ClassVar[bool] = False
    """Whether the backend reads more of a request than its text (neighbours, speaker, characters, length budget)."""

    @property
    def marks_unknown(self) -> bool:
        """Whether the backend marks words it could not translate with a leading * (Apertium's convention)."""
        return False

    def known_words(self, words: Iterable[str], source: str, target: str) -> frozenset[str] | None:
        """Which of ``words`` (lowercase, in ``source``) the backend knows translating into ``target``; None when it
        cannot tell (then the source language's lexicon stands in)."""
        return None

    def person_names(self, words: Iterable[str], source: str) -> frozenset[str]:
        """Which of ``words`` (capitalised, in ``source``) the backend's lexicon can read as a person's first name, as
        well as a common word ("Flor", "Rosa"); empty when it cannot tell."""
        return frozenset()

    def installed_data(self, source: str, target: str) -> tuple[str, ...]:
        """The installed language data translating ``source`` into ``target`` goes through (for cache keys: a pair
        installed later translates again); empty where the options name everything."""
        return ()

    @abstractmethod
    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        """One list of candidates per request (at least one, best first), in request order."""

    @abstractmethod
    def supports(self, source: str, target: str) -> bool:
        """Whether this backend can translate ``source`` to ``target`` here."""

    @abstractmethod
    def missing_hint(self, source: str, target: str) -> str:
        """What to install or configure so that ``source`` to ``target`` works."""

    def require(self, source: str, target: str) -> None:
        """Raise BackendUnavailable (with the hint) unless the backend and the pair are usable."""
        availability = self.availability()
        if not availability.usable:
            raise BackendUnavailable(f"translate backend '{self.name}' is not usable: {availability.detail}")
        if not self.supports(source, target):
            raise BackendUnavailable(
                f"translate backend '{self.name}' cannot translate {source} to {target}",
                self.missing_hint(source, target),
            )
