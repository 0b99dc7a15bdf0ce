"""What the Whisper backends share: options, windowed decoding, per-line language, word timing.

A backend only says how to load its model, decode a stretch of 16 kHz samples,
and detect the language of one; this base class reads the audio window by
window (bounded memory for long programmes), checks each decoded segment's own
language (code-switching: an English line in a Spanish episode is re-decoded in
English and its words carry ``language="en"``), decodes again on its own any
stretch the decoder skipped (a word stretched over seconds of speech, or
detected speech that got no words at all), and gives every word a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import soundfile
from pydantic import BaseModel, Field, field_validator

from localize.media.audio import SPEECH_RATE, audio_duration, read_windows
from localize.model import Word
from localize.progress import ProgressHook
from localize.stages.transcribe.backend import Transcriber, Transcript
from localize.stages.transcribe.words import RawSegment, clean_text, segment_words, settle_times, speech_without_words, stretched_runs

__all__ = ["Decoded", "Hints", "WhisperOptions", "WhisperTranscriber", "looks_foreign"]

log = logging.getLogger("localize")


class WhisperOptions(BaseModel):
    """Options every Whisper backend understands."""

    model: str = "bundled:whisper-base"
    """A bundled model (``bundled:whisper-base``), a local directory or file, or a hub name (downloads allowed)."""
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    language: str | None = None
    """Force the programme language (else ``--from``, else detected from the audio)."""
    beam_size: int = Field(default=5, ge=1, le=20)
    temperature: list[float] = Field(default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0], min_length=1)
    """Temperatures tried in turn when a decode looks repetitive or unlikely (fallback)."""
    compression_ratio_threshold: float | None = 2.4
    log_prob_threshold: float | None = -1.0
    no_speech_threshold: float | None = 0.6
    condition_on_previous_text: bool = False
    word_timestamps: bool = True
    """Align each word (cross-attention); off: words share their segment's time by length."""
    initial_prompt: str | None = None
    glossary_hints: Literal["hotwords", "prompt", "off"] = "hotwords"
    """How glossary character and place names reach the decoder."""
    detect_line_language: bool = True
    """Detect the language of every decoded line and re-decode lines in another language."""
    languages: list[str] | None = None
    """The languages the programme may speak (Whisper's codes: ``en``, ``de``, ``es``...); the programme's and each
    line's language are chosen among them (and the given programme language), their probabilities renormalised.
    ``None``: any of the ~100 languages Whisper knows."""

    @field_validator("languages")
    @classmethod
    def _whisper_codes(cls, languages: list[str] | None) -> list[str] | None:
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        unknown = [code for code in languages or [] if code not in _LANGUAGE_CODES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a language Whisper knows (use its codes: en, de, es, pt, zh, ...)")
        return languages

    line_language_threshold: float = Field(default=0.75, gt=0.0, le=1.0)
    """Probability a line's detected language needs before the line counts as another language."""
    min_line_language_seconds: float = Field(default=1.2, ge=0.0)
    """Lines shorter than this keep the programme language (too short to tell)."""
    line_language_gate: Literal["doubtful", "always"] = "doubtful"
    """Which lines get the (costly: one encoder pass each) audio language check: ``doubtful``, lines whose
    decoded words are mostly not common words of the programme language, or that the decoder was unsure of
    (held to the wrong language, Whisper often translates a line, with little confidence); ``always``, every line."""
    line_language_doubt: float = Field(default=0.5, ge=0.0, le=1.0)
    """A line whose words' mean probability is below this is doubtful (its language is checked)."""
    line_language_margin: float = Field(default=0.2, ge=0.0, le=1.0)
    """The decode in the detected language replaces a line that reads as the programme language (perhaps the
    decoder's translation) only when the decoder is surer of it by this much (mean word probability); it replaces
    a line that already reads foreign unless the decoder is less sure of it by more than this."""
    max_word_seconds: float | None = Field(default=1.5, gt=0.0)
    """A word longer than this means the decoder skipped speech there: that stretch is decoded again on its
    own, and its words replace the stretched ones when they are more. ``None``: never."""
    min_unheard_seconds: float | None = Field(default=1.0, gt=0.0)
    """Detected speech this long that got no words (the decoder passed over a sentence) is decoded again on its
    own. ``None``: never. Needs a voice activity detector (faster-whisper's Silero VAD)."""
    language_votes: int = Field(default=7, ge=1, le=50)
    """Without a given language, stretches of speech (about 30 s each, spread evenly across the programme) whose
    detected languages vote for the programme's language: one stretch (the first) is easily misled by a song, a
    foreign cold open or a name-heavy opening."""
    window_seconds: float = Field(default=600.0, ge=60.0)
    """Audio is decoded in windows of about this length (cut in silence) to bound memory."""
    allow_downloads: bool = False
    models_dir: Path | None = None


@dataclass(frozen=True)
class Hints:
    """Text that primes the decoder: a prompt and hotwords."""

    prompt: str | None = None
    hotwords: str | None = None


@dataclass(frozen=True)
class Decoded:
    """A backend's decode of one stretch of audio."""

    language: str
    language_probability: float
    segments: list[RawSegment] = field(default_factory=list)


class WhisperTranscriber(Transcriber):
    """Template for Whisper backends: subclasses implement ``_decode`` and ``_language_probabilities``."""

    job_options = frozenset(
        {
            "language",
            "beam_size",
            "temperature",
            "compression_ratio_threshold",
            "log_prob_threshold",
            "no_speech_threshold",
            "condition_on_previous_text",
            "word_timestamps",
            "initial_prompt",
            "glossary_hints",
            "detect_line_language",
            "line_language_threshold",
            "min_line_language_seconds",
            "line_language_gate",
            "line_language_doubt",
            "languages",
        }
    )

    options: WhisperOptions

    def _decode(self, samples: np.ndarray, language: str | None, hints: Hints) -> Decoded:
        """Decode 16 kHz mono samples; segment times relative to the first sample."""
        raise NotImplementedError

    def _language_probabilities(self, samples: np.ndarray) -> dict[str, float]:
        """The probability of every language Whisper knows for 16 kHz mono samples."""
        raise NotImplementedError

    def _detect(self, samples: np.ndarray, programme: str | None = None) -> tuple[str, float]:
        """The most likely language of 16 kHz mono samples, and its probability, among the allowed ``languages``."""
        probabilities = self._allowed(self._language_probabilities(samples), programme)
        best = max(probabilities, key=lambda language: probabilities[language])
        return best, probabilities[best]

    def _allowed(self, probabilities: dict[str, float], programme: str | None) -> dict[str, float]:
        """``probabilities`` restricted to the ``languages`` option and ``programme``, renormalised (all without the option)."""
        allowed = self.options.languages
        if not allowed:
            return probabilities
        kept = {language: p for language, p in probabilities.items() if language in allowed or language == programme}
        total = sum(kept.values())
        return {language: p / total for language, p in kept.items()} if total > 0 else probabilities

    def _speech_regions(self, samples: np.ndarray) -> list[tuple[float, float]]:
        """Stretches of speech a voice activity detector finds, in seconds from the first sample; none without one."""
        return []

    @property
    def detects_speech(self) -> bool:
        """Whether ``_speech_regions`` runs a voice activity detector (otherwise all audio may be speech)."""
        return False

    def hints(self, vocabulary: list[str]) -> Hints:
        """The prompt and hotwords, from the options and the glossary's names."""
        names = ", ".join(dict.fromkeys(v.strip() for v in vocabulary if v.strip()))
        mode = self.options.glossary_hints if names else "off"
        prompt = self.options.initial_prompt
        if mode == "prompt":
            prompt = f"{prompt} {names}." if prompt else f"{names}."
        return Hints(prompt=prompt, hotwords=names if mode == "hotwords" else None)

    def transcribe(self, audio: Path, language: str | None, vocabulary: list[str], hook: ProgressHook) -> Transcript:
        """Decode window by window; every line checked for its own language; every word timed."""
        options = self.options
        language = options.language or language
        hints = self.hints(vocabulary)
        duration = audio_duration(audio)
        total = max(1, round(duration))
        probability = 1.0
        words: list[Word] = []
        hook("transcribe", "whisper", 0, total)
        if language is None:
            language, probability = self.programme_language(audio, duration)
            if language is None:
                log.info("no speech found: no language to detect, nothing to decode")
                return Transcript(language=None, words=[], language_probability=0.0)
        for offset, samples in read_windows(audio, options.window_seconds):
            decoded = self._decode(samples, language, hints)
            lines = [self.words_in_own_language(segment, samples, offset, language, hints) for segment in decoded.segments]
            lines = self.extend_passages(decoded.segments, lines, samples, offset, language, hints)
            window_words = [word for line in lines for word in line]
            window_words = self.recover_skipped_speech(window_words, samples, offset, language, hints)
            words.extend(self.recover_unheard_speech(window_words, samples, offset, language, hints))
            hook("transcribe", "whisper", min(total, round(offset + len(samples) / SPEECH_RATE)), total)
        hook("transcribe", "whisper", total, total)
        return Transcript(language=language or "en", words=settle_times(words, duration), language_probability=probability)

    def programme_language(self, audio: Path, duration: float) -> tuple[str | None, float]:
        """The language most of the vote's stretches are detected in (summed probability), and its mean probability.

        None when the voice activity detector finds no speech at all (silence, music).
        """
        votes: dict[str, float] = {}
        clips = self._language_clips(audio, duration)
        for clip in clips:
            detected, probability = self._detect(clip)
            votes[detected] = votes.get(detected, 0.0) + probability
        if not votes:
            return None, 0.0
        best = max(votes, key=lambda language: votes[language])
        ballot = ", ".join(f"{language} {score:.2f}" for language, score in sorted(votes.items(), key=lambda item: -item[1]))
        log.info("detected language %s from %d stretches of speech (%s)", best, len(clips), ballot)
        return best, votes[best] / len(clips)

    def _language_clips(self, audio: Path, duration: float) -> list[np.ndarray]:
        """Up to ``language_votes`` clips of about 30 s of speech each, starting at evenly spread points."""
        regions: list[tuple[float, float]] = []
        if self.detects_speech:
            for offset, samples in read_windows(audio, self.options.window_seconds):
                regions.extend((offset + start, offset + end) for start, end in self._speech_regions(samples))
        else:
            regions = [(0.0, duration)]
        count = self.options.language_votes
        if not regions:
            return []
        firsts = sorted({_first_region_after(regions, (k + 0.5) * duration / count) for k in range(count)})
        clips: list[np.ndarray] = []
        with soundfile.SoundFile(audio) as handle:
            for first in firsts:
                pieces: list[np.ndarray] = []
                heard = 0.0
                for start, end in regions[first:]:
                    handle.seek(int(start * SPEECH_RATE))
                    take = min(end - start, LANGUAGE_CLIP_SECONDS - heard)
                    pieces.append(handle.read(int(take * SPEECH_RATE), dtype="float32", always_2d=False))
                    heard += take
                    if heard >= LANGUAGE_CLIP_SECONDS:
                        break
                clip = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
                if len(clip) >= SPEECH_RATE * MIN_LANGUAGE_CLIP_SECONDS:
                    clips.append(clip)
        return clips

    def recover_skipped_speech(self, words: list[Word], samples: np.ndarray, offset: float, language: str, hints: Hints) -> list[Word]:
        """Decode again, on its own, each stretch where the decoder laid implausibly long words over skipped speech."""
        limit = self.options.max_word_seconds
        words = sorted(words, key=lambda w: w.start)
        if limit is None:
            return words
        window_end = offset + len(samples) / SPEECH_RATE
        recovered = list(words)
        for first, last in reversed(stretched_runs(words, limit)):
            begin = words[first - 1].end if first > 0 else offset
            finish = words[last + 1].start if last + 1 < len(words) else window_end
            if finish - begin <= limit:  # neighbours overlap the run: no stretch of its own to decode
                continue
            piece = _between(samples, begin - offset, finish - offset)
            run_language = words[first].language or language
            again = self._decode(piece, run_language, hints)
            found = [word for part in again.segments for word in segment_words(part, begin, run_language)]
            if len(found) <= last - first + 1:
                continue
            log.info("%.1f-%.1f s: recovered %d words the decoder had skipped", begin, finish, len(found) - (last - first + 1))
            recovered[first : last + 1] = found
        return recovered

    def recover_unheard_speech(self, words: list[Word], samples: np.ndarray, offset: float, language: str, hints: Hints) -> list[Word]:
        """Decode on its own each stretch of detected speech that got no words; its words join the others."""
        limit = self.options.min_unheard_seconds
        if limit is None:
            return words
        speech = [(offset + start, offset + end) for start, end in self._speech_regions(samples)]
        found: list[Word] = []
        for begin, finish in speech_without_words(words, speech, limit):
            heard = self.decode_in_own_language(_between(samples, begin - offset, finish - offset), begin, language, hints)
            if heard:
                log.info("%.1f-%.1f s: decoded %d words of speech the decoder had passed over", begin, finish, len(heard))
                found.extend(heard)
        return sorted(words + found, key=lambda w: w.start) if found else words

    def decode_in_own_language(self, piece: np.ndarray, base: float, language: str, hints: Hints) -> list[Word]:
        """Decode a stretch the decoder passed over, first in the language its audio sounds like.

        Speech the decoder passed over is often in another language: held to the
        programme language, Whisper then falls back through every temperature. A
        language check first (cheap) lets a confident decode in the detected
        language stand on its own; otherwise the stretch is decoded in the
        programme language and its lines checked as usual.
        """
        options = self.options
        if options.detect_line_language and len(piece) / SPEECH_RATE >= options.min_line_language_seconds:
            detected, probability = self._detect(piece, language)
            if detected != language and probability >= options.line_language_threshold:
                foreign = self._decode(piece, detected, hints)
                if foreign.segments and _confidence(foreign.segments) >= options.line_language_doubt:
                    log.info("%.1f-%.1f s is in %s (p=%.2f)", base, base + len(piece) / SPEECH_RATE, detected, probability)
                    return [word for part in foreign.segments for word in segment_words(part, base, detected)]
        own = self._decode(piece, language, hints)
        return [word for part in own.segments for word in self.words_in_own_language(part, piece, base, language, hints)]

    def words_in_own_language(self, segment: RawSegment, samples: np.ndarray, offset: float, language: str, hints: Hints) -> list[Word]:
        """The segment's words; a segment spoken in another language is decoded again in that language."""
        options = self.options
        if not options.detect_line_language or segment.end - segment.start < options.min_line_language_seconds:
            return segment_words(segment, offset, language)
        reads_foreign = looks_foreign(segment.text, language)
        if options.line_language_gate == "doubtful" and not reads_foreign and segment.confidence >= options.line_language_doubt:
            return segment_words(segment, offset, language)
        piece = _between(samples, segment.start, segment.end)
        detected, probability = self._detect(piece, language)
        if detected == language or probability < options.line_language_threshold:
            return segment_words(segment, offset, language)
        log.info(
            "%.1f-%.1f s is in %s (p=%.2f), not %s: decoding it again",
            offset + segment.start,
            offset + segment.end,
            detected,
            probability,
            language,
        )
        again = self._decode(piece, detected, hints)
        margin = -options.line_language_margin if reads_foreign else options.line_language_margin
        if not again.segments or _confidence(again.segments) <= segment.confidence + margin:
            log.info("kept %s: the decoder is not surer of the %s decode", language, detected)
            return segment_words(segment, offset, language)
        base = offset + segment.start
        return [word for part in again.segments for word in segment_words(part, base, detected)]

    def extend_passages(
        self, segments: list[RawSegment], lines: list[list[Word]], samples: np.ndarray, offset: float, language: str, hints: Hints
    ) -> list[list[Word]]:
        """Lines next to a passage in another language join it when their audio leans that way.

        Whisper tells a short line's language poorly, and held to the programme
        language it translates a line fluently: a line beside one confidently in
        another language (a German passage in an English programme) is decoded in
        that language when its language check rates it at least half as likely as
        the programme's, and kept so when the decode reads as that language (where
        spaCy knows its common words) and the decoder is not much less sure of it.
        """
        options = self.options
        if not options.detect_line_language:
            return lines
        lines = list(lines)
        tried: set[tuple[int, str]] = set()
        grown = True
        while grown:
            grown = False
            for index, segment in enumerate(segments):
                if _language_of(lines[index]) != language or segment.end - segment.start < options.min_line_language_seconds:
                    continue
                for near in (index - 1, index + 1):
                    other = _language_of(lines[near]) if 0 <= near < len(segments) else None
                    if other in (None, language) or (index, other) in tried or _gap(segment, segments[near]) > PASSAGE_GAP_SECONDS:
                        continue
                    tried.add((index, other))
                    joined = self._in_passage_language(segment, samples, offset, language, other, hints)
                    if joined:
                        lines[index], grown = joined, True
                        break
        return lines

    def _in_passage_language(
        self, segment: RawSegment, samples: np.ndarray, offset: float, language: str, other: str, hints: Hints
    ) -> list[Word] | None:
        """The line's words decoded in ``other``, when its audio leans that way and the decode reads as ``other``."""
        piece = _between(samples, segment.start, segment.end)
        probabilities = self._allowed(self._language_probabilities(piece), language)
        if probabilities.get(other, 0.0) < PASSAGE_LEANING * probabilities.get(language, 0.0):
            return None
        again = self._decode(piece, other, hints)
        text = " ".join(part.text for part in again.segments)
        if not again.segments or (_stop_words(other) and looks_foreign(text, other)):
            return None
        if _confidence(again.segments) < segment.confidence - self.options.line_language_margin:
            return None
        base = offset + segment.start
        log.info("%.1f-%.1f s joins the %s passage beside it", base, offset + segment.end, other)
        return [word for part in again.segments for word in segment_words(part, base, other)]


FOREIGN_STOP_WORD_SHARE = 0.25
"""Below this share of the language's stop words, a decoded line may be in another language."""


@cache
def _stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words for a language (empty when spaCy has no data for it)."""
    from spacy.util import get_lang_class

    try:
        return frozenset(get_lang_class(language).Defaults.stop_words)
    except (ImportError, KeyError, ValueError):
        return frozenset()


def looks_foreign(text: str, language: str) -> bool:
    """Whether decoded ``text`` has few of ``language``'s common words (its audio then deserves a language check).

    Whisper held to one language usually writes speech in another language in
    that other language anyway, so a cheap look at the text finds the lines worth
    the costly audio detection. Without stop words for ``language``, every line counts.
    """
    stop_words = _stop_words(language)
    words = [w for w in clean_text(text).lower().split() if any(ch.isalpha() for ch in w)]
    if not stop_words or not words:
        return bool(words)
    common = sum(1 for w in words if w.strip(".,;:!?¿¡\"'()…-") in stop_words)
    return common / len(words) < FOREIGN_STOP_WORD_SHARE


PASSAGE_GAP_SECONDS = 3.0
"""Lines this close belong to one passage."""
PASSAGE_LEANING = 0.5
"""A line beside a passage in another language is decoded in it when its audio rates that language at least this
share of the programme language's probability."""


def _language_of(line: list[Word]) -> str | None:
    """The language a decoded line's words carry (None for a line without words)."""
    return line[0].language if line else None


def _gap(first: RawSegment, second: RawSegment) -> float:
    """Seconds between two segments (in either order)."""
    return max(first.start, second.start) - min(first.end, second.end)


LANGUAGE_CLIP_SECONDS = 30.0
"""Speech in one clip of the programme-language vote: Whisper's window."""
MIN_LANGUAGE_CLIP_SECONDS = 0.5


def _first_region_after(regions: list[tuple[float, float]], time: float) -> int:
    """The index of the first region that ends after ``time`` (else the last region)."""
    return next((index for index, (_, end) in enumerate(regions) if end > time), len(regions) - 1)


def _between(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    """The 16 kHz samples from ``start`` to ``end`` seconds after the first one."""
    return samples[int(start * SPEECH_RATE) : int(end * SPEECH_RATE)]


def _confidence(segments: list[RawSegment]) -> float:
    """The decoder's confidence over segments, weighted by their length."""
    weights = [max(s.end - s.start, 1e-3) for s in segments]
    return float(np.average([s.confidence for s in segments], weights=weights))
