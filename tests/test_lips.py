"""The lips stage on real faces: a GRID corpus clip (CC BY 4.0, see tests/data/README.md) as itself, with its face
covered, and with its sound moved against its picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from localize.cache import WorkDir
from localize.config import Config
from localize.media.audio import read_audio
from localize.media.lipsync import Samples, correlate, mouth_curve, speech_envelope
from localize.media.mouths import MouthTracks, track_mouths
from localize.media.probe import probe
from localize.model import Episode, Line, Screen
from localize.stages.base import RunContext, run_stage
from localize.stages.ingest import IngestStage
from localize.stages.lips import LipsStage
from tests.conftest import ffmpeg

CLIP = Path(__file__).parent / "data" / "grid-lbax4n.mp4"
"""2.2 s of a GRID speaker saying "lay blue at x four now" (speech from about 0.3 s to 1.8 s), 240x192, 25 fps."""
SPEECH = (0.27, 1.8)


@pytest.fixture(scope="module")
def tracks() -> MouthTracks:
    return track_mouths(CLIP, 25.0, 240, 192, [])


def _lag(tracks: MouthTracks, delay: float) -> tuple[float, float]:
    sound = Samples(read_audio(CLIP, 16000), 16000, start=delay)
    mouth = mouth_curve(tracks, 0, 0.1, 2.1)
    found = correlate(speech_envelope(sound, 0.1 - 0.5, 2.1 + 0.5), mouth, 0.5)
    return found.lag, found.score


def test_one_face_is_followed_and_its_mouth_opens_while_it_speaks(tracks: MouthTracks) -> None:
    assert set(tracks.track.tolist()) == {0} and len(tracks.frame) >= tracks.frames - 1
    assert tracks.rate == 12.5 and tracks.face_size(0) > 0.5
    times, opening = tracks.series(0)
    speaking = (times > SPEECH[0] + 0.1) & (times < SPEECH[1])
    assert opening[speaking].max() > 2 * np.median(opening[times > 1.9])


@pytest.mark.parametrize("delay", [0.0, 0.2, -0.2])
def test_the_sound_is_found_where_it_was_moved(tracks: MouthTracks, delay: float) -> None:
    lag, score = _lag(tracks, delay)
    assert score > 0.4
    assert abs(lag - delay) <= 0.08, f"sound moved {delay:+.2f} s, found at {lag:+.2f} s"


def _episode(tmp_path: Path, video: Path, spans: list[tuple[float, float]]) -> tuple[Episode, RunContext]:
    workdir = WorkDir(tmp_path / "out", "ep")
    workdir.prepare()
    lines = [Line(id=f"L{i}", start=start, end=end, speaker="A", text="x") for i, (start, end) in enumerate(spans, start=1)]
    ctx = RunContext(workdir=workdir, config=Config(), targets=[])
    return run_stage(IngestStage(), Episode(id="ep", source=probe(video), lines=lines), ctx), ctx


@pytest.mark.slow
def test_a_seen_speaker_is_on_screen_and_a_covered_one_off(tmp_path: Path) -> None:
    programme = tmp_path / "programme.mkv"
    box = "drawbox=x=40:y=10:w=160:h=182:color=gray:t=fill"
    graph = f"[0:v]split=3[a][b][c];[b]{box}[covered];[0:a]asplit=3[x][y][z];[a][x][covered][y][c][z]concat=n=3:v=1:a=1[v][s]"
    ffmpeg("-i", CLIP, "-filter_complex", graph, "-map", "[v]", "-map", "[s]", "-c:a", "pcm_s16le", programme)
    spans = [(SPEECH[0] + offset, SPEECH[1] + offset) for offset in (0.0, 2.2, 4.4)]
    episode, ctx = _episode(tmp_path, programme, spans)
    seen = run_stage(LipsStage(), episode, ctx)
    assert seen.picture is not None and ctx.workdir.resolve(seen.picture.mouths).is_file()
    assert [seen.screen(line.id) for line in seen.lines] == [Screen.ON, Screen.OFF, Screen.ON]
    on = seen.picture.lines["L1"]
    assert on.mouth_open is not None and on.mouth_close is not None
    assert abs(on.mouth_open - SPEECH[0]) < 0.25 and abs(on.mouth_close - SPEECH[1]) < 0.25
    assert seen.picture.sync_offset is None, "two lines are too few to measure the source's offset"


def test_a_source_without_picture_has_no_sight(tmp_path: Path) -> None:
    sound = tmp_path / "sound.wav"
    ffmpeg("-i", CLIP, "-vn", sound)
    episode, ctx = _episode(tmp_path, sound, [SPEECH])
    assert run_stage(LipsStage(), episode, ctx).picture is None
