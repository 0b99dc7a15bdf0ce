"""openai-whisper backend (the ``openai-whisper`` extra): the reference PyTorch implementation.

It takes the same options as the faster-whisper backend where they overlap; it
has no VAD and no hotwords, so glossary names always go into the prompt.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from localize.environment import user_cache
from localize.errors import BackendUnavailable, ModelUnavailable
from localize.registry import Availability, register
from localize.stages.transcribe.whisper import Decoded, Hints, WhisperOptions, WhisperTranscriber
from localize.stages.transcribe.words import RawSegment, RawWord

__all__ = ["OpenAIWhisperTranscriber"]

EXTRA_HINT = "pip install 'localize[openai-whisper]'"


def _import_whisper() -> Any:
    try:
        import whisper
    except ImportError as exc:
        raise BackendUnavailable("openai-whisper is not installed", EXTRA_HINT) from exc
    return whisper


@register("transcribe")
class OpenAIWhisperTranscriber(WhisperTranscriber):
    """Whisper through the openai-whisper package (PyTorch)."""

    name = "openai-whisper.v1"
    extra = "openai-whisper"

    class Options(WhisperOptions):
        """The shared Whisper options; ``model`` is a checkpoint file or an official name (``base``, ``large-v3``)."""

        model: str = "base"

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable offline when openai-whisper is installed and a checkpoint is on disk."""
        if importlib.util.find_spec("whisper") is None:
            return Availability(False, EXTRA_HINT)
        return Availability(True, "needs a checkpoint file (model = path), or allow_downloads for official names")

    def _checkpoint(self, whisper: Any) -> str:
        """A local checkpoint path, or an official name whose file is cached or may be downloaded."""
        options = self.options
        reference = Path(options.model).expanduser()
        if options.models_dir is not None and not reference.is_file():
            reference = options.models_dir / options.model
        if reference.is_file():
            return str(reference)
        if options.model not in whisper.available_models():
            raise ModelUnavailable(
                f"openai-whisper model '{options.model}' is neither a file nor an official name",
                f"pass a checkpoint path, or one of: {', '.join(whisper.available_models())}",
            )
        cached = Path(self._download_root()) / os.path.basename(whisper._MODELS[options.model])
        if cached.is_file() or options.allow_downloads:
            return options.model
        raise ModelUnavailable(
            f"openai-whisper model '{options.model}' is not on this machine, and downloads are off",
            f"put the checkpoint in {cached.parent} or pass its path, or set allow_downloads = true",
        )

    def _download_root(self) -> str:
        if self.options.models_dir is not None:
            return str(self.options.models_dir)
        return str(user_cache() / "whisper")

    @cached_property
    def model(self) -> Any:
        """The loaded ``whisper.Whisper`` model."""
        whisper = _import_whisper()
        device = self.options.device
        if device == "auto":
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            return whisper.load_model(self._checkpoint(whisper), device=device, download_root=self._download_root())
        except (RuntimeError, KeyError, OSError) as exc:
            raise ModelUnavailable(f"openai-whisper could not load '{self.options.model}': {exc}", "check the checkpoint file") from exc

    def _decode(self, samples: np.ndarray, language: str | None, hints: Hints) -> Decoded:
        whisper = _import_whisper()
        options = self.options
        prompt = " ".join(p for p in (hints.prompt, hints.hotwords) if p) or None
        result = whisper.transcribe(
            self.model,
            samples.astype(np.float32),
            language=language,
            beam_size=options.beam_size,
            best_of=options.beam_size,
            temperature=tuple(options.temperature),
            compression_ratio_threshold=options.compression_ratio_threshold,
            logprob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            condition_on_previous_text=options.condition_on_previous_text,
            initial_prompt=prompt,
            word_timestamps=options.word_timestamps,
            fp16=self.model.device.type == "cuda",
            verbose=None,
        )
        segments = [
            RawSegment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]),
                words=[
                    RawWord(str(w["word"]), float(w["start"]), float(w["end"]), float(w.get("probability", 1.0)))
                    for w in s.get("words", [])
                ],
                avg_logprob=float(s.get("avg_logprob", 0.0)),
                no_speech_prob=float(s.get("no_speech_prob", 0.0)),
            )
            for s in result["segments"]
        ]
        detected = str(result.get("language") or language or "en")
        return Decoded(language=detected, language_probability=1.0 if language else 0.0, segments=segments)

    def _language_probabilities(self, samples: np.ndarray) -> dict[str, float]:
        whisper = _import_whisper()
        import torch

        audio = whisper.pad_or_trim(torch.from_numpy(samples.astype(np.float32)))
        mel = whisper.log_mel_spectrogram(audio, n_mels=self.model.dims.n_mels).to(self.model.device)
        _, probabilities = self.model.detect_language(mel)
        return {str(language): float(probability) for language, probability in probabilities.items()}
