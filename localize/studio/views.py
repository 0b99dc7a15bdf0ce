"""What the studio page shows of an episode: a row per line in one language, speakers, the glossary's findings."""

from __future__ import annotations

from dataclasses import dataclass

from localize.glossary.check import VIOLATIONS
from localize.model import Episode, GlossaryHit, Line, Rendition, RenditionFlag
from localize.rules import SubtitleRules
from localize.script import SCREEN_MARKS, row_revision

__all__ = ["LOW_CONFIDENCE", "RowView", "SpeakerView", "WordView", "confidence_level", "row_view", "rows", "speaker_views", "timecode"]

LOW_CONFIDENCE = 0.5
"""A word Whisper gave less probability than this is shown as doubtful (and its line found by the filter)."""
_VERY_LOW = 0.25
_QC_FLAGS = frozenset(
    {
        RenditionFlag.OVERRUN,
        RenditionFlag.SHORT,
        RenditionFlag.EARLY,
        RenditionFlag.OVERLAP,
        RenditionFlag.AT_LIMITS,
        RenditionFlag.TTS_FAILED,
        RenditionFlag.NO_VOICE,
        RenditionFlag.NOT_DUBBED,
    }
)
"""Flags the QC filter finds (what translation flags, glossary and staleness, have filters of their own)."""


def confidence_level(probability: float) -> str:
    """``very-low``, ``low`` or empty: the colour a word is shown in."""
    if probability < _VERY_LOW:
        return "very-low"
    return "low" if probability < LOW_CONFIDENCE else ""


def timecode(seconds: float) -> str:
    """``HH:MM:SS.cc``."""
    centis = round(seconds * 100)
    return f"{centis // 360000:02d}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


@dataclass(frozen=True)
class WordView:
    """A source word with how sure Whisper was of it."""

    text: str
    probability: float
    level: str


@dataclass(frozen=True)
class RowView:
    """One line in one language, as its row shows it."""

    line: Line
    speaker_name: str
    words: list[WordView]
    rendition: Rendition | None
    revision: int
    """The row's revision (the line's plus the rendition's): what an edit of the translation is checked against."""
    status: str
    flags: list[str]
    qc: list[str]
    hits: list[GlossaryHit]
    cps: float | None
    max_cps: float
    fit: str
    take_url: str | None
    timecode: str
    screen: str = ""
    """ON (the character is seen speaking the line), OFF, ? (unclear), or empty when the picture was not analysed."""
    low_confidence: bool = False
    violation: bool = False
    stale: bool = False


def _fit(rendition: Rendition | None) -> str:
    take = rendition.take if rendition else None
    if take is None:
        return rendition.skipped.value if rendition and rendition.skipped else ("no take yet" if rendition else "")
    return f"{take.ladder_step} · rate {take.rate:.2f} · ×{take.stretch:.2f} · {take.duration_error:+.2f} s"


def row_view(episode: Episode, line: Line, language: str, rules: SubtitleRules, take_url: str | None) -> RowView:
    """The row of ``line`` in ``language``."""
    rendition = episode.tracks[language].renditions.get(line.id) if language in episode.tracks else None
    speaker = episode.speaker(line.speaker)
    words = [WordView(w.text, w.probability, confidence_level(w.probability)) for w in line.words]
    flags = [flag.value for flag in rendition.all_flags] if rendition else []
    qc = [flag.value for flag in rendition.all_flags if flag in _QC_FLAGS] if rendition else []
    cps = round(len(rendition.text) / line.duration, 1) if rendition and line.duration > 0 else None
    if cps is not None and cps > rules.max_cps:
        qc.append("reading-speed")
    hits = rendition.glossary_hits if rendition else []
    return RowView(
        line=line,
        speaker_name=speaker.name if speaker else line.speaker,
        words=words,
        rendition=rendition,
        revision=row_revision(line, rendition),
        status=rendition.origin if rendition else "untranslated",
        flags=flags,
        qc=qc,
        hits=hits,
        cps=cps,
        max_cps=rules.max_cps,
        fit=_fit(rendition),
        take_url=take_url if rendition and rendition.take else None,
        timecode=timecode(line.start),
        screen=SCREEN_MARKS.get(screen, "") if (screen := episode.screen(line.id)) else "",
        low_confidence=any(w.probability < LOW_CONFIDENCE for w in line.words),
        violation=any(hit.status in VIOLATIONS for hit in hits),
        stale=RenditionFlag.SOURCE_CHANGED.value in flags,
    )


def rows(episode: Episode, language: str, rules: SubtitleRules, take_url: str) -> list[RowView]:
    """Every line's row in ``language``, in programme order (``take_url`` with ``{line}`` for the line id)."""
    return [row_view(episode, line, language, rules, take_url.format(line=line.id)) for line in episode.lines]


@dataclass(frozen=True)
class SpeakerView:
    """A speaker card: name, voice profile, lines, and the voice per language."""

    id: str
    name: str
    gender: str
    origin: str
    lines: int
    seconds: float
    voices: dict[str, str]


def speaker_views(episode: Episode, chosen: dict[str, dict[str, str]]) -> list[SpeakerView]:
    """Every speaker with lines or made by a person; ``chosen`` are the episode's casting choices."""
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for line in episode.lines:
        counts[line.speaker] = counts.get(line.speaker, 0) + 1
        seconds[line.speaker] = seconds.get(line.speaker, 0.0) + line.duration
    return [
        SpeakerView(
            id=speaker.id,
            name=speaker.name,
            gender=speaker.gender,
            origin=speaker.origin,
            lines=counts.get(speaker.id, 0),
            seconds=round(seconds.get(speaker.id, 0.0), 1),
            voices={
                language: chosen.get(speaker.id, {}).get(language) or track.voices.get(speaker.id, "")
                for language, track in episode.tracks.items()
            },
        )
        for speaker in episode.speakers
        if counts.get(speaker.id) or speaker.origin == "edited"
    ]
