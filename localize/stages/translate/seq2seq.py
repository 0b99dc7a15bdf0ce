"""Neural sequence-to-sequence translation: Marian, NLLB and M2M100 models through transformers or CTranslate2.

The model is a local directory (or a hub name, only when downloads are allowed):
a transformers checkpoint for ``transformers.v1``, a converted CTranslate2 model
(``ct2-transformers-converter --copy_files`` with the tokenizer files) for
``ctranslate2.v1``. Lines go through in batches; each returns its n best beams
as candidates. NLLB and M2M100 get the source and target language codes from
the language tags; a Marian model translates the one pair it was trained on
(declare it in ``pairs`` so other pairs fail early).
"""

from __future__ import annotations

import importlib.util
from abc import abstractmethod
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from localize.errors import BackendUnavailable
from localize.languages import base_language
from localize.models import resolve_model
from localize.registry import Availability, register
from localize.stages.translate.backend import TranslationRequest, Translator

__all__ = ["CTranslate2Translator", "Seq2SeqOptions", "TransformersTranslator", "nllb_code"]

# FLORES-200 codes for the languages localize usually targets; others use "<iso639-3>_Latn".
_NLLB = {"es": "spa_Latn", "en": "eng_Latn", "pt": "por_Latn", "fr": "fra_Latn", "it": "ita_Latn", "de": "deu_Latn", "ca": "cat_Latn"}


def nllb_code(tag: str) -> str:
    """The NLLB (FLORES-200) code of a language tag: ``pt-BR`` -> ``por_Latn``."""
    import langcodes

    base = base_language(tag)
    return _NLLB.get(base) or f"{langcodes.Language.get(base).to_alpha3()}_Latn"


class Seq2SeqOptions(BaseModel):
    """Options shared by the sequence-to-sequence backends."""

    model_config = ConfigDict(extra="forbid")

    model: str
    """Local model directory (or hub name when ``allow_downloads``)."""
    pairs: list[str] = Field(default_factory=list)
    """Pairs the model translates, as "es-en"; empty: whatever the model's language codes allow."""
    batch_size: int = Field(16, ge=1)
    beams: int = Field(4, ge=1)
    candidates: int = Field(2, ge=1)
    """Hypotheses returned per line (at most ``beams``)."""
    max_length: int = Field(256, ge=8)
    device: Literal["cpu", "cuda"] = "cpu"
    allow_downloads: bool = False


class _Seq2Seq(Translator):
    """Batching, candidates and language codes; subclasses run the model."""

    extra = "transformers"
    job_options = frozenset({"candidates"})
    _modules: tuple[str, ...] = ("transformers", "sentencepiece")

    class Options(Seq2SeqOptions):
        """Sequence-to-sequence options."""

    options: Seq2SeqOptions

    @classmethod
    def availability(cls) -> Availability:
        """Usable when the optional extra is installed (the model is checked when it is loaded)."""
        missing = [name for name in cls._modules if importlib.util.find_spec(name) is None]
        if missing:
            return Availability(False, f"missing {', '.join(missing)}: pip install 'localize[transformers]'")
        return Availability(True, "ready (needs a local model directory)")

    @cached_property
    def path(self) -> str:
        """The model's local directory (or hub name)."""
        return resolve_model(self.options.model, self.options.allow_downloads)

    @cached_property
    def tokenizer(self) -> Any:
        """The model's tokenizer (transformers AutoTokenizer)."""
        from transformers import AutoTokenizer

        try:
            return AutoTokenizer.from_pretrained(self.path, local_files_only=not self.options.allow_downloads)
        except (OSError, ValueError) as exc:
            raise BackendUnavailable(
                f"cannot load a tokenizer from {self.path}: {exc}", "point 'model' at a complete model directory"
            ) from exc

    @property
    def family(self) -> Literal["nllb", "m2m100", "marian"]:
        """Which multilingual convention the tokenizer follows."""
        name = type(self.tokenizer).__name__.lower()
        return "nllb" if "nllb" in name else "m2m100" if "m2m100" in name else "marian"

    def codes(self, source: str, target: str) -> tuple[str | None, str | None]:
        """Source and target language tokens for multilingual models; (None, None) for a Marian pair model."""
        if self.family == "nllb":
            return nllb_code(source), nllb_code(target)
        if self.family == "m2m100":
            return base_language(source), base_language(target)
        return None, None

    def supports(self, source: str, target: str) -> bool:
        """Whether the pair is declared (when ``pairs`` is set) and the model directory exists."""
        pairs = {tuple(p.split("-", 1)) for p in self.options.pairs}
        if pairs and (base_language(source), base_language(target)) not in pairs:
            return False
        return self.options.allow_downloads or Path(self.options.model).expanduser().exists()

    def missing_hint(self, source: str, target: str) -> str:
        """What to configure for the pair."""
        if not Path(self.options.model).expanduser().exists() and not self.options.allow_downloads:
            return f"model directory {self.options.model} does not exist; download the model there or set allow_downloads"
        return f"this model translates {', '.join(self.options.pairs)}; configure a model for {source}-{target}"

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        """Candidates per request, best first, in batches of ``batch_size``."""
        texts = [" ".join(request.text.split()) for request in requests]
        todo = [i for i, text in enumerate(texts) if text]
        results: list[list[str]] = [[""] for _ in texts]
        size = self.options.batch_size
        for first in range(0, len(todo), size):
            chunk = todo[first : first + size]
            for index, hypotheses in zip(chunk, self._generate([texts[i] for i in chunk], source, target), strict=True):
                results[index] = list(dict.fromkeys(h.strip() for h in hypotheses if h.strip())) or [""]
        return results

    @abstractmethod
    def _generate(self, texts: list[str], source: str, target: str) -> list[list[str]]:
        """The hypotheses of each text (non-empty texts only), best first."""


@register("translate")
class TransformersTranslator(_Seq2Seq):
    """A transformers sequence-to-sequence model (Marian, NLLB, M2M100) on CPU or CUDA."""

    name = "transformers.v1"

    @cached_property
    def model(self) -> Any:
        """The loaded model, in evaluation mode."""
        from transformers import AutoModelForSeq2SeqLM

        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(self.path, local_files_only=not self.options.allow_downloads)
        except (OSError, ValueError) as exc:
            raise BackendUnavailable(
                f"cannot load a translation model from {self.path}: {exc}", "point 'model' at a model directory"
            ) from exc
        return model.to(self.options.device).eval()

    def _generate(self, texts: list[str], source: str, target: str) -> list[list[str]]:
        import torch

        src, tgt = self.codes(source, target)
        tokenizer = self.tokenizer
        if src is not None:
            tokenizer.src_lang = src
        batch = tokenizer(texts, return_tensors="pt", padding=True, truncation=True, max_length=self.options.max_length)
        count = min(self.options.candidates, self.options.beams)
        extra: dict[str, Any] = {}
        if tgt is not None:
            extra["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(
                tokenizer.lang_code_to_token[tgt] if self.family == "m2m100" else tgt
            )
        with torch.inference_mode():
            output = self.model.generate(
                **batch.to(self.options.device),
                num_beams=self.options.beams,
                num_return_sequences=count,
                max_new_tokens=self.options.max_length,
                **extra,
            )
        decoded = tokenizer.batch_decode(output, skip_special_tokens=True)
        return [decoded[i * count : (i + 1) * count] for i in range(len(texts))]


@register("translate")
class CTranslate2Translator(_Seq2Seq):
    """A CTranslate2-converted sequence-to-sequence model: the same models, faster on CPU."""

    name = "ctranslate2.v1"
    _modules = ("ctranslate2", "transformers", "sentencepiece")

    @cached_property
    def model(self) -> Any:
        """The loaded ctranslate2.Translator."""
        import ctranslate2

        try:
            return ctranslate2.Translator(self.path, device=self.options.device)
        except (RuntimeError, ValueError) as exc:
            raise BackendUnavailable(
                f"cannot load a CTranslate2 model from {self.path}: {exc}",
                "convert the model with ct2-transformers-converter --copy_files and point 'model' at the output",
            ) from exc

    def _generate(self, texts: list[str], source: str, target: str) -> list[list[str]]:
        src, tgt = self.codes(source, target)
        tokenizer = self.tokenizer
        if src is not None:
            tokenizer.src_lang = src
        tokens = [
            tokenizer.convert_ids_to_tokens(tokenizer.encode(text, truncation=True, max_length=self.options.max_length)) for text in texts
        ]
        prefix = None
        if tgt is not None:
            token = tokenizer.lang_code_to_token[tgt] if self.family == "m2m100" else tgt
            prefix = [[token] for _ in texts]
        count = min(self.options.candidates, self.options.beams)
        results = self.model.translate_batch(
            tokens,
            target_prefix=prefix,
            beam_size=self.options.beams,
            num_hypotheses=count,
            max_decoding_length=self.options.max_length,
            max_batch_size=self.options.batch_size,
        )
        decode = tokenizer.convert_tokens_to_ids
        return [
            [tokenizer.decode(decode(h[1:] if prefix else h), skip_special_tokens=True) for h in result.hypotheses] for result in results
        ]
