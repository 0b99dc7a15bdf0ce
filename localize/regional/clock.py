"""Spanish clock times said in words ("a las once menos diez"), written as each target language says them.

Word-by-word translation turns "son las nueve y media" into "they are the nine
and average"; here the whole expression becomes "it's nine thirty", "são nove
e meia" or "il est neuf heures et demie", and is protected like a glossary
rendering. An expression counts as a time only with a sign of one: "a"/"son"/
"es" before it, or minutes, a part of the day or "en punto" after it, so "las
dos chicas" stays two girls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from localize.languages import base_language

__all__ = ["ClockTime", "clock_times", "render"]

_HOURS = ["una", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"]
_MINUTES = {"cinco": 5, "diez": 10, "veinte": 20, "veinticinco": 25, "cuarto": 15, "media": 30}
_PARTS = {"de la mañana": "morning", "de la tarde": "afternoon", "de la noche": "night", "en punto": "sharp"}
_PATTERN = re.compile(
    r"(?<![\w])(?:(?P<verb>son|es|eran|era)\s+)?(?:(?P<prep>a)\s+)?(?P<article>las?)\s+"
    rf"(?P<hour>{'|'.join(_HOURS)}|1[0-2]|[1-9])(?::(?P<digits>[0-5]\d))?"
    rf"(?:\s+(?P<relation>y|menos)\s+(?P<minutes>{'|'.join(_MINUTES)}))?"
    rf"(?:\s+(?P<part>{'|'.join(_PARTS)}))?(?![\w])",
    re.IGNORECASE,
)

_WORDS = {
    "en": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"],
    "pt": ["uma", "duas", "três", "quatro", "cinco", "seis", "sete", "oito", "nove", "dez", "onze", "doze"],
    "fr": ["une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze"],
}
_MINUTE_WORDS = {
    "en": {5: "five", 10: "ten", 20: "twenty", 25: "twenty-five"},
    "pt": {5: "cinco", 10: "dez", 15: "quinze", 20: "vinte", 25: "vinte e cinco", 30: "meia"},
    "fr": {5: "cinq", 10: "dix", 20: "vingt", 25: "vingt-cinq"},
}
_PART_WORDS = {
    "en": {"morning": "in the morning", "afternoon": "in the afternoon", "night": "at night", "sharp": "o'clock"},
    "pt": {"morning": "da manhã", "afternoon": "da tarde", "night": "da noite", "sharp": "em ponto"},
    "fr": {"morning": "du matin", "afternoon": "de l'après-midi", "night": "du soir", "sharp": "pile"},
}


@dataclass(frozen=True)
class ClockTime:
    """A time found in a line: where, and what it says (``minutes`` after the hour, negative before it)."""

    start: int
    end: int
    surface: str
    hour: int
    minutes: int
    digits: bool
    """Written with digits ("6:40"): the target writes digits too."""
    lead: str
    """"at" for "a las", "is" for "son las", else ""."""
    part: str | None


def clock_times(text: str) -> list[ClockTime]:
    """The clock times said in ``text``."""
    found = []
    for match in _PATTERN.finditer(text):
        verb, prep, relation, part = match.group("verb"), match.group("prep"), match.group("relation"), match.group("part")
        if not (verb or prep or relation or part):
            continue
        hour_text = match.group("hour").lower()
        hour = int(hour_text) if hour_text.isdigit() else _HOURS.index(hour_text) + 1
        minutes = _MINUTES[match.group("minutes").lower()] if relation else int(match.group("digits") or 0)
        if match.group("digits") and relation:
            continue
        lead = "at" if prep else "is" if verb else ""
        part_name = _PARTS[part.lower()] if part else None
        signed = -minutes if relation == "menos" else minutes
        digits = hour_text.isdigit()
        found.append(ClockTime(match.start(), match.end(), match.group(), hour, signed, digits, lead, part_name))
    return found


_DIGITS = {"en": "{h}:{m:02d}", "pt": "{h}h{m:02d}", "fr": "{h} h {m:02d}"}


def _english(time: ClockTime) -> str:
    hour = _WORDS["en"][time.hour - 1]
    if time.digits and time.minutes > 0:
        said = _DIGITS["en"].format(h=time.hour, m=time.minutes)
    elif time.minutes == 0:
        said = hour
    elif time.minutes == 30:
        said = f"{hour} thirty"
    elif abs(time.minutes) == 15:
        said = f"a quarter {'past' if time.minutes > 0 else 'to'} {hour}"
    elif time.minutes > 0:
        said = f"{_MINUTE_WORDS['en'][time.minutes]} past {hour}"
    else:
        said = f"{_MINUTE_WORDS['en'][-time.minutes]} to {hour}"
    return {"at": "at ", "is": "it's "}.get(time.lead, "") + said


def _portuguese(time: ClockTime) -> str:
    hour = _WORDS["pt"][time.hour - 1]
    if time.digits and time.minutes > 0:
        said = _DIGITS["pt"].format(h=time.hour, m=time.minutes)
        opening = {"at": "às ", "is": "são "}.get(time.lead, "")
    elif time.minutes >= 0:
        said = hour + (f" e {_MINUTE_WORDS['pt'][time.minutes]}" if time.minutes else "")
        opening = {"at": "à " if time.hour == 1 else "às ", "is": "é " if time.hour == 1 else "são "}.get(time.lead, "")
    else:
        said = f"{_MINUTE_WORDS['pt'][-time.minutes]} para {'a' if time.hour == 1 else 'as'} {hour}"
        opening = {"at": "às ", "is": "são "}.get(time.lead, "")
    return opening + said


def _french(time: ClockTime) -> str:
    def hours(number: int) -> str:
        return f"{_WORDS['fr'][number - 1]} heure{'s' if number > 1 else ''}"

    if time.digits and time.minutes > 0:
        said = _DIGITS["fr"].format(h=time.hour, m=time.minutes)
    elif time.minutes == 0:
        said = hours(time.hour)
    elif time.minutes == 30:
        said = f"{hours(time.hour)} et demie"
    elif time.minutes == 15:
        said = f"{hours(time.hour)} et quart"
    elif time.minutes == -15:
        said = f"{hours(time.hour)} moins le quart"
    elif time.minutes > 0:
        said = f"{hours(time.hour)} {_MINUTE_WORDS['fr'][time.minutes]}"
    else:
        said = f"{hours(time.hour)} moins {_MINUTE_WORDS['fr'][-time.minutes]}"
    return {"at": "à ", "is": "il est "}.get(time.lead, "") + said


_RENDER = {"en": _english, "pt": _portuguese, "fr": _french}


def render(time: ClockTime, target: str) -> str | None:
    """How ``target`` says the time, or None for a language without rules here."""
    rule = _RENDER.get(base_language(target))
    if rule is None:
        return None
    said = rule(time)
    if time.part:
        said += " " + _PART_WORDS[base_language(target)][time.part]
    return said
