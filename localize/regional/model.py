"""A regional layer: how a regional variety of a source language is read before translation.

A layer is a glossary (same terms, same per-target rules) with two additions:
a term may name the ``standard`` word the translator reads instead of it
(conjugated like it when it is a verb), and a Spanish layer may turn voseo
into the tú forms translators know.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from localize.glossary.model import Entry, Text
from localize.languages import base_language

__all__ = ["LayerTerm", "PerTarget", "RegionalLayer", "Voseo", "per_target"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


PerTarget = Text | dict[str, Text]
"""One value for every target, or values by target tag with an optional ``default``."""


def per_target(value: PerTarget, target: str) -> str | None:
    """The value for ``target``: exact tag, base language, then ``default``."""
    if isinstance(value, str):
        return value
    for key in (target, base_language(target), "default"):
        if key in value:
            return value[key]
    return None


class LayerTerm(Entry):
    """A regional term: a glossary entry, and the standard word a translator reads where a target has no rendering."""

    standard: PerTarget | None = None
    """Standard-language text read instead of the term ("guita" -> "dinero"); a verb is conjugated like it. By target
    where translators differ ({en: "pasar"}: only the English pair lacks the word)."""
    gender: Literal["m", "f"] | None = None
    """The term's grammatical gender, when it differs from the standard word's (articles before it follow the standard)."""


class Voseo(_Model):
    """Voseo read as tú: pronoun, present, imperative and subjunctive forms of every verb the lexicon knows."""

    pronoun: PerTarget = "tú"
    """What subject 'vos' becomes (a target that renders usted as its informal you may want 'usted')."""
    after_preposition: PerTarget = "ti"
    """What 'vos' becomes after a preposition ('con vos' becomes 'contigo' whatever this says)."""
    irregular: dict[Text, PerTarget] = Field(default_factory=dict)
    """Voseo forms the rules cannot derive ("sos": "eres", imperatives such as "vení": "ven")."""
    subject: PerTarget | None = None
    """A pronoun put before a second-person verb that has no subject, for targets that say one
    (pt-BR "usted": Brazilian Portuguese says "você sabe" where Spanish says "sabés")."""
    plural_imperative: list[str] = Field(default_factory=list)
    """Targets whose translator reads a bare imperative better in the plural ("bajad el volumen": "turn down the
    volume", where "baja" reads "it goes down"); the target has one form for both."""


class RegionalLayer(_Model):
    """The regional layer of one language tag (``es-AR``), applied before any translate backend."""

    name: str
    region: str
    targets: list[str] = Field(default_factory=list)
    terms: list[LayerTerm] = Field(default_factory=list)
    interjections: list[LayerTerm] = Field(default_factory=list)
    """Terms used only where they stand alone between punctuation ("¡Claro!", not "está claro")."""
    names: list[Text] = Field(default_factory=list)
    """The region's gazetteer (places, streets, clubs, brands, first names, nicknames, surnames): kept verbatim
    wherever they stand, written as they are written ("Once", "Boca", "Facu")."""
    voseo: Voseo | None = None
    diminutives: bool = False
    """Read a diminutive the lexicon does not know as its base word ("vinito" -> "vino")."""
    clock_times: bool = False
    """Render clock times said in words ("a las once menos diez") as each target says them."""
    superlatives: bool = False
    """Read a superlative the lexicon does not know as "muy" and its adjective ("buenísima" -> "muy buena")."""
    clitics: bool = False
    """Move pronouns before an auxiliary onto its infinitive ("lo puedo tocar" -> "puedo tocarlo")."""
    personal_a: bool = False
    """Drop the personal "a" after verbs such as ver, llamar, esperar ("vio a mi gato" -> "vio mi gato")."""
    path: str | None = None
