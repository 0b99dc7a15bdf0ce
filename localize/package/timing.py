"""Subtitle events from a track's renditions, timed to the frame under the timed-text rules.

Each dialogue line becomes one or more events (long text is split in time at
syntactic breaks). Then, in frames at the programme's rate: overlaps are cut
(or two short lines become one two-speaker event), events are lengthened for
reading speed and the minimum duration, capped at the maximum, snapped to
nearby shot changes, and gaps of a few frames are closed to the minimum gap.
What cannot be satisfied stays, and the validator reports it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass

from localize.languages import base_language
from localize.model import Episode, Line, Rendition, Screen, Track
from localize.package.breaks import split_text
from localize.package.cues import Cue
from localize.rules import SubtitleRules

__all__ = ["DEFAULT_FRAME_RATE", "Variant", "build_cues", "is_forced_narrative"]

DEFAULT_FRAME_RATE = 25.0


@dataclass(frozen=True)
class Variant:
    """Which subtitle file: full, SDH (speaker labels) or forced narratives only."""

    sdh: bool = False
    forced_only: bool = False


def is_forced_narrative(line: Line, programme_language: str | None, target: str) -> bool:
    """Whether a line needs a forced subtitle for ``target`` viewers.

    It does when marked ``forced_narrative``, or when spoken in a language other
    than the programme's, unless that language is the target language itself.
    """
    if line.forced_narrative:
        return True
    if not line.language or not programme_language:
        return False
    spoken = base_language(line.language)
    return spoken != base_language(programme_language) and spoken != base_language(target)


@dataclass
class _Frames:
    """A cue being timed, in whole frames."""

    cue: Cue
    start: int
    end: int
    needed: int


def build_cues(episode: Episode, track: Track, rules: SubtitleRules, shots: list[float], variant: Variant = Variant()) -> list[Cue]:
    """Every subtitle event of ``track`` for ``variant``, timed to frames at the source frame rate."""
    fps = episode.source.frame_rate or DEFAULT_FRAME_RATE
    lines = _selected_lines(episode, track, variant.forced_only)
    cues: list[Cue] = []
    previous_speaker: str | None = None
    previous_seen = False
    previous_end = 0.0
    for index, (line, rendition) in enumerate(lines):
        start, end = _window(line, rendition)
        following = lines[index + 1][0].start if index + 1 < len(lines) else episode.source.duration
        forced = is_forced_narrative(line, episode.source_language, track.language)
        speaker = episode.speaker(line.speaker)
        name = speaker.name if speaker else line.speaker
        named = speaker is not None and speaker.name != speaker.id
        lead_in = min(rules.max_lead_in_frames / fps, max(0.0, start - previous_end - rules.min_gap_frames / fps))
        seconds = max(end, following) - start + lead_in
        seen = episode.screen(line.id) == Screen.ON
        # SDH names a speaker the viewer does not see speak: at a change of speaker, or once they go off screen.
        label = f"[{name}] " if variant.sdh and named and not seen and (line.speaker != previous_speaker or previous_seen) else ""
        text = _choose_text(rendition, seconds, rules, len(label))
        if label and not _readable(label + text, seconds, rules):
            label = ""  # a speaker label that would make the event too fast to read is left out
        text = label + text
        previous_speaker, previous_seen, previous_end = line.speaker, seen, end
        events = split_text(text, track.language, rules)
        needed_events = math.ceil((end - start) / rules.max_duration - 1e-9)
        if len(events) < needed_events:
            events = [[row] for event in events for row in event]
        for (event_start, event_end), event_lines in zip(_share_time(start, end, events, shots, rules, fps), events, strict=True):
            cues.append(Cue(event_start, event_end, event_lines, (line.id,), name, forced))
    cues = _merge_dialogue(cues, rules, fps)
    return _fit(cues, rules, fps, shots, episode.source.duration)


def _selected_lines(episode: Episode, track: Track, forced_only: bool) -> list[tuple[Line, Rendition]]:
    chosen: list[tuple[Line, Rendition]] = []
    for line in sorted(episode.lines, key=lambda item: (item.start, item.end)):
        rendition = track.renditions.get(line.id)
        if rendition is None or not rendition.text.strip():
            continue
        if forced_only and not is_forced_narrative(line, episode.source_language, track.language):
            continue
        chosen.append((line, rendition))
    return chosen


def _window(line: Line, rendition: Rendition) -> tuple[float, float]:
    """Where the words are heard: the take when dubbed (it may sit a little off the source line), else the line."""
    take = rendition.take
    if take is None:
        return line.start, line.end
    return take.start, max(line.end, take.start + take.duration)


def _choose_text(rendition: Rendition, seconds: float, rules: SubtitleRules, reserved: int = 0) -> str:
    """The rendition's text, or the longest shorter candidate that can be read in ``seconds`` (with ``reserved`` more characters)."""
    text = " ".join(rendition.text.split())
    budget = _budget(len(text), seconds, rules) - reserved
    if len(text) <= budget:
        return text
    shorter = [" ".join(c.split()) for c in rendition.candidates if c.strip() and len(" ".join(c.split())) < len(text)]
    fitting = [c for c in shorter if len(c) <= budget]
    if fitting:
        return max(fitting, key=len)
    return min(shorter, key=len) if shorter else text


def _budget(length: int, seconds: float, rules: SubtitleRules) -> float:
    """Characters readable in ``seconds`` at the reading speed, for a text of ``length`` split into events of two full rows."""
    events = max(1, math.ceil(length / (2 * rules.max_chars_per_line)))
    return rules.max_cps * min(seconds, rules.max_duration * events)


def _readable(text: str, seconds: float, rules: SubtitleRules) -> bool:
    """Whether ``text`` can be read in ``seconds``."""
    return len(text) <= _budget(len(text), seconds, rules)


def _share_time(
    start: float, end: float, events: list[list[str]], shots: list[float], rules: SubtitleRules, fps: float
) -> list[tuple[float, float]]:
    """Split ``start..end`` between events by their length, moving each boundary onto a nearby shot change."""
    if len(events) == 1:
        return [(start, end)]
    weights = [sum(len(row) for row in event) for event in events]
    total = sum(weights)
    bounds = [start]
    snap = rules.shot_snap_frames / fps
    for weight in weights[:-1]:
        boundary = bounds[-1] + (end - start) * weight / total
        position = bisect.bisect_left(shots, boundary - snap)
        if position < len(shots) and abs(shots[position] - boundary) <= snap and bounds[-1] < shots[position] < end:
            boundary = shots[position]
        bounds.append(boundary)
    bounds.append(end)
    return list(itertools.pairwise(bounds))


def _merge_dialogue(cues: list[Cue], rules: SubtitleRules, fps: float) -> list[Cue]:
    """Two overlapping one-line events of different lines become one event with a dash per speaker."""
    merged: list[Cue] = []
    for cue in cues:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.line_ids != cue.line_ids
            and len(last.lines) == 1
            and len(cue.lines) == 1
            and rules.max_lines >= 2
            and cue.start < last.end - rules.min_gap_frames / fps
            and max(len(last.lines[0]), len(cue.lines[0])) + 2 <= rules.max_chars_per_line
            and not last.lines[0].startswith("- ")
        ):
            merged[-1] = Cue(
                last.start,
                max(last.end, cue.end),
                [f"- {last.lines[0]}", f"- {cue.lines[0]}"],
                last.line_ids + cue.line_ids,
                None,
                last.forced and cue.forced,
            )
        else:
            merged.append(cue)
    return merged


def _fit(cues: list[Cue], rules: SubtitleRules, fps: float, shots: list[float], duration: float) -> list[Cue]:
    """Apply the frame rules in order: overlaps, reading time, maximum, shot changes, gaps."""
    gap = rules.min_gap_frames
    min_frames = rules.frames(rules.min_duration, fps)
    max_frames = math.floor(rules.max_duration * fps + 1e-6)
    last_frame = math.floor(duration * fps)
    timed = [
        _Frames(cue, round(cue.start * fps), round(cue.end * fps), max(min_frames, math.ceil(cue.chars / rules.max_cps * fps - 1e-6)))
        for cue in sorted(cues, key=lambda c: c.start)
    ]
    cut_frames = sorted({round(s * fps) for s in shots})
    for index, item in enumerate(timed):
        after = timed[index + 1] if index + 1 < len(timed) else None
        before = timed[index - 1] if index else None
        limit = after.start - gap if after else last_frame
        floor = before.end + gap if before else 0
        item.start = max(item.start, floor)
        item.end = min(max(item.end, item.start + item.needed), limit, item.start + max_frames)
        shortfall = item.needed - (item.end - item.start)
        if shortfall > 0:
            item.start -= max(0, min(shortfall, rules.max_lead_in_frames, item.start - floor))
        item.end = max(item.end, item.start + 1)
    for index, item in enumerate(timed):
        after = timed[index + 1] if index + 1 < len(timed) else None
        before = timed[index - 1] if index else None
        _snap_to_shots(item, cut_frames, rules, max_frames, before.end + gap if before else 0, after.start - gap if after else last_frame)
    for index, item in enumerate(timed[:-1]):
        following = timed[index + 1].start
        space = following - item.end
        crosses = any(item.end < cut < following for cut in cut_frames)
        if gap < space <= rules.close_gap_frames and not crosses and following - gap - item.start <= max_frames:
            item.end = following - gap
    return [Cue(item.start / fps, item.end / fps, item.cue.lines, item.cue.line_ids, item.cue.speaker, item.cue.forced) for item in timed]


def _snap_to_shots(item: _Frames, cuts: list[int], rules: SubtitleRules, max_frames: int, floor: int, limit: int) -> None:
    """Move the in-time onto a shot change a few frames away, and the out-time to just before one."""
    snap = rules.shot_snap_frames
    gap = rules.min_gap_frames
    near_start = [cut for cut in cuts if abs(cut - item.start) <= snap and cut != item.start]
    for cut in sorted(near_start, key=lambda c: abs(c - item.start)):
        if cut >= floor and item.end - cut >= item.needed and item.end - cut <= max_frames:
            item.start = cut
            break
    near_end = [cut for cut in cuts if abs(cut - item.end) <= snap and cut - gap != item.end and cut > item.start]
    for cut in sorted(near_end, key=lambda c: abs(c - item.end)):
        target = cut - gap
        if target - item.start >= item.needed and target <= limit and target - item.start <= max_frames:
            item.end = target
            return
        past = cut + snap + 1
        if item.start < cut < item.end and past <= limit and past - item.start <= max_frames:
            item.end = past
            return
