"""Target windows and the retiming ladder, with real espeak-ng speech and Rubber Band stretches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.cache import WorkDir
from localize.config import DubConfig
from localize.media.audio import MIX_RATE
from localize.model import Line, Rendition, RenditionFlag, Screen, Sight, Take, Word
from localize.registry import create
from localize.stages.dub.backend import Synthesizer
from localize.stages.dub.casting import find_voice, load_catalog
from localize.stages.dub.retime import FIT_TOLERANCE, STRICT_TOLERANCE, Voice, Window, fit_take, split_text
from localize.stages.dub.stage import resolve_overlaps
from localize.stages.dub.windows import GUARD, plan_windows, speech_spans

CONFIG = DubConfig()
TEXT = "The water is ready, do you want a mate before work?"
SHORT = "Do you want a mate now?"


def words(*spans: tuple[float, float, str]) -> list[Word]:
    return [Word(text=text, start=start, end=end) for start, end, text in spans]


def line(lid: str, start: float, end: float, *spans: tuple[float, float, str]) -> Line:
    return Line(id=lid, start=start, end=end, speaker="A", text=" ".join(s[2] for s in spans), words=words(*spans))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> WorkDir:
    folder = WorkDir(tmp_path_factory.mktemp("retime"), "episode")
    folder.prepare()
    return folder


@pytest.fixture(scope="module")
def espeak() -> Synthesizer:
    synthesizer: Synthesizer = create("tts", "espeak-ng.v1")
    return synthesizer


@pytest.fixture(scope="module")
def natural(espeak: Synthesizer, workdir: WorkDir) -> float:
    """Seconds the test sentence takes at the natural rate."""
    voice = find_voice(load_catalog("en"), "en-espeak-m3")
    assert voice is not None
    return Voice(espeak, voice, workdir).say(TEXT, 1.0).duration


def test_long_internal_pause_splits_the_line() -> None:
    spoken = line("L1", 1.0, 5.0, (1.0, 1.4, "Gracias,"), (1.5, 2.0, "Lucía."), (3.5, 4.0, "No"), (4.1, 5.0, "llego."))
    spans = speech_spans(spoken, CONFIG.pause_split)
    assert [(s.start, s.end) for s in spans] == [(1.0, 2.0), (3.5, 5.0)]
    assert len(speech_spans(spoken, 2.0)) == 1


def test_windows_start_at_source_speech_and_never_reach_the_next_line() -> None:
    lines = [
        line("L1", 0.5, 2.0, (0.5, 2.0, "uno")),
        line("L2", 2.2, 4.0, (2.2, 4.0, "dos")),  # 0.2 s after L1
        line("L3", 3.8, 6.0, (3.8, 6.0, "tres")),  # overlaps L2
        line("L4", 9.0, 10.0, (9.0, 10.0, "cuatro")),  # long silence before
    ]
    planned = plan_windows(lines, 12.0, CONFIG)
    windows = [planned[lid][0][0] for lid in ("L1", "L2", "L3", "L4")]
    assert [w.start for w in windows] == [0.5, 2.2, 3.8, 9.0]
    assert windows[0].latest + GUARD <= windows[1].earliest + 1e-9
    assert windows[0].end <= windows[1].start
    assert windows[2].earliest >= windows[1].start - CONFIG.max_lead
    assert windows[3].earliest == pytest.approx(9.0 - CONFIG.max_lead)
    assert windows[2].latest == pytest.approx(windows[3].earliest - GUARD), "all the silence up to the next line, for an overrun"


def test_split_text_prefers_punctuation() -> None:
    assert split_text("Thanks, Lucía. I do not know if I will make it.", [1.0, 1.4]) == [
        "Thanks, Lucía.",
        "I do not know if I will make it.",
    ]
    assert split_text("Hi", [1.0, 1.0]) is None


def fitted(espeak: Synthesizer, workdir: WorkDir, length: float, texts: list[str], room: float = 0.0, voice: str = "en-espeak-m3"):  # type: ignore[no-untyped-def]
    spec = find_voice(load_catalog("en"), voice)
    assert spec is not None
    window = Window(10.0, 10.0 + length, 10.0 - min(room, 0.3), 10.0 + length + room)
    return fit_take(espeak, spec, texts, [(window, 1.0)], workdir, CONFIG), window


@pytest.mark.slow
@pytest.mark.parametrize(
    ("squeeze", "step"),
    [(1.0, "natural"), (1.12, "rate"), (1.4, "stretch")],
)
def test_ladder_uses_the_cheapest_step_that_fits(espeak: Synthesizer, workdir: WorkDir, natural: float, squeeze: float, step: str) -> None:
    take, window = fitted(espeak, workdir, natural / squeeze, [TEXT], room=0.2)
    assert take.ladder_step == step
    assert take.start == window.start
    assert abs(take.start + take.duration - window.end) <= FIT_TOLERANCE + 0.25
    assert CONFIG.min_rate <= take.rate <= CONFIG.max_rate
    assert 1 / CONFIG.max_stretch - 1e-3 <= take.stretch <= CONFIG.max_stretch + 1e-3
    audio, rate = soundfile.read(workdir.resolve(take.audio))
    assert rate == MIX_RATE and len(audio) / rate == pytest.approx(take.duration, abs=0.002)


@pytest.mark.slow
def test_shorter_candidate_before_stretching(espeak: Synthesizer, workdir: WorkDir, natural: float) -> None:
    spec = find_voice(load_catalog("en"), "en-espeak-m3")
    assert spec is not None
    short = Voice(espeak, spec, workdir).say(SHORT, 1.0).duration
    assert natural / short > CONFIG.max_rate + 0.1, "the translation must not fit by rate alone"
    take, _ = fitted(espeak, workdir, short, [TEXT, SHORT])
    assert take.ladder_step == "candidate" and take.text == SHORT and "candidate" in take.steps
    assert take.flags == []


@pytest.mark.slow
def test_borrowing_silence_then_flagging_never_drops_the_take(espeak: Synthesizer, workdir: WorkDir, natural: float) -> None:
    borrowed, window = fitted(espeak, workdir, natural / 1.8, [TEXT], room=0.8)
    assert borrowed.ladder_step == "borrow" and borrowed.flags == ["at-limits"], "the fastest rate and the furthest stretch"
    assert borrowed.window_end > window.end and borrowed.window_end <= window.latest
    assert borrowed.stretch <= CONFIG.max_stretch + 1e-3
    further, window = fitted(espeak, workdir, natural / 4.0, [TEXT], room=3.0)
    assert further.ladder_step == "borrow" and "overrun" not in further.flags, "more than max_borrow of silence rather than an overrun"
    assert further.window_end - window.end > CONFIG.max_borrow and further.start + further.duration <= window.latest + 1e-3
    flagged, window = fitted(espeak, workdir, natural / 3.0, [TEXT])
    assert flagged.ladder_step == "flagged" and flagged.flags == ["at-limits", "overrun"]
    assert flagged.start == window.start and flagged.duration > 0
    assert flagged.stretch <= CONFIG.max_stretch + 1e-3


@pytest.mark.slow
def test_take_keeps_the_source_pause(espeak: Synthesizer, workdir: WorkDir) -> None:
    spec = find_voice(load_catalog("en"), "en-espeak-f3")
    assert spec is not None
    spoken = line("L1", 1.0, 6.0, (1.0, 1.6, "Gracias,"), (1.7, 2.4, "Lucía."), (4.0, 4.6, "No"), (4.7, 6.0, "sé si llego."))
    planned = plan_windows([spoken], 8.0, CONFIG)["L1"]
    assert len(planned) == 2
    take = fit_take(espeak, spec, ["Thanks, Lucía. I do not know if I will make it."], planned, workdir, CONFIG)
    audio, rate = soundfile.read(workdir.resolve(take.audio))
    second = round((planned[1][0].start - take.start) * rate)
    assert take.start == 1.0
    # Silence where the source pauses, speech from the second span's start on.
    gap = audio[round(0.1 * rate) + round((planned[0][0].end - take.start) * rate) : second - round(0.05 * rate)]
    assert len(gap) > 0.8 * rate and float(np.max(np.abs(gap))) == 0.0
    assert float(np.max(np.abs(audio[second : second + round(0.3 * rate)]))) > 0.01


def test_silent_engine_output_is_a_synthesis_error(tmp_path: Path, workdir: WorkDir) -> None:
    from localize.stages.dub.backend import SynthesisError
    from localize.stages.dub.retime import Voice as RetimeVoice

    class Silent(Synthesizer):
        name = "silent.test"

        def synthesize(self, text: str, voice, rate: float, out: Path) -> None:  # type: ignore[no-untyped-def]
            soundfile.write(out, np.zeros(4800, dtype=np.float32), 48000)

    spec = find_voice(load_catalog("en"), "en-espeak-m3")
    assert spec is not None
    with pytest.raises(SynthesisError, match="no speech"):
        RetimeVoice(Silent(Silent.Options()), spec, workdir).say("hello", 1.0)


@pytest.mark.slow
def test_short_take_pauses_where_the_source_breathes(espeak: Synthesizer, workdir: WorkDir) -> None:
    spec = find_voice(load_catalog("en"), "en-espeak-m3")
    assert spec is not None
    text = "Good morning, is young Martín here?"
    natural = Voice(espeak, spec, workdir).say(text, 1.0).duration
    end = 1.0 + natural * CONFIG.max_stretch / CONFIG.min_rate + 1.2
    spoken = line("L1", 1.0, end, (1.0, 1.4, "Buenos"), (1.45, 1.9, "días,"), (2.6, 3.0, "está"), (3.05, end, "el joven Martín."))
    with_breaths = fit_take(espeak, spec, [text], plan_windows([spoken], end + 2, CONFIG)["L1"], workdir, CONFIG)
    unbroken = DubConfig(breath_pause=5.0)
    without = fit_take(espeak, spec, [text], plan_windows([spoken], end + 2, unbroken)["L1"], workdir, unbroken)
    assert "short" in without.flags
    assert abs(with_breaths.duration_error) < abs(without.duration_error)
    audio, rate = soundfile.read(workdir.resolve(with_breaths.audio))
    breath = audio[round((1.95 - with_breaths.start) * rate) : round((2.55 - with_breaths.start) * rate)]
    assert float(np.max(np.abs(breath))) == 0.0
    assert float(np.max(np.abs(audio[round((2.6 - with_breaths.start) * rate) :][: rate // 4]))) > 0.01


def test_a_take_that_would_overrun_the_next_starts_earlier_into_silence() -> None:
    lines = [line("L1", 1.0, 2.0, (1.0, 2.0, "uno")), line("L2", 5.0, 7.0, (5.0, 7.0, "dos")), line("L3", 7.5, 9.0, (7.5, 9.0, "tres"))]

    def rendition(line_id: str, start: float, duration: float) -> Rendition:
        flags = [RenditionFlag.OVERRUN] if line_id == "L2" else []
        take = Take(
            audio=f"{line_id}.wav", voice="v", start=start, duration=duration, window_start=start, window_end=start + duration, flags=flags
        )
        return Rendition(line_id=line_id, text=line_id, take=take)

    renditions = {"L1": rendition("L1", 1.0, 1.2), "L2": rendition("L2", 5.0, 2.9), "L3": rendition("L3", 7.5, 1.5)}
    marked = resolve_overlaps(lines, renditions, CONFIG.pause_split)
    moved = marked["L2"].take
    assert moved is not None and moved.start == pytest.approx(5.0 - 0.4) and moved.overlap == 0.0
    assert marked["L2"].all_flags == ["early", "overrun"] and marked["L3"].take == renditions["L3"].take

    cramped = {**renditions, "L1": rendition("L1", 1.0, 3.8)}  # L1 now ends at 4.8: only 0.15 s of silence before L2
    marked = resolve_overlaps(lines, cramped, CONFIG.pause_split)
    squeezed = marked["L2"].take
    assert squeezed is not None and squeezed.start == pytest.approx(4.8 + GUARD) and squeezed.overlap == pytest.approx(0.25)
    assert marked["L2"].all_flags == ["early", "overlap", "overrun"]


def sight(screen: Screen, **fields: object) -> Sight:
    return Sight(screen=screen, face=0, **fields)  # type: ignore[arg-type]


def test_seen_lines_have_exact_windows_and_unseen_ones_slack_within_the_silence() -> None:
    lines = [line("L1", 1.0, 2.0, (1.0, 2.0, "uno")), line("L2", 3.0, 4.0, (3.0, 4.0, "dos")), line("L3", 6.0, 7.0, (6.0, 7.0, "tres"))]
    sights = {"L1": sight(Screen.ON, mouth_open=0.96, mouth_close=2.04), "L2": sight(Screen.OFF), "L3": sight(Screen.UNCLEAR)}
    planned = plan_windows(lines, 10.0, CONFIG, sights)
    seen, unseen, unclear = (planned[lid][0][0] for lid in ("L1", "L2", "L3"))
    assert (seen.start, seen.end, seen.strict, seen.room) == (0.96, 2.04, True, pytest.approx(1.08))
    assert unseen.slack_before == pytest.approx(min(CONFIG.off_screen_lead, (3.0 - 2.04 - GUARD) / 2))
    assert unseen.start - unseen.slack_before >= seen.end + GUARD - 1e-9, "an early start never reaches the line before"
    assert unseen.end + unseen.slack_after + GUARD <= unclear.earliest + 1e-9, "nor does a late end reach the line after"
    assert unseen.slack_after == pytest.approx(CONFIG.off_screen_tail)
    assert unclear.slack_before == unclear.slack_after == 0.0 and not unclear.strict
    assert plan_windows(lines, 10.0, CONFIG) == plan_windows(lines, 10.0, CONFIG, {}), "without a picture, windows as before"


@pytest.mark.slow
def test_an_off_screen_take_runs_into_silence_where_an_unseen_one_is_sped_up(espeak: Synthesizer, workdir: WorkDir, natural: float) -> None:
    spec = find_voice(load_catalog("en"), "en-espeak-m3")
    assert spec is not None
    spoken = line("L1", 2.0, 2.0 + natural - 0.5, (2.0, 2.0 + natural - 0.5, TEXT))
    plain = fit_take(espeak, spec, [TEXT], plan_windows([spoken], 20.0, CONFIG)["L1"], workdir, CONFIG)
    off = fit_take(espeak, spec, [TEXT], plan_windows([spoken], 20.0, CONFIG, {"L1": sight(Screen.OFF)})["L1"], workdir, CONFIG)
    assert plain.rate > 1.0 or plain.stretch > 1.0
    assert (off.rate, off.stretch, off.ladder_step, off.flags) == (1.0, 1.0, "natural", [])
    assert off.start == 2.0 and off.duration == pytest.approx(natural, abs=0.01), "the slack after the line first"


@pytest.mark.slow
def test_an_on_screen_take_fills_the_mouth_from_opening_to_closing(espeak: Synthesizer, workdir: WorkDir, natural: float) -> None:
    spec = find_voice(load_catalog("en"), "en-espeak-m3")
    assert spec is not None
    spoken = line("L1", 2.0, 2.0 + natural, (2.0, 2.0 + natural, TEXT))
    opened, closed = 1.9, 1.9 + natural / 1.1
    seen = {"L1": sight(Screen.ON, mouth_open=opened, mouth_close=closed)}
    take = fit_take(espeak, spec, [TEXT], plan_windows([spoken], 20.0, CONFIG, seen)["L1"], workdir, CONFIG)
    assert take.start == pytest.approx(opened)
    assert abs(take.start + take.duration - closed) <= STRICT_TOLERANCE + 0.005, "within a frame of the closing"
