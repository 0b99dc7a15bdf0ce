"""The glossary document: terms, what each target language must (not) say, formality."""

from __future__ import annotations

import warnings
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from localize.cache import stable_hash
from localize.glossary.match import find_terms
from localize.languages import base_language

__all__ = ["SCOPES", "Entry", "FormalityRule", "Glossary", "Register", "Scope", "TargetRule"]

Scope = Literal["character", "place", "slang", "food", "brand", "object", "other"]
SCOPES: tuple[str, ...] = get_args(Scope)
Register = Literal["formal", "informal"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-blank string, surrounding whitespace removed."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetRule(_Model):
    """What one target language must say for a term, and must never say."""

    renderings: list[Text] = Field(default_factory=list)
    forbidden: list[Text] = Field(default_factory=list)
    note: str = ""
    """Adaptation note for translators (why this rendering)."""
    dnt: bool = False
    case_sensitive: bool = False
    """Renderings must appear in the translation with exactly this case."""

    @property
    def constrains(self) -> bool:
        """Whether the rule asks anything of a translation."""
        return bool(self.renderings or self.forbidden)


class Entry(_Model):
    """One glossary term in the source language, written in dictionary form."""

    id: Text
    term: Text
    variants: list[Text] = Field(default_factory=list)
    pos: str = ""
    scope: Scope = "other"
    dnt: bool = False
    case_sensitive: bool = False
    note: str = ""
    targets: dict[str, TargetRule] = Field(default_factory=dict)
    line: int | None = None
    """Where the entry starts in its file (for messages); not part of its meaning."""

    @property
    def forms(self) -> list[str]:
        """The term and its listed variants."""
        return [self.term, *self.variants]

    def rule(self, target: str) -> TargetRule:
        """The rule for a target tag: exact tag first, then its base language ("pt-BR", then "pt").

        A do-not-translate entry (or target rule) renders as the term itself.
        """
        rule = self.targets.get(target)
        if rule is None:
            rule = self.targets.get(base_language(target))
        if self.dnt or (rule is not None and rule.dnt):
            kept = rule or TargetRule()
            return TargetRule(
                renderings=[self.term],
                forbidden=kept.forbidden,
                note=kept.note,
                dnt=True,
                case_sensitive=kept.case_sensitive or self.case_sensitive,
            )
        return rule or TargetRule()


with warnings.catch_warnings():
    # "register" is the schema's word; it only shadows ABCMeta.register on the class, never on instances.
    warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

    class FormalityRule(_Model):
        """The register these characters use (e.g. tú/vous vs usted/vous)."""

        speakers: list[Text]
        register: Register


class Glossary(_Model):
    """A series glossary: source-language terms and their rules per target language."""

    name: str
    source_language: str
    targets: list[str] = Field(default_factory=list)
    terms: list[Entry] = Field(default_factory=list)
    formality: list[FormalityRule] = Field(default_factory=list)
    path: str | None = None

    def without_location(self) -> Glossary:
        """The glossary's meaning alone: no file path, no line numbers (what cache keys are made of)."""
        terms = [entry.model_copy(update={"line": None}) for entry in self.terms]
        return self.model_copy(update={"path": None, "terms": terms})

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, if any."""
        return next((e for e in self.terms if e.id == entry_id), None)

    def entries_for(self, text: str, target: str) -> list[Entry]:
        """The entries found in a source text that constrain its ``target`` translation, in text order."""
        entries: dict[str, Entry] = {}
        for match in find_terms(self, text, self.source_language, target=target):
            entries.setdefault(match.entry.id, match.entry)
        return list(entries.values())

    def digest(self, text: str, target: str) -> str:
        """A stable hash of what the glossary asks of this text's ``target`` translation.

        Editing an entry changes the digest only of the texts it applies to.
        """
        entries = self.entries_for(text, target)
        parts = [(e.id, e.forms, e.dnt, e.case_sensitive, e.rule(target).model_dump(exclude={"note"})) for e in entries]
        return stable_hash(parts)

    def formality_for(self, speaker: str, addressee: str | None = None) -> Register | None:
        """The register ``speaker`` uses (towards ``addressee`` when known); None when unset or ambiguous."""
        registers = {
            rule.register
            for rule in self.formality
            if _named(speaker, rule.speakers) and (addressee is None or _named(addressee, rule.speakers))
        }
        return registers.pop() if len(registers) == 1 else None


def _named(name: str, names: list[str]) -> bool:
    wanted = name.casefold()
    return any(other.casefold() == wanted for other in names)
