"""Portuguese: the 2009 spelling, and Brazilian forms where Apertium writes European ones."""

from __future__ import annotations

import re

from localize.glossary.match import is_stop_word, lemmas_of
from localize.stages.translate.postedit.base import Context

__all__ = [
    "brazilian_imperative",
    "brazilian_pronouns",
    "brazilian_speech",
    "brazilian_words",
    "new_spelling",
    "thousands_and",
]

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
    "de modo que": "então",
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


_INDICATIVE = {
    "dar": "dá", "dizer": "diz", "fazer": "faz", "vir": "vem", "trazer": "traz", "pôr": "põe", "sair": "sai", "ir": "vai",
    "ter": "tem", "ouvir": "ouve", "pedir": "pede", "subir": "sobe", "ver": "vê", "ler": "lê", "querer": "quer",
    "saber": "sabe", "poder": "pode", "cair": "cai", "fugir": "foge", "cobrir": "cobre",
}  # fmt: skip
_SUBJUNCTIVE = {
    "dar": "dê", "dizer": "diga", "fazer": "faça", "vir": "venha", "trazer": "traga", "pôr": "ponha", "sair": "saia",
    "ir": "vá", "ter": "tenha", "ouvir": "ouça", "pedir": "peça", "poder": "possa", "saber": "saiba", "querer": "queira",
    "ver": "veja", "ler": "leia", "perder": "perca", "dormir": "durma", "sentir": "sinta", "seguir": "siga",
    "conseguir": "consiga", "subir": "suba", "cair": "caia", "fugir": "fuja", "cobrir": "cubra", "servir": "sirva",
    "mentir": "minta", "vestir": "vista", "repetir": "repita", "preferir": "prefira",
}  # fmt: skip
_LEMMA_SLIPS = {"fale": "falar", "fales": "falar"}
"""Forms the lemma table files under the wrong verb ("fale" under "falir")."""
_KEEP_SUBJUNCTIVE = frozenset({"ser", "estar"})
_IMPERATIVE = re.compile(
    r"(^|[.!?…,;:¿¡]\s*)((?:[Nn]ão )?)((?:[Mm]e|[Tt]e|[Ss]e|[Nn]os|[Ll]he|[Oo]s?|[Aa]s?) )?([^\W\d_]+)(?=[\s,.!?…;:]|$)"
)


def _subjunctive(verb: str) -> str:
    """The subjunctive (he/she form) of a verb: the form Apertium gives a command ("esperar" -> "espere")."""
    if verb in _SUBJUNCTIVE:
        return _SUBJUNCTIVE[verb]
    stem = verb[:-2]
    if verb.endswith("ar"):
        for old, new in (("c", "qu"), ("g", "gu"), ("ç", "c")):
            if stem.endswith(old):
                return stem[: -len(old)] + new + "e"
        return stem + "e"
    for old, new in (("c", "ç"), ("g", "j")):
        if stem.endswith(old):
            return stem[: -len(old)] + new + "a"
    return stem + "a"


def _indicative(word: str) -> str | None:
    """The present indicative (he/she form) of a subjunctive ``word`` that stands for a command, or None."""
    lower = word.lower()
    if is_stop_word(lower, "pt"):
        return None
    lemmas = {_LEMMA_SLIPS[lower]} if lower in _LEMMA_SLIPS else lemmas_of(lower, "pt")
    verbs = [lemma for lemma in lemmas if lemma[-2:] in ("ar", "er", "ir") or lemma == "pôr"]
    if len(verbs) != 1 or verbs[0] in _KEEP_SUBJUNCTIVE or _subjunctive(verbs[0]) != lower:
        return None
    verb = verbs[0]
    indicative = _INDICATIVE.get(verb) or verb[:-2] + ("a" if verb.endswith("ar") else "e")
    return indicative[0].upper() + indicative[1:] if word[:1].isupper() else indicative


def brazilian_imperative(text: str, context: Context) -> str:
    """Commands as Brazil says them, with the indicative: "Me dê um minuto" -> "Me dá um minuto", "não chore" -> "não chora"."""

    def spoken(found: re.Match[str]) -> str:
        word = found.group(4)
        indicative = None if context.protects(word) else _indicative(word)
        return found.group() if indicative is None else found.group(1) + found.group(2) + (found.group(3) or "") + indicative

    return _IMPERATIVE.sub(spoken, text)


def _cased(replacement: str, original: str) -> str:
    return replacement[0].upper() + replacement[1:] if original[:1].isupper() else replacement


_SPOKEN = {"está": "tá", "estou": "tô", "este": "esse", "esta": "essa", "estes": "esses", "estas": "essas", "isto": "isso"}
_SPOKEN |= {prefix + word[2:]: prefix + spoken[2:] for prefix in ("n", "d") for word, spoken in list(_SPOKEN.items())[2:]}
_SPOKEN_WORDS = re.compile(r"\b(" + "|".join(_SPOKEN) + r")\b", re.IGNORECASE)
_PARA = re.compile(r"\b(?<!não )(?<!se )([Pp])ara(?: (o|a|os|as))?\b(?! (?:de|por)\b)(?=\s+[^\W\d_])")
_TIME = r"(?:\w+ ){0,2}(?:anos?|mês|meses|dias?|semanas?|horas?|minutos?|segundos?|tempo|pouco)\b"
_HA = re.compile(rf"\b([Hh])á\b(?! {_TIME})")


def brazilian_speech(text: str, context: Context) -> str:
    """Everyday Brazilian forms of TV dialogue: "pra"/"pro", "tá", "tô", "esse" for "este", "tem" for existential "há",
    "você" for "tu"; words of kept names and renderings stay."""
    if any(context.protects(word) for word in ("para", "está", "estou", "este", "esta", "há", "tu")):
        return text
    text = _SPOKEN_WORDS.sub(lambda m: _cased(_SPOKEN[m.group().lower()], m.group()), text)
    text = _PARA.sub(lambda m: m.group(1) + {None: "ra", "o": "ro", "a": "ra", "os": "ros", "as": "ras"}[m.group(2)], text)
    text = _HA.sub(lambda m: "Tem" if m.group(1) == "H" else "tem", text)
    return re.sub(r"\b([Tt])u\b(?= [^\W\d_])", lambda m: "Você" if m.group(1) == "T" else "você", text)
