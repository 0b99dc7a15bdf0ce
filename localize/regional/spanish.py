"""Spanish verb forms by rule, every generated form checked against spaCy's Spanish lemma table; diminutives and
superlatives read as their base word.

Regional layers use this to turn voseo ("querés", "decime") into the tú forms a
machine translator knows ("quieres", "dime"), and to conjugate a regional verb
like a standard one ("laburás" -> "trabajas"). A form is produced only when the
lemma table gives it the expected infinitive, so the rules never invent a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from localize.glossary.match import lemma_table

__all__ = [
    "CLITICS",
    "Conjugation",
    "base_candidates",
    "conjugate",
    "conjugation",
    "imperative",
    "is_known",
    "is_verb",
    "lemma_is",
    "plain",
    "split_clitics",
    "subjunctive",
    "tu_present",
    "undiminished",
    "unsuperlative",
    "with_clitics",
]

_VOWELS = frozenset("aeiouáéíóúü")
_STRONG = frozenset("aeoáéíóú")
_PLAIN = str.maketrans("áéíóú", "aeiou")
_ACUTE = str.maketrans("aeiou", "áéíóú")
CLITICS = ("nos", "los", "las", "les", "me", "te", "se", "lo", "la", "le")
"""Enclitic pronouns, longest first."""
_STEM_CHANGES = (("", ""), ("e", "ie"), ("o", "ue"), ("e", "i"), ("u", "ue"), ("i", "ie"))


def plain(word: str) -> str:
    """``word`` without acute accents ("decí" -> "deci"); ñ and ü stay."""
    return word.translate(_PLAIN)


def _nuclei(word: str) -> list[tuple[int, int]]:
    """Spans of the syllable nuclei (vowel groups; two strong vowels or an accented weak one split a group)."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(word):
        if word[i] not in _VOWELS:
            i += 1
            continue
        j = i + 1
        while j < len(word) and word[j] in _VOWELS and not _hiatus(word[j - 1], word[j]):
            j += 1
        spans.append((i, j))
        i = j
    return spans


def _hiatus(first: str, second: str) -> bool:
    return (first in "aeoáéó" and second in "aeoáéó") or second in "íú" or first in "íú"


def _stressed(word: str) -> int:
    """Index of the stressed nucleus of a word as written (accent, else the default rules)."""
    spans = _nuclei(word)
    for index, (start, end) in enumerate(spans):
        if any(char in "áéíóú" for char in word[start:end]):
            return index
    if len(spans) < 2:
        return len(spans) - 1
    return len(spans) - 2 if word[-1] in _VOWELS or word[-1] in "ns" else len(spans) - 1


def with_clitics(base: str, clitics: str) -> str:
    """``base`` (a form as written alone) with enclitic pronouns, accented by the stress rules ("cuenta" + "me" -> "cuéntame")."""
    if not clitics:
        return base
    spans = _nuclei(base)
    if not spans:
        return base + clitics
    stressed = _stressed(base)
    word = plain(base) + clitics
    after = len(spans) - 1 - stressed + len(_nuclei(clitics))
    if after < 2 and not (after == 1 and word[-1] not in _VOWELS and word[-1] not in "ns"):
        return word
    start, end = spans[stressed]
    group = word[start:end]
    strong = [i for i, char in enumerate(group) if char in _STRONG]
    target = start + (strong[0] if strong else len(group) - 1)
    return word[:target] + word[target].translate(_ACUTE) + word[target + 1 :]


def split_clitics(word: str) -> Iterator[tuple[str, str]]:
    """Ways to read ``word`` as a base and one or two enclitic pronouns ("decimelo" -> ("deci", "melo"))."""
    rest, clitics = word, ""
    for _ in range(2):
        clitic = next((c for c in CLITICS if rest.endswith(c) and len(rest) > len(c) + 1), None)
        if clitic is None:
            return
        rest, clitics = rest[: -len(clitic)], clitic + clitics
        yield rest, clitics


@cache
def _lemmas() -> frozenset[str]:
    """Every lemma of the table (words it knows in their dictionary form: "papá", "querer")."""
    table = lemma_table("es")
    values = table.values() if table is not None else []
    return frozenset(value for value in values if isinstance(value, str))


@cache
def _verbs() -> frozenset[str]:
    """Infinitives the lemma table knows as verbs (their gerund maps to them)."""
    infinitives = {lemma for lemma in _lemmas() if lemma[-2:] in ("ar", "er", "ir", "ír")}
    return frozenset(verb for verb in infinitives if any(lemma_is(form, verb) for form in _gerunds(verb)))


def _gerunds(verb: str) -> Iterator[str]:
    stem = verb[:-2]
    if verb.endswith("ar"):
        yield stem + "ando"
        return
    for old, new in (("", ""), ("e", "i"), ("o", "u")):
        at = stem.rfind(old) if old else -1
        changed = stem[:at] + new + stem[at + 1 :] if at >= 0 else stem
        yield changed + "iendo"
        yield changed + "yendo"


def lemma_is(form: str, verb: str) -> bool:
    """Whether the lemma table files ``form`` under ``verb``."""
    table = lemma_table("es")
    lemma = table.get(form) if table is not None else None
    return lemma == verb or (isinstance(lemma, list) and verb in lemma)


def is_verb(infinitive: str) -> bool:
    """Whether the lemma table knows ``infinitive`` as a verb."""
    return infinitive in _verbs()


def is_known(word: str) -> bool:
    """Whether ``word`` (lowercase) is a form or a lemma of the lemma table."""
    table = lemma_table("es")
    return (table is not None and word in table) or word in _lemmas()


def _changed_stems(stem: str) -> Iterator[str]:
    """The stem as is, then with each stem-changing vowel shift applied to its last matching vowel."""
    for old, new in _STEM_CHANGES:
        if not old:
            yield stem
            continue
        at = stem.rfind(old)
        if at >= 0:
            yield stem[:at] + new + stem[at + 1 :]


def _spellings(stem: str, ending: str) -> Iterator[str]:
    """``stem + ending`` and its orthographic variants (busc+e -> busque, eleg+a -> elija, conoc+a -> conozca)."""
    yield stem + ending
    front = ending[:1] in ("e", "é", "i")
    for old, new in (("c", "qu"), ("g", "gu"), ("z", "c")) if front else (("g", "j"), ("gu", "g"), ("c", "zc"), ("c", "z")):
        if stem.endswith(old):
            yield stem[: -len(old)] + new + ending
    if stem.endswith("u"):
        yield stem + "y" + ending


def _third_person(infinitive: str) -> str | None:
    """The 3rd person singular present, stem change included ("contar" -> "cuenta"), when the lemma table confirms the stem.

    A stem counts as confirmed when one of its present forms (-a/-as/-an/-o) is filed under the verb; as the table
    gives one lemma per form, a form filed under a sibling verb with the same stem ("sienta": sentir, not sentar)
    confirms it when nothing else does.
    """
    if not is_verb(infinitive):
        return None
    vowel = "a" if plain(infinitive[-2:]) == "ar" else "e"
    stems = list(_changed_stems(infinitive[:-2]))
    for accepts in (lambda form: lemma_is(form, infinitive), lambda form: _sibling(form, infinitive)):
        for stem in stems:
            for ending in (vowel, vowel + "s", vowel + "n", "o"):
                form = next((f for f in _spellings(stem, ending) if accepts(f)), None)
                if form is not None:
                    return stem + ("y" if form.startswith(stem + "y") else "") + vowel
    return None


def _sibling(form: str, infinitive: str) -> bool:
    table = lemma_table("es")
    lemma = table.get(form) if table is not None else None
    return isinstance(lemma, str) and lemma != infinitive and lemma[:-2] == infinitive[:-2] and is_verb(lemma)


def tu_present(infinitive: str) -> str | None:
    """The tú present indicative ("querer" -> "quieres"): the 3rd person singular plus -s, irregular verbs included."""
    third = _third_person(infinitive)
    return third + "s" if third else None


def imperative(infinitive: str) -> str | None:
    """The tú imperative of a verb regular in it ("contar" -> "cuenta"); irregular ones come from the layer's data."""
    return _third_person(infinitive)


def subjunctive(infinitive: str) -> str | None:
    """The tú present subjunctive on the stem of the present ("pensar" -> "pienses", "buscar" -> "busques");
    for a verb whose present keeps its stem, or an -ar verb whose changed stem the table confirms ("calientes"), the
    regular form even where the table files it elsewhere ("pases")."""
    third = _third_person(infinitive)
    if third is None:
        return None
    group = plain(infinitive[-2:])
    ending = "es" if group == "ar" else "as"
    found = next((form for form in _spellings(third[:-1], ending) if lemma_is(form, infinitive)), None)
    changed = group == "ar" and lemma_is(third, infinitive)
    if found is None and (third[:-1] == infinitive[:-2] or changed):
        return _spell(third[:-1], ending, group)
    return found


# Endings of the regular conjugations by slot, for conjugating one verb like another.
_TENSES: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {
        "inf": ("ar",),
        "ger": ("ando",),
        "part": ("ado", "ada", "ados", "adas"),
        "pres": ("o", "as", "a", "amos", "áis", "an"),
        "pret": ("é", "aste", "ó", "amos", "asteis", "aron"),
        "impf": ("aba", "abas", "aba", "ábamos", "abais", "aban"),
        "fut": ("aré", "arás", "ará", "aremos", "aréis", "arán"),
        "cond": ("aría", "arías", "aría", "aríamos", "aríais", "arían"),
        "subj": ("e", "es", "e", "emos", "éis", "en"),
        "past_subj": ("ara", "aras", "ara", "áramos", "arais", "aran"),
        "vos": ("ás", "á", "és"),
    },
    "er": {
        "inf": ("er",),
        "ger": ("iendo",),
        "part": ("ido", "ida", "idos", "idas"),
        "pres": ("o", "es", "e", "emos", "éis", "en"),
        "pret": ("í", "iste", "ió", "imos", "isteis", "ieron"),
        "impf": ("ía", "ías", "ía", "íamos", "íais", "ían"),
        "fut": ("eré", "erás", "erá", "eremos", "eréis", "erán"),
        "cond": ("ería", "erías", "ería", "eríamos", "eríais", "erían"),
        "subj": ("a", "as", "a", "amos", "áis", "an"),
        "past_subj": ("iera", "ieras", "iera", "iéramos", "ierais", "ieran"),
        "vos": ("és", "é", "ás"),
    },
    "ir": {
        "inf": ("ir",),
        "ger": ("iendo",),
        "part": ("ido", "ida", "idos", "idas"),
        "pres": ("o", "es", "e", "imos", "ís", "en"),
        "pret": ("í", "iste", "ió", "imos", "isteis", "ieron"),
        "impf": ("ía", "ías", "ía", "íamos", "íais", "ían"),
        "fut": ("iré", "irás", "irá", "iremos", "iréis", "irán"),
        "cond": ("iría", "irías", "iría", "iríamos", "iríais", "irían"),
        "subj": ("a", "as", "a", "amos", "áis", "an"),
        "past_subj": ("iera", "ieras", "iera", "iéramos", "ierais", "ieran"),
        "vos": ("ís", "í", "ás"),
    },
}
_VOS_AS_TU = {0: ("pres", 1), 1: ("pres", 2), 2: ("subj", 1)}
"""Voseo present, imperative and subjunctive, as the tú slot they stand for (the tú imperative is the 3rd person present)."""


@dataclass(frozen=True)
class Conjugation:
    """A form of a regular verb: which slot of which conjugation, and its enclitic pronouns."""

    tense: str
    index: int
    clitics: str = ""


def _stem_forms(stem: str, ending: str, exact: bool) -> set[str]:
    """``stem + ending`` as it may be spelled; without accents when a reading's pronouns moved the stress."""
    if exact:
        return set(_spellings(stem, ending))
    return {plain(form) for form in _spellings(stem, plain(ending))}


def conjugation(word: str, infinitive: str) -> Conjugation | None:
    """The slot of ``word`` among the regular forms of ``infinitive`` (voseo read as tú), or None."""
    group, stem = infinitive[-2:], infinitive[:-2]
    tenses = _TENSES.get(group)
    if tenses is None:
        return None
    readings = [(word, "")] + [(plain(base), clitics) for base, clitics in split_clitics(word)]
    for text, clitics in readings:
        for tense, endings in tenses.items():
            if clitics and tense not in ("inf", "ger", "vos"):
                continue
            for index, ending in enumerate(endings):
                if text in _stem_forms(stem, ending, exact=not clitics):
                    if tense == "vos":
                        tense, index = _VOS_AS_TU[index]
                    return Conjugation(tense, index, clitics)
    return None


def _spell(stem: str, ending: str, group: str) -> str:
    """``stem + ending`` with the spelling changes of a regular verb (pag+é -> pagué, venc+o -> venzo)."""
    if group == "ar" and ending[:1] in ("e", "é"):
        for old, new in (("c", "qu"), ("g", "gu"), ("z", "c")):
            if stem.endswith(old):
                return stem[: -len(old)] + new + ending
    if group != "ar" and ending[:1] in ("a", "o"):
        for old, new in (("gu", "g"), ("g", "j"), ("c", "z")):
            if stem.endswith(old):
                return stem[: -len(old)] + new + ending
    return stem + ending


def _strong(future: str, pret: str) -> dict[str, tuple[str, ...]]:
    """The tenses of an irregular verb built on its future stem and its strong preterite stem (tendr-, tuv-)."""
    past = pret + ("er" if pret.endswith("j") else "ier")
    return {
        "fut": tuple(future + ending for ending in ("é", "ás", "á", "emos", "éis", "án")),
        "cond": tuple(future + ending for ending in ("ía", "ías", "ía", "íamos", "íais", "ían")),
        "pret": (pret + "e", pret + "iste", pret + "o", pret + "imos", pret + "isteis", past + "on"),
        "past_subj": (past + "a", past + "as", past + "a", past[:-2] + "éramos", past + "ais", past + "an"),
    }


def _present(first: str, subjunctive: str) -> dict[str, tuple[str, ...]]:
    """An irregular first person present ("tengo"), and the subjunctive stem that goes with it ("teng-")."""
    return {"pres": (first,), "subj": tuple(subjunctive + ending for ending in ("a", "as", "a", "amos", "áis", "an"))}


_IRREGULAR: dict[str, dict[str, tuple[str, ...]]] = {
    "dar": {
        "pres": ("doy", "das", "da", "damos", "dais", "dan"),
        "pret": ("di", "diste", "dio", "dimos", "disteis", "dieron"),
        "subj": ("dé", "des", "dé", "demos", "deis", "den"),
        "past_subj": ("diera", "dieras", "diera", "diéramos", "dierais", "dieran"),
    },
    "ir": {
        "pres": ("voy", "vas", "va", "vamos", "vais", "van"),
        "pret": ("fui", "fuiste", "fue", "fuimos", "fuisteis", "fueron"),
        "impf": ("iba", "ibas", "iba", "íbamos", "ibais", "iban"),
        "subj": ("vaya", "vayas", "vaya", "vayamos", "vayáis", "vayan"),
        "past_subj": ("fuera", "fueras", "fuera", "fuéramos", "fuerais", "fueran"),
        "ger": ("yendo",),
    },
    "saber": {**_strong("sabr", "sup"), "pres": ("sé",), "subj": ("sepa", "sepas", "sepa", "sepamos", "sepáis", "sepan")},
    "hacer": {
        **_strong("har", "hic"),
        **_present("hago", "hag"),
        "pret": ("hice", "hiciste", "hizo", "hicimos", "hicisteis", "hicieron"),
        "part": ("hecho", "hecha", "hechos", "hechas"),
    },
    "decir": {**_strong("dir", "dij"), **_present("digo", "dig"), "part": ("dicho", "dicha", "dichos", "dichas")},
    "tener": {**_strong("tendr", "tuv"), **_present("tengo", "teng")},
    "poner": {**_strong("pondr", "pus"), **_present("pongo", "pong"), "part": ("puesto", "puesta", "puestos", "puestas")},
    "venir": {**_strong("vendr", "vin"), **_present("vengo", "veng")},
    "conducir": {**_strong("conducir", "conduj"), **_present("conduzco", "conduzc")},
}
"""Forms of the irregular verbs layers read other verbs as ("besar": "dar un beso"), by tense, where they differ from
the regular ones; a tuple shorter than six gives only its first slots (the others are regular or stem-changed)."""


def conjugate(infinitive: str, slot: Conjugation) -> str:
    """``infinitive`` in ``slot``, with its enclitic pronouns: an irregular verb's form from the table above, a
    stem-changing verb's with the changed stem the lemma table files under it ("pedir" -> "pido"), else the regular form."""
    group = infinitive[-2:]
    irregular = _IRREGULAR.get(infinitive, {}).get(slot.tense, ())
    if slot.index < len(irregular):
        return with_clitics(irregular[slot.index], slot.clitics)
    ending = _TENSES[group][slot.tense][slot.index]
    form = _spell(infinitive[:-2], ending, group)
    if not lemma_is(form, infinitive):
        changed = (f for stem in list(_changed_stems(infinitive[:-2]))[1:] for f in _spellings(stem, ending) if lemma_is(f, infinitive))
        form = next(changed, form)
    return with_clitics(form, slot.clitics)


def _accented_last(word: str) -> str:
    spans = _nuclei(word)
    if not spans:
        return word
    start, end = spans[-1]
    group = word[start:end]
    strong = [i for i, char in enumerate(group) if char in _STRONG]
    at = start + (strong[0] if strong else len(group) - 1)
    return word[:at] + word[at].translate(_ACUTE) + word[at + 1 :]


def _diminutive_bases(word: str) -> list[str]:
    """Words a diminutive may come from, most likely first ("cafecito" -> "café", "poquito" -> "poco")."""
    plural = "s" if word.endswith("s") else ""
    stem = word.removesuffix(plural)
    candidates: list[str] = []
    if stem.endswith(("cito", "cita")):
        base = stem[:-4]
        candidates += [_accented_last(base), base]
    if stem.endswith(("ito", "ita")):
        base, vowel = stem[:-3], stem[-1]
        for old, new in (("qu", "c"), ("gu", "g")):
            if base.endswith(old):
                candidates.append(base[: -len(old)] + new + vowel)
        candidates += [base + vowel, base + "e"]
    return [c + (plural if c[-1] in _VOWELS else "es" if plural else "") for c in candidates if len(c) > 1]


_SUPERLATIVE_SPECIAL = {"muchísimo": "mucho", "muchísima": "mucha", "muchísimos": "muchos", "muchísimas": "muchas"}
_SUPERLATIVE_SPECIAL |= {"tardísimo": "muy tarde", "poquísimo": "muy poco", "poquísima": "muy poca"}


def _accent_variants(word: str) -> list[str]:
    """``word`` as written, then with an acute accent on each of its vowels ("rapido" -> "rápido", "facil" -> "fácil")."""
    return [word] + [word[:i] + word[i].translate(_ACUTE) + word[i + 1 :] for i, char in enumerate(word) if char in "aeiou"]


def _superlative_bases(word: str) -> list[str]:
    """Adjectives an absolute superlative may come from ("buenísima" -> "buena", "riquísimo" -> "rico")."""
    found = re.fullmatch(r"(.+)ísim([oa]s?)", word)
    if found is None:
        return []
    stem, ending = found.groups()
    stems = [stem]
    for old, new in (("qu", "c"), ("gu", "g"), ("c", "z"), ("bil", "ble")):
        if stem.endswith(old):
            stems.insert(0, stem[: -len(old)] + new)
    candidates = []
    for base in stems:
        for form in (base + ending, base + "e" + ending[1:], base + ending[1:]):
            candidates += _accent_variants(form)
    return list(dict.fromkeys(candidates))


def base_candidates(word: str) -> list[str]:
    """Every word the diminutive and superlative rules may read ``word`` (lowercase) as."""
    return _diminutive_bases(word) + _superlative_bases(word)


def undiminished(word: str, known: Callable[[str], bool] = is_known) -> str | None:
    """The word a diminutive is made from ("vinito" -> "vino", "cafecito" -> "café", "chiquitas" -> "chicas"),
    when ``known`` (the lexicon, or what the translator knows) lacks ``word`` and has the base."""
    if known(word):
        return None
    return next((base for base in _diminutive_bases(word) if known(base)), None)


def unsuperlative(word: str, known: Callable[[str], bool] = is_known) -> str | None:
    """An absolute superlative ``known`` lacks, as "muy" and its adjective ("buenísima" -> "muy buena")."""
    if word in _SUPERLATIVE_SPECIAL:
        return _SUPERLATIVE_SPECIAL[word]
    if known(word):
        return None
    return next((f"muy {base}" for base in _superlative_bases(word) if known(base)), None)
