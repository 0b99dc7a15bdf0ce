"""The glossary report for one target language: every term occurrence, a summary, candidate terms."""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localize.cache import WorkDir, atomic_write_text
from localize.glossary.check import VIOLATIONS, check_matches
from localize.glossary.match import find_terms, is_stop_word, log_probability, sentence_initial
from localize.glossary.model import Glossary
from localize.glossary.report_html import report_html
from localize.model import Episode, Line, Rendition

__all__ = ["candidate_terms", "glossary_report", "rare_recurring_words", "report_audio", "timecode", "write_glossary_report"]

_DEFAULT_FPS = 25.0
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_RARE = -12.0
"""Natural-log probability below which a word is rare in general use (about 1 in 160,000 words)."""
_LAYER_RULES = ("voseo", "diminutive")
"""Source edits made by rule, not by a regional term."""


def timecode(seconds: float, frame_rate: float) -> str:
    """HH:MM:SS:FF (non-drop-frame, counted at ``frame_rate``)."""
    nominal = max(1, round(frame_rate))
    frames = max(0, round(seconds * frame_rate))
    whole, ff = divmod(frames, nominal)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}:{ff:02d}"


def _span_of(text: str, found: str | None) -> list[int] | None:
    if not found:
        return None
    start = text.find(found)
    return [start, start + len(found)] if start >= 0 else None


def _occurrences(episode: Episode, glossary: Glossary, language: str, source_lang: str) -> list[dict[str, Any]]:
    track = episode.tracks.get(language)
    frame_rate = episode.source.frame_rate or _DEFAULT_FPS
    rows: list[dict[str, Any]] = []
    for line in episode.lines:
        rendition = track.renditions.get(line.id) if track else None
        if rendition is None:
            continue
        speaker = episode.speaker(line.speaker)
        for match, hit in check_matches(line.text, rendition.text, glossary, source_lang, language):
            rows.append(
                {
                    "line_id": line.id,
                    "start": line.start,
                    "end": line.end,
                    "timecode": timecode(line.start, frame_rate),
                    "character": speaker.name if speaker else line.speaker,
                    "term_id": hit.term_id,
                    "term": match.entry.term,
                    "dnt": match.entry.rule(language).dnt,
                    "source": line.text,
                    "source_span": [match.start, match.end],
                    "translation": rendition.text,
                    "translation_span": _span_of(rendition.text, hit.found),
                    "origin": rendition.origin,
                    "status": hit.status,
                    "expected": hit.expected,
                    "found": hit.found,
                    "note": hit.note,
                }
            )
    return rows


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    statuses = Counter(row["status"] for row in rows)
    dnt = [row for row in rows if row["dnt"]]
    good = statuses["honoured"] + statuses["kept"]
    return {
        "occurrences": len(rows),
        "honoured": statuses["honoured"],
        "kept": statuses["kept"],
        "violated": statuses["violated"],
        "forbidden": statuses["forbidden"],
        "violations": sum(statuses[s] for s in VIOLATIONS),
        "success_rate": round(good / len(rows), 4) if rows else None,
        "dnt_kept": sum(1 for row in dnt if row["status"] == "kept"),
        "dnt_total": len(dnt),
    }


def candidate_terms(lines: list[Line], glossary: Glossary, language: str) -> list[dict[str, Any]]:
    """Capitalised words that look like names but are not glossary terms.

    A word qualifies when it is capitalised somewhere other than the start of a
    sentence, or capitalised more than once; never lowercase in the episode; and
    not a stop word or part of a glossary term.
    """
    counts: Counter[str] = Counter()
    named: set[str] = set()
    lowercase: set[str] = set()
    where: dict[str, list[str]] = {}
    for line in lines:
        covered = [(m.start, m.end) for m in find_terms(glossary, line.text, language)]
        for word in _WORD.finditer(line.text):
            text = word.group()
            if not text[0].isupper():
                lowercase.add(text.casefold())
                continue
            if any(start <= word.start() < end for start, end in covered):
                continue
            counts[text] += 1
            where.setdefault(text, []).append(line.id)
            if not sentence_initial(line.text, word.start()):
                named.add(text)
    return [
        {"word": word, "count": count, "lines": list(dict.fromkeys(where[word]))}
        for word, count in counts.most_common()
        if (word in named or count > 1) and word.casefold() not in lowercase and not is_stop_word(word, language)
    ]


def rare_recurring_words(lines: list[Line], glossary: Glossary, language: str) -> list[dict[str, Any]]:
    """Lowercase words said at least twice that are rare in general use (or unknown to the language's frequency
    list): the episode's own vocabulary, which a glossary may want to fix."""
    counts: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for line in lines:
        covered = [(m.start, m.end) for m in find_terms(glossary, line.text, language)]
        for word in _WORD.finditer(line.text):
            text = word.group()
            if text[0].isupper() or len(text) < 4 or any(start <= word.start() < end for start, end in covered):
                continue
            counts[text] += 1
            where.setdefault(text, []).append(line.id)
    rare = []
    for term, count in counts.most_common():
        probability = log_probability(term, language)
        if count > 1 and not is_stop_word(term, language) and (probability is None or probability < _RARE):
            rare.append({"word": term, "count": count, "lines": list(dict.fromkeys(where[term]))})
    return rare


def _rendition_words(episode: Episode, language: str, words: Callable[[Rendition], list[str]]) -> list[dict[str, Any]]:
    """Words a rendition field lists, counted over the episode's lines, with the lines they are in."""
    track = episode.tracks.get(language)
    counts: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for line in episode.lines:
        rendition = track.renditions.get(line.id) if track else None
        for word in words(rendition) if rendition is not None and rendition.origin == "machine" else []:
            counts[word] += 1
            where.setdefault(word, []).append(line.id)
    return [{"word": word, "count": count, "lines": list(dict.fromkeys(where[word]))} for word, count in counts.most_common()]


def _regional(episode: Episode, language: str) -> list[dict[str, Any]]:
    """Lines the regional layer changed before translation: the line, what the translator read, each change."""
    track = episode.tracks.get(language)
    rows = []
    for line in episode.lines:
        rendition = track.renditions.get(line.id) if track else None
        if rendition is None or not rendition.source_edits:
            continue
        read_as, cursor = "", 0
        for edit in rendition.source_edits:
            read_as += line.text[cursor : edit.start] + edit.replacement
            cursor = edit.end
        edits = [edit.model_dump(mode="json") for edit in rendition.source_edits]
        rows.append({"line_id": line.id, "source": line.text, "read_as": read_as + line.text[cursor:], "edits": edits})
    return rows


def _pivoted(episode: Episode, language: str) -> list[dict[str, str]]:
    """Words the translator rendered through a pivot language, one row per line and word, for a reviewer to check."""
    track = episode.tracks.get(language)
    rows = []
    for line in episode.lines:
        rendition = track.renditions.get(line.id) if track else None
        if rendition is not None and rendition.origin == "machine":
            rows += [{"line_id": line.id, "source": line.text, **word.model_dump(mode="json")} for word in rendition.pivoted]
    return rows


def _candidates(episode: Episode, glossary: Glossary, language: str, source_lang: str) -> list[dict[str, Any]]:
    """Terms a glossary may want, each with why: left untranslated, rendered through a pivot language, read by the
    regional layer, name-like, or rare
    and recurring; one entry per word, the first reason kept."""
    untranslated = _rendition_words(episode, language, lambda r: r.untranslated)
    pivoted = _rendition_words(episode, language, lambda r: [word.word for word in r.pivoted])
    regional = _rendition_words(episode, language, lambda r: [e.original for e in r.source_edits if e.rule not in _LAYER_RULES])
    kinds = [
        ("untranslated", untranslated),
        ("pivoted", pivoted),
        ("regional", regional),
        ("name-like", candidate_terms(episode.lines, glossary, source_lang)),
        ("rare", rare_recurring_words(episode.lines, glossary, source_lang)),
    ]
    found: dict[str, dict[str, Any]] = {}
    for reason, candidates in kinds:
        for candidate in candidates:
            if not find_terms(glossary, candidate["word"], source_lang):
                found.setdefault(candidate["word"].casefold(), {**candidate, "reason": reason})
    return list(found.values())


def glossary_report(episode: Episode, glossary: Glossary, language: str) -> dict[str, Any]:
    """The report's data: summary, occurrences (in programme order), names kept without an entry, what the regional
    layer changed, untranslated words, words rendered through a pivot language and candidate terms."""
    source_lang = episode.source_language or glossary.source_language
    rows = _occurrences(episode, glossary, language, source_lang)
    return {
        "episode": episode.id,
        "glossary": glossary.name,
        "language": language,
        "summary": _summary(rows),
        "occurrences": rows,
        "auto_protected": _rendition_words(episode, language, lambda r: r.protected),
        "regional": _regional(episode, language),
        "untranslated": _rendition_words(episode, language, lambda r: r.untranslated),
        "pivoted": _pivoted(episode, language),
        "candidates": _candidates(episode, glossary, language, source_lang),
    }


def report_audio(episode: Episode, language: str, workdir: WorkDir) -> dict[str, str]:
    """Data URIs of the source dialogue and the ``language`` dialogue stem (Ogg/Opus), for those that exist."""
    from localize.media.audio import encode_opus

    track = episode.tracks.get(language)
    stored = {"source": episode.dialogue_audio, "dub": track.dialogue_stem if track else None}
    audio = {}
    for kind, path in stored.items():
        if path and workdir.resolve(path).is_file():
            audio[kind] = "data:audio/ogg;base64," + base64.b64encode(encode_opus(workdir.resolve(path))).decode("ascii")
    return audio


def write_glossary_report(
    episode: Episode, glossary: Glossary, language: str, out_dir: Path, workdir: WorkDir | None = None
) -> tuple[Path, Path]:
    """Write ``glossary-report.<language>.html`` and ``.json`` atomically; return (html, json) paths.

    With ``workdir``, the page embeds the source and dubbed dialogue so each line can be played.
    """
    data = glossary_report(episode, glossary, language)
    html_path = out_dir / f"glossary-report.{language}.html"
    json_path = out_dir / f"glossary-report.{language}.json"
    atomic_write_text(json_path, json.dumps(data, ensure_ascii=False, indent=2))
    atomic_write_text(html_path, report_html(data, report_audio(episode, language, workdir) if workdir else {}))
    return html_path, json_path
