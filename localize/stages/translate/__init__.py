"""The translate stage and its translator backends; importing the package registers them."""

from localize.stages.translate import apertium, chat, seq2seq
from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.stage import TranslateStage

__all__ = ["TranslateStage", "TranslationRequest", "Translator", "apertium", "chat", "seq2seq"]
