"""Stereo dialogue: one channel heard alone, each channel its own talker (--channels split), and the suggestion to split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.config import load_config
from localize.media.channels import channel_talkers
from localize.model import Episode, SpeechTurn
from localize.pipeline import RunRequest, prepare_run, run_stages
from tests.conftest import espeak, ffmpeg, run_cli
from tests.test_bad_input import assert_clean_failure

RATE = 16_000
LEAK = 10 ** (-25 / 20)
"""Each talker reaches the other's microphone 25 dB down."""
SCRIPT = [
    ("left", "en+m3", "Thanks for coming in today. Tell me how the project started."),
    ("right", "en+f3", "It started with a small grant and three people in a garage."),
    ("left", "en+m3", "And how many people work on it now?"),
    ("right", "en+f3", "About forty, spread over four countries."),
]


@pytest.fixture(scope="module")
def interview(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SpeechTurn]]:
    """A stereo MP4 interview: the interviewer on the left channel, the guest on the right, each leaking into the other."""
    folder = tmp_path_factory.mktemp("interview")
    channels = {"left": [], "right": []}
    turns: list[SpeechTurn] = []
    cursor = 0.4
    for index, (side, voice, text) in enumerate(SCRIPT):
        samples, rate = soundfile.read(espeak(text, folder / f"{index}.wav", voice=voice), dtype="float32")
        samples = np.interp(np.arange(0, len(samples), rate / RATE), np.arange(len(samples)), samples).astype(np.float32)
        loud = np.flatnonzero(np.abs(samples) > 0.01)
        samples = samples[loud[0] : loud[-1] + 1]
        turns.append(SpeechTurn(start=round(cursor, 3), end=round(cursor + len(samples) / RATE, 3), speaker=side))
        channels[side].append((cursor, samples * 0.5 / np.max(np.abs(samples))))
        cursor += len(samples) / RATE + 0.5
    tracks = {side: np.zeros(int((cursor + 0.5) * RATE), dtype=np.float32) for side in channels}
    for side, pieces in channels.items():
        for start, samples in pieces:
            tracks[side][int(start * RATE) : int(start * RATE) + len(samples)] += samples
    noise = np.random.default_rng(3).normal(0, 1e-4, (len(tracks["left"]), 2)).astype(np.float32)
    stereo = np.stack([tracks["left"] + LEAK * tracks["right"], tracks["right"] + LEAK * tracks["left"]], axis=1) + noise
    wav, source = folder / "interview.wav", folder / "interview.mp4"
    soundfile.write(wav, stereo, RATE, subtype="PCM_16")
    ffmpeg("-f", "lavfi", "-i", "color=size=160x120:rate=24", "-i", wav, "-shortest", "-c:v", "libx264", "-c:a", "aac", source)
    return source, turns


def _run(source: Path, out: Path, channels: str, names: tuple[str, ...] = ("ingest",)) -> Episode:
    config = load_config(overrides={"source_language": "en", "channels": channels})
    ctx, episode = prepare_run(RunRequest(source=source, out=out, targets=["es"]), config)
    return run_stages(episode, ctx, names=names)


def test_channel_measure_tells_separate_talkers_from_a_stereo_mix() -> None:
    rng = np.random.default_rng(0)
    talk = rng.normal(0, 0.1, RATE * 4).astype(np.float32) * np.repeat(rng.random(40) > 0.5, RATE // 10)
    other = rng.normal(0, 0.1, RATE * 4).astype(np.float32) * np.repeat(rng.random(40) > 0.5, RATE // 10)
    separate = channel_talkers(np.stack([talk + LEAK * other, other + LEAK * talk], axis=1), RATE)
    mixed = channel_talkers(np.stack([talk + 0.8 * other, 0.9 * talk + other], axis=1), RATE)
    assert separate.separate and separate.correlation < 0.2
    assert not mixed.separate and mixed.correlation > 0.5


@pytest.mark.slow
def test_split_channels_are_one_talker_each_and_a_mix_suggests_it(interview: tuple[Path, list[SpeechTurn]], tmp_path: Path) -> None:
    source, truth = interview
    split = _run(source, tmp_path / "split", "split", ("ingest", "diarize"))
    assert len(split.channel_audio) == 2
    speakers = {turn.speaker for turn in split.turns}
    assert len(speakers) == 2
    talker = {"left": split.turns[0].speaker, "right": ({"SPEAKER_00", "SPEAKER_01"} - {split.turns[0].speaker}).pop()}
    for true in truth:  # every true turn is its channel's speaker's, and the other's leak into that channel is not
        for side, speaker in talker.items():
            covered = sum(max(0.0, min(t.end, true.end) - max(t.start, true.start)) for t in split.turns if t.speaker == speaker)
            share = covered / (true.end - true.start)
            assert share > 0.8 if side == true.speaker else share < 0.05, (true, side, share, split.turns)

    mixed = _run(source, tmp_path / "mix", "mix")
    assert not mixed.channel_audio
    assert any("--channels split" in warning for warning in mixed.warnings), mixed.warnings

    left = _run(source, tmp_path / "left", "left")
    assert not left.channel_audio
    heard, _ = soundfile.read(next((tmp_path / "left").rglob("*.c0.16k.wav")), dtype="float32")

    def level(side: str) -> float:
        speech = np.concatenate([heard[int(t.start * RATE) : int(t.end * RATE)] for t in truth if t.speaker == side])
        return float(np.sqrt(np.mean(speech**2)))

    assert 20 * np.log10(level("right") / level("left")) < -20  # the guest only leaks into the interviewer's channel


def test_a_bad_channels_choice_is_one_clear_line(tmp_path: Path) -> None:
    assert_clean_failure(run_cli("run", tmp_path / "x.mp4", "--to", "en", "--channels", "both", "--out", tmp_path), "channels")
