"""English: the article before a vowel sound, the pronoun I, contractions, questions asked the English way."""

from __future__ import annotations

import re

from localize.glossary.match import lemmas_of
from localize.stages.translate.postedit.base import Context

__all__ = ["english_anymore", "english_articles", "english_contractions", "english_days", "english_i", "english_questions"]

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


def _cased(replacement: str, original: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement


_NEGATIONS = {
    **{f"{verb} not": f"{verb}n't" for verb in ("do", "does", "did", "is", "are", "was", "were", "have", "has", "had")},
    **{f"{verb} not": f"{verb}n't" for verb in ("could", "would", "should")},
    "can not": "can't",
    "cannot": "can't",
    "will not": "won't",
}
_NEGATION = re.compile(r"\b(" + "|".join(re.escape(form) for form in _NEGATIONS) + r")\b", re.IGNORECASE)
_BE = re.compile(
    r"\b(I am|you are|we are|they are|(?:he|she|it|that|there|what|who|where|here|nobody|everything|everybody) is)"
    r"(?= (?:[^\W\d_]|\d))",
    re.IGNORECASE,
)
_WILL = re.compile(r"\b(I|you|we|they|he|she|it|that) will(?= [^\W\d_])", re.IGNORECASE)
_PERFECT = re.compile(r"\b(I|you|we|they) have(?= (?:already |just |never |not |)([^\W\d_]+)\b)", re.IGNORECASE)
_PARTICIPLES = frozenset((
    "been", "seen", "done", "gone", "had", "made", "told", "said", "got", "gotten", "taken", "given", "known", "eaten",
    "left", "lost", "found", "bought", "brought", "thought", "come", "become", "run", "written", "broken", "spoken",
    "forgotten", "heard", "felt", "kept", "met", "paid", "put", "read", "sent", "slept", "spent", "stood", "understood",
    "won", "worn", "fallen", "driven", "ridden", "begun", "drunk", "sung", "swum", "chosen", "shown", "forgiven",
    "hidden", "stolen", "woken",
))  # fmt: skip


def english_contractions(text: str, context: Context) -> str:
    """Contractions as dialogue says them ("I do not know" -> "I don't know", "it is late" -> "it's late");
    a form that ends its clause stays whole ("I know where it is.")."""
    text = _NEGATION.sub(lambda m: _cased(_NEGATIONS[m.group().lower()], m.group()), text)

    def be(found: re.Match[str]) -> str:
        subject, verb = found.group().rsplit(" ", 1)
        return subject + ("'m" if verb.lower() == "am" else "'re" if verb.lower() == "are" else "'s")

    text = _BE.sub(be, text)
    text = _WILL.sub(lambda m: m.group(1) + "'ll", text)

    def perfect(found: re.Match[str]) -> str:
        word = found.group(2).lower()
        return found.group(1) + "'ve" if word.endswith("ed") or word in _PARTICIPLES else found.group()

    return _PERFECT.sub(perfect, text)


_QUESTION = re.compile(r"(?:^|(?<=[.!?…] ))((?:[^\W\d_]+, )?)((?i:I|you|we|they|he|she|it)) ([^\W\d_']+)\b(?=[^.!?…]*\?)")
_INVERTED = frozenset(("am", "are", "is", "was", "were", "can", "could", "will", "would", "should", "must", "may", "might"))
_NOT_VERBS = frozenset(
    (
        *("here", "there", "too", "also", "already", "still", "really", "sure", "okay", "ok", "again", "all", "both"),
        *("just", "only", "never", "not", "always"),
    )
)


def english_questions(text: str, context: Context) -> str:
    """A question Spanish asks by intonation alone, asked the English way: "You are sure?" -> "Are you sure?",
    "You know where...?" -> "Do you know where...?", "You left it?" -> "Did you leave it?"."""

    def asked(found: re.Match[str]) -> str:
        lead, subject, verb = found.group(1), found.group(2), found.group(3)
        lower = verb.lower()
        if lower in _NOT_VERBS or lower.endswith(("n't", "ing")) or lower in ("do", "does", "did", "have", "has", "had"):
            return found.group()
        if lower in _INVERTED:
            inverted = f"{verb.lower()} {subject if subject == 'I' else subject.lower()}"
        else:
            base = min(lemmas_of(lower, "en") or {lower})
            third = subject.lower() in ("he", "she", "it")
            if base == lower and not third:
                auxiliary = "do"
            elif base != lower and lower.endswith("s") and third:
                auxiliary = "does"
            elif base != lower and not lower.endswith("s"):
                auxiliary = "did"
            else:
                return found.group()
            inverted = f"{auxiliary} {subject if subject == 'I' else subject.lower()} {base}"
        if not lead:
            inverted = inverted[0].upper() + inverted[1:]
        return lead + inverted

    return _QUESTION.sub(asked, text)


def english_anymore(text: str, context: Context) -> str:
    """Spanish "no ... más" as English says it: "don't cry more." -> "don't cry anymore."."""
    return re.sub(r"(n't|\bnot|\bnever) ([^\W\d_]+) more\b(?=[.,!?…]|$)", r"\1 \2 anymore", text)
