"""espeak-ng's IPA turned into the phoneme symbols Kokoro-82M was trained on.

Kokoro reads phonemes, not text: espeak-ng gives them for every language it
knows. Its multi-letter phonemes (diphthongs, affricates, joined with a tie
character) become Kokoro's single symbols, language-switch marks are dropped,
and the clause punctuation that espeak-ng would swallow is put back, since the
model reads it as pauses and intonation.
"""

from __future__ import annotations

import functools
import re
import subprocess

from localize.languages import base_language
from localize.media.tools import require_tool, run_tool

__all__ = ["CLAUSE_PUNCTUATION", "espeak_voice", "kokoro_phonemes"]

CLAUSE_PUNCTUATION = ",.;:!?…"
"""Punctuation kept between clauses (Kokoro's vocabulary has each)."""

_TIE = "^"
_SHARED = {
    "a^ɪ": "I",
    "a^ʊ": "W",
    "d^z": "ʣ",
    "d^ʒ": "ʤ",
    "e^ɪ": "A",
    "o^ʊ": "O",
    "ə^ʊ": "Q",
    "s^s": "S",
    "t^s": "ʦ",
    "t^ʃ": "ʧ",
    "ɔ^ɪ": "Y",
}
"""Tied espeak-ng phonemes and the single symbol Kokoro has for each (every language)."""
_ENGLISH = {"ʔn̩": "tᵊn", "ʔn": "tᵊn", "ʔ": "t", "ə^l": "ᵊl", "ɚ": "əɹ", "r": "ɹ", "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l", "ʲ": "", "e": "A"}
"""English in Kokoro's American inventory: no length marks, ``ɹ`` for every r, syllabic consonants spelled out."""
_SWITCH = re.compile(r"\([a-z0-9^-]+\)")
"""espeak-ng's language-switch marks, such as ``(en)`` around an English word in French."""


@functools.lru_cache(maxsize=1)
def _espeak_voices() -> frozenset[str]:
    """The espeak-ng voice (language) names installed here."""
    espeak = require_tool("espeak-ng", "espeak-ng")
    listing = subprocess.run([espeak, "--voices"], capture_output=True, text=True, check=False).stdout
    return frozenset(row.split()[1].lower() for row in listing.splitlines()[1:] if len(row.split()) > 1)


def espeak_voice(language: str) -> str | None:
    """espeak-ng's voice for a BCP-47 tag (``pt-BR`` -> ``pt-br``, ``fr`` -> ``fr-fr``, ``en`` -> ``en-us``), or None."""
    known = _espeak_voices()
    tag = language.lower()
    base = base_language(language).lower()
    for candidate in (tag, f"{base}-{base}", {"en": "en-us"}.get(base, base), base):
        if candidate in known:
            return candidate
    return None


def _clauses(text: str) -> list[str]:
    """Text cut after clause punctuation, each piece keeping its mark."""
    return [piece for piece in re.split(f"(?<=[{re.escape(CLAUSE_PUNCTUATION)}])", text) if piece.strip()]


@functools.lru_cache(maxsize=4096)
def kokoro_phonemes(text: str, voice: str) -> str:
    """Kokoro's phonemes of ``text`` read with espeak-ng voice ``voice``, clause punctuation kept."""
    espeak = require_tool("espeak-ng", "espeak-ng")
    english = voice.startswith("en")
    replacements = sorted({**_SHARED, **(_ENGLISH if english else {})}.items(), key=lambda item: -len(item[0]))
    pieces: list[str] = []
    for clause in _clauses(text):
        mark = clause.rstrip()[-1] if clause.rstrip()[-1] in CLAUSE_PUNCTUATION else ""
        words = clause.rstrip().rstrip(CLAUSE_PUNCTUATION).strip(" ¿¡\"'«»“”()")
        if not words:
            continue
        command = [espeak, "-q", "--ipa", f"--tie={_TIE}", "-v", voice]
        output = run_tool(command, f"espeak-ng phonemes, voice {voice}", "check the voice name", words.encode("utf-8"))
        ipa = _SWITCH.sub("", " ".join(output.decode("utf-8").split()))
        for old, new in replacements:
            ipa = ipa.replace(old, new)
        if english:
            ipa = ipa.replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ").replace("ɪə", "iə").replace("ː", "")
        pieces.append(ipa.replace(_TIE, "").replace("-", "") + mark)
    return " ".join(pieces)
