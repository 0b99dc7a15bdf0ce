"""Turn a decoder's raw words into ``Word`` objects that all have a usable start and end.

Whisper sometimes gives a word no duration (numbers, symbols, names it aligned
badly), emits a stray punctuation token, or (without word timestamps) no words
at all. Downstream, a subtitle or a take is cut by word times, so every word
here gets ``start < end``, times never go backwards, and punctuation rides on
the word next to it.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

from localize.model import Word

__all__ = [
    "MIN_WORD_SECONDS",
    "RawSegment",
    "RawWord",
    "clean_text",
    "segment_words",
    "settle_times",
    "speech_without_words",
    "stretched_runs",
]

MIN_WORD_SECONDS = 0.04
"""The shortest duration a word is given."""
OPENING = "¿¡\"'“«([{-"


@dataclass(frozen=True)
class RawWord:
    """A word as a decoder gave it; times may be missing or degenerate."""

    text: str
    start: float | None = None
    end: float | None = None
    probability: float = 1.0


@dataclass(frozen=True)
class RawSegment:
    """A decoded stretch of speech, times relative to the audio handed to the decoder."""

    start: float
    end: float
    text: str
    words: list[RawWord] = field(default_factory=list)
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0

    @property
    def confidence(self) -> float:
        """How sure the decoder was of this stretch: its words' mean probability (without words, exp(avg_logprob))."""
        if self.words:
            return sum(word.probability for word in self.words) / len(self.words)
        return math.exp(self.avg_logprob)


def clean_text(text: str) -> str:
    """Valid, NFC-normalised word text: no U+FFFD, control or format characters, no outer spaces.

    Whisper decodes byte-level tokens; when it emits a byte sequence that is not
    valid UTF-8 the decoded word holds U+FFFD ("ven\ufffdes"). The broken bytes
    carry no recoverable letter, so they are dropped rather than shown to a reader.
    """
    text = unicodedata.normalize("NFC", text)
    kept = (ch for ch in text if ch != "\ufffd" and unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    return " ".join("".join(kept).split())


def _is_punctuation(text: str) -> bool:
    return not any(ch.isalnum() for ch in text)


def _attach_punctuation(words: list[RawWord]) -> list[RawWord]:
    """Fold punctuation-only tokens into the neighbouring word (opening marks forward, others back)."""
    merged: list[RawWord] = []
    pending = ""
    for word in words:
        text = clean_text(word.text)
        if not text:
            continue
        if _is_punctuation(text):
            if merged and not (text[0] in OPENING and len(text) == 1):
                last = merged[-1]
                merged[-1] = RawWord(last.text + text, last.start, word.end if word.end is not None else last.end, last.probability)
            else:
                pending += text
            continue
        merged.append(RawWord(pending + text, word.start, word.end, word.probability))
        pending = ""
    if pending and merged:
        last = merged[-1]
        merged[-1] = RawWord(last.text + pending, last.start, last.end, last.probability)
    return merged


def _spread(texts: list[str], start: float, end: float) -> list[tuple[float, float]]:
    """Times for words with none: the segment split in proportion to each word's length."""
    weights = [len(text) + 1 for text in texts]
    total = float(sum(weights)) or 1.0
    span = max(end - start, MIN_WORD_SECONDS * len(texts))
    times: list[tuple[float, float]] = []
    cursor = start
    for weight in weights:
        width = span * weight / total
        times.append((cursor, cursor + width))
        cursor += width
    return times


def segment_words(segment: RawSegment, offset: float, language: str | None) -> list[Word]:
    """Words of a decoded segment on the programme's timeline (``offset`` added), every one timed."""
    raw = _attach_punctuation(segment.words) if segment.words else []
    if not raw:
        texts = clean_text(segment.text).split()
        raw = _attach_punctuation([RawWord(t) for t in texts])
    if not raw:
        return []
    if any(w.start is None or w.end is None for w in raw):
        spread = _spread([w.text for w in raw], segment.start, segment.end)
        raw = [
            RawWord(w.text, w.start if w.start is not None else s, w.end if w.end is not None else e, w.probability)
            for w, (s, e) in zip(raw, spread, strict=True)
        ]
    return [
        Word(
            text=w.text,
            start=round(offset + float(w.start or 0.0), 3),
            end=round(offset + float(w.end or 0.0), 3),
            probability=round(float(w.probability), 4),
            language=language,
        )
        for w in raw
    ]


def settle_times(words: list[Word], duration: float | None = None) -> list[Word]:
    """Make times monotonic and every word at least ``MIN_WORD_SECONDS`` long, within the audio."""
    settled: list[Word] = []
    previous_end = 0.0
    for word in sorted(words, key=lambda w: w.start):
        start = max(word.start, previous_end)
        end = max(word.end, start + MIN_WORD_SECONDS)
        if duration is not None and end > duration:
            end = max(duration, start + MIN_WORD_SECONDS)
        if (start, end) != (word.start, word.end):
            word = word.model_copy(update={"start": round(start, 3), "end": round(end, 3)})
        settled.append(word)
        previous_end = word.end
    return settled


def stretched_runs(words: list[Word], max_seconds: float) -> list[tuple[int, int]]:
    """Index ranges ``(first, last)`` of consecutive words each longer than ``max_seconds``.

    Whisper sometimes skips a stretch of speech inside a 30-second window and
    lays one or two words over it ("El" lasting 2.3 s, "jefe" 5 s): an
    implausibly long word is the trace of speech that was never transcribed.
    """
    runs: list[tuple[int, int]] = []
    for index, word in enumerate(words):
        if word.end - word.start <= max_seconds:
            continue
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def speech_without_words(words: list[Word], speech: list[tuple[float, float]], min_seconds: float) -> list[tuple[float, float]]:
    """Stretches, at least ``min_seconds`` long, of detected ``speech`` that no word covers.

    Whisper sometimes closes a 30-second window early and starts the next one
    after a sentence it never decoded: the voice activity detector heard speech
    there, and the decoder wrote nothing.
    """
    covered = sorted((word.start, word.end) for word in words)
    gaps: list[tuple[float, float]] = []
    for start, end in speech:
        cursor = start
        for word_start, word_end in covered:
            if word_end <= cursor:
                continue
            if word_start >= end:
                break
            if word_start - cursor >= min_seconds:
                gaps.append((cursor, word_start))
            cursor = max(cursor, word_end)
        if end - cursor >= min_seconds:
            gaps.append((cursor, end))
    return gaps
