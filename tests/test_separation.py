"""The Demucs separator through Demucs's own loader, on a tiny random-weight HDemucs saved in a local model folder.

Demucs needs torchaudio, which loads only with torch 2.11: ``make test-extras`` runs this file in ``.venv-tts``.
Elsewhere it is skipped (``tests/test_mix.py`` checks the clear error when the extra is missing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.config import BackendChoice, Config, MixConfig
from localize.registry import create
from localize.stages.base import RunContext
from localize.stages.mix import MixStage
from localize.stages.separate import Separator
from tests.dub_media import dubbed_episode

pytest.importorskip("demucs.pretrained", exc_type=ImportError)

SIGNATURE = "0tiny001"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A local Demucs model folder holding one tiny HDemucs (4 channels, random weights), as Demucs serializes models."""
    import torch
    from demucs.hdemucs import HDemucs
    from demucs.states import serialize_model
    from omegaconf import OmegaConf

    folder = tmp_path_factory.mktemp("demucs")
    torch.manual_seed(0)
    model = HDemucs(sources=["drums", "bass", "other", "vocals"], channels=4)
    torch.save(serialize_model(model, OmegaConf.create({}), half=False), folder / f"{SIGNATURE}.th")
    return folder


def separation(repo: Path) -> BackendChoice:
    return BackendChoice(backend="demucs.v1", options={"model": SIGNATURE, "repo": str(repo), "shifts": 0})


def test_separator_gives_a_bed_as_long_as_the_audio(repo: Path) -> None:
    separator = create("separate", "demucs.v1", separation(repo).options)
    assert isinstance(separator, Separator)
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal((3 * 48_000 + 17, 2))).astype(np.float32)
    bed = separator.music_and_effects(audio, 48_000)
    assert bed.shape == audio.shape and np.isfinite(bed).all() and float(np.abs(bed).max()) > 0


def test_mix_lays_the_dub_over_the_separated_bed_and_keeps_it(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    dubbed = dubbed_episode(tmp_path_factory)
    ctx = RunContext(workdir=dubbed.ctx.workdir, config=Config(mix=MixConfig(separation=separation(repo))), targets=["en"])
    mixed = MixStage().run(dubbed.after, ctx)
    beds = sorted(ctx.workdir.artifacts.rglob("*.bed.wav"))
    assert len(beds) == 1
    made = beds[0].stat().st_mtime_ns
    track = mixed.tracks["en"]
    assert track.mix and track.dialogue_stem and track.loudness["true_peak_dbtp"] <= -2.0 + 0.05
    mix, rate = soundfile.read(ctx.workdir.resolve(track.mix))
    assert rate == 48_000 and mix.shape[1] == 2
    MixStage().run(dubbed.after, ctx)
    assert beds[0].stat().st_mtime_ns == made, "the separated bed is cached per source and separator"
