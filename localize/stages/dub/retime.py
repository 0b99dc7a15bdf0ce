"""Isochrony: fit each synthesized take into its line's window, cheapest step first.

The ladder, per pause-separated span of a line:

1. ``rate``: the engine's own speaking rate, within ``min_rate..max_rate``;
2. ``candidate``: a shorter candidate translation (already glossary-checked by the stage);
3. ``stretch``: a Rubber Band time-stretch of at most ``max_stretch`` either way;
4. ``borrow``: more of the adjacent silence (after the line first, then a little before it);
5. ``flagged``: the take still does not fit; it is kept whole and flagged for QC.

A take is placed from its own window start, never after the previous take, and is never dropped.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from localize.cache import WorkDir, stable_hash
from localize.config import DubConfig
from localize.keys import code_version
from localize.media.audio import MIX_RATE, time_stretch, write_wav
from localize.model import RenditionFlag, Take
from localize.stages.dub.backend import SynthesisError, Synthesizer, VoiceSpec
from localize.stages.dub.spoken import spoken_text

__all__ = ["FIT_TOLERANCE", "LADDER", "SHORT_TOLERANCE", "Clip", "Voice", "Window", "fit_take", "split_text"]

FIT_TOLERANCE = 0.05
"""Seconds a take may run past its window before the next ladder step is tried."""
STRICT_TOLERANCE = 0.04
"""Seconds an on-screen take may miss its window's length (a frame at 25 fps): its speaker's lips are seen."""
SHORT_TOLERANCE = 0.25
"""Seconds a take may fall short of its window before it is slowed down."""
LADDER = ("natural", "rate", "candidate", "stretch", "borrow", "flagged")
"""Ladder steps, cheapest first; a take records the furthest step it needed."""
RATE_TRIES = 3
"""Syntheses at most per text while searching the speaking rate (engines are not exactly linear)."""
TRIM_LEVEL = 0.01
"""Samples below this fraction of the peak, at either end of a clip, are silence."""
FADE_SECONDS = 0.004
PART_GAP = 0.05
_PUNCTUATION = (",", ".", "…", ";", ":", "?", "!")
"""Least silence kept between two spans of a split take."""


@dataclass(frozen=True)
class Window:
    """Where a span may sound: its target (source speech plus default slack) and the silence it may borrow."""

    start: float
    end: float
    earliest: float
    latest: float
    breaths: tuple[tuple[float, float], ...] = ()
    """Shorter pauses (start, end) inside the span's source speech, where a take that comes out short pauses too."""
    weights: tuple[float, ...] = ()
    """Share of the text spoken around those pauses (one more than ``breaths``)."""
    strict: bool = False
    """The speaker's mouth is seen: the take must fill the window exactly (mouth opening to closing)."""
    slack_before: float = 0.0
    """Seconds an off-screen take may start early, before any speeding up."""
    slack_after: float = 0.0
    """Seconds an off-screen take may run on into the silence after it, before any speeding up."""

    @property
    def length(self) -> float:
        """Seconds of the target."""
        return self.end - self.start

    @property
    def room(self) -> float:
        """Seconds a take may last without speeding up: the target and the slack of an off-screen line."""
        return self.length + self.slack_before + self.slack_after

    def around(self, duration: float) -> Window:
        """The window a take of ``duration`` takes up: its slack after first, then before (never past ``room``)."""
        extra = max(0.0, duration - self.length)
        after = min(extra, self.slack_after)
        before = min(extra - after, self.slack_before)
        if after <= 0 and before <= 0:
            return self
        return replace(self, start=self.start - before, end=self.end + after, slack_before=0.0, slack_after=0.0)


@dataclass(frozen=True)
class Clip:
    """A synthesized (and maybe stretched) recording: 48 kHz mono float WAV, silence trimmed."""

    path: Path
    duration: float
    text: str
    rate: float = 1.0
    stretch: float = 1.0
    """Speed factor of the time-stretch applied (>1 faster, <1 slower)."""


class Voice:
    """One voice of one engine, with every synthesis and stretch cached in the work directory."""

    def __init__(self, synthesizer: Synthesizer, spec: VoiceSpec, workdir: WorkDir) -> None:
        self.synthesizer = synthesizer
        self.spec = spec
        self.workdir = workdir

    def spoken(self, text: str) -> str:
        """``text`` as this voice says it (clock times spoken: "6 h 40" -> "6 heures 40")."""
        return spoken_text(text, self.spec.language)

    def say(self, text: str, rate: float) -> Clip:
        """Speak ``text`` at the engine rate ``rate``."""
        options = self.synthesizer.options.model_dump(mode="json", exclude=set(self.synthesizer.speed_options))
        code = code_version(type(self.synthesizer).__module__, __name__)
        key = stable_hash("tts", code, self.synthesizer.name, options, self.spec.model_dump(mode="json"), text, round(rate, 3))
        path = self.workdir.artifact(key, ".clip.wav")
        if not path.is_file():
            with tempfile.TemporaryDirectory(prefix="localize-tts-") as folder:
                raw = Path(folder) / "raw.wav"
                self.synthesizer.synthesize(self.spoken(text), self.spec, rate, raw)
                if self.spec.semitones:
                    shifted = Path(folder) / "shifted.wav"
                    time_stretch(raw, shifted, 1.0, self.spec.semitones)
                    raw = shifted
                _normalize(raw, path, text)
        return Clip(path, _duration(path), text, rate=rate)

    def stretch(self, clip: Clip, factor: float) -> Clip:
        """``clip`` made ``factor`` times faster (Rubber Band, pitch kept)."""
        key = stable_hash("stretch", code_version(__name__), clip.path.name, round(factor, 4))
        path = self.workdir.artifact(key, ".clip.wav")
        if not path.is_file():
            with tempfile.TemporaryDirectory(prefix="localize-stretch-") as folder:
                stretched = Path(folder) / "stretched.wav"
                time_stretch(clip.path, stretched, factor)
                _normalize(stretched, path, clip.text)
        return replace(clip, path=path, duration=_duration(path), stretch=factor)


def _normalize(source: Path, out: Path, text: str) -> None:
    """Write ``source`` as a 48 kHz mono float WAV with its silent ends trimmed and short fades."""
    samples, rate = soundfile.read(source, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if rate != MIX_RATE:
        divisor = math.gcd(MIX_RATE, rate)
        mono = resample_poly(mono, MIX_RATE // divisor, rate // divisor).astype(np.float32)
    peak = float(np.max(np.abs(mono))) if len(mono) else 0.0
    loud = np.flatnonzero(np.abs(mono) > TRIM_LEVEL * peak) if peak > 1e-5 else np.zeros(0, dtype=np.int64)
    if len(loud) == 0:
        raise SynthesisError(f"the engine produced no speech for {text[:40]!r}")
    mono = mono[loud[0] : loud[-1] + 1].copy()
    fade = min(len(mono) // 2, round(FADE_SECONDS * MIX_RATE))
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        mono[:fade] *= ramp
        mono[-fade:] *= ramp[::-1]
    write_wav(out, mono, MIX_RATE, subtype="FLOAT")


def _duration(path: Path) -> float:
    return float(soundfile.info(str(path)).frames) / MIX_RATE


def _fits(duration: float, window: Window) -> bool:
    """Whether a clip of ``duration`` fills ``window``, running past it only into silence and by at most FIT_TOLERANCE
    (on screen: within STRICT_TOLERANCE of it; off screen: into its slack)."""
    if window.strict:
        return abs(duration - window.length) <= STRICT_TOLERANCE
    over = min(FIT_TOLERANCE, max(0.0, window.latest - window.end - window.slack_after))
    return window.length - SHORT_TOLERANCE <= duration <= window.room + over


def _by_rate(voice: Voice, text: str, window: Window, config: DubConfig) -> tuple[Clip, bool]:
    """Step 1: search the engine rate (within limits) that brings ``text`` closest to the window's length (its room).

    An engine that predicts a text's length at any rate (Kokoro's duration predictor) picks the rate before
    synthesis, and again from its prediction less its error on the take just made when that take misses the
    window; another engine is asked again at the rate the take's own length suggests.
    """
    curve = voice.synthesizer.duration_curve(voice.spoken(text), voice.spec)
    rate = 1.0 if curve is None else _predicted_rate(curve, window, config)
    tried: list[Clip] = []
    for _ in range(RATE_TRIES):
        clip = voice.say(text, rate)
        tried.append(clip)
        if _fits(clip.duration, window):
            break
        if curve is None:
            wanted = round(min(max(rate * clip.duration / window.room, config.min_rate), config.max_rate), 2)
        else:
            wanted = _predicted_rate(_shifted(curve, clip.duration - curve(rate)), window, config)
        if any(abs(wanted - c.rate) < 0.01 for c in tried):
            break
        rate = wanted
    fitting = [c for c in tried if _fits(c.duration, window)]
    if fitting:
        return min(fitting, key=lambda c: abs(math.log(c.rate))), True
    return min(tried, key=lambda c: abs(c.duration - window.room)), False


def _shifted(curve: Callable[[float], float], error: float) -> Callable[[float], float]:
    """``curve`` corrected by its error on a take just made."""
    return lambda rate: curve(rate) + error


RATE_STEP = 0.01
"""Engine rates are tried in steps of this much."""


def _predicted_rate(curve: Callable[[float], float], window: Window, config: DubConfig) -> float:
    """1.0 when the predicted length fits the window; else the rate (within limits) predicted nearest its room."""
    if _fits(curve(1.0), window):
        return 1.0
    steps = round((config.max_rate - config.min_rate) / RATE_STEP)
    rates = [round(config.min_rate + step * RATE_STEP, 2) for step in range(steps + 1)]
    return min(rates, key=lambda rate: (abs(curve(rate) - window.room), abs(math.log(rate))))


@dataclass(frozen=True)
class _SpanFit:
    clip: Clip
    window: Window
    steps: tuple[str, ...]
    flags: tuple[RenditionFlag, ...] = ()


def _steps_for(clip: Clip, texts: list[str]) -> tuple[str, ...]:
    steps = []
    if clip.rate != 1.0:
        steps.append("rate")
    if clip.text != texts[0]:
        steps.append("candidate")
    if clip.stretch != 1.0:
        steps.append("stretch")
    return tuple(steps) or ("natural",)


def _fit_span(voice: Voice, texts: list[str], window: Window, config: DubConfig) -> list[_SpanFit]:
    """Fit one span; a take that comes out short pauses where the source breathes, when its text can be cut there
    (on screen: wherever the mouth is seen closed, when each piece then fits)."""
    fit = _ladder(voice, texts, window, config)
    if not window.breaths or (RenditionFlag.SHORT not in fit.flags and not window.strict):
        return [fit]
    for breaths, weights in _breath_choices(window):
        pieces = _pieces(texts, list(weights))
        if pieces is None:
            continue
        bounds = [window.start, *(t for pause in breaths for t in pause), window.end]
        fits = []
        for index, alternatives in enumerate(pieces):
            start, end = bounds[2 * index], bounds[2 * index + 1]
            earliest = window.earliest if index == 0 else bounds[2 * index - 1] + PART_GAP
            latest = window.latest if index == len(pieces) - 1 else bounds[2 * index + 2] - PART_GAP
            fits.append(_ladder(voice, alternatives, Window(start, end, earliest, latest, strict=window.strict), config))
        if all(not f.flags for f in fits) if window.strict else _better(fits, fit, window):
            return fits
    return [fit]


def _better(pieces: list[_SpanFit], whole: _SpanFit, window: Window) -> bool:
    """Whether pausing (``pieces``) ends nearer the window's end than ``whole``, without overrunning."""
    return all(RenditionFlag.OVERRUN not in f.flags for f in pieces) and abs(_end_error(pieces, window)) < abs(_end_error([whole], window))


def _breath_choices(window: Window) -> list[tuple[tuple[tuple[float, float], ...], tuple[float, ...]]]:
    """Pauses to keep, with the text shares around them: all of them, else only the longest."""
    choices = [(window.breaths, window.weights)]
    if len(window.breaths) > 1:
        longest = max(range(len(window.breaths)), key=lambda i: window.breaths[i][1] - window.breaths[i][0])
        choices.append(((window.breaths[longest],), (sum(window.weights[: longest + 1]), sum(window.weights[longest + 1 :]))))
    return choices


def _end_error(fits: list[_SpanFit], window: Window) -> float:
    """Seconds between where the last clip ends and where the window does."""
    return fits[-1].window.start + fits[-1].clip.duration - window.end


def _ladder(voice: Voice, texts: list[str], window: Window, config: DubConfig) -> _SpanFit:
    """Run the ladder for one span; ``texts[0]`` is the translation, the rest shorter alternatives."""
    target = window.room
    best, fits = _by_rate(voice, texts[0], window, config)
    if fits:
        return _SpanFit(best, window.around(best.duration), _steps_for(best, texts))
    tried = [best]
    if best.duration > target:
        for candidate in texts[1:]:
            clip, fits = _by_rate(voice, candidate, window, config)
            if fits:
                return _SpanFit(clip, window.around(clip.duration), _steps_for(clip, texts))
            tried.append(clip)
    # The first text (translation before candidates) that a stretch within limits fits, else the closest one.
    stretchable = [c for c in tried if 1 / config.max_stretch <= c.duration / target <= config.max_stretch]
    if stretchable:
        clip = voice.stretch(stretchable[0], stretchable[0].duration / target)
        return _SpanFit(clip, window.around(clip.duration), _steps_for(clip, texts))
    best = min(tried, key=lambda c: abs(math.log(c.duration / target)))
    factor = best.duration / target
    if factor < 1:
        clip = voice.stretch(best, 1 / config.max_stretch)
        if window.length - clip.duration <= SHORT_TOLERANCE + config.end_slack:
            return _SpanFit(clip, window, _steps_for(clip, texts))
        return _SpanFit(clip, window, (*_steps_for(clip, texts), "flagged"), (RenditionFlag.SHORT,))
    return _borrow(voice, best, texts, window.around(window.room), config)


def _borrow(voice: Voice, clip: Clip, texts: list[str], window: Window, config: DubConfig) -> _SpanFit:
    """Step 4: widen the window into the silence after (then before) the span, stretching at most ``max_stretch``.

    Up to ``max_borrow`` seconds each side first; a take that still would not fit may then take all the
    silence up to the neighbouring lines, so it overruns into the next line only when nothing else is left.
    """
    shortest = clip.duration / config.max_stretch
    for limit in (config.max_borrow, math.inf):
        needed = shortest - window.length
        after = min(window.latest - window.end, limit, needed)
        before = min(window.start - window.earliest, limit, needed - after)
        wider = Window(window.start - max(0.0, before), window.end + max(0.0, after), window.earliest, window.latest)
        if shortest <= wider.length + FIT_TOLERANCE:
            break
    if clip.duration > wider.length + FIT_TOLERANCE:
        clip = voice.stretch(clip, min(clip.duration / wider.length, config.max_stretch))
    steps = (*_steps_for(clip, texts), "borrow")
    if clip.duration > wider.length + FIT_TOLERANCE:
        return _SpanFit(clip, wider, (*steps, "flagged"), (RenditionFlag.OVERRUN,))
    return _SpanFit(clip, wider, steps)


def split_text(text: str, weights: list[float]) -> list[str] | None:
    """Cut ``text`` at word boundaries into ``len(weights)`` pieces of about those shares, preferring punctuation.

    None when the text has too few words to cut.
    """
    words = text.split()
    if len(words) < len(weights):
        return None
    total = sum(weights)
    targets = list(itertools.accumulate(w / total for w in weights[:-1]))
    ends = list(itertools.accumulate(len(w) + 1 for w in words))
    length = ends[-1]
    cuts: list[int] = []
    for number, share in enumerate(targets):
        first = (cuts[-1] if cuts else 0) + 1
        last = len(words) - (len(targets) - number)
        if first > last:
            return None

        def score(cut: int, share: float = share) -> float:
            bonus = 0.2 if words[cut - 1].endswith(_PUNCTUATION[1:]) else 0.1 if words[cut - 1].endswith(",") else 0.0
            return abs(ends[cut - 1] / length - share) - bonus

        cuts.append(min(range(first, last + 1), key=score))
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]


def _pieces(texts: list[str], weights: list[float]) -> list[list[str]] | None:
    """Per span, the alternatives split like the spans; None when the translation cannot be split."""
    splits = [split_text(text, weights) for text in texts]
    if splits[0] is None:
        return None
    usable = [s for s in splits if s is not None]
    return [list(dict.fromkeys(split[index] for split in usable)) for index in range(len(weights))]


def fit_take(
    synthesizer: Synthesizer,
    spec: VoiceSpec,
    texts: list[str],
    spans: list[tuple[Window, float]],
    workdir: WorkDir,
    config: DubConfig,
) -> Take:
    """Speak ``texts[0]`` (the others are shorter alternatives) into one take covering ``spans``.

    ``spans`` are the line's pause-separated windows with the share of the source text
    spoken in each; the translation is cut in the same shares so the pauses are kept.
    The result is one 48 kHz WAV that starts at the first span's (possibly widened) start.
    """
    voice = Voice(synthesizer, spec, workdir)
    windows = [window for window, _ in spans]
    pieces = _pieces(texts, [weight for _, weight in spans]) if len(spans) > 1 else None
    if pieces is None:
        windows = [_merged(spans)]
        pieces = [texts]
    fits = [fit for alternatives, window in zip(pieces, windows, strict=True) for fit in _fit_span(voice, alternatives, window, config)]
    take = _assemble(fits, spec, workdir)
    if _at_limits(take, config):
        return take.model_copy(update={"flags": sorted({*take.flags, RenditionFlag.AT_LIMITS})})
    return take


def _at_limits(take: Take, config: DubConfig) -> bool:
    """Whether the take needed the furthest speaking rate and the furthest stretch allowed (no room was left to fit it)."""
    rate_limit = take.rate <= config.min_rate + 0.005 or take.rate >= config.max_rate - 0.005
    stretch_limit = abs(abs(math.log(take.stretch)) - math.log(config.max_stretch)) < 0.01
    return rate_limit and stretch_limit


def _merged(spans: list[tuple[Window, float]]) -> Window:
    """One window over every span, the pauses between them kept as breaths."""
    breaths: list[tuple[float, float]] = []
    weights: list[float] = []
    for index, (window, weight) in enumerate(spans):
        if index:
            breaths.append((spans[index - 1][0].end, window.start))
        breaths.extend(window.breaths)
        weights.extend(window.weights or (weight,))
    first, last = spans[0][0], spans[-1][0]
    return Window(
        first.start,
        last.end,
        first.earliest,
        last.latest,
        tuple(breaths),
        tuple(weights),
        first.strict,
        first.slack_before,
        last.slack_after,
    )


def _furthest(factors: list[float]) -> float:
    """The factor furthest from 1 (in either direction)."""
    return max(factors, key=lambda factor: abs(math.log(factor)))


def _assemble(fits: list[_SpanFit], spec: VoiceSpec, workdir: WorkDir) -> Take:
    """Join the spans' clips at their own starts (never cutting one short) into the take."""
    start = fits[0].window.start
    offsets: list[int] = []
    cursor = 0
    for fit in fits:
        offset = max(round((fit.window.start - start) * MIX_RATE), cursor + (round(PART_GAP * MIX_RATE) if offsets else 0))
        offsets.append(offset)
        cursor = offset + round(fit.clip.duration * MIX_RATE)
    key = stable_hash("take", code_version(__name__), [fit.clip.path.name for fit in fits], offsets)
    out = workdir.artifact(key, ".take.wav")
    if not out.is_file():
        audio = np.zeros(cursor, dtype=np.float32)
        for fit, offset in zip(fits, offsets, strict=True):
            clip, _ = soundfile.read(fit.clip.path, dtype="float32")
            audio[offset : offset + len(clip)] = clip
        write_wav(out, audio, MIX_RATE, subtype="FLOAT")
    duration = _duration(out)
    window_end = fits[-1].window.end
    steps = list(dict.fromkeys(step for fit in fits for step in fit.steps))
    texts = [fit.clip.text for fit in fits]
    return Take(
        audio=workdir.relative(out),
        voice=spec.id,
        start=round(start, 3),
        duration=round(duration, 3),
        window_start=round(start, 3),
        window_end=round(window_end, 3),
        rate=round(_furthest([fit.clip.rate for fit in fits]), 3),
        stretch=round(_furthest([fit.clip.stretch for fit in fits]), 3),
        ladder_step=max(steps, key=LADDER.index),
        steps=steps,
        text=" ".join(texts),
        duration_error=round(duration - (window_end - start), 3),
        flags=sorted({flag for fit in fits for flag in fit.flags}),
    )
