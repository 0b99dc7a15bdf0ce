"""Language tags: normalise BCP-47 input and name languages for people."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

import langcodes

from localize.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["base_language", "blank_pipeline", "display_name", "iso639_2", "normalize_tag", "parse_targets", "syllable_rate"]

log = logging.getLogger("localize")


def normalize_tag(tag: str) -> str:
    """Return the standard form of a BCP-47 tag ("pt_br" -> "pt-BR").

    Raises ConfigError for a tag that is malformed or names no known language.
    """
    cleaned = tag.strip().replace("_", "-")
    try:
        language = langcodes.Language.get(cleaned)
    except (langcodes.LanguageTagError, ValueError) as exc:
        raise ConfigError(f"'{tag}' is not a language tag", "use a BCP-47 tag such as en, pt-BR or fr") from exc
    if not language.language or not language.is_valid() or not _is_known(language):
        raise ConfigError(f"unknown language tag '{tag}'", "use a BCP-47 tag such as en, pt-BR or fr")
    return str(language)


def _is_known(language: langcodes.Language) -> bool:
    name = language.language_name()
    return bool(name) and not name.lower().startswith("unknown")


def parse_targets(value: str | list[str]) -> list[str]:
    """Parse "en,pt-BR,fr" (or a list) into unique normalised tags, in order."""
    items = value.split(",") if isinstance(value, str) else value
    tags: list[str] = []
    for item in items:
        if item.strip():
            tag = normalize_tag(item)
            if tag not in tags:
                tags.append(tag)
    if not tags:
        raise ConfigError("no target language given", "pass --to with tags such as en,pt-BR,fr")
    return tags


def base_language(tag: str) -> str:
    """The language subtag alone ("pt-BR" -> "pt")."""
    return langcodes.Language.get(tag).language or tag


def display_name(tag: str) -> str:
    """An English name for people ("pt-BR" -> "Portuguese (Brazil)")."""
    return str(langcodes.Language.get(tag).display_name("en"))


def iso639_2(tag: str) -> str:
    """The three-letter terminology code (ISO 639-2/T) that MP4 requires ("fr" -> "fra", "de" -> "deu")."""
    return str(langcodes.Language.get(tag).to_alpha3(variant="T"))


# Syllables per second of read speech (Pellegrino, Coupé & Marsico 2011, "A cross-language perspective on speech
# information rate", Language 87(3)). Portuguese is not in the study: the Spanish and Italian mean stands in for it.
_SYLLABLE_RATES = {"en": 6.19, "fr": 7.18, "de": 5.97, "it": 6.99, "ja": 7.84, "zh": 5.18, "es": 7.82, "pt": 7.4}
_DEFAULT_SYLLABLE_RATE = 6.7  # the mean of the languages studied


def syllable_rate(tag: str) -> float:
    """About how many syllables per second a speaker of the language says (a length budget for dubbing)."""
    return _SYLLABLE_RATES.get(base_language(tag), _DEFAULT_SYLLABLE_RATE)


@functools.cache
def blank_pipeline(language: str) -> Language:
    """spaCy's rule-based pipeline for a language's base tag (tokenizer and sentencizer), built once per process and
    shared by every use (glossary matching, sentence ends, line breaks): building one compiles its tokenizer's
    rules, a second or two. spaCy's multi-language pipeline when it has no data for the language."""
    import spacy

    try:
        nlp = spacy.blank(base_language(language))
    except (ImportError, KeyError, ValueError) as exc:
        log.info("no spaCy language data for %s (%s); using the multi-language tokenizer", language, exc)
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp
