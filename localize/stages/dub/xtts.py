"""Coqui XTTS backend: speech in each character's own voice, cloned from its reference clip.

Optional extra ``xtts`` (``pip install 'localize[xtts]'``). The model is loaded
from a local directory holding ``config.json``, ``model.pth`` and ``vocab.json``
(the layout of Coqui's XTTS v2 release); nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from localize.errors import BackendUnavailable
from localize.languages import base_language
from localize.media.audio import write_wav
from localize.models import resolve_model
from localize.registry import Availability, register
from localize.resident import resident
from localize.stages.dub.backend import SynthesisError, Synthesizer, VoiceSpec

__all__ = ["XttsSynthesizer", "conditioning_latents", "xtts_language"]

EXTRA = "xtts"
INSTALL_HINT = f"pip install 'localize[{EXTRA}]' (Coqui TTS with torchaudio and torchcodec matching your torch)"
MODEL_FILES = ("config.json", "model.pth", "vocab.json")
_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "pl", "tr", "ru", "nl", "cs", "ar", "zh-cn", "ja", "hu", "ko", "hi"})
_LOCK = threading.Lock()
"""One inference at a time: the model is shared and torch already uses every core."""


def xtts_language(tag: str) -> str:
    """The XTTS language code of a BCP-47 tag ("pt-BR" -> "pt", "zh-Hans" -> "zh-cn")."""
    base = base_language(tag)
    code = "zh-cn" if base == "zh" else base
    if code not in _LANGUAGES:
        supported = ", ".join(sorted(_LANGUAGES))
        raise BackendUnavailable(f"XTTS does not speak '{tag}'", f"cast an espeak-ng voice for {tag}; XTTS speaks {supported}")
    return code


def _import_xtts() -> tuple[Any, Any]:
    """The XTTS model and config classes, or BackendUnavailable naming the extra."""
    try:
        from TTS.tts.configs.xtts_config import XttsConfig
        from TTS.tts.models.xtts import Xtts
    except (ImportError, OSError) as exc:
        raise BackendUnavailable(f"the XTTS backend needs the '{EXTRA}' extra, which is not usable here: {exc}", INSTALL_HINT) from exc
    return Xtts, XttsConfig


@resident(maxsize=2)
def _load_model(model_dir: str, device: str) -> Any:
    """Load an XTTS checkpoint from ``model_dir`` through Coqui's own loader."""
    folder = Path(model_dir)
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise BackendUnavailable(f"XTTS model folder {folder} lacks {', '.join(missing)}", "point the voice at an XTTS v2 model folder")
    xtts_class, config_class = _import_xtts()
    config = config_class()
    config.load_json(str(folder / "config.json"))
    model = xtts_class.init_from_config(config)
    model.load_checkpoint(config, checkpoint_dir=str(folder), eval=True, use_deepspeed=False)
    return model.to(device)


@resident(maxsize=32)
def conditioning_latents(model_dir: str, device: str, reference: str) -> tuple[Any, Any]:
    """Conditioning latents (GPT latent, speaker embedding) of one reference clip."""
    model = _load_model(model_dir, device)
    latents: tuple[Any, Any] = model.get_conditioning_latents(audio_path=[reference])
    return latents


@register("tts")
class XttsSynthesizer(Synthesizer):
    """Speech cloned from ``VoiceSpec.reference_audio`` with a local Coqui XTTS model."""

    name = "xtts.v1"
    extra = EXTRA
    job_options = frozenset({"temperature"})
    clones = True

    class Options(BaseModel):
        """Where the model is and how to sample."""

        model: str | None = None
        """Model folder (or a reference resolved under ``models_dir``); a voice's ``voice`` field overrides it."""
        device: str = "cpu"
        temperature: float = Field(0.65, gt=0.0, le=1.5)
        allow_downloads: bool = False
        models_dir: Path | None = None

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when Coqui TTS imports (it needs torchaudio and torchcodec built for the installed torch)."""
        if importlib.util.find_spec("TTS") is None:
            return Availability(False, INSTALL_HINT)
        try:
            _import_xtts()
        except BackendUnavailable as exc:
            return Availability(False, exc.one_line())
        return Availability(True, "Coqui XTTS; needs a local model folder")

    def _model_dir(self, voice: VoiceSpec) -> str:
        reference = voice.voice or self.options.model
        if not reference:
            raise BackendUnavailable("no XTTS model folder given", "set dub.backend_options['xtts.v1'].model or the voice's 'voice'")
        return resolve_model(reference, self.options.allow_downloads, self.options.models_dir)

    def synthesize(self, text: str, voice: VoiceSpec, rate: float, out: Path) -> None:
        """Clone ``voice.reference_audio`` and speak ``text`` at ``rate`` (XTTS's own speed control)."""
        if not voice.reference_audio:
            raise SynthesisError(f"voice {voice.id} has no reference clip to clone", "diarize the episode so each speaker has one")
        model_dir = self._model_dir(voice)
        language = xtts_language(voice.language)
        with _LOCK:
            model = _load_model(model_dir, self.options.device)
            latent, embedding = conditioning_latents(model_dir, self.options.device, voice.reference_audio)
            try:
                result = model.inference(text, language, latent, embedding, temperature=self.options.temperature, speed=rate)
            except (RuntimeError, ValueError, IndexError) as exc:
                raise SynthesisError(f"XTTS failed on {text[:40]!r}: {exc}") from exc
        samples = np.asarray(result["wav"], dtype=np.float32).reshape(-1)
        write_wav(out, samples, int(model.config.audio.output_sample_rate), subtype="FLOAT")
