"""Subtitle files: SRT, WebVTT and IMSC 1.1 TTML (text profile), written atomically from cues."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from localize.cache import atomic_write_text
from localize.package.cues import Cue

__all__ = ["SUBTITLE_FORMATS", "srt_text", "subtitle_format", "ttml_text", "vtt_text", "write_subtitles"]

SUBTITLE_FORMATS = {".srt": "srt", ".vtt": "webvtt", ".ttml": "imsc1.1-text"}
"""File suffix -> format name as listed in the manifest."""


def subtitle_format(path: Path) -> str:
    """The format name of a subtitle file, by suffix."""
    try:
        return SUBTITLE_FORMATS[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"not a subtitle file suffix: {path.suffix}") from None


def _clock(seconds: float, separator: str) -> str:
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def srt_text(cues: list[Cue]) -> str:
    """SubRip: numbered blocks, comma before the milliseconds."""
    blocks = [f"{number}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n{cue.text}\n" for number, cue in enumerate(cues, start=1)]
    return "\n".join(blocks)


def vtt_text(cues: list[Cue]) -> str:
    """WebVTT; cue text escaped."""
    blocks = ["WEBVTT\n"]
    for number, cue in enumerate(cues, start=1):
        body = "\n".join(escape(line) for line in cue.lines)
        blocks.append(f"{number}\n{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{body}\n")
    return "\n".join(blocks)


def ttml_text(cues: list[Cue], language: str, frame_rate: float, forced: bool = False) -> str:
    """IMSC 1.1 Text Profile TTML: one region at the bottom, white on a translucent box, media time base."""
    numerator, multiplier = _frame_rate_attributes(frame_rate)
    forced_attribute = ' itts:forcedDisplay="true"' if forced else ""
    paragraphs = []
    for number, cue in enumerate(cues, start=1):
        body = "<br/>".join(escape(line) for line in cue.lines)
        paragraphs.append(
            f'      <p xml:id="s{number}" begin="{_clock(cue.start, ".")}" end="{_clock(cue.end, ".")}"{forced_attribute}>'
            f'<span style="box">{body}</span></p>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter"'
        ' xmlns:tts="http://www.w3.org/ns/ttml#styling" xmlns:ttm="http://www.w3.org/ns/ttml#metadata"'
        ' xmlns:itts="http://www.w3.org/ns/ttml/profile/imsc1#styling"'
        ' ttp:contentProfiles="http://www.w3.org/ns/ttml/profile/imsc1.1/text"'
        f' ttp:timeBase="media" ttp:frameRate="{numerator}"{multiplier} ttp:cellResolution="32 15"'
        f" xml:lang={quoteattr(language)}>\n"
        "  <head>\n"
        "    <styling>\n"
        '      <style xml:id="text" tts:fontFamily="proportionalSansSerif" tts:fontSize="100%" tts:lineHeight="125%"'
        ' tts:textAlign="center" tts:color="#FFFFFF"/>\n'
        '      <style xml:id="box" tts:backgroundColor="#000000C2"/>\n'
        "    </styling>\n"
        "    <layout>\n"
        '      <region xml:id="bottom" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="after"/>\n'
        "    </layout>\n"
        "  </head>\n"
        '  <body region="bottom" style="text">\n'
        "    <div>\n" + "".join(p + "\n" for p in paragraphs) + "    </div>\n"
        "  </body>\n"
        "</tt>\n"
    )


def _frame_rate_attributes(frame_rate: float) -> tuple[int, str]:
    """``ttp:frameRate`` and, for NTSC rates such as 23.976, ``ttp:frameRateMultiplier="1000 1001"``."""
    nominal = round(frame_rate)
    if abs(frame_rate - nominal) < 1e-3:
        return nominal, ""
    return round(frame_rate * 1001 / 1000), ' ttp:frameRateMultiplier="1000 1001"'


def write_subtitles(cues: list[Cue], path: Path, language: str, frame_rate: float, forced: bool = False) -> None:
    """Write ``cues`` as SRT, WebVTT or TTML, chosen by the suffix of ``path``."""
    kind = subtitle_format(path)
    if kind == "srt":
        text = srt_text(cues)
    elif kind == "webvtt":
        text = vtt_text(cues)
    else:
        text = ttml_text(cues, language, frame_rate, forced)
    atomic_write_text(path, text)
