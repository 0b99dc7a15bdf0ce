"""Text as a voice should say it: clock times written the target's way, rewritten as they are spoken.

Subtitles and scripts keep the written form ("à 6 h 40", "às 6h40", "at 6:05"); a
text-to-speech engine reading it through espeak-ng would say "six hache quarante",
"seis agá quarenta", "six zero five". Times are the one written form the post-editor
produces that every engine misreads, so the dub speaks them as people do: "six heures
quarante", "seis e quarenta", "six oh five" (the digits left for the engine to read).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from localize.languages import base_language

__all__ = ["spoken_text"]

_CLOCK = re.compile(r"(?<![\w:.,])(?P<hour>[01]?\d|2[0-3])(?:\s*(?P<mark>[h:])\s*(?P<minute>[0-5]\d)|\s*(?P<bare>h))(?![\w:])")
"""A clock time: 6 h 40, 6h40, 6:40, 18 h (hours alone only with the French/Portuguese "h")."""


def _french(hour: int, minute: int | None) -> str:
    said = {1: "une heure", 21: "vingt et une heures"}.get(hour, f"{hour} heures")
    return said if not minute else f"{said} {minute}"


def _portuguese(hour: int, minute: int | None) -> str:
    counted = {1: "uma", 2: "duas", 21: "vinte e uma", 22: "vinte e duas"}.get(hour, str(hour))
    if not minute:
        return "uma hora" if hour == 1 else f"{counted} horas"
    return f"{counted} e {minute}"


def _english(hour: int, minute: int | None) -> str:
    if not minute:
        return f"{hour} o'clock"
    return f"{hour} oh {minute}" if minute < 10 else f"{hour} {minute}"


def _spanish(hour: int, minute: int | None) -> str:
    counted = "una" if hour in (1, 13) else str(hour)
    return f"{counted} en punto" if not minute else f"{counted} y {minute}"


_SAYERS: dict[str, Callable[[int, int | None], str]] = {"fr": _french, "pt": _portuguese, "en": _english, "es": _spanish}
_BARE_HOURS = frozenset({"fr", "pt"})
"""Languages that write an hour alone with "h" ("18 h", "18h")."""


def spoken_text(text: str, language: str) -> str:
    """``text`` with its clock times as ``language`` speaks them (unchanged for a language without rules)."""
    base = base_language(language)
    say = _SAYERS.get(base)
    if say is None:
        return text

    def spoken(found: re.Match[str]) -> str:
        hour = int(found.group("hour"))
        if found.group("bare"):
            return say(hour, None) if base in _BARE_HOURS else found.group()
        if found.group("mark") == "h" and base not in _BARE_HOURS:
            return found.group()
        return say(hour, int(found.group("minute")))

    return _CLOCK.sub(spoken, text)
