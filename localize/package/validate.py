"""The subtitle validator: every timed-text rule violation of a file, with its timecode."""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from localize.errors import InputError
from localize.glossary.report import timecode
from localize.package.breaks import mid_phrase_breaks
from localize.package.cues import Cue
from localize.rules import SubtitleRules

__all__ = ["RULES", "FileCheck", "Violation", "check_cues", "check_file", "check_subtitle_file", "file_language", "read_cues"]

RULES = {
    "empty": "an event without text",
    "lines": "more lines than allowed",
    "chars-per-line": "a line longer than allowed",
    "reading-speed": "more characters per second than allowed",
    "min-duration": "on screen for less than the minimum",
    "max-duration": "on screen for more than the maximum",
    "gap": "less than the minimum gap to the next event (or overlapping it)",
    "gap-not-closed": "a gap short enough to close to the minimum",
    "shot-change": "crosses a shot change within the snap distance of its in- or out-time",
    "line-break": "a line broken mid-phrase",
}
"""Rule id -> what it means."""

_TTML = "{http://www.w3.org/ns/ttml}"
_TTP = "{http://www.w3.org/ns/ttml#parameter}"
_OFFSET = re.compile(r"^([0-9.]+)(h|m|s|ms|f|t)$")
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+)(?:\.\d+)?)?$")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VARIANT_LABELS = {"sdh", "forced", "cc", "hi"}


@dataclass(frozen=True)
class Violation:
    """One broken rule in one event (numbered from 1 in file order)."""

    event: int
    start: float
    end: float
    rule: str
    message: str

    def describe(self, frame_rate: float) -> str:
        """``#12 00:01:02:03-00:01:04:00 reading-speed: 19.2 characters per second (at most 17)``."""
        return f"#{self.event} {timecode(self.start, frame_rate)}-{timecode(self.end, frame_rate)} {self.rule}: {self.message}"


def read_cues(path: Path) -> list[Cue]:
    """The events of an SRT, WebVTT or TTML file, in file order."""
    if not path.is_file():
        raise InputError(f"{path} does not exist", "pass a subtitle file (.srt, .vtt or .ttml)")
    suffix = path.suffix.lower()
    if suffix in (".ttml", ".xml", ".dfxp"):
        return _read_ttml(path)
    if suffix not in (".srt", ".vtt"):
        raise InputError(f"{path} is not a subtitle file localize can read", "pass an .srt, .vtt or .ttml file")
    import pysubs2

    try:
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        if not text.strip() or text.strip() == "WEBVTT":
            return []  # a programme without dialogue has an empty subtitle file
        subs = pysubs2.SSAFile.from_string(text, format_="srt" if suffix == ".srt" else "vtt")
    except (pysubs2.exceptions.Pysubs2Error, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path} cannot be read as subtitles: {exc}", "check the file's format and encoding (UTF-8)") from exc
    cues = []
    for event in subs:
        if event.is_comment:
            continue
        text = event.plaintext.replace("\r", "")
        if suffix == ".vtt":
            text = html.unescape(text)
        cues.append(Cue(event.start / 1000, event.end / 1000, text.split("\n") if text else []))
    return cues


def _ttml_time(value: str, frame_rate: float, tick_rate: float) -> float:
    value = value.strip()
    clock = _CLOCK.match(value)
    if clock:
        hours, minutes, seconds, fraction, frames = clock.groups()
        total = float(int(hours) * 3600 + int(minutes) * 60 + int(seconds))
        if fraction:
            total += float(f"0.{fraction}")
        if frames:
            total += int(frames) / frame_rate
        return total
    offset = _OFFSET.match(value)
    if offset:
        number, unit = float(offset.group(1)), offset.group(2)
        scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, "f": 1 / frame_rate, "t": 1 / tick_rate}[unit]
        return number * scale
    raise InputError(f"unsupported TTML time expression '{value}'", "use clock times (HH:MM:SS.mmm) or offsets (12.5s)")


def _text_lines(element: ElementTree.Element) -> list[str]:
    lines = [""]

    def walk(node: ElementTree.Element) -> None:
        if node.tag == f"{_TTML}br":
            lines.append("")
        elif node.text:
            lines[-1] += node.text
        for child in node:
            walk(child)
            if child.tail:
                lines[-1] += child.tail

    walk(element)
    return [" ".join(line.split()) for line in lines if line.strip()]


def _read_ttml(path: Path) -> list[Cue]:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        raise InputError(f"{path} is not well-formed XML: {exc}", "check the TTML file") from exc
    frame_rate = float(root.get(f"{_TTP}frameRate", "30"))
    multiplier = root.get(f"{_TTP}frameRateMultiplier")
    if multiplier:
        numerator, denominator = (float(part) for part in multiplier.split())
        frame_rate *= numerator / denominator
    tick_rate = float(root.get(f"{_TTP}tickRate", "1"))
    cues = []
    for paragraph in root.iter(f"{_TTML}p"):
        begin, end = paragraph.get("begin"), paragraph.get("end")
        if begin is None or end is None:
            raise InputError(f"{path}: a <p> has no begin or end time", "time every paragraph (begin and end on <p>)")
        cues.append(Cue(_ttml_time(begin, frame_rate, tick_rate), _ttml_time(end, frame_rate, tick_rate), _text_lines(paragraph)))
    return cues


def check_cues(
    cues: list[Cue], rules: SubtitleRules, frame_rate: float, shots: list[float] | None = None, language: str | None = None
) -> list[Violation]:
    """Every violation of ``rules`` in ``cues``; shot changes and line breaks are checked when shots and language are given."""
    found: list[Violation] = []
    min_frames = rules.frames(rules.min_duration, frame_rate)
    max_frames = math.floor(rules.max_duration * frame_rate + 1e-6)
    cut_frames = sorted(round(s * frame_rate) for s in shots or [])
    for number, cue in enumerate(cues, start=1):

        def add(rule: str, message: str, cue: Cue = cue, number: int = number) -> None:
            found.append(Violation(number, cue.start, cue.end, rule, message))

        start, end = round(cue.start * frame_rate), round(cue.end * frame_rate)
        frames = end - start
        if not cue.chars:
            add("empty", "no text")
        if len(cue.lines) > rules.max_lines:
            add("lines", f"{len(cue.lines)} lines (at most {rules.max_lines})")
        for row, line in enumerate(cue.lines, start=1):
            if len(line) > rules.max_chars_per_line:
                add("chars-per-line", f"line {row} has {len(line)} characters (at most {rules.max_chars_per_line})")
        if frames > 0 and cue.chars / (frames / frame_rate) > rules.max_cps + 1e-6:
            add("reading-speed", f"{cue.chars / (frames / frame_rate):.1f} characters per second (at most {rules.max_cps:g})")
        if frames < min_frames:
            add("min-duration", f"{frames} frames (at least {min_frames})")
        if frames > max_frames:
            add("max-duration", f"{frames / frame_rate:.2f} s (at most {rules.max_duration:g} s)")
        if number < len(cues):
            space = round(cues[number].start * frame_rate) - end
            if space < rules.min_gap_frames:
                add("gap", f"{space} frames to the next event (at least {rules.min_gap_frames})")
            elif rules.min_gap_frames < space <= rules.close_gap_frames:
                add("gap-not-closed", f"{space} frames to the next event (close gaps of {rules.close_gap_frames} or fewer)")
        for cut in cut_frames:
            if start < cut < end and (cut - start <= rules.shot_snap_frames or end - cut <= rules.shot_snap_frames):
                add("shot-change", f"shot change at {timecode(cut / frame_rate, frame_rate)} inside the event")
        if language:
            for row in mid_phrase_breaks(cue.lines, language, rules):
                if not cue.lines[row + 1].startswith("-"):
                    add("line-break", f"line {row + 1} ends mid-phrase: '{cue.lines[row]}'")
    return found


def check_file(
    path: Path, rules: SubtitleRules, frame_rate: float, shots: list[float] | None = None, language: str | None = None
) -> list[Violation]:
    """Read a subtitle file and check it (see ``check_cues``)."""
    return check_cues(read_cues(path), rules, frame_rate, shots, language)


@dataclass(frozen=True)
class FileCheck:
    """The result of checking one subtitle file: its events, the rules used and what broke them."""

    path: Path
    language: str | None
    frame_rate: float
    rules: SubtitleRules
    events: int
    max_cps: float
    """The fastest reading speed of any event, characters per second."""
    violations: tuple[Violation, ...]

    @property
    def passed(self) -> bool:
        """No rule broken."""
        return not self.violations


def file_language(path: Path) -> str | None:
    """The language of a subtitle file: TTML ``xml:lang``, else a tag in its name (``episode.pt-BR.sdh.srt`` -> ``pt-BR``)."""
    from langcodes import tag_is_valid

    if path.suffix.lower() in (".ttml", ".xml", ".dfxp") and path.is_file():
        try:
            language = ElementTree.parse(path).getroot().get(_XML_LANG)
        except ElementTree.ParseError:
            language = None
        if language:
            return language
    parts = path.name.split(".")[1:-1]
    for part in reversed(parts):
        if part.lower() not in _VARIANT_LABELS and tag_is_valid(part):
            return part
    return None


def _ttml_frame_rate(path: Path) -> float | None:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return None
    rate = root.get(f"{_TTP}frameRate")
    if rate is None:
        return None
    multiplier = root.get(f"{_TTP}frameRateMultiplier")
    numerator, denominator = (float(part) for part in multiplier.split()) if multiplier else (1.0, 1.0)
    return float(rate) * numerator / denominator


def check_subtitle_file(
    path: Path,
    rules: SubtitleRules,
    language: str | None = None,
    frame_rate: float | None = None,
    shots: list[float] | None = None,
) -> FileCheck:
    """Check one file; the language and frame rate default to what the file says (25 fps when it says nothing)."""
    cues = read_cues(path)
    language = language or file_language(path)
    if frame_rate is None and path.suffix.lower() in (".ttml", ".xml", ".dfxp"):
        frame_rate = _ttml_frame_rate(path)
    rate = frame_rate or 25.0
    fastest = max((cue.chars / cue.duration for cue in cues if cue.duration > 0), default=0.0)
    return FileCheck(path, language, rate, rules, len(cues), fastest, tuple(check_cues(cues, rules, rate, shots, language)))
