"""Source separation: a music-and-effects bed for an episode that came without one.

Optional. With ``[mix.separation] backend = "demucs.v1"`` (and a local model), the
mix lays the dub over the separated non-vocal stems instead of ducking the whole
original audio under each dubbed line.
"""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy.signal import resample_poly

from localize.errors import BackendUnavailable
from localize.registry import Availability, Backend, register
from localize.resident import resident

__all__ = ["DemucsSeparator", "Separator"]

EXTRA = "separation"
INSTALL_HINT = f"pip install 'localize[{EXTRA}]' (Demucs, with torchaudio matching your torch)"


class Separator(Backend):
    """A source-separation backend."""

    def music_and_effects(self, audio: np.ndarray, rate: int) -> np.ndarray:
        """Everything but the voices of ``audio`` (samples, 2) at ``rate``, same shape and rate."""
        raise NotImplementedError


def _resample(audio: np.ndarray, source: int, target: int) -> np.ndarray:
    if source == target:
        return audio
    divisor = gcd(source, target)
    return np.asarray(resample_poly(audio, target // divisor, source // divisor, axis=0), dtype=np.float32)


@resident(maxsize=2)
def _load_demucs(name: str, repo: str) -> Any:
    """A Demucs model (or bag of models) by name or signature from a local model folder, through Demucs's own loader."""
    try:
        import torch
        from demucs.demucs import Demucs
        from demucs.hdemucs import HDemucs
        from demucs.htdemucs import HTDemucs
        from demucs.pretrained import get_model
    except ImportError as exc:
        raise BackendUnavailable(f"the demucs.v1 separator needs the '{EXTRA}' extra: {exc}", INSTALL_HINT) from exc
    folder = Path(repo)
    if not folder.is_dir():
        raise BackendUnavailable(
            f"Demucs model folder {folder} does not exist", "point [mix.separation.options] repo at a folder of .th models"
        )
    try:
        # Demucs packages pickle their model class (and a Fraction segment): allow exactly those under torch's safe loading.
        with torch.serialization.safe_globals([Demucs, HDemucs, HTDemucs, Fraction]):
            return get_model(name, repo=folder)
    except Exception as exc:
        raise BackendUnavailable(
            f"cannot load Demucs model '{name}' from {folder}: {exc}", "check the model name and its .th file"
        ) from exc


@register("separate")
class DemucsSeparator(Separator):
    """Demucs (HT-Demucs and family) from a local folder: the drums, bass and other stems make the bed."""

    name = "demucs.v1"
    extra = EXTRA
    job_options = frozenset({"voice_stems"})

    class Options(BaseModel):
        """Which model, from where."""

        model_config = ConfigDict(extra="forbid")

        model: str = "htdemucs"
        """Model (bag) name or signature in ``repo``."""
        repo: Path | None = None
        """Local folder holding the model's .th (and bag .yaml) files; nothing is downloaded."""
        device: str = "cpu"
        shifts: int = Field(1, ge=0, le=10)
        """Random time shifts averaged (Demucs's test-time augmentation); more is slower and cleaner."""
        voice_stems: list[str] = Field(default_factory=lambda: ["vocals"])

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when Demucs imports; needs a local model folder."""
        if importlib.util.find_spec("demucs") is None:
            return Availability(False, INSTALL_HINT)
        return Availability(True, "Demucs; needs a local model folder")

    def music_and_effects(self, audio: np.ndarray, rate: int) -> np.ndarray:
        """The sum of the model's non-voice stems, resampled back to ``rate``."""
        if self.options.repo is None:
            raise BackendUnavailable("the demucs.v1 separator has no model folder", "set [mix.separation.options] repo")
        model = _load_demucs(self.options.model, str(self.options.repo))
        import torch
        from demucs.apply import apply_model

        samples = _resample(np.asarray(audio, dtype=np.float32), rate, int(model.samplerate))
        mix = torch.from_numpy(np.ascontiguousarray(samples.T))[None]
        with torch.no_grad():
            stems = apply_model(model, mix, shifts=self.options.shifts, device=self.options.device)[0]
        keep = [i for i, source in enumerate(model.sources) if source not in self.options.voice_stems]
        if not keep:
            raise BackendUnavailable(f"Demucs model '{self.options.model}' has only voice stems", "choose a model with music stems")
        bed = stems[keep].sum(dim=0).cpu().numpy().T
        out = _resample(bed, int(model.samplerate), rate)
        return np.asarray(out[: len(audio)] if len(out) >= len(audio) else np.pad(out, ((0, len(audio) - len(out)), (0, 0))))
