"""Check a translation against the glossary: one GlossaryHit per term occurrence in the source."""

from __future__ import annotations

import re
from typing import Literal

from localize.glossary.match import TermMatch, find_rendering, find_terms
from localize.glossary.model import Glossary
from localize.model import GlossaryHit

__all__ = ["VIOLATIONS", "check_matches", "check_rendition", "find_verbatim"]

VIOLATIONS = frozenset({"violated", "forbidden"})
"""Hit statuses that break the glossary."""

Status = Literal["honoured", "kept", "violated", "forbidden"]


def find_verbatim(text: str, forms: list[str]) -> str | None:
    """The first of ``forms`` present in ``text`` exactly (same case), as a whole word."""
    for form in forms:
        if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            return form
    return None


def _outcome(match: TermMatch, target_text: str, target: str) -> tuple[Status, str | None]:
    entry = match.entry
    rule = entry.rule(target)
    if rule.dnt:
        kept = find_verbatim(target_text, list(dict.fromkeys([match.surface, *entry.forms])))
        return ("kept" if kept else "violated"), kept
    approved = find_rendering(target_text, rule.renderings, target, rule.case_sensitive)
    if approved:
        return "honoured", approved.surface
    forbidden = find_rendering(target_text, rule.forbidden, target)
    if forbidden:
        return "forbidden", forbidden.surface
    # A rule that only forbids is honoured by any translation that avoids what it forbids.
    return ("violated" if rule.renderings else "honoured"), None


def _hit(match: TermMatch, target_text: str, target: str) -> GlossaryHit:
    rule = match.entry.rule(target)
    status, found = _outcome(match, target_text, target)
    return GlossaryHit(
        term_id=match.entry.id,
        source=match.surface,
        expected=rule.renderings,
        found=found,
        status=status,
        note=rule.note or match.entry.note,
    )


def check_matches(
    source_text: str, target_text: str, glossary: Glossary, source_lang: str, target: str
) -> list[tuple[TermMatch, GlossaryHit]]:
    """Each term occurrence in the source that constrains ``target``, with what the translation did with it."""
    matches = find_terms(glossary, source_text, source_lang, target=target)
    return [(match, _hit(match, target_text, target)) for match in matches]


def check_rendition(
    source_text: str,
    target_text: str,
    glossary: Glossary,
    source_lang: str,
    target: str,
) -> list[GlossaryHit]:
    """Glossary hits of a translation: dnt terms "kept" or "violated"; others "honoured", "forbidden" or "violated"."""
    return [hit for _, hit in check_matches(source_text, target_text, glossary, source_lang, target)]
