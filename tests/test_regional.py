"""Regional layers: loading and validation, voseo and regional words read as standard Spanish, names kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from localize.errors import GlossaryError
from localize.glossary.model import Entry, Glossary
from localize.regional import spanish
from localize.regional.clock import clock_times, render
from localize.regional.load import default_regions_dir, layer_for, load_layer
from localize.regional.reader import LayerReader, stands_alone, words_read
from localize.stages.translate.names import find_names


@pytest.fixture(scope="module")
def reader_en() -> LayerReader:
    layer = layer_for("es-AR")
    assert layer is not None
    return LayerReader(layer, "en")


def read(reader: LayerReader, text: str) -> str:
    return reader.normalise(text).text


def test_shipped_layers_load_and_stack() -> None:
    general, regional = load_layer(default_regions_dir() / "es.yaml"), load_layer(default_regions_dir() / "es-AR.yaml")
    merged = layer_for("es-AR")
    assert merged is not None and merged.region == "es-AR" and merged.voseo is not None
    ids = {term.id for term in merged.terms} | {term.id for term in merged.interjections}
    assert {"guita", "laburar"} <= ids and {"no_pasa_nada", "de_nada"} <= ids, "es-AR sits on top of es"
    assert len(merged.terms) <= len(general.terms) + len(regional.terms)
    assert layer_for("es-MX") is not None and layer_for("es-MX").voseo is None, "a region without a file reads its language's layer"  # type: ignore[union-attr]
    assert layer_for("fr") is None


@pytest.mark.parametrize(
    ("infinitive", "present", "imperative", "subjunctive"),
    [
        ("hablar", "hablas", "habla", "hables"),
        ("querer", "quieres", "quiere", "quieras"),
        ("contar", "cuentas", "cuenta", "cuentes"),
        ("pedir", "pides", "pide", "pidas"),
        ("dormir", "duermes", "duerme", "duermas"),
        ("seguir", "sigues", "sigue", "sigas"),
        ("construir", "construyes", "construye", "construyas"),
        ("buscar", "buscas", "busca", "busques"),
        ("calentar", "calientas", "calienta", "calientes"),
        ("sentar", "sientas", "sienta", None),
    ],
)
def test_tu_forms_by_rule_checked_against_the_lexicon(infinitive: str, present: str, imperative: str, subjunctive: str | None) -> None:
    assert spanish.tu_present(infinitive) == present
    assert spanish.imperative(infinitive) == imperative
    assert spanish.subjunctive(infinitive) == subjunctive


def test_pronouns_attach_with_the_stress_mark() -> None:
    assert spanish.with_clitics("cuenta", "me") == "cuéntame"
    assert spanish.with_clitics("di", "me") == "dime" and spanish.with_clitics("di", "melo") == "dímelo"
    assert spanish.with_clitics("haz", "lo") == "hazlo" and spanish.with_clitics("trabajando", "lo") == "trabajándolo"
    assert list(spanish.split_clitics("decimelo")) == [("decime", "lo"), ("deci", "melo")]


@pytest.mark.parametrize(
    ("voseo", "tu"),
    [
        ("¿Vos sabés dónde queda?", "¿Tú sabes dónde queda?"),
        ("Sos un desastre. ¿Querés mate?", "Eres un desastre. ¿Quieres mate?"),
        ("Decime la verdad y contame todo.", "Dime la verdad y cuéntame todo."),
        ("Es para vos. Vamos con vos.", "Es para ti. Vamos contigo."),
        ("No hablés así, pedíselo a ella.", "No hables así, pídeselo a ella."),
        ("¿Me cubrís mañana?", "¿Me cubres mañana?"),
        ("Hacelo vos, ponete el abrigo.", "Hazlo tú, ponte el abrigo."),
        ("Papá, las mamás y los bebés están.", "Papá, las mamás y los bebés están."),
        ("Comí un tomate y salí.", "Comí un tomate y salí."),
    ],
)
def test_voseo_reads_as_tu(reader_en: LayerReader, voseo: str, tu: str) -> None:
    assert read(reader_en, voseo) == tu


def test_regional_words_read_as_standard_spanish(reader_en: LayerReader) -> None:
    assert read(reader_en, "No tengo guita, el laburo está re mal.") == "No tengo dinero, el trabajo está muy mal."
    assert read(reader_en, "Toda la guita es de la plata.") == "Todo el dinero es del dinero."
    assert read(reader_en, "Ayer laburé y vos laburás; bancátela.") == "Ayer trabajé y tú trabajas; aguántatela."
    assert read(reader_en, "Es una piba re copada, unas pibas trucha.") == "Es una chica muy genial, unas chicas falsa."
    assert read(reader_en, "Tomamos un cafecito y un vinito.") == "Tomamos un café y un vino."


def test_a_noun_is_not_read_as_a_verb_and_irregular_standards_conjugate(reader_en: LayerReader) -> None:
    # "beso" after a determiner is the noun, not "(yo) beso" read as "besar" -> "dar un beso"
    assert read(reader_en, "Dame un beso, mi beso.") == "Dame un beso, mi beso."
    # the standard verb is irregular ("dar"): its own forms, and a verb read as other words keeps its personal "a"
    assert read(reader_en, "La besé y te beso; besá a Ana.") == "La di un beso y te doy un beso; da un beso a Ana."
    slots = [spanish.Conjugation(tense, index) for tense, index in (("pres", 0), ("pret", 2), ("subj", 0), ("past_subj", 3))]
    assert [spanish.conjugate("tener", slot) for slot in slots] == ["tengo", "tuvo", "tenga", "tuviéramos"]
    assert [spanish.conjugate("pedir", slot) for slot in slots] == ["pido", "pidió", "pida", "pidiéramos"]


def test_edits_map_back_to_the_line(reader_en: LayerReader) -> None:
    text = "Che, ¿vos querés guita?"
    read_as = reader_en.normalise(text)
    assert [(e.original, e.replacement, e.rule, e.layer) for e in read_as.edits] == [
        ("vos", "tú", "voseo", "es-AR"),
        ("querés", "quieres", "voseo", "es-AR"),
        ("guita", "dinero", "guita", "es-AR"),
    ]
    rebuilt, cursor = "", 0
    for edit in read_as.edits:
        assert text[edit.start : edit.end] == edit.original
        rebuilt += text[cursor : edit.start] + edit.replacement
        cursor = edit.end
    assert rebuilt + text[cursor:] == read_as.text


def test_kept_spans_and_rendered_terms_are_left_alone(reader_en: LayerReader) -> None:
    text = "¡Chau, guita! Vos sabés."
    assert reader_en.normalise(text, keep=[(7, 12)]).text == "¡Chau, guita! Tú sabes."
    rendered = [m.surface for m in reader_en.rendered_terms(text)]
    assert rendered == ["Chau"], "an interjection standing alone is rendered by the target"
    assert [m.surface for m in reader_en.rendered_terms("Dale la llave.")] == [], "inside a clause it is not an interjection"
    assert stands_alone("Bueno, ¿viste?", 7, 14) and not stands_alone("Vamos a casa.", 0, 5)


def test_a_bad_layer_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "es-UY.yaml"
    path.write_text("name: Uruguay\nregion: es-UY\nterms:\n  - {id: bondi, term: bondi, standard: 3}\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as bad:
        load_layer(path)
    assert bad.value.line == 4 and "standard" in str(bad.value)
    path.write_text("name: Uruguay\nregion: es-AR\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="does not match the file name"):
        load_layer(path)
    path.write_text("name: Uruguay\nregion: es-UY\nvoseo: {pronoun: tú, plural: vosotros}\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="unknown field"):
        load_layer(path)


def test_a_layer_of_your_own_comes_first(tmp_path: Path) -> None:
    (tmp_path / "es-AR.yaml").write_text(
        "name: Mine\nregion: es-AR\nterms:\n  - {id: guita, term: guita, standard: plata}\n", encoding="utf-8"
    )
    mine = layer_for("es-AR", tmp_path)
    assert mine is not None and mine.name == "Mine" and mine.voseo is None
    assert LayerReader(mine, "en").normalise("Sin guita.").text == "Sin plata."


def test_names_mid_sentence_repeated_or_known_are_found() -> None:
    lines = [
        "Vamos a Plaza de Mayo con Don Ramón.",
        "Don Ramón, ¿cómo anda?",
        "Bueno, chau.",
        "Vivo en San Telmo, cerca de Buenos Aires.",
        "Buenos Aires es enorme.",
        "La AFIP me cobra y NO quiero.",
        "Comisario Benítez, venga.",
        "Lucía llegó tarde.",
        "Mirá la avenida Corrientes, en La Plata.",
    ]
    names = find_names(lines, "es", known=["Lucía"], regional=lambda word: word == "Mirá")
    for name in ("Plaza de Mayo", "Don Ramón", "San Telmo", "Buenos Aires", "AFIP", "Benítez", "Lucía", "Corrientes", "La Plata"):
        assert name in names
    for word in ("Bueno", "NO", "Comisario", "Vamos", "Mirá"):
        assert word not in names
    glossary = Glossary(name="g", source_language="es", terms=[Entry(id="corrientes", term="Corrientes")])
    assert "Corrientes" not in find_names(lines, "es", glossary=glossary), "a glossary entry decides for itself"


@pytest.mark.parametrize(
    ("said", "en", "pt", "fr"),
    [
        ("Son las nueve y media.", "it's nine thirty", "são nove e meia", "il est neuf heures et demie"),
        ("Ya son las once menos diez.", "it's ten to eleven", "são dez para as onze", "il est onze heures moins dix"),
        ("Sale a las siete menos cuarto.", "at a quarter to seven", "às quinze para as sete", "à sept heures moins le quart"),
        ("Nos vemos a la una en punto.", "at one o'clock", "à uma em ponto", "à une heure pile"),
        ("Llego a las 6:40.", "at 6:40", "às 6h40", "à 6 h 40"),
    ],
)
def test_clock_times_are_said_as_each_target_says_them(said: str, en: str, pt: str, fr: str) -> None:
    (time,) = clock_times(said)
    assert [render(time, target) for target in ("en", "pt-BR", "fr")] == [en, pt, fr]


def test_only_times_are_taken_for_times() -> None:
    assert clock_times("Las dos chicas llegaron.") == []
    layer = layer_for("es-AR")
    assert layer is not None
    found = LayerReader(layer, "fr").rendered_terms("Che, ¿nos vemos a las ocho?")
    assert [(m.surface, m.entry.rule("fr").renderings) for m in found] == [("Che", ["hé"]), ("a las ocho", ["à huit heures"])]


@pytest.mark.parametrize(
    ("said", "read_as"),
    [
        ("Me voy a tener que tomar un taxi.", "Voy a tener que tomarme un taxi."),
        ("¿Lo puedo tocar? Nadie te va a hacer nada.", "¿Puedo tocarlo? Nadie va a hacerte nada."),
        ("Te lo voy a dar. Me tenés que ayudar.", "Voy a dártelo. Tienes que ayudarme."),
        ("Me voy a casa. Lo quiero.", "Me voy a casa. Lo quiero."),
        ("¿Usted vio a mi gato? Hay que llamar al técnico.", "¿Usted vio mi gato? Tenemos que llamar el técnico."),
        ("Voy a la casa y te ayudo a hacer esto. Lo vi al Turco.", "Voy a la casa y te ayudo a hacer esto. Lo vi al Turco."),
        ("Está buenísima y carísima, pero facilísimo.", "Está muy buena y muy cara, pero muy fácil."),
    ],
)
def test_word_order_and_superlatives_read_the_translator_way(reader_en: LayerReader, said: str, read_as: str) -> None:
    assert read(reader_en, said) == read_as


def test_voseo_per_target_subject_and_plural_commands() -> None:
    layer = layer_for("es-AR")
    assert layer is not None
    brazilian, english = LayerReader(layer, "pt-BR"), LayerReader(layer, "en")
    assert (
        read(brazilian, "¿Me cubrís mañana? ¿Dejaste la pava? ¿Vos sabés?")
        == "¿Usted me cubres mañana? ¿Usted dejaste la pava? ¿Usted sabes?"
    )
    assert read(brazilian, "¿Me querés ayudar? No hablés así.") == "¿Usted quieres ayudarme? No hables así.", "no subject for a command"
    assert read(english, "¿Me cubrís mañana?") == "¿Me cubres mañana?", "English says no subject here"
    assert read(english, "Nene, bajá la tele y probá esto.") == "Nene, bajad la tele y probad esto."
    assert read(brazilian, "Nene, bajá la tele.") == "Nene, baja la tele."
    edits = brazilian.normalise("¿Me querés ayudar?").edits
    assert [(e.original, e.replacement, e.rule) for e in edits] == [
        ("", "Usted ", "voseo"),
        ("Me ", "", "clitic"),
        ("querés", "quieres", "voseo"),
        ("ayudar", "ayudarme", "clitic"),
    ]


def test_what_the_translator_knows_decides_diminutives() -> None:
    layer = layer_for("es-AR")
    assert layer is not None
    asked = words_read(layer, ["Qué lindo perrito."])
    assert {"perrito", "perro"} <= asked
    assert read(LayerReader(layer, "en", frozenset({"perro", "qué", "lindo"})), "Qué lindo perrito.") == "Qué bonito perro."
    assert read(LayerReader(layer, "en", frozenset({"perro", "perrito", "qué", "lindo"})), "Qué lindo perrito.") == "Qué bonito perrito."


def test_the_regional_gazetteer_and_what_never_is_a_name() -> None:
    layer = layer_for("es-AR")
    assert layer is not None and {"Once", "Boca", "Facu", "Mar del Plata"} <= set(layer.names)
    lines = [
        "Córdoba es hermosa y Rosario queda lejos.",
        "Che, Facu, ¿vamos a la facu?",
        "Vivo en Once. Once años viví ahí.",
        "Quince mil pesos. Dame eso, Uh, no.",
        "Ayer vino el Comisario Benítez con la Doctora Ferreyra.",
        "Me voy a Europa.",
    ]
    decided = Glossary(name="d", source_language="es", terms=[t for t in layer.terms if t.term[:1].isupper()])
    names = find_names(lines, "es", glossary=decided, gazetteer=layer.names)
    for name in ("Córdoba", "Rosario", "Facu", "Once", "Benítez", "Ferreyra"):
        assert name in names, f"{name} is a name"
    for word in ("Quince", "Dame", "Uh", "Comisario Benítez", "Doctora", "Europa"):
        assert word not in names, f"{word} is not a name (or not one kept verbatim)"


def test_a_gazetteer_name_must_be_text(tmp_path: Path) -> None:
    path = tmp_path / "es-UY.yaml"
    path.write_text("name: Uruguay\nregion: es-UY\nnames: [Pocitos, 3]\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as bad:
        load_layer(path)
    assert bad.value.line == 3 and "names" in str(bad.value)


def test_a_standard_word_by_target(tmp_path: Path) -> None:
    path = tmp_path / "es-UY.yaml"
    term = "{id: pelear, term: pelear, pos: VERB, standard: {fr: discutir}}"
    path.write_text(f"name: Uruguay\nregion: es-UY\nterms:\n  - {term}\n", encoding="utf-8")
    layer = load_layer(path)
    assert read(LayerReader(layer, "fr"), "No peleen más.") == "No discutan más.", "the French pair reads it as 'discutir'"
    assert read(LayerReader(layer, "en"), "No peleen más.") == "No peleen más.", "English knows 'pelear'"
