"""Glossary enforcement around any translator.

1. Protect: each source term with an approved rendering is replaced by a
   placeholder (``QZXA``, ``QZXB``...): an upper-case nonsense word that
   translators copy through unchanged (Apertium passes unknown words verbatim in
   every pair). After translation the placeholder becomes the first approved
   rendering, or for a do-not-translate term the source surface itself.
   Backends that follow instructions (``Translator.constraints``, e.g. an LLM)
   get the terms as glossary instructions in the request instead.
2. Verify with ``check_rendition``. Lines still breaking the glossary are
   retranslated without placeholders, and the literal (or forbidden) rendering of
   each broken term, found by translating the term alone, is replaced by the
   approved one. The better of the two attempts is kept; whatever still breaks
   the glossary is flagged by the caller, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from localize.glossary.check import VIOLATIONS, check_matches
from localize.glossary.match import TermMatch, find_rendering, find_terms, sentence_initial
from localize.glossary.model import Glossary
from localize.glossary.plural import rendering_for
from localize.stages.translate.agreement import noun_gender, possessive_agreeing
from localize.stages.translate.backend import TranslationRequest, Translator

__all__ = ["PLACEHOLDER_PREFIX", "instructions", "placeholder", "translate_lines"]

PLACEHOLDER_PREFIX = "QZX"
_PLACEHOLDER = re.compile(rf"(?<![^\W\d_])[*@#]?({PLACEHOLDER_PREFIX}[A-Z]+)(?![^\W\d_])")
"""A placeholder as it comes back, with any mark Apertium put on it as an unknown word."""


def placeholder(index: int) -> str:
    """The placeholder for the ``index``-th protected term of a line: QZXA, QZXB, ... QZXBA."""
    letters = ""
    while True:
        index, digit = divmod(index, 26)
        letters = chr(ord("A") + digit) + letters
        if index == 0:
            return PLACEHOLDER_PREFIX + letters


@dataclass(frozen=True)
class _Protected:
    text: str
    substitutions: dict[str, str]
    genders: dict[str, str | None] = field(default_factory=dict)
    """Placeholder -> the gender of the source noun it hides ("f", "m"; None when the source does not say)."""


def _wanted(match: TermMatch, source: str, target: str) -> str:
    """What must stand for a term in the translation: the surface of a do-not-translate term, else the approved
    rendering in the occurrence's number."""
    rule = match.entry.rule(target)
    return match.surface if rule.dnt else rendering_for(match, rule.renderings[0], source, target)


def _protect(text: str, matches: list[TermMatch], source: str, target: str) -> _Protected:
    """Replace every term with an approved rendering by a placeholder."""
    protected = [match for match in matches if match.entry.rule(target).renderings]
    substitutions: dict[str, str] = {}
    genders: dict[str, str | None] = {}
    for index, match in reversed(list(enumerate(protected))):
        token = placeholder(index)
        substitutions[token] = _wanted(match, source, target)
        genders[token] = None if match.entry.rule(target).dnt else noun_gender(match.surface, source)
        text = text[: match.start] + token + text[match.end :]
    return _Protected(text, substitutions, genders)


def instructions(matches: list[TermMatch], source: str, target: str) -> tuple[str, ...]:
    """Glossary instructions for a backend that follows them: one sentence per term of the line."""
    said: dict[str, str] = {}
    for match in matches:
        rule = match.entry.rule(target)
        if rule.dnt:
            text = f'keep "{match.surface}" exactly as written (do not translate it)'
        else:
            wanted = _wanted(match, source, target) if rule.renderings else ""
            text = f'translate "{match.surface}" as "{wanted}"' if wanted else f'translate "{match.surface}" freely'
            if rule.forbidden:
                text += f" (never {', '.join(repr(f) for f in rule.forbidden)})"
        note = rule.note or match.entry.note
        said.setdefault(match.surface, text + (f"; note: {note}" if note else ""))
    return tuple(said.values())


def _fix_case_after_placeholders(source: str, translated: str) -> str:
    """Undo Apertium's capitalising of the word after an unknown word ("QZXA y yo" -> "QZXA And I", "vení QZXA que"
    -> "QZXA Que"): lower it again when the word after the same placeholder was lowercase in the source. English "I"
    is left alone."""
    after = re.compile(rf"{_PLACEHOLDER.pattern}(?P<lead>\s+)(?P<letter>[^\W\d_])(?P<rest>\w*)")
    lowercase = {found.group(1) for found in after.finditer(source) if found.group("letter").islower()}

    def lowered(found: re.Match[str]) -> str:
        word = found.group("letter") + found.group("rest")
        if found.group(1) not in lowercase or not word[0].isupper() or word == "I":
            return found.group()
        return found.group()[: found.start("letter") - found.start()] + word[0].lower() + word[1:]

    return after.sub(lowered, translated)


def _restore(translated: str, protected: _Protected, target: str) -> str:
    """Put renderings where the placeholders came back (capitalised where a sentence starts), a possessive before one
    agreeing with the source's noun ("mon QZXA" for "mi novia" -> "ma copine")."""
    translated = _fix_case_after_placeholders(protected.text, translated)
    done, last = "", 0
    for found in _PLACEHOLDER.finditer(translated):
        value = protected.substitutions.get(found.group(1), found.group(1))
        if sentence_initial(translated, found.start()) and value[:1].islower():
            value = value[0].upper() + value[1:]
        before = possessive_agreeing(done + translated[last : found.start()], value, protected.genders.get(found.group(1)), target)
        done, last = before + value, found.end()
    return done + translated[last:]


def _violations(source_text: str, text: str, glossary: Glossary, source: str, target: str) -> int:
    pairs = check_matches(source_text, text, glossary, source, target)
    return sum(1 for _, hit in pairs if hit.status in VIOLATIONS)


def _post_edit(
    source_text: str,
    plain: str,
    glossary: Glossary,
    source: str,
    target: str,
    literal: dict[str, str],
) -> str:
    """Replace, in a plain translation, the forbidden or literal rendering of each broken term by the approved one."""
    text = plain
    for match, hit in reversed(check_matches(source_text, plain, glossary, source, target)):
        rule = match.entry.rule(target)
        if hit.status not in VIOLATIONS or not rule.renderings:
            continue
        wrong = find_rendering(text, rule.forbidden, target)
        if wrong is None and literal.get(match.surface):
            wrong = find_rendering(text, [literal[match.surface]], target)
        if wrong is not None:
            text = text[: wrong.start] + _wanted(match, source, target) + text[wrong.end :]
    return text


def _retry(
    translator: Translator,
    requests: list[TranslationRequest],
    failing: list[int],
    glossaries: list[Glossary | None],
    source: str,
    target: str,
) -> dict[int, str]:
    """Second attempt for failing lines: plain translation, then post-edit; one translator call."""
    matches = [m for i in failing for m in find_terms(_given(glossaries[i]), requests[i].text, source, target=target)]
    terms = list(dict.fromkeys(m.surface for m in matches))
    batch = [requests[i] for i in failing] + [TranslationRequest(term) for term in terms]
    outputs = translator.translate(batch, source, target)
    literal = {term: _first(out).strip(" .!?¡¿,;:*@#") for term, out in zip(terms, outputs[len(failing) :], strict=True)}
    return {
        i: _post_edit(requests[i].text, _first(output), _given(glossaries[i]), source, target, literal)
        for i, output in zip(failing, outputs, strict=False)
    }


def _given(glossary: Glossary | None) -> Glossary:
    if glossary is None:
        raise ValueError("a line without a glossary has nothing to enforce")
    return glossary


def _first(candidates: list[str]) -> str:
    return candidates[0] if candidates else ""


def translate_lines(
    translator: Translator,
    requests: list[TranslationRequest],
    source: str,
    target: str,
    glossary: Glossary | Sequence[Glossary | None] | None,
) -> list[list[str]]:
    """Translate a batch, enforcing the glossary (one for the batch, or one per request); candidates per request, best first."""
    glossaries = list(glossary) if isinstance(glossary, Sequence) else [glossary] * len(requests)
    if not requests or all(g is None for g in glossaries):
        return translator.translate(requests, source, target)
    matches = [find_terms(g, r.text, source, target=target) if g else [] for r, g in zip(requests, glossaries, strict=True)]
    if translator.constraints:
        protected = [_Protected(r.text, {}) for r in requests]
        masked = [replace(r, glossary=instructions(m, source, target)) for r, m in zip(requests, matches, strict=True)]
    else:
        protected = [_protect(r.text, m, source, target) for r, m in zip(requests, matches, strict=True)]
        masked = [replace(request, text=p.text) for request, p in zip(requests, protected, strict=True)]
    outputs = translator.translate(masked, source, target)
    results = [list(dict.fromkeys(_restore(c, p, target) for c in out)) for out, p in zip(outputs, protected, strict=True)]
    scores = [_violations(r.text, _first(c), g, source, target) if g else 0 for r, c, g in zip(requests, results, glossaries, strict=True)]
    failing = [i for i, score in enumerate(scores) if score]
    if failing:
        for i, text in _retry(translator, requests, failing, glossaries, source, target).items():
            if _violations(requests[i].text, text, _given(glossaries[i]), source, target) < scores[i]:
                results[i] = [text, *(c for c in results[i] if c != text)]
    return results
