"""The transformers and CTranslate2 backends, on a tiny random-weights Marian model and a tokenizer trained here.

The model is built in the test (no download) and loaded by the same code users run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.tiny_marian import build_marian
from localize.errors import BackendUnavailable, ConfigError
from localize.glossary import load_glossary
from localize.registry import create
from localize.stages.translate import TranslationRequest, Translator
from localize.stages.translate.enforce import translate_lines
from localize.stages.translate.seq2seq import CTranslate2Translator, TransformersTranslator, nllb_code
from tests.conftest import SAMPLE_GLOSSARY

pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")
ctranslate2 = pytest.importorskip("ctranslate2")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def marian(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A tiny Marian checkpoint (transformers) and its CTranslate2 conversion."""
    return build_marian(tmp_path_factory.mktemp("marian"))


def backend(name: str, model: Path, **options: object) -> Translator:
    translator = create("translate", name, {"model": str(model), "max_length": 12, **options})
    assert isinstance(translator, Translator)
    return translator


REQUESTS = [
    TranslationRequest(text) for text in ["Che, Martín.", "", "El colectivo nunca pasa.", "¿Querés un mate?", "Son tres mil pesos."]
]


@pytest.mark.parametrize("name", ["transformers.v1", "ctranslate2.v1"])
def test_batches_return_aligned_candidates(marian: tuple[Path, Path], name: str) -> None:
    model = marian[0] if name == "transformers.v1" else marian[1]
    translator = backend(name, model, batch_size=2, beams=3, candidates=2, pairs=["es-en"])
    assert translator.availability().usable
    assert translator.supports("es-AR", "en") and not translator.supports("es", "fr")
    out = translator.translate(REQUESTS, "es-AR", "en")
    assert len(out) == len(REQUESTS) and out[1] == [""], "an empty line stays empty and in place"
    for candidates in out[:1] + out[2:]:
        assert 1 <= len(candidates) <= 2 and all(isinstance(c, str) for c in candidates)
        assert len(set(candidates)) == len(candidates)
    assert translator.translate(REQUESTS, "es-AR", "en") == out, "decoding is deterministic"
    assert backend(name, model, batch_size=5, beams=3, candidates=2).translate(REQUESTS, "es-AR", "en") == out, "batching changes nothing"


def test_ctranslate2_matches_transformers(marian: tuple[Path, Path]) -> None:
    """The same weights give the same greedy output through both engines: both load the model correctly."""
    hf = backend("transformers.v1", marian[0], beams=1, candidates=1).translate(REQUESTS, "es", "en")
    ct2 = backend("ctranslate2.v1", marian[1], beams=1, candidates=1).translate(REQUESTS, "es", "en")
    assert hf == ct2
    assert any(c[0] for c in hf), "the random model still says something"


def test_enforcement_never_ships_a_violation_silently(marian: tuple[Path, Path]) -> None:
    """A random model loses the terms; enforcement retries, and whatever still breaks the glossary is reported."""
    from localize.glossary.check import VIOLATIONS, check_rendition

    glossary = load_glossary(SAMPLE_GLOSSARY)
    translator = backend("ctranslate2.v1", marian[1], beams=2, candidates=1)
    requests = [TranslationRequest("Che, Martín, ¿querés un mate?")]
    out = translate_lines(translator, requests, "es-AR", "en", glossary)
    hits = check_rendition(requests[0].text, out[0][0], glossary, "es-AR", "en")
    assert [h.term_id for h in hits] == ["che", "martin", "mate"]
    kept = [h for h in hits if h.status not in VIOLATIONS]
    assert all(h.found and h.found in out[0][0] for h in kept)


def test_missing_model_and_options_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="model"):
        create("translate", "transformers.v1", {})
    translator = backend("transformers.v1", tmp_path / "nowhere")
    assert not translator.supports("es", "en")
    with pytest.raises(BackendUnavailable) as caught:
        translator.require("es", "en")
    assert "does not exist" in caught.value.hint
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BackendUnavailable, match="cannot load"):
        backend("ctranslate2.v1", empty).translate(REQUESTS[:1], "es", "en")
    assert isinstance(create("translate", "ctranslate2.v1", {"model": str(empty)}), CTranslate2Translator)
    assert isinstance(create("translate", "transformers.v1", {"model": str(empty)}), TransformersTranslator)
    assert (nllb_code("pt-BR"), nllb_code("es-AR"), nllb_code("nl")) == ("por_Latn", "spa_Latn", "nld_Latn")
