"""The translate stage and its translator backends."""

from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.stage import TranslateStage

__all__ = ["TranslateStage", "TranslationRequest", "Translator"]
