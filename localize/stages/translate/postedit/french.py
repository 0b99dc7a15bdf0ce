"""French typography, spoken French (negation without "ne", "on" for "nous", "t'es") and Apertium's French slips."""

from __future__ import annotations

import re

from localize.glossary.match import lemmas_of
from localize.stages.translate.postedit.base import Context, lower_first

__all__ = [
    "NBSP",
    "french_days",
    "french_elision",
    "french_grammar",
    "french_negation",
    "french_on",
    "french_slips",
    "french_spacing",
    "french_words",
    "third_person",
]

NBSP = "\u00a0"
"""The no-break space French puts before ; : ! ? » and after « (a plain one: subtitle fonts all have it)."""


def french_spacing(text: str, context: Context) -> str:
    """A no-break space before ; : ! ? and inside « », never a plain one ("Quoi?" -> "Quoi ?")."""
    text = re.sub(r"[ \u00a0\u202f]*([;:!?»]+)", lambda m: NBSP + m.group(1), text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NBSP, text)
    text = re.sub(rf"^{NBSP}", "", text)
    return re.sub(rf"(\d){NBSP}:(?=\d)", r"\1:", text)  # times (11:45) keep their colon tight


_WORDS = {"mil": "mille"}
"""Apertium's Spanish leftovers in French output."""


def french_words(text: str, context: Context) -> str:
    """Words Apertium leaves in Spanish form ("mil pesos" -> "mille pesos")."""
    return re.sub(r"\b(" + "|".join(_WORDS) + r")\b", lambda m: _WORDS[m.group(1)], text)


_NEGATION_PARTNER = r"(?:pas|plus|rien|jamais|personne|aucun|aucune|ni)\b"
_NE = re.compile(rf"\b([Nn])(?:e |')(?=(?:[^.!?…,;:]*?\s)?{_NEGATION_PARTNER})(.)")


def french_negation(text: str, context: Context) -> str:
    """Spoken negation, as French dialogue drops "ne" ("je ne sais pas" -> "je sais pas", "il n'y a pas" -> "il y a pas")."""
    text = re.sub(r"\b(personne|rien|aucun|aucune) (?:ne |n')", r"\1 ", text, flags=re.IGNORECASE)
    return _NE.sub(lambda m: m.group(2).upper() if m.group(1) == "N" else m.group(2), text)


_VOWEL_START = r"(?=[aeiouyâàéèêëîïôûAEIOUYÂÀÉÈÊÎÔ]|(?i:h(?:eure|omme|ôpital|ôtel|istoire|abit|ier|uit)))"
_ELIDED = re.compile(rf"\b([JjMmTtSsLlDdCcNn]e|[Ll]a|[Qq]ue|[Jj]usque|[Ll]orsque|[Pp]uisque) {_VOWEL_START}")
_SI_IL = re.compile(r"\b([Ss])i (?=ils?\b)")


def french_elision(text: str, context: Context) -> str:
    """Elision before a vowel sound that translation or earlier rules left open ("je ai" -> "j'ai", "de un" -> "d'un",
    "si il" -> "s'il"); "tu es" and "tu as" as dialogue says them ("t'es", "t'as")."""
    text = _ELIDED.sub(lambda m: m.group() if context.protects(m.group(1)) else m.group(1)[:-1] + "'", text)
    text = _SI_IL.sub(r"\1'", text)
    return re.sub(r"\b([Tt])u (?=(?:es|as|étais|avais)\b)", r"\1'", text)


_DAYS = r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"


def french_days(text: str, context: Context) -> str:
    """A day without Spanish's article ("le samedi" -> "samedi", "du lundi" -> "de lundi"); "tous les lundis" stays."""
    text = re.sub(rf"\b([Dd])u {_DAYS}\b", r"\1e \2", text)
    text = re.sub(rf"\b([Aa])u {_DAYS}\b", lambda m: ("À " if m.group(1) == "A" else "à ") + m.group(2), text)
    return re.sub(rf"(?<!\btous )\b[Ll]e {_DAYS}\b", r"\1", text)


_REFLEXIVE = [
    (re.compile(r"\b([Ss])'a\b"), r"\1'est"),
    (re.compile(r"\b([Ss])'ont\b"), r"\1e sont"),
    (re.compile(r"\b([Ss])e ont\b"), r"\1e sont"),
    (re.compile(r"\b([Jj])e m'ai\b"), r"\1e me suis"),
    (re.compile(r"\b([Tt])u t'as\b"), r"\1u t'es"),
    (re.compile(r"\b([Nn])ous nous avons\b"), r"\1ous nous sommes"),
    (re.compile(r"\b([Qq])ui est-ce qui (?:il|elle) "), r"\1ui "),
]


def french_slips(text: str, context: Context) -> str:
    """Apertium's French slips: reflexive verbs with "avoir" ("il s'a échappé" -> "il s'est échappé"), "qui est-ce qui il"."""
    for pattern, replacement in _REFLEXIVE:
        text = pattern.sub(replacement, text)
    return text


_AFTER_ELISION = re.compile(
    r"\b([Jj]'|[MmTtSsLlNn]'(?=(?:Ai|As|A|Avons|Avez|Ont|Est|Es|Étais|Était|Y|En)\b))([A-ZÀÂÉÈÊÎÔ][a-zàâçéèêëîïôûù]*)"
)
"""A capital after "J'" (a verb follows, never a name) or after an object's elision before "avoir"/"être"."""
_CAPITAL_AUXILIARY = re.compile(
    r"\b((?:[Jj]e|[Tt]u|[Ii]ls?|[Ee]lles?|[Oo]n|[Nn]ous|[Vv]ous) )(A|Ai|As|Avons|Avez|Ont|Est|Es|Suis|Sommes|Êtes|Sont)\b"
)
"""A capitalised "avoir" or "être" after its subject ("Il A hier été")."""
_CAPITAL_CLITIC = re.compile(r"(?<=[^\W\d_,] )([JMTSLN])'(?=[a-zàâéèêîôû])")
"""An elided clitic capitalised inside a sentence ("Je L'ai croisée")."""
_TIME_AFTER_AUXILIARY = re.compile(
    r"(?P<lead>(?:^|[.!?…]\s+)[«\"“(—-]*\s*)"
    r"(?P<subject>(?:J'|Je |Tu |T'|Il |Elle |On |Nous |Vous |Ils |Elles )(?:(?:me|te|se|nous|vous|le|la|les|lui|leur) |[mtsl]')*)"
    r"(?P<auxiliary>ai|as|a|avons|avez|ont|suis|es|est|sommes|êtes|sont) "
    r"(?P<when>hier soir|hier|aujourd'hui|ce matin|cette nuit|cet après-midi|avant-hier) "
)
"""A time adverb left between the auxiliary and the participle, as Spanish's word order puts it ("J'ai hier acheté")."""
_EN_ARTICLE = [
    (re.compile(r"\b([Ee])n le\b"), lambda m: "Au" if m.group(1) == "E" else "au"),
    (re.compile(r"\b([Ee])n les\b"), lambda m: "Aux" if m.group(1) == "E" else "aux"),
    (re.compile(r"\b([Ee])n la (?!matière\b|personne\b)"), lambda m: ("À" if m.group(1) == "E" else "à") + " la "),
]
_PRES = re.compile(r"\b([Pp])rès (le|les|la|l')(?=\W)")
_PRES_DE = {"le": "du", "les": "des", "la": "de la", "l'": "de l'"}
_AGREED = re.compile(
    r"\b(m'|t'|nous |vous |lui |leur )(ai|as|a|avons|avez|ont) ([^\W\d_]+?)(ées|és|ée|its)"
    r"(?= (?:que|qu'|le|la|les|l'|un|une|des|du|mon|ma|mes|ton|ta|tes|son|sa|ses|ce|cet|cette|ces)\b)"
)
"""A participle agreed after an indirect object, which takes none when its direct object follows ("ils m'ont dits
que" -> "ils m'ont dit que", "ils nous ont volés le vélo" -> "volé")."""


def _time_first(found: re.Match[str]) -> str:
    """ "J'ai hier acheté" -> "Hier, j'ai acheté": the time opens the sentence, as French says it."""
    when, subject = found.group("when"), found.group("subject")
    return f"{found.group('lead')}{when[0].upper()}{when[1:]}, {subject[0].lower()}{subject[1:]}{found.group('auxiliary')} "


def french_grammar(text: str, context: Context) -> str:
    """Apertium's French grammar slips:

    - a capital after an elided word or a subject ("J'Ai hier", "Je L'ai", "Il A hier été");
    - a time adverb between the auxiliary and the participle ("J'ai hier acheté" -> "Hier, j'ai acheté");
    - Spanish's "en" before an article ("en le quartier" -> "au quartier", "en la cuisine" -> "à la cuisine");
    - "près" without "de" ("près la gare" -> "près de la gare");
    - a participle agreed with an indirect object ("ils m'ont dits que" -> "ils m'ont dit que").
    """
    text = _AFTER_ELISION.sub(lambda m: m.group(1) + lower_first(m.group(2)), text)
    text = _CAPITAL_CLITIC.sub(lambda m: m.group(1).lower() + "'", text)
    text = _CAPITAL_AUXILIARY.sub(lambda m: m.group(1) + m.group(2).lower(), text)
    text = _TIME_AFTER_AUXILIARY.sub(_time_first, text)
    for pattern, replacement in _EN_ARTICLE:
        text = pattern.sub(replacement, text)
    text = _PRES.sub(lambda m: f"{m.group(1)}rès {_PRES_DE[m.group(2)]}", text)
    return _AGREED.sub(lambda m: m.group(1) + m.group(2) + " " + m.group(3) + ("é" if m.group(4) != "its" else "it"), text)


_IRREGULAR_THIRD = {
    "être": "est", "avoir": "a", "aller": "va", "faire": "fait", "dire": "dit", "pouvoir": "peut", "vouloir": "veut",
    "devoir": "doit", "savoir": "sait", "voir": "voit", "croire": "croit", "boire": "boit", "recevoir": "reçoit",
    "partir": "part", "sortir": "sort", "dormir": "dort", "sentir": "sent", "servir": "sert", "mentir": "ment",
    "courir": "court", "lire": "lit", "écrire": "écrit", "vivre": "vit", "suivre": "suit", "connaître": "connaît",
    "paraître": "paraît", "ouvrir": "ouvre", "offrir": "offre", "souffrir": "souffre", "mourir": "meurt", "rire": "rit",
    "conduire": "conduit", "falloir": "faut", "plaire": "plaît", "battre": "bat", "valoir": "vaut", "craindre": "craint",
    "peindre": "peint", "joindre": "joint", "appeler": "appelle", "rappeler": "rappelle", "jeter": "jette",
}  # fmt: skip
_FAMILIES = (("venir", "vient"), ("tenir", "tient"), ("prendre", "prend"), ("mettre", "met"), ("duire", "duit"))


def third_person(infinitive: str, nous_form: str) -> str | None:
    """The il/on present of a verb, from its infinitive and its nous form (None when no rule here knows it)."""
    if infinitive in _IRREGULAR_THIRD:
        return _IRREGULAR_THIRD[infinitive]
    for ending, third in _FAMILIES:
        if infinitive.endswith(ending):
            return infinitive[: -len(ending)] + third
    if infinitive.endswith("er"):
        stem = infinitive[:-2]
        changed = re.sub(r"[eé]([^aeiouyéèêâîôû]+)$", r"è\1", stem) if re.search(r"[eé][^aeiouyéèêâîôû]+$", stem[1:]) else stem
        return changed + "e"
    if infinitive.endswith("ir") and nous_form.endswith("issons"):
        return nous_form[:-6] + "it"
    if infinitive.endswith("dre"):
        return infinitive[:-2]
    return None


_NOUS = re.compile(r"\b([Nn])ous ((?:(?:nous|le|la|les|lui|leur|y|en|te|vous) |l')*)([^\W\d_]+ons|sommes)\b")


def french_on(text: str, context: Context) -> str:
    """ "nous" as dialogue says it: "on" with the verb in the singular ("Nous nous voyons" -> "On se voit")."""

    def spoken(found: re.Match[str]) -> str:
        verb = found.group(3)
        lemmas = lemmas_of(verb.lower(), "fr") or ({"être"} if verb.lower() == "sommes" else set())
        third = next((third_person(lemma, verb.lower()) for lemma in sorted(lemmas) if third_person(lemma, verb.lower())), None)
        if third is None:
            return found.group()
        clitics = re.sub(r"^nous ", "se ", found.group(2))
        clitics = re.sub(r"^se (?=[aeiouyéèêh])", "s'", clitics)
        if clitics.endswith("se ") and third[:1] in "aeiouyéèêh":
            clitics = clitics[:-3] + "s'"
        subject = "O" if found.group(1) == "N" else "o"
        return f"{subject}n {clitics}{third}"

    return _NOUS.sub(spoken, text)
