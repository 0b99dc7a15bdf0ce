"""pyannote.audio backend (the ``pyannote`` extra): a diarization pipeline from a local directory or the hub.

The pipeline is a local directory (holding ``config.yaml`` and the models it
names) or a hub name, fetched only when downloads are allowed, with the access
token read from an environment variable, so it never lands in a manifest.
"""

from __future__ import annotations

import importlib.util
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from localize.environment import named
from localize.errors import BackendUnavailable, ModelUnavailable
from localize.media.audio import SPEECH_RATE
from localize.model import SpeechTurn
from localize.progress import ProgressHook
from localize.registry import Availability, register
from localize.stages.diarize.backend import Diarization, Diarizer

__all__ = ["PyannoteDiarizer", "turns_from_annotation"]

EXTRA_HINT = "pip install 'localize[pyannote]' (it needs torchaudio matching your torch)"


def _import_pipeline() -> Any:
    try:
        from pyannote.audio import Pipeline
    except ImportError as exc:
        raise BackendUnavailable(f"pyannote.audio is not installed ({exc})", EXTRA_HINT) from exc
    return Pipeline


def turns_from_annotation(annotation: Any) -> tuple[list[SpeechTurn], dict[str, str]]:
    """Turns from a ``pyannote.core.Annotation``, labels renamed ``SPEAKER_00``... by first appearance."""
    order: dict[str, str] = {}
    turns: list[SpeechTurn] = []
    for segment, _, label in sorted(annotation.itertracks(yield_label=True), key=lambda item: item[0].start):
        speaker = order.setdefault(str(label), f"SPEAKER_{len(order):02d}")
        turns.append(SpeechTurn(start=round(float(segment.start), 3), end=round(float(segment.end), 3), speaker=speaker))
    return turns, order


@register("diarize")
class PyannoteDiarizer(Diarizer):
    """A pyannote.audio speaker-diarization pipeline (segmentation, embeddings, clustering; overlaps handled)."""

    name = "pyannote.v1"
    extra = "pyannote"
    job_options = frozenset({"num_speakers", "min_speakers", "max_speakers"})

    class Options(BaseModel):
        """Which pipeline, how to reach it, and speaker-count hints."""

        pipeline: str = "pyannote/speaker-diarization-3.1"
        """A local directory (with config.yaml) or a hub name (needs allow_downloads and a token)."""
        token_env: str = "HF_TOKEN"
        """Environment variable holding the hub access token."""
        device: str = "cpu"
        num_speakers: int | None = Field(None, ge=1)
        min_speakers: int | None = Field(None, ge=1)
        max_speakers: int | None = Field(None, ge=1)
        allow_downloads: bool = False
        models_dir: Path | None = None

        @model_validator(mode="after")
        def _consistent(self) -> PyannoteDiarizer.Options:
            if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
                raise ValueError("min_speakers is larger than max_speakers")
            return self

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when pyannote.audio is installed (its pipeline must still be on disk or downloadable)."""
        try:
            found = importlib.util.find_spec("pyannote.audio") is not None
        except ModuleNotFoundError:  # no pyannote namespace at all
            found = False
        if not found:
            return Availability(False, EXTRA_HINT)
        return Availability(True, "needs a pipeline directory (pipeline = path), or allow_downloads and a token")

    def _source(self) -> tuple[str, bool]:
        """What to hand ``Pipeline.from_pretrained``, and whether it is on disk."""
        reference = Path(self.options.pipeline).expanduser()
        if self.options.models_dir is not None and not reference.exists():
            reference = self.options.models_dir / self.options.pipeline
        if reference.is_dir():
            return str(reference / "config.yaml") if (reference / "config.yaml").is_file() else str(reference), True
        if reference.is_file():
            return str(reference), True
        return self.options.pipeline, False

    @cached_property
    def pipeline(self) -> Any:
        """The loaded ``pyannote.audio.Pipeline``, on the configured device."""
        pipeline_class = _import_pipeline()
        source, local = self._source()
        if not local and not self.options.allow_downloads:
            raise ModelUnavailable(
                f"pyannote pipeline '{self.options.pipeline}' is not a local directory, and downloads are off",
                "point diarize.options.pipeline at a downloaded pipeline directory, or set allow_downloads = true",
            )
        token = named(self.options.token_env)
        try:
            try:
                pipeline = pipeline_class.from_pretrained(source, token=token)
            except TypeError:  # pyannote.audio 3.x names it use_auth_token
                pipeline = pipeline_class.from_pretrained(source, use_auth_token=token)
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise ModelUnavailable(f"pyannote could not load '{self.options.pipeline}': {exc}", "check the directory or the token") from exc
        if pipeline is None:
            raise ModelUnavailable(
                f"pyannote could not load '{self.options.pipeline}' (gated model without access)",
                f"accept the model's conditions on the hub and put a token in ${self.options.token_env}",
            )
        import torch

        return pipeline.to(torch.device(self.options.device))

    def diarize(self, audio: Path, hook: ProgressHook) -> Diarization:
        """Run the pipeline on 16 kHz mono ``audio``; one mean embedding per speaker when it gives them."""
        import numpy as np
        import soundfile
        import torch

        samples, rate = soundfile.read(audio, dtype="float32", always_2d=False)
        if rate != SPEECH_RATE:
            raise ValueError(f"diarizer expects {SPEECH_RATE} Hz audio, got {rate}")
        options = self.options
        hints = {k: v for k, v in (("num_speakers", options.num_speakers), ("min_speakers", options.min_speakers)) if v}
        if options.max_speakers:
            hints["max_speakers"] = options.max_speakers

        def progress(step_name: str, step_artifact: Any, file: Any = None, total: int | None = None, completed: int | None = None) -> None:
            hook("diarize", step_name, int(completed or 0), int(total or 1))

        output = self.pipeline({"waveform": torch.from_numpy(samples)[None], "sample_rate": rate}, hook=progress, **hints)
        annotation = getattr(output, "speaker_diarization", output)
        embeddings = getattr(output, "speaker_embeddings", None)
        turns, order = turns_from_annotation(annotation)
        means: dict[str, list[float]] = {}
        if embeddings is not None:
            for position, label in enumerate(annotation.labels()):
                if str(label) in order and position < len(embeddings):
                    means[order[str(label)]] = np.asarray(embeddings[position], dtype=float).tolist()
        return Diarization(turns=turns, embeddings=means)
