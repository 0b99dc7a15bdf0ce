"""English: the article before a vowel sound, the pronoun I."""

from __future__ import annotations

import re

from localize.stages.translate.postedit.base import Context

__all__ = ["english_articles", "english_days", "english_i"]

# Words spelled with a vowel that start with a consonant sound ("a university"), and the reverse ("an hour").
_CONSONANT_SOUND = re.compile(r"(?i)^(uni|use|usu|uti|eu|one|once|ur[aeiou])")
_VOWEL_SOUND = re.compile(r"(?i)^(hour|honest|honou?r|heir)")


def _wants_an(word: str) -> bool:
    if _VOWEL_SOUND.match(word):
        return True
    return word[:1].lower() in "aeiou" and not _CONSONANT_SOUND.match(word)


def english_articles(text: str, context: Context) -> str:
    """'a' or 'an' as the next word sounds ("a apartment" -> "an apartment"), as renderings put in may need."""

    def article(found: re.Match[str]) -> str:
        written, word = found.group(1), found.group(2)
        wanted = "an" if _wants_an(word) else "a"
        return (wanted.capitalize() if written[0].isupper() else wanted) + " " + word

    return re.sub(r"\b([Aa]n?) ([^\W\d_][\w'’-]*)", article, text)


def english_i(text: str, context: Context) -> str:
    """The pronoun I in capitals."""
    return re.sub(r"\bi\b(?=[ '’]|$)", "I", text)


_DAY = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(s?)"


def english_days(text: str, context: Context) -> str:
    """Days without Spanish's article ("the Saturday" -> "on Saturday", "of the Monday" -> "of Monday")."""
    text = re.sub(rf"\b(of|to|until|from|by|for|in|at|on) the {_DAY}\b", lambda m: f"{m.group(1)} {m.group(2)}{m.group(3)}", text)
    return re.sub(rf"\b([Tt])he {_DAY}\b", lambda m: f"{'O' if m.group(1) == 'T' else 'o'}n {m.group(2)}{m.group(3)}", text)
