"""Every stage builds its backend through one factory, so the global model settings (``allow_downloads``,
``models_dir``) reach every backend that takes them: here the translate stage, which built its own before."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

import pytest

from localize.cache import WorkDir
from localize.config import BackendChoice, Config
from localize.errors import ConfigError
from localize.model import Episode, Line, MediaInfo
from localize.registry import register
from localize.stages.base import RunContext
from localize.stages.factory import check_backends, make_backend
from localize.stages.translate import TranslateStage, TranslationRequest
from localize.stages.translate.apertium import ApertiumTranslator

pytestmark = pytest.mark.skipif(shutil.which("apertium") is None, reason="needs Apertium (apt-get install apertium)")


@register("translate")
class ModelAwareApertium(ApertiumTranslator):
    """The real Apertium backend with the global model settings among its options, recording the options it ran with."""

    name = "model-aware-apertium.test"
    used: ClassVar[list[ApertiumTranslator.Options]] = []

    class Options(ApertiumTranslator.Options):
        allow_downloads: bool = False
        models_dir: Path | None = None

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        type(self).used.append(self.options)
        return super().translate(requests, source, target)


def test_the_translate_stage_gets_the_global_model_settings(tmp_path: Path) -> None:
    config = Config(allow_downloads=True, models_dir=tmp_path / "models", translate=BackendChoice(backend=ModelAwareApertium.name))
    workdir = WorkDir(tmp_path, "ep")
    workdir.prepare()
    episode = Episode(
        id="ep",
        source=MediaInfo(path="ep.mp4", size=1, fingerprint="f", duration=3.0, container="mp4"),
        source_language="es",
        lines=[Line(id="L0001", start=0.0, end=2.0, speaker="SPEAKER_00", text="El agua ya está lista.")],
    )
    translated = TranslateStage().run(episode, RunContext(workdir=workdir, config=config, targets=["en"]))
    assert "water" in translated.tracks["en"].renditions["L0001"].text.lower()
    assert [(o.allow_downloads, o.models_dir) for o in ModelAwareApertium.used] == [(True, tmp_path / "models")]
    built = make_backend("translate", BackendChoice(backend=ModelAwareApertium.name, options={"allow_downloads": False}), config)
    assert built.options.allow_downloads is False, "a backend's own setting wins over the global one"


def test_a_configuration_is_checked_whole_before_a_stage_runs() -> None:
    check_backends(Config())
    for config, where in (
        (Config(translate=BackendChoice(backend="nope.v1")), "translate: unknown translate backend"),
        (Config(transcribe=BackendChoice(backend="faster-whisper.v1", options={"beam_sise": 2})), "transcribe: unknown option 'beam_sise'"),
        (Config.model_validate({"dub": {"backend_options": {"piper.v1": {"noise_scale": 9}}}}), "dub.backend_options.piper.v1: invalid"),
    ):
        with pytest.raises(ConfigError, match=where):
            check_backends(config)
