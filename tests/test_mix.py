"""The mix stage: ducking or the M&E bed, loudness to spec checked with ffmpeg's ebur128, stem formats."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from scipy.signal import resample_poly

from localize.config import BackendChoice, Config, MixConfig
from localize.errors import BackendUnavailable
from localize.media.audio import read_audio, write_wav
from localize.media.blocks import read_blocks, wav_writer
from localize.media.loudness import LoudnessMeter, TruePeakMeter, ffmpeg_ebur128, integrated_loudness, measure, true_peak_dbtp
from localize.model import Episode
from localize.stages.base import RunContext
from localize.stages.mix import MixStage
from tests.dub_media import dubbed_episode


def test_block_wise_meters_agree_with_pyloudnorm_and_full_oversampling() -> None:
    rng = np.random.default_rng(7)
    t = np.arange(48_000 * 6) / 48_000
    signal = np.stack([np.sin(2 * np.pi * 997 * t) * (0.1 + 0.4 * (t % 2 > 1)), rng.normal(0, 0.05, len(t))], axis=1)
    signal[100_000] = 0.9  # a lone peak for the true-peak meter to find in one block
    meter, peak = LoudnessMeter(48_000, 2), TruePeakMeter()
    for first in range(0, len(signal), 37_123):  # blocks that split sub-blocks and true-peak blocks alike
        meter.add(signal[first : first + 37_123])
        peak.add(signal[first : first + 37_123])
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(48_000).integrated_loudness(signal), abs=0.05)
    whole = measure(signal, 48_000)
    assert np.array_equal(meter.powers, whole.powers), "block sizes do not change a figure"
    assert meter.loudness_range == whole.loudness_range
    full = 20 * np.log10(np.max(np.abs(resample_poly(signal, 4, 1, axis=0))))
    assert peak.dbtp == pytest.approx(full, abs=1e-6)
    assert true_peak_dbtp(signal) == peak.dbtp
    assert integrated_loudness(np.zeros(48_000), 48_000) == -70.0


def test_audio_is_read_and_written_in_blocks_as_it_would_be_whole(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    signal = (rng.normal(0, 0.2, (48_000, 2))).astype(np.float32)
    source = tmp_path / "source.wav"
    soundfile.write(source, signal, 48_000, subtype="FLOAT")
    whole = read_audio(source, 48_000, channels=2)
    for length in (30_000, 70_000):  # cut short, and padded with silence
        blocks = list(read_blocks(source, 48_000, 2, length, 16_384))
        assert [len(block) for block in blocks[:-1]] == [16_384] * (len(blocks) - 1)
        joined = np.concatenate(blocks)
        assert len(joined) == length
        assert np.array_equal(joined[: min(length, len(whole))], whole[:length])
        assert not joined[len(whole) :].any()
    write_wav(tmp_path / "whole.wav", whole)
    with wav_writer(tmp_path / "blocks.wav", 2) as write:
        for first in range(0, len(whole), 10_000):
            write(whole[first : first + 10_000])
    assert (tmp_path / "blocks.wav").read_bytes() == (tmp_path / "whole.wav").read_bytes()


@pytest.fixture(scope="module")
def dubbed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Episode, RunContext, Path]:
    result = dubbed_episode(tmp_path_factory)
    return result.after, result.ctx, result.folder


def _mixed(dubbed: tuple[Episode, RunContext, Path], me: bool, config: MixConfig | None = None) -> tuple[Episode, RunContext]:
    episode, ctx, folder = dubbed
    if me:
        episode = episode.model_copy(update={"me_stem": str(folder / "bed.wav")})
    ctx = RunContext(workdir=ctx.workdir, config=Config(mix=config or MixConfig()), targets=ctx.targets)
    return MixStage().run(episode, ctx), ctx


def _duck_db(mixed: Episode, ctx: RunContext, reference: Path, start: float, end: float, before: float) -> float:
    """How far what lies under the dialogue (mix minus stem) drops, against ``reference``, between ``start..end`` and ``0..before``."""
    track = mixed.tracks["en"]
    assert track.mix and track.dialogue_stem
    mix, _ = soundfile.read(ctx.workdir.resolve(track.mix))
    stem, _ = soundfile.read(ctx.workdir.resolve(track.dialogue_stem))
    source, _ = soundfile.read(reference)
    under = mix[: len(stem), 0] - stem

    def level(a: float, b: float) -> float:
        span = slice(round(a * 48_000), round(b * 48_000))
        return float(10 * np.log10(np.mean(under[span] ** 2) / np.mean(source[span, 0] ** 2)))

    return level(start, end) - level(0.05, before)


@pytest.mark.slow
@pytest.mark.parametrize("me", [False, True], ids=["ducked-original", "me-stem"])
def test_mix_meets_loudness_spec_and_formats(dubbed: tuple[Episode, RunContext, Path], me: bool) -> None:
    mixed, ctx = _mixed(dubbed, me)
    track = mixed.tracks["en"]
    figures = track.loudness
    assert figures["dialogue_share"] >= 0.15 and figures["target_lkfs"] == -27.0
    assert abs(figures["dialogue_lkfs"] + 27.0) <= 2.0
    assert figures["true_peak_dbtp"] <= -2.0
    assert track.mix and track.dialogue_stem
    mix_path, stem_path = ctx.workdir.resolve(track.mix), ctx.workdir.resolve(track.dialogue_stem)
    for path, channels in ((mix_path, 2), (stem_path, 1)):
        info = soundfile.info(str(path))
        assert (info.samplerate, info.subtype, info.channels) == (48_000, "PCM_24", channels)
    integrated, peak, loudness_range = ffmpeg_ebur128(mix_path)
    assert integrated == pytest.approx(figures["programme_lkfs"], abs=0.3)
    assert peak <= -2.0 + 0.1
    assert loudness_range == pytest.approx(figures["lra_lu"], abs=1.0)
    take = track.renditions["L1"].take
    assert take is not None
    # Under the first take against the silence before it: ducked by the configured depth, or not at all over the M&E.
    reference = dubbed[2] / ("bed.wav" if me else "episode.wav")
    drop = _duck_db(mixed, ctx, reference, take.start + 0.5, take.start + take.duration - 0.5, take.start - 0.3)
    assert drop == pytest.approx(0.0 if me else MixConfig().duck_db, abs=0.5)


@pytest.mark.slow
def test_ducking_depth_is_configurable(dubbed: tuple[Episode, RunContext, Path]) -> None:
    mixed, ctx = _mixed(dubbed, False, MixConfig(duck_db=-6.0, duck_ramp=0.05))
    take = mixed.tracks["en"].renditions["L1"].take
    assert take is not None
    drop = _duck_db(mixed, ctx, dubbed[2] / "episode.wav", take.start + 0.3, take.start + take.duration - 0.3, take.start - 0.15)
    assert drop == pytest.approx(-6.0, abs=0.5)


@pytest.mark.slow
def test_sparse_dialogue_is_measured_on_the_full_programme(dubbed: tuple[Episode, RunContext, Path]) -> None:
    episode, ctx, _ = dubbed
    track = episode.tracks["en"]
    sparse = {k: r if k == "L5" else r.model_copy(update={"take": None}) for k, r in track.renditions.items()}
    episode = episode.model_copy(update={"tracks": {"en": track.model_copy(update={"renditions": sparse})}})
    mixed = MixStage().run(episode, ctx).tracks["en"]
    assert mixed.loudness["dialogue_share"] < 0.15
    assert mixed.loudness["target_lkfs"] == -24.0
    assert abs(mixed.loudness["programme_lkfs"] + 24.0) <= 2.0
    assert mixed.loudness["true_peak_dbtp"] <= -2.0
    assert mixed.mix
    integrated, _, _ = ffmpeg_ebur128(ctx.workdir.resolve(mixed.mix))
    assert integrated == pytest.approx(mixed.loudness["programme_lkfs"], abs=0.3)


def test_a_separator_without_its_extra_is_a_clear_error(dubbed: tuple[Episode, RunContext, Path], tmp_path: Path) -> None:
    if importlib.util.find_spec("demucs") is not None:
        pytest.skip("Demucs is installed here: tests/test_separation.py covers it")
    separation = BackendChoice(backend="demucs.v1", options={"repo": str(tmp_path)})
    with pytest.raises(BackendUnavailable, match=r"needs the 'separation' extra") as raised:
        _mixed(dubbed, me=False, config=MixConfig(separation=separation))
    assert "pip install 'localize[separation]'" in raised.value.one_line()
