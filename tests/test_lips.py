"""The lips stage on real faces: a GRID corpus clip (CC BY 4.0, see tests/data/README.md) as itself, with its face
covered, and with its sound moved against its picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from localize.cache import WorkDir
from localize.config import Config
from localize.doctor import check_all
from localize.media.audio import read_audio, write_wav
from localize.media.faces import face_model_files, face_models_missing
from localize.media.lipsync import Samples, correlate, mouth_curve, speech_envelope
from localize.media.mouths import MouthTracks, track_mouths
from localize.media.probe import probe
from localize.model import Episode, Line, MediaInfo, Picture, Rendition, Screen, Sight, Take, TakeSync, Track
from localize.qc.checks import assess
from localize.rules import SubtitleRules
from localize.script import SCRIPT_COLUMNS, script_rows
from localize.stages.base import RunContext, run_stage
from localize.stages.dub.lipsync import score_lip_sync
from localize.stages.ingest import IngestStage
from localize.stages.lips import LipsStage
from localize.studio.views import row_view
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


def _seen_episode(offset: float | None) -> Episode:
    source = MediaInfo(path=Path("ep.mp4"), size=1, fingerprint="f", duration=10.0, container="mp4", frame_rate=25.0)
    lines = [Line(id=f"L{i}", start=i * 2.0, end=i * 2.0 + 1.5, speaker="A", text=f"línea {i}") for i in range(1, 4)]
    sights = {
        "L1": Sight(screen=Screen.ON, face=0, score=0.6, mouth_open=2.0, mouth_close=3.5),
        "L2": Sight(screen=Screen.OFF),
        "L3": Sight(screen=Screen.ON, face=0, score=0.5, mouth_open=6.0, mouth_close=7.5),
    }
    picture = Picture(mouths="m.npz", rate=12.5, faces=1, sync_offset=offset, sync_lines=12 if offset is not None else 0, lines=sights)

    def take(start: float, sync: TakeSync | None) -> Take:
        return Take(audio="t.wav", voice="v", start=start, duration=1.5, window_start=start, window_end=start + 1.5, lip_sync=sync)

    renditions = {
        "L1": Rendition(line_id="L1", text="line one", take=take(2.0, TakeSync(score=0.45, lag=0.02, onset_error=0.0, end_error=0.02))),
        "L2": Rendition(line_id="L2", text="line two", take=take(4.0, None)),
        "L3": Rendition(line_id="L3", text="line three", take=take(6.2, TakeSync(score=0.05, lag=0.2, onset_error=0.2, end_error=0.2))),
    }
    return Episode(id="ep", source=source, lines=lines, picture=picture, tracks={"en": Track(language="en", renditions=renditions)})


def test_qc_names_the_takes_off_the_lips_and_a_source_out_of_sync(tmp_path: Path) -> None:
    report = assess(_seen_episode(0.12), tmp_path, [], Config(), [], 25.0)
    lips = next(check for check in report.all_checks() if check.name == "lip-sync")
    assert (
        lips.passed is False
        and "2 on-screen takes" in lips.summary
        and lips.details == ("L3: score 0.05 at +200 ms, onset +200 ms, end +200 ms",)
    )
    assert [row.line_id for row in report.languages[0].lip_lines] == ["L3", "L1"], "worst first"
    sync = next(check for check in report.checks if check.name == "source-sync")
    assert sync.passed is False and "+120 ms (+3.0 frames)" in sync.summary and "2 lines on screen, 1 off" in sync.summary
    in_step = next(check for check in assess(_seen_episode(0.02), tmp_path, [], Config(), [], 25.0).checks if check.name == "source-sync")
    assert in_step.passed is True
    unmeasured = next(
        check for check in assess(_seen_episode(None), tmp_path, [], Config(), [], 25.0).checks if check.name == "source-sync"
    )
    assert unmeasured.passed is None


def test_the_dubbing_script_marks_lines_on_and_off(tmp_path: Path) -> None:
    rows = script_rows(_seen_episode(0.0), "en")
    column = SCRIPT_COLUMNS.index("ON/OFF")
    assert [row[column] for row in rows] == ["ON", "OFF", "ON"]
    assert "lips 0.45" in rows[0][SCRIPT_COLUMNS.index("Take fit")]
    unseen = _seen_episode(0.0).model_copy(update={"picture": None})
    assert [row[column] for row in script_rows(unseen, "en")] == ["", "", ""]


def test_a_take_is_scored_against_the_mouth_it_dubs(tmp_path: Path, tracks: MouthTracks) -> None:
    workdir = WorkDir(tmp_path, "ep")
    workdir.prepare()
    tracks.save(workdir.artifacts / "mouths.npz")
    speech = read_audio(CLIP, 48000)
    start, end = round(SPEECH[0] * 48000), round(SPEECH[1] * 48000)
    write_wav(workdir.artifacts / "take.wav", speech[start:end], 48000, subtype="FLOAT")
    sight = Sight(screen=Screen.ON, face=0, score=0.5, mouth_open=SPEECH[0], mouth_close=SPEECH[1])
    picture = Picture(mouths=workdir.relative(workdir.artifacts / "mouths.npz"), rate=tracks.rate, lines={"L1": sight})

    def scored(at: float) -> TakeSync:
        take = Take(
            audio=workdir.relative(workdir.artifacts / "take.wav"),
            voice="v",
            start=at,
            duration=SPEECH[1] - SPEECH[0],
            window_start=at,
            window_end=at + 1.5,
        )
        result = score_lip_sync({"L1": Rendition(line_id="L1", text="x", take=take)}, picture, workdir)["L1"].take
        assert result is not None and result.lip_sync is not None
        return result.lip_sync

    in_step, late = scored(SPEECH[0]), scored(SPEECH[0] + 0.2)
    assert in_step.score > 0.4 and abs(in_step.lag) <= 0.08 and in_step.onset_error == 0.0
    assert late.onset_error == pytest.approx(0.2) and late.lag == pytest.approx(0.2, abs=0.08)


def test_the_doctor_finds_the_face_models_in_the_installed_wheel() -> None:
    row = next(check for check in check_all() if check.name == "mediapipe-face-mesh.v1")
    assert row.kind == "lips" and row.usable and row.default
    assert face_models_missing() is None and all(path.suffix == ".tflite" and path.is_file() for path in face_model_files())


def test_the_studio_shows_each_line_on_or_off(tmp_path: Path) -> None:
    episode = _seen_episode(0.0)
    assert [row_view(episode, line, "en", SubtitleRules(), None).screen for line in episode.lines] == ["ON", "OFF", "ON"]
    unseen = episode.model_copy(update={"picture": None})
    assert row_view(unseen, unseen.lines[0], "en", SubtitleRules(), None).screen == ""
