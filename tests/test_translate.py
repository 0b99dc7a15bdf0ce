"""Translation with real Apertium: batching, glossary enforcement, unsupported pairs, the stage's per-line cache."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import pytest

from localize.cache import WorkDir
from localize.config import BackendChoice, Config
from localize.errors import BackendUnavailable
from localize.glossary import Glossary, check_rendition, load_glossary
from localize.glossary.match import find_terms
from localize.glossary.plural import is_plural, pluralize
from localize.model import Episode, Line, MediaInfo, PivotedWord, Rendition, RenditionFlag, Speaker, Track
from localize.qc.checks import assess
from localize.registry import create, register
from localize.stages.base import RunContext, stage_key
from localize.stages.translate import TranslateStage, TranslationRequest
from localize.stages.translate.agreement import noun_gender, possessive_agreeing
from localize.stages.translate.apertium import ApertiumTranslator
from localize.stages.translate.enforce import placeholder, translate_lines
from localize.stages.translate.pivot import PivotRoute
from localize.stages.translate.postedit import Context, finish
from tests.conftest import SAMPLE_GLOSSARY
from tests.test_glossary import with_rendering

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("apertium") is None, reason="needs Apertium (apt-get install apertium)"),
]

TARGETS = ["en", "pt-BR", "fr"]


@register("translate")
class CountingApertium(ApertiumTranslator):
    """The real Apertium backend, counting its calls (for cache tests)."""

    name = "counting-apertium.test"
    calls: ClassVar[list[list[str]]] = []
    processes: ClassVar[int] = 0

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        type(self).calls.append([request.text for request in requests])
        return super().translate(requests, source, target)

    def _run(self, text: str, mode: str, markup: str = "txt") -> str:
        type(self).processes += 1
        return super()._run(text, mode, markup)


@register("translate")
class LowercasingApertium(ApertiumTranslator):
    """Apertium followed by lowercasing: a backend that mangles placeholders, so enforcement must retry."""

    name = "lowercasing-apertium.test"

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        return [[text.lower() for text in candidates] for candidates in super().translate(requests, source, target)]


@pytest.fixture(autouse=True)
def reset_counts() -> None:
    CountingApertium.calls = []
    CountingApertium.processes = 0


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(SAMPLE_GLOSSARY)


def apertium(name: str = "counting-apertium.test") -> ApertiumTranslator:
    """The direct pairs alone: these tests are about batching and enforcement (pivots have their own test, below)."""
    translator = create("translate", name, {"pivots": []})
    assert isinstance(translator, ApertiumTranslator)
    return translator


BATCH = [
    "Hola, Martín.",
    "Son las 11:45 y cuesta 3.500 pesos.",
    "¿",
    "",
    "la casa",
    "roja y grande",
    "¡Che, boludo! Vamos a la plaza.",
    "Dijo: «no» — y se fue...",
]


@pytest.mark.parametrize("target", TARGETS)
def test_batch_in_one_process_keeps_lines_aligned(target: str) -> None:
    translator = apertium()
    batch = translator.translate([TranslationRequest(text) for text in BATCH], "es-AR", target)
    assert CountingApertium.processes == 1, "the whole batch, alternatives included, is one apertium call"
    assert len(batch) == len(BATCH)
    one_by_one = [translator.translate([TranslationRequest(text)], "es-AR", target)[0] for text in BATCH]
    assert batch == one_by_one, "joining lines must not change any line's translation"
    assert "11:45" in batch[1][0] and "3.500" in batch[1][0]
    assert batch[3] == [""]
    assert all(candidates and all("\n" not in c for c in candidates) for candidates in batch)
    assert len(batch[6]) == 2, "a shorter alternative without the leading interjection"
    assert len(batch[6][1]) < len(batch[6][0])


def test_modes_follow_the_target_variant() -> None:
    translator = apertium()
    assert translator.mode("es-AR", "en") == "spa-eng"
    assert translator.mode("es", "en-US") == "spa-eng_US"
    assert translator.mode("es-AR", "pt-BR") == "es-pt_BR"
    assert translator.mode("es-AR", "pt") == "es-pt"
    assert translator.mode("es-AR", "fr-CA") == "es-fr"


@pytest.mark.parametrize("target", TARGETS)
def test_placeholders_round_trip(target: str) -> None:
    tokens = [placeholder(i) for i in range(3)]
    assert tokens == ["QZXA", "QZXB", "QZXC"] and placeholder(26) == "QZXBA"
    a, b, c = tokens
    texts = [f"{a} y {b} llegaron a la {c}.", f"¿Tomamos unos {a}?", f"{c}, vení acá."]
    out = apertium().translate([TranslationRequest(text) for text in texts], "es", target)
    for text, candidates in zip(texts, out, strict=True):
        assert [t for t in tokens if t in text] == [t for t in tokens if t in candidates[0]], candidates


@pytest.mark.parametrize(
    ("target", "approved", "plural", "forbidden"),
    [("en", "mate", "mates", "tea"), ("pt-BR", "chimarrão", "chimarrões", None), ("fr", "maté", "matés", "thé")],
)
def test_enforcement_keeps_names_and_approved_renderings(
    glossary: Glossary,
    target: str,
    approved: str,
    plural: str,
    forbidden: str | None,
) -> None:
    lines = [
        "Che, Martín, ¿querés un mate? El agua ya está lista.",
        "Don Ramón, ¿no quiere pasar a tomar unos mates?",
        "No, gracias, querida. Me voy a Plaza de Mayo.",
        "El colectivo en San Telmo nunca pasa a horario.",
    ]
    requests = [TranslationRequest(text) for text in lines]
    plain = apertium().translate(requests, "es-AR", target)
    enforced = translate_lines(apertium(), requests, "es-AR", target, glossary)
    texts = [candidates[0] for candidates in enforced]
    for name in ("Martín", "Don Ramón", "Plaza de Mayo", "San Telmo"):
        source = next(text for text in lines if name in text)
        assert name in texts[lines.index(source)]
    assert approved in texts[0].split() or f"{approved}?" in texts[0], "singular 'un mate' keeps the singular rendering"
    assert plural in texts[1], "plural 'unos mates' gets the rendering in the plural"
    if forbidden:
        assert all(forbidden not in text.lower() for text in texts)
    for source, text in zip(lines, texts, strict=True):
        statuses = {hit.status for hit in check_rendition(source, text, glossary, "es-AR", target)}
        assert statuses <= {"honoured", "kept"}, (source, text)
    assert plain != enforced, "Apertium alone breaks the glossary on these lines"
    assert len(CountingApertium.calls) == 2, "enforcement needed no retry: one call for the batch"


@pytest.mark.parametrize(
    ("rendering", "language", "plural"),
    [
        ("chimarrão", "pt-BR", "chimarrões"),
        ("pão", "pt", "pães"),
        ("papel", "pt", "papéis"),
        ("maté", "fr", "matés"),
        ("cheval", "fr", "chevaux"),
        ("city", "en", "cities"),
        ("bus stop", "en", "bus stops"),
        ("autobús", "es", "autobuses"),
        ("dulce de leche", "es", "dulces de leche"),
        ("Mate", "en", "Mates"),
        ("мате", "ru", "мате"),
    ],
)
def test_renderings_take_the_plural(rendering: str, language: str, plural: str) -> None:
    assert pluralize(rendering, language) == plural


def test_only_plural_occurrences_are_plural(glossary: Glossary) -> None:
    found = {m.surface: is_plural(m, "es-AR") for m in find_terms(glossary, "Unos mates, un mate, los colectivos y Martín.", "es-AR")}
    assert found == {"mates": True, "mate": False, "colectivos": True, "Martín": False}


def test_enforcement_retries_when_placeholders_are_lost(glossary: Glossary) -> None:
    requests = [TranslationRequest("¿Tomamos unos mates?"), TranslationRequest("El colectivo no pasa.")]
    out = translate_lines(apertium("lowercasing-apertium.test"), requests, "es-AR", "pt-BR", glossary)
    assert "chimarrões" in out[0][0] and "ônibus" in out[1][0], out


def test_unsupported_pairs_name_what_to_install() -> None:
    translator = apertium()
    with pytest.raises(BackendUnavailable) as caught:
        translator.require("es", "ja")
    assert "no es-ja pair" in caught.value.hint
    if not translator.supports("es", "it"):
        with pytest.raises(BackendUnavailable) as caught:
            translator.require("es", "it")
        assert "apt-get install apertium-spa-ita" in caught.value.hint
    assert translator.missing_hint("es-AR", "ca") == "install the Apertium pair: apt-get install apertium-spa-cat"


LINES = [
    ("L1", "LUCIA", "Che, Martín, ¿querés un mate?"),
    ("L2", "MARTIN", "Dale, pero rapidito, que entro al laburo a las 11:45."),
    ("L3", "LUCIA", "¿Otra vez llegás tarde? Sos un desastre, boludo."),
    ("L4", "MARTIN", "El colectivo en San Telmo nunca pasa a horario."),
    ("L5", "RAMON", "Vengo por el alquiler. Son 3.500 pesos."),
    ("L6", "LUCIA", "Don Ramón, ¿no quiere pasar a tomar unos mates?"),
    ("L7", "RAMON", "No, gracias, querida. Me voy a Plaza de Mayo."),
    ("L8", "MARTIN", "CERRADO POR VACACIONES"),
]


def episode() -> Episode:
    return Episode(
        id="ep",
        source=MediaInfo(path="ep.mp4", size=1, fingerprint="f", duration=60.0, container="mp4", frame_rate=25.0),
        source_language="es-AR",
        speakers=[
            Speaker(id="LUCIA", name="Lucía", gender="female"),
            Speaker(id="MARTIN", name="Martín", gender="male"),
            Speaker(id="RAMON", name="Don Ramón", gender="male"),
        ],
        lines=[
            Line(
                id=line_id,
                start=i * 5.0,
                end=i * 5.0 + 4,
                speaker=speaker,
                text=text,
                forced_narrative=line_id == "L8",
            )
            for i, (line_id, speaker, text) in enumerate(LINES)
        ],
    )


def context(tmp_path: Path, glossary: Glossary | None, targets: list[str]) -> tuple[RunContext, list[tuple]]:
    progress: list[tuple] = []
    config = Config(translate=BackendChoice(backend="counting-apertium.test"))
    ctx = RunContext(
        workdir=WorkDir(tmp_path, "ep"),
        config=config,
        targets=targets,
        glossary=glossary,
        hook=lambda *args: progress.append(args),
    )
    return ctx, progress


def test_stage_translates_caches_per_line_and_respects_edits(glossary: Glossary, tmp_path: Path) -> None:
    stage = TranslateStage()
    ctx, progress = context(tmp_path, glossary, ["pt-BR", "en"])
    first = stage.run(episode(), ctx)
    assert [len(call) for call in CountingApertium.calls] == [8, 8], "one backend call per target"
    assert progress[0] == ("translate", "pt-BR", 0, 8) and progress[-1] == ("translate", "en", 8, 8)
    pt = first.tracks["pt-BR"].renditions
    assert list(pt) == [line_id for line_id, _, _ in LINES]
    assert "chimarrão" in pt["L1"].text and "Martín" in pt["L1"].text
    assert [(hit.term_id, hit.status) for hit in pt["L1"].glossary_hits] == [
        ("che", "honoured"),
        ("martin", "kept"),
        ("mate", "honoured"),
    ]
    assert all(r.origin == "machine" and r.candidates[0] == r.text for r in pt.values())
    assert pt["L8"].flags == ["forced-narrative"] and pt["L8"].text
    assert not any("glossary-violation" in r.flags for r in pt.values())

    CountingApertium.calls.clear()
    second = stage.run(first, ctx)
    assert CountingApertium.calls == [], "a re-run is served from the per-line cache"
    assert second.tracks == first.tracks

    edited = Rendition(line_id="L4", text="O ônibus nunca passa na hora.", origin="edited", flags=[RenditionFlag.OVERRUN])
    approved = Rendition(line_id="L5", text="Vim pelo aluguel.", origin="approved")
    renditions = {**second.tracks["pt-BR"].renditions, "L4": edited, "L5": approved}
    tracks = {**second.tracks, "pt-BR": Track(language="pt-BR", renditions=renditions)}
    reviewed = second.model_copy(update={"tracks": tracks})
    ctx.glossary = with_rendering(glossary, "mate", "pt-BR", "mate")
    third = stage.run(reviewed, ctx)
    # Only the pt-BR lines containing the edited term (L1, L6) go to the backend again, terms masked by placeholders
    # and voseo read as tú by the es-AR layer (with the subject Brazilian Portuguese says).
    assert CountingApertium.calls == [["QZXA, QZXB, ¿usted quieres un QZXC?", "QZXA, ¿no quiere pasar a tomar unos QZXB?"]]
    pt = third.tracks["pt-BR"].renditions
    assert "chimarrão" not in pt["L1"].text and "mate" in pt["L1"].text
    assert pt["L4"].text == edited.text and pt["L4"].origin == "edited"
    assert pt["L5"].text == approved.text and pt["L5"].origin == "approved"
    # Edited text is re-checked: San Telmo is gone from it.
    assert [h.status for h in pt["L4"].glossary_hits] == ["honoured", "violated"]
    assert pt["L4"].flags == ["overrun", "glossary-violation"]
    assert third.tracks["en"] == second.tracks["en"]


def test_an_edit_whose_source_line_changed_is_kept_flagged_and_fails_qc(glossary: Glossary, tmp_path: Path) -> None:
    """Re-transcription or re-segmentation can give an edited line's id another text: the edit stays, and reviewers are told."""
    stage = TranslateStage()
    ctx, _ = context(tmp_path, glossary, ["en"])
    first = stage.run(episode(), ctx)
    line = first.lines[3]
    assert first.tracks["en"].renditions[line.id].source_text == line.text
    edit = Rendition(line_id=line.id, text="The bus is never on time.", source_text=line.text, origin="edited")
    track = first.tracks["en"].model_copy(update={"renditions": {**first.tracks["en"].renditions, line.id: edit}})
    reviewed = first.model_copy(update={"tracks": {"en": track}})
    assert "source-changed" not in stage.run(reviewed, ctx).tracks["en"].renditions[line.id].flags

    lines = [*reviewed.lines[:3], line.model_copy(update={"text": "Vengo por el alquiler."}), *reviewed.lines[4:]]
    rerun = stage.run(reviewed.model_copy(update={"lines": lines}), ctx)
    kept = rerun.tracks["en"].renditions[line.id]
    assert (kept.text, kept.origin, kept.flags) == (edit.text, "edited", ["source-changed"])
    assert any(line.id in warning and "source changed" in warning for warning in rerun.warnings)
    report = assess(rerun, tmp_path, [], Config(), [], 25.0)
    edits = next(check for check in report.all_checks() if check.name == "edits")
    assert edits.passed is False and "1 whose source line changed" in edits.summary
    assert edits.details == (f"{line.id}: edited for {line.text!r}, the line now reads 'Vengo por el alquiler.'",)


def test_stage_without_enforcement_flags_violations(glossary: Glossary, tmp_path: Path) -> None:
    # The series asks for "mate" where the es-AR layer says "chimarrão"; unenforced, the layer's word stays.
    ctx, _ = context(tmp_path, with_rendering(glossary, "mate", "pt-BR", "mate"), ["pt-BR"])
    out = TranslateStage(enforce_glossary=False).run(episode(), ctx)
    pt = out.tracks["pt-BR"].renditions
    assert "chimarrão" in pt["L1"].text
    assert "glossary-violation" in pt["L1"].flags
    assert any(hit.status == "violated" for hit in pt["L1"].glossary_hits)


def test_stage_checks_every_pair_before_translating(glossary: Glossary, tmp_path: Path) -> None:
    ctx, _ = context(tmp_path, glossary, ["en", "ja"])
    with pytest.raises(BackendUnavailable, match="es-AR to ja"):
        TranslateStage().run(episode(), ctx)
    assert CountingApertium.calls == []
    assert not (tmp_path / "ep").exists(), "nothing was written"


def test_stage_key_covers_what_changes_output(glossary: Glossary, tmp_path: Path) -> None:
    stage = TranslateStage()
    ctx, _ = context(tmp_path, glossary, ["pt-BR"])
    base = stage_key(stage, episode(), ctx)
    ctx.glossary = with_rendering(glossary, "mate", "pt-BR", "mate")
    assert stage_key(stage, episode(), ctx) != base
    ctx.glossary = glossary
    renditions = {"L1": Rendition(line_id="L1", text="x", origin="edited")}
    edited = episode().model_copy(update={"tracks": {"pt-BR": Track(language="pt-BR", renditions=renditions)}})
    assert stage_key(stage, edited, ctx) != base
    assert stage_key(TranslateStage(enforce_glossary=False), episode(), ctx) != base
    assert stage.backend_name(ctx) == "counting-apertium.test"


def test_stage_reads_the_regional_layer_keeps_names_and_lists_untranslated_words(tmp_path: Path) -> None:
    """Without a series glossary: voseo and lunfardo read through the es-AR layer, names kept verbatim, a word no one
    knows listed per line and failing the QC check; a run without the layer redoes every line it changed."""
    lines = [
        ("L1", "LUCIA", "¿Vos sabés dónde queda la avenida Corrientes, Martín?"),
        ("L2", "MARTIN", "No tengo guita, el laburo está re mal."),
        ("L3", "LUCIA", "Mañana vamos al zapallón de Corrientes."),
    ]
    spoken = [Line(id=i, start=n * 5.0, end=n * 5.0 + 4, speaker=s, text=t) for n, (i, s, t) in enumerate(lines)]
    ep = episode().model_copy(update={"lines": spoken})
    stage = TranslateStage()
    ctx, _ = context(tmp_path, None, ["en"])
    first = stage.run(ep, ctx).tracks["en"].renditions
    assert "Corrientes" in first["L1"].text and "Martín" in first["L1"].text and "Common" not in first["L1"].text
    assert first["L1"].protected == ["Corrientes", "Martín"]
    assert [(e.original, e.replacement) for e in first["L1"].source_edits] == [("Vos", "Tú"), ("sabés", "sabes")]
    assert [(e.original, e.replacement) for e in first["L2"].source_edits] == [("guita", "dinero"), ("laburo", "trabajo"), ("re", "muy")]
    assert "money" in first["L2"].text and "work" in first["L2"].text
    assert first["L2"].untranslated == [] and first["L3"].untranslated == ["zapallón"]
    assert not any("*" in r.text for r in first.values()), "Apertium's marks never reach a rendition"
    episode_en = ep.model_copy(update={"tracks": {"en": Track(language="en", renditions=first)}})
    verdict = next(c for c in assess(episode_en, tmp_path, [], Config(), [], 25.0).all_checks() if c.name == "untranslated")
    assert verdict.passed is False and verdict.details == ("L3: zapallón",)

    CountingApertium.calls.clear()
    ctx.config = Config(translate=BackendChoice(backend="counting-apertium.test"), regional={"layer": "none"})
    plain = stage.run(ep, ctx).tracks["en"].renditions
    assert CountingApertium.calls == [["¿Vos sabés dónde queda la avenida QZXA, QZXB?", "No tengo guita, el laburo está re mal."]]
    assert plain["L2"].untranslated == ["guita", "laburo", "re"] and plain["L2"].source_edits == []


def test_apertium_tells_the_words_each_pair_knows() -> None:
    """One analyser call per pair: the diminutive no pair knows, the word only some pairs know."""
    apertium = ApertiumTranslator(ApertiumTranslator.Options())
    asked = ["perro", "perrito", "suegra", "casa"]
    assert apertium.known_words(asked, "es-AR", "en") == {"perro", "suegra", "casa"}
    assert apertium.known_words(asked, "es-AR", "pt-BR") == {"perro", "casa"}, "the es-pt dictionary lacks 'suegra'"
    assert apertium.known_words([], "es", "fr") == frozenset()


@pytest.mark.parametrize(
    ("said", "pt", "fr"),
    [
        ("Mi novia vive acá.", "Minha namorada", "Ma copine"),
        ("Mi prima y mi primo.", "Minha prima e meu primo", "Ma cousine et mon cousin"),
        ("Mis primas.", "Minhas primas", "Mes cousines"),
        ("Tu amiga.", "Sua amiga", "Ton amie"),
    ],
)
def test_a_rendered_noun_is_the_one_said_and_its_possessive_agrees(tmp_path: Path, said: str, pt: str, fr: str) -> None:
    """The layer's "novia" is rendered, not "novio" (its lemma's entry); the possessive before a put-in rendering takes
    the source noun's gender ("mon QZXA" -> "ma copine"), French keeping "mon"/"ton" before a vowel."""
    spoken = [Line(id="L1", start=0.0, end=3.0, speaker="S1", text=said)]
    ctx, _ = context(tmp_path, None, ["pt-BR", "fr"])
    tracks = TranslateStage().run(episode().model_copy(update={"lines": spoken}), ctx).tracks
    assert tracks["pt-BR"].renditions["L1"].text.startswith(pt)
    assert tracks["fr"].renditions["L1"].text.startswith(fr)


def test_a_spanish_noun_tells_its_gender_and_a_possessive_follows_it() -> None:
    assert [noun_gender(word, "es-AR") for word in ("novia", "primos", "problema", "días", "mate")] == ["f", "m", "m", "m", None]
    assert noun_gender("novia", "pt") is None, "only Spanish nouns are read"
    assert possessive_agreeing("Mon ", "copine", "f", "fr") == "Ma " and possessive_agreeing("ma ", "souci", "m", "fr") == "mon "
    assert possessive_agreeing("Ton ", "amie", "f", "fr") == "Ton ", "French keeps ton before a vowel"
    assert possessive_agreeing("meus ", "primas", "f", "pt-BR") == "minhas " and possessive_agreeing("my ", "x", "f", "en") == "my "


def test_apertium_tells_the_first_names_among_common_words() -> None:
    """The analyser reads "Flor" as a flower or a woman; "Dale" is also a command and "Claro" an interjection."""
    apertium = ApertiumTranslator(ApertiumTranslator.Options())
    asked = ["Flor", "Rosa", "Julio", "Dale", "Claro", "Mesa", "flor"]
    assert apertium.person_names(asked, "es-AR") == {"Flor", "Rosa", "Julio"}


def test_a_first_name_that_is_also_a_word_is_kept_where_it_is_addressed_or_acts(tmp_path: Path) -> None:
    """Opening a sentence, "Luz," is a name although the episode also says "luz"; in an episode that only says "Luz no
    hay", it is the word. The word after a rendered term keeps its case ("viens que", not "viens Que")."""

    def translated(lines: list[str], folder: str) -> list[Rendition]:
        spoken = [Line(id=f"L{n}", start=n * 5.0, end=n * 5.0 + 4, speaker="S1", text=t) for n, t in enumerate(lines)]
        ctx, _ = context(tmp_path / folder, None, ["fr"])
        done = TranslateStage().run(episode().model_copy(update={"lines": spoken}), ctx).tracks["fr"].renditions
        return [done[line.id] for line in spoken]

    said = ["Luz, apagá la luz del pasillo.", "Julio, ¿cuándo volvés?", "Rosa me dijo que no viene.", "Mirá, vení que te cuento."]
    luz, julio, rosa, veni = translated(said, "names")
    (stuck,) = translated(["Se cortó la luz y Luz sigue en el ascensor."], "mid-sentence")
    assert "Luz" in stuck.protected and "lumière" in stuck.text
    assert luz.text.startswith("Luz, ") and "lumière" in luz.text
    assert julio.text.startswith("Julio, ") and rosa.text.startswith("Rosa ")
    assert "viens que" in veni.text
    (light,) = translated(["Luz no hay en todo el barrio."], "word")
    assert light.protected == [] and "Lumière" in light.text


@pytest.mark.skipif(
    not ApertiumTranslator(ApertiumTranslator.Options()).pivot_routes("es", "fr"),
    reason="needs the Catalan pairs (apt-get install apertium-spa-cat apertium-fra-cat)",
)
def test_a_word_the_direct_pair_lacks_is_translated_through_catalan() -> None:
    """es-fr lacks "lechuga"; spa-cat knows it (in its sentence: "enciam") and cat-fra too ("laitue"): the rendering
    is taken, listed as pivoted and not as untranslated. A word no pair knows stays marked; no pivot, no change."""
    text = "Compramos una lechuga y un zapallón."
    pivoting = ApertiumTranslator(ApertiumTranslator.Options(alternatives=False))
    assert pivoting.pivot_routes("es-AR", "fr")[0] == PivotRoute("ca", "spa-cat", "cat-fra")
    finished = finish(pivoting.translate([TranslationRequest(text)], "es-AR", "fr")[0][0], Context(text, "fr"))
    assert "laitue" in finished.text and "lechuga" not in finished.text, finished.text
    assert finished.pivoted == (PivotedWord(word="lechuga", via="ca", rendering="laitue"),)
    assert finished.untranslated == ("zapallón",)
    direct = ApertiumTranslator(ApertiumTranslator.Options(alternatives=False, pivots=[]))
    assert direct.pivot_routes("es-AR", "fr") == []
    plain = finish(direct.translate([TranslationRequest(text)], "es-AR", "fr")[0][0], Context(text, "fr"))
    assert plain.untranslated == ("lechuga", "zapallón") and plain.pivoted == ()
