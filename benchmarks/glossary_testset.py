"""Build the glossary test set: a Rioplatense glossary and 240 lines using its terms (es -> en, pt-BR, fr).

Terms come in inflected forms (plurals, "obras sociales") and multiword forms
("dulce de leche", "Plaza de Mayo"); names are do-not-translate. The set is
made deterministically from templates, so the same script always writes the
same files.

Usage: .venv/bin/python benchmarks/glossary_testset.py [--out benchmarks/.data/glossary]
Writes glossary.yaml and lines.json (a list of {"id", "text"}) into --out.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "benchmarks" / ".data" / "glossary"
LINES = 240

# id: (singular, plural or None, {target: rendering}, scope, article gender)
NOUNS: dict[str, tuple[str, str | None, dict[str, str], str, str]] = {
    "mate": ("mate", "mates", {"en": "mate", "pt-BR": "chimarrão", "fr": "maté"}, "food", "m"),
    "colectivo": ("colectivo", "colectivos", {"en": "bus", "pt-BR": "ônibus", "fr": "bus"}, "object", "m"),
    "laburo": ("laburo", "laburos", {"en": "job", "pt-BR": "trampo", "fr": "boulot"}, "slang", "m"),
    "medialuna": ("medialuna", "medialunas", {"en": "croissant", "pt-BR": "croissant", "fr": "croissant"}, "food", "f"),
    "empanada": ("empanada", "empanadas", {"en": "empanada", "pt-BR": "empanada", "fr": "empanada"}, "food", "f"),
    "asado": ("asado", "asados", {"en": "barbecue", "pt-BR": "churrasco", "fr": "barbecue"}, "food", "m"),
    "subte": ("subte", None, {"en": "subway", "pt-BR": "metrô", "fr": "métro"}, "object", "m"),
    "boliche": ("boliche", "boliches", {"en": "nightclub", "pt-BR": "balada", "fr": "boîte"}, "place", "m"),
    "pibe": ("pibe", "pibes", {"en": "kid", "pt-BR": "garoto", "fr": "gamin"}, "slang", "m"),
    "quilombo": ("quilombo", "quilombos", {"en": "mess", "pt-BR": "bagunça", "fr": "bazar"}, "slang", "m"),
    "kiosco": ("kiosco", "kioscos", {"en": "kiosk", "pt-BR": "banca", "fr": "kiosque"}, "place", "m"),
    "remis": ("remís", "remises", {"en": "cab", "pt-BR": "táxi", "fr": "taxi"}, "object", "m"),
    "hincha": ("hincha", "hinchas", {"en": "fan", "pt-BR": "torcedor", "fr": "supporter"}, "slang", "m"),
    "dulce_de_leche": ("dulce de leche", None, {"en": "dulce de leche", "pt-BR": "doce de leite", "fr": "confiture de lait"}, "food", "m"),
    "obra_social": ("obra social", "obras sociales", {"en": "health plan", "pt-BR": "plano de saúde", "fr": "mutuelle"}, "other", "f"),
    "feria_americana": ("feria americana", "ferias americanas", {"en": "thrift store", "pt-BR": "brechó", "fr": "friperie"}, "place", "f"),
}
FORBIDDEN = {"mate": {"en": ["tea", "kill"], "fr": ["thé"]}, "colectivo": {"en": ["collective"], "fr": ["collectif"]}}
NAMES = {
    "martin": ("Martín", "character"),
    "lucia": ("Lucía", "character"),
    "don_ramon": ("Don Ramón", "character"),
    "san_telmo": ("San Telmo", "place"),
    "plaza_de_mayo": ("Plaza de Mayo", "place"),
    "boca_juniors": ("Boca Juniors", "brand"),
    "quilmes": ("Quilmes", "brand"),
}

NOUN_TEMPLATES = [
    "¿Dónde está {the}?",
    "Mañana compro {a} para la casa.",
    "No me gusta {the} de este barrio.",
    "{The_cap} de ayer fue un desastre.",
    "Pensé en {the} toda la tarde.",
    "Vamos a hablar de {the} después de comer.",
    "Mi hermana siempre habla de {the}.",
    "¿Viste {the} que te mostré?",
]
PLURAL_TEMPLATES = [
    "Me encantan {the}.",
    "Ayer vi tres {word} en la esquina.",
    "{All} {the} del barrio son iguales.",
    "Hay {many} {word} cerca de la estación.",
]
NAME_TEMPLATES = {
    "character": ["{name} llega tarde otra vez.", "Hoy fui a ver a {name}.", "¿Conocés a {name}?", "Le dije a {name} que no viniera."],
    "place": ["Nos vemos en {name} a las ocho.", "{name} está lleno de turistas.", "Hoy caminé hasta {name}."],
    "brand": ["Después del partido hablamos de {name}.", "¿Te gusta {name}?"],
}
MIXED_TEMPLATES = {
    "character": ["{name} dice que {the} está cerrado.", "Con {name} compartimos {a} el domingo.", "{name} no quiere saber nada de {the}."],
    "place": ["En {name} encontré {a} barato.", "Cerca de {name} siempre hay {a}."],
    "brand": ["Mientras juega {name} nadie piensa en {the}."],
}


def _articles(singular: str, plural: str | None, gender: str) -> dict[str, str]:
    the, a = ("el", "un") if gender == "m" else ("la", "una")
    forms = {"the": f"{the} {singular}", "a": f"{a} {singular}", "word": singular}
    if plural:
        forms["the_pl"] = f"{'los' if gender == 'm' else 'las'} {plural}"
        forms["many"] = "muchos" if gender == "m" else "muchas"
        forms["all"] = "Todos" if gender == "m" else "Todas"
        forms["word_pl"] = plural
    return forms


def glossary() -> dict[str, object]:
    """The test glossary in the YAML schema."""
    terms: list[dict[str, object]] = []
    for term_id, (name, scope) in NAMES.items():
        terms.append({"id": term_id, "term": name, "scope": scope, "dnt": True, "case_sensitive": True})
    for term_id, (singular, plural, renderings, scope, _) in NOUNS.items():
        targets = {
            tag: {"renderings": [rendering], **({"forbidden": FORBIDDEN[term_id][tag]} if tag in FORBIDDEN.get(term_id, {}) else {})}
            for tag, rendering in renderings.items()
        }
        entry: dict[str, object] = {"id": term_id, "term": singular, "scope": scope, "targets": targets}
        if plural and " " in plural:
            entry["variants"] = [plural]
        terms.append(entry)
    return {"name": "Glossary test set", "source_language": "es-AR", "targets": ["en", "pt-BR", "fr"], "terms": terms}


def lines(count: int = LINES, seed: int = 7) -> list[dict[str, str]]:
    """``count`` source lines, each with one or two glossary terms (about a third plural)."""
    rng = random.Random(seed)
    nouns = sorted(NOUNS)
    names = sorted(NAMES)
    made: list[dict[str, str]] = []
    for index in range(count):
        kind = index % 4
        noun_id = nouns[rng.randrange(len(nouns))]
        singular, plural, _, _, gender = NOUNS[noun_id]
        forms = _articles(singular, plural, gender)
        name, scope = NAMES[names[rng.randrange(len(names))]]
        if kind == 0 and plural:
            template = rng.choice(PLURAL_TEMPLATES)
            text = template.format(the=forms["the_pl"], word=forms["word_pl"], many=forms["many"], All=forms["all"])
        elif kind == 1:
            text = rng.choice(NAME_TEMPLATES[scope]).format(name=name)
        elif kind == 2:
            text = rng.choice(MIXED_TEMPLATES[scope]).format(name=name, the=forms["the"], a=forms["a"])
        else:
            template = rng.choice(NOUN_TEMPLATES)
            text = template.format(the=forms["the"], a=forms["a"], The_cap=forms["the"][0].upper() + forms["the"][1:])
        made.append({"id": f"T{index + 1:03d}", "text": text.replace(" de el ", " del ").replace(" a el ", " al ")})
    return made


def main() -> None:
    """Write the glossary and the lines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "glossary.yaml").write_text(yaml.safe_dump(glossary(), sort_keys=False, allow_unicode=True), encoding="utf-8")
    (args.out / "lines.json").write_text(json.dumps(lines(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {LINES} lines and {len(NOUNS) + len(NAMES)} terms to {args.out}")


if __name__ == "__main__":
    main()
