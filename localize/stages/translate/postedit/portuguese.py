"""Portuguese: the 2009 spelling, and Brazilian forms where Apertium writes European ones."""

from __future__ import annotations

import re

from localize.stages.translate.postedit.base import Context

__all__ = ["brazilian_pronouns", "brazilian_words", "new_spelling", "thousands_and"]

_SPELLING = [
    (re.compile(r"êem\b"), "eem"),  # vêem, lêem, crêem, dêem
    (re.compile(r"ôo\b"), "oo"),  # vôo, enjôo, perdôo
    (re.compile(r"([^\W\d_])éi(?=[ao]s?\b)"), r"\1ei"),  # idéia, assembléia (not papéis, anéis)
    (re.compile(r"([^\W\d_])ói(?=[ao]s?\b)"), r"\1oi"),  # jóia, heróico (not herói, dói)
    (re.compile(r"(?<=[gq])ü(?=[ei])"), "u"),  # lingüiça, freqüente, agüentar
    (re.compile(r"\bpára\b"), "para"),
    (re.compile(r"\bpêlo\b"), "pelo"),
    (re.compile(r"\bpêra\b"), "pera"),
    (re.compile(r"\bpólo\b"), "polo"),
]


def new_spelling(text: str, context: Context) -> str:
    """The 2009 orthographic agreement: no circumflex in -êem/-ôo, no acute in paroxytone éi/ói, no trema."""
    words = text.split(" ")
    for index, word in enumerate(words):
        if context.keeps(word.strip(".,;:!?¿¡\"'«»()")):
            continue
        for pattern, replacement in _SPELLING:
            word = pattern.sub(replacement, word)
        words[index] = word
    return " ".join(words)


_CLITIC = re.compile(r"\b([^\W\d_]+)-(me|te|se|nos|lhe|lhes|o|a|os|as)\b(?!-)")
_LO = re.compile(r"\b([^\W\d_]+)([áêíô])-(lo|la|los|las)\b(?!-)")
_PLAIN = str.maketrans("áêíô", "aeio")


def brazilian_pronouns(text: str, context: Context) -> str:
    """Object pronouns before the verb, as Brazil speaks ("Diga-me" -> "Me diga", "pagá-los" -> "os pagar")."""

    def before(found: re.Match[str]) -> str:
        verb, pronoun = found.group(1), found.group(2)
        if pronoun == "nos" and verb.endswith("mo"):
            verb += "s"  # vemo-nos -> nos vemos
        lead = pronoun.capitalize() if verb[:1].isupper() else pronoun
        return f"{lead} {verb[:1].lower() + verb[1:] if verb[:1].isupper() else verb}"

    def infinitive(found: re.Match[str]) -> str:
        stem, vowel, pronoun = found.groups()
        verb = stem + vowel.translate(_PLAIN) + "r"
        lead = pronoun[1:].capitalize() if stem[:1].isupper() else pronoun[1:]
        return f"{lead} {verb[:1].lower() + verb[1:] if stem[:1].isupper() else verb}"

    return _CLITIC.sub(before, _LO.sub(infinitive, text))


_BRAZILIAN = {
    "t-shirt": "camiseta",
    "telefone móvel": "celular",
    "telemóvel": "celular",
    "autocarro": "ônibus",
    "comboio": "trem",
    "pequeno-almoço": "café da manhã",
    "casa de banho": "banheiro",
    "ecrã": "tela",
    "rapariga": "garota",
    "miúdo": "garoto",
    "frigorífico": "geladeira",
    "sumo": "suco",
    "equipa": "equipe",
    "registo": "registro",
    "facto": "fato",
    "contacto": "contato",
    "muito mau": "muito ruim",
    "está mau": "está ruim",
}
_BRAZILIAN_WORDS = re.compile(r"\b(" + "|".join(re.escape(word) for word in _BRAZILIAN) + r")\b", re.IGNORECASE)


def brazilian_words(text: str, context: Context) -> str:
    """European words and spellings the Brazilian variant of Apertium still writes."""

    def brazilian(found: re.Match[str]) -> str:
        word = _BRAZILIAN[found.group().lower()]
        return word.capitalize() if found.group()[:1].isupper() else word

    return _BRAZILIAN_WORDS.sub(brazilian, text)


_AFTER_THOUSAND = re.compile(
    r"\bmil (?=(?:cem|duzentos|duzentas|trezentos|trezentas|quatrocentos|quatrocentas|quinhentos|quinhentas|seiscentos|"
    r"seiscentas|setecentos|setecentas|oitocentos|oitocentas|novecentos|novecentas)\b)"
)


def thousands_and(text: str, context: Context) -> str:
    """ "e" after "mil" before a round hundred, as Portuguese says numbers ("três mil e quinhentos")."""
    return _AFTER_THOUSAND.sub("mil e ", text)
