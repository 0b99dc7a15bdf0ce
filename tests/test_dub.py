"""The dub stage on a short real episode: casting, takes placed at their own starts, bad input, backends."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.config import Config, DubConfig
from localize.errors import BackendUnavailable, ModelUnavailable
from localize.model import Episode
from localize.models import resolve_model
from localize.registry import create
from localize.stages.dub import DubStage
from localize.stages.dub.backend import VoiceSpec
from localize.stages.dub.casting import fallback_voice, load_catalog
from localize.stages.dub.windows import speech_spans
from tests.dub_media import BROKEN_CATALOG, context, dubbed_episode

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dubbed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Episode, Episode, Path]:
    """The episode before and after the dub stage, and the folder holding it."""
    result = dubbed_episode(tmp_path_factory)
    return result.before, result.after, result.folder


def test_every_speakable_line_gets_a_take_at_its_own_start(dubbed: tuple[Episode, Episode, Path]) -> None:
    _, after, folder = dubbed
    track = after.tracks["en"]
    for line_id in ("L1", "L2", "L3", "L5"):
        take = track.renditions[line_id].take
        assert take is not None, line_id
        line = after.line(line_id)
        assert line is not None
        assert abs(take.start - line.words[0].start) <= DubConfig().max_lead
        assert take.overlap == 0.0
        assert take.ladder_step in {"natural", "rate", "candidate", "stretch", "borrow", "flagged"}
        audio, rate = soundfile.read(folder / "out" / "episode" / take.audio)
        assert rate == 48_000 and np.max(np.abs(audio)) > 0.01
    placed = sorted((r.take.start, r.take.start + r.take.duration) for r in track.renditions.values() if r.take)
    assert all(end <= start for (_, end), (start, _) in itertools.pairwise(placed))


def test_long_line_uses_its_shorter_candidate_or_fits(dubbed: tuple[Episode, Episode, Path]) -> None:
    _, after, _ = dubbed
    take = after.tracks["en"].renditions["L3"].take
    assert take is not None
    assert take.duration <= take.window_end - take.start + 0.05
    assert take.stretch <= DubConfig().max_stretch + 1e-3


def test_internal_pause_is_kept_in_the_take(dubbed: tuple[Episode, Episode, Path]) -> None:
    _, after, folder = dubbed
    line = after.line("L2")
    take = after.tracks["en"].renditions["L2"].take
    assert line is not None and take is not None
    spans = speech_spans(line, DubConfig().pause_split)
    assert len(spans) == 2
    audio, rate = soundfile.read(folder / "out" / "episode" / take.audio)
    pause = audio[round((spans[0].end + 0.3 - take.start) * rate) : round((spans[1].start - 0.1 - take.start) * rate)]
    assert len(pause) > 0.5 * rate and np.max(np.abs(pause)) == 0.0


def test_punctuation_only_translation_is_skipped_with_a_warning(dubbed: tuple[Episode, Episode, Path]) -> None:
    _, after, _ = dubbed
    rendition = after.tracks["en"].renditions["L4"]
    assert rendition.take is None and rendition.skipped == "not-dubbed"
    assert any("L4" in w and "punctuation" in w for w in after.warnings)


def test_failing_voice_is_retried_then_flagged_and_others_kept(dubbed: tuple[Episode, Episode, Path]) -> None:
    _, after, _ = dubbed
    # Speaker C was cast (by the manual override) to a voice espeak-ng does not have.
    assert after.tracks["en"].voices["C"] == "en-broken"
    rendition = after.tracks["en"].renditions["L6"]
    assert rendition.take is None and rendition.skipped == "tts-failed"
    assert any("L6" in w and "synthesis failed 2 times" in w for w in after.warnings)
    assert sum(r.take is not None for r in after.tracks["en"].renditions.values()) == 4


def test_a_line_the_natural_voice_cannot_speak_is_spoken_by_its_espeak_fallback(dubbed: tuple[Episode, Episode, Path]) -> None:
    from localize.stages.dub.stage import _Job
    from localize.stages.dub.windows import plan_windows

    before, after, folder = dubbed
    config = Config(dub=DubConfig(voices_dir=folder / "voices"))
    line, rendition = before.lines[0], after.tracks["en"].renditions[before.lines[0].id]
    unspeakable = VoiceSpec(id="en-kokoro-x", backend="kokoro.v1", voice="jm_nobody", language="en", gender="male", pitch_hz=112)
    fallback = fallback_voice(unspeakable, load_catalog("en", folder / "voices"))
    assert fallback is not None and fallback.id == "en-espeak-m3"
    windows = plan_windows(before.lines, before.source.duration, config.dub, {})[line.id]
    job = _Job(line, rendition, unspeakable, fallback, [rendition.text], windows)
    synthesizers = {name: create("tts", name) for name in ("kokoro.v1", "espeak-ng.v1")}
    take, problem = DubStage._fit(job, synthesizers, context(folder / "out", config))
    assert "no Kokoro style named jm_nobody" in problem
    assert take is not None and take.voice == "en-espeak-m3" and "fallback-voice" in take.flags
    without = DubStage._fit(replace(job, fallback=None), synthesizers, context(folder / "out", config))
    assert without[0] is None and "jm_nobody" in without[1]


def test_casting_from_source_speech_is_saved_and_reused(dubbed: tuple[Episode, Episode, Path]) -> None:
    before, after, folder = dubbed
    voices = after.tracks["en"].voices
    speakers = {s.id: s for s in before.speakers}
    assert speakers["A"].gender == "male" and speakers["B"].gender == "female"
    catalog = {v.id: v for v in load_catalog("en", folder / "voices")}
    assert catalog[voices["A"]].gender == "male" and catalog[voices["B"]].gender == "female"
    assert len(set(voices.values())) == 3
    saved = json.loads((folder / "casting.json").read_text())["characters"]
    assert saved["episode/A"]["voices"]["en"] == voices["A"]
    # The next run reads the casting file: same voices, even with the catalog order changed.
    reordered = folder / "voices2"
    reordered.mkdir()
    lines = BROKEN_CATALOG.strip().splitlines()
    (reordered / "en.yaml").write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    config = Config(dub=DubConfig(voices_dir=reordered, casting_file=folder / "casting.json"))
    stage = DubStage()
    casting, _ = stage._cast(before, "en", *_casting_inputs(config, before), context(folder / "out2", config))
    assert casting.voices["A"].id == voices["A"] and casting.voices["B"].id == voices["B"]


def _casting_inputs(config: Config, episode: Episode):  # type: ignore[no-untyped-def]
    from localize.stages.dub.casting import CastingFile, scene_partners

    casting_file = CastingFile.read(config.dub.casting_file)
    return casting_file, casting_file.match(episode.speakers), scene_partners(episode.lines, config.dub.scene_window)


def test_manual_override_and_unknown_voice(tmp_path: Path, dubbed: tuple[Episode, Episode, Path]) -> None:
    before, _, folder = dubbed
    config = Config(dub=DubConfig(voices_dir=folder / "voices", casting={"B": {"en": "en-nowhere"}, "A": {"en": "en-espeak-m7"}}))
    casting, _ = DubStage()._cast(before, "en", *_casting_inputs(config, before), context(tmp_path, config))
    assert casting.voices["A"].id == "en-espeak-m7"
    assert casting.voices["B"].gender == "female"
    assert any("en-nowhere" in w for w in casting.warnings)


def test_piper_speaks_with_the_bundled_and_a_user_pointed_voice(tmp_path: Path) -> None:
    bundled = Path(resolve_model("bundled:piper-en_US-joe-medium"))
    custom = tmp_path / "voices" / "my-voice.onnx"
    custom.parent.mkdir()
    shutil.copyfile(bundled / "en_US-joe-medium.onnx", custom)
    shutil.copyfile(bundled / "en_US-joe-medium.onnx.json", custom.with_suffix(".onnx.json"))
    piper = create("tts", "piper.v1")
    voice = VoiceSpec(id="mine", backend="piper.v1", voice=str(custom), language="en", gender="male", pitch_hz=120)
    out = tmp_path / "take.wav"
    piper.synthesize("The colectivo never comes on time.", voice, 1.0, out)
    fast = tmp_path / "fast.wav"
    piper.synthesize("The colectivo never comes on time.", voice, 1.2, fast)
    assert soundfile.info(str(out)).duration > 1.0
    assert soundfile.info(str(fast)).duration < soundfile.info(str(out)).duration
    bundled_voice = next(v for v in load_catalog("en") if v.id == "en-piper-joe")
    piper.synthesize("The colectivo never comes on time.", bundled_voice, 1.0, tmp_path / "bundled.wav")
    assert soundfile.info(str(tmp_path / "bundled.wav")).duration == pytest.approx(soundfile.info(str(out)).duration, rel=0.2)


def test_piper_voice_file_missing_is_a_model_error(tmp_path: Path) -> None:
    piper = create("tts", "piper.v1")
    voice = VoiceSpec(id="x", backend="piper.v1", voice=str(tmp_path / "absent.onnx"), language="en", gender="male", pitch_hz=120)
    with pytest.raises(ModelUnavailable, match="not on this machine"):
        piper.synthesize("Hello.", voice, 1.0, tmp_path / "x.wav")


def test_xtts_without_its_extra_or_model_is_a_clear_error(tmp_path: Path) -> None:
    from localize.stages.dub.xtts import XttsSynthesizer

    xtts = create("tts", "xtts.v1", {"model": str(tmp_path / "xtts")})
    reference = tmp_path / "ref.wav"
    soundfile.write(reference, np.zeros(48_000, dtype=np.float32), 48_000)
    voice = VoiceSpec(id="x", backend="xtts.v1", voice="", language="es", gender="male", pitch_hz=120, reference_audio=str(reference))
    with pytest.raises(ModelUnavailable, match="not on this machine"):
        xtts.synthesize("Hola.", voice, 1.0, tmp_path / "x.wav")
    (tmp_path / "xtts").mkdir()
    with pytest.raises(BackendUnavailable, match=r"lacks config\.json"):
        xtts.synthesize("Hola.", voice, 1.0, tmp_path / "x.wav")
    for name in ("config.json", "model.pth", "vocab.json"):
        (tmp_path / "xtts" / name).write_text("{}")
    availability = XttsSynthesizer.availability()
    if not availability.usable:
        with pytest.raises(BackendUnavailable, match="xtts") as error:
            xtts.synthesize("Hola.", voice, 1.0, tmp_path / "x.wav")
        assert "pip install 'localize[xtts]'" in error.value.one_line()


def test_clone_backend_that_cannot_run_is_one_clear_error(dubbed: tuple[Episode, Episode, Path], tmp_path: Path) -> None:
    from localize.stages.dub.xtts import XttsSynthesizer

    before, _, _ = dubbed
    if XttsSynthesizer.availability().usable:
        pytest.skip("Coqui TTS is installed here")
    ctx = context(tmp_path, Config(dub=DubConfig(clone_backend="xtts.v1")))
    with pytest.raises(BackendUnavailable, match=r"xtts\.v1 cannot run here") as error:
        DubStage().run(before, ctx)
    assert "localize[xtts]" in error.value.one_line()


def test_reference_clip_is_cut_to_fifteen_seconds_and_short_ones_warned(tmp_path: Path) -> None:
    from localize.cache import WorkDir
    from localize.stages.dub.reference import cloning_reference

    workdir = WorkDir(tmp_path, "episode")
    workdir.prepare()
    rng = np.random.default_rng(1)
    long_clip, short_clip = tmp_path / "long.wav", tmp_path / "short.wav"
    soundfile.write(long_clip, rng.normal(0, 0.1, 16_000 * 22).astype(np.float32), 16_000)
    soundfile.write(short_clip, rng.normal(0, 0.1, 16_000 * 4).astype(np.float32), 16_000)
    cut, warning = cloning_reference(long_clip, workdir)
    assert warning is None and soundfile.info(str(cut)).duration == pytest.approx(15.0)
    same, warning = cloning_reference(short_clip, workdir)
    assert same == short_clip and warning is not None and "4.0 s" in warning


def test_shorter_candidates_must_honour_the_glossary(dubbed: tuple[Episode, Episode, Path], tmp_path: Path) -> None:
    from localize.glossary import load_glossary
    from localize.model import Line, Rendition

    before, _, _ = dubbed
    ctx = context(tmp_path, Config())
    ctx.glossary = load_glossary(Path(__file__).resolve().parents[1] / "glossaries" / "colectivo.yaml")
    line = Line(id="X", start=0.0, end=2.0, speaker="A", text="El colectivo nunca pasa a horario.")
    text = "The bus never comes by on time at all."
    rendition = Rendition(line_id="X", text=text, candidates=[text, "The collective never comes.", "The bus is late.", "..."])
    assert DubStage._texts(line, rendition, before, ctx, "en") == [text, "The bus is late."]
    edited = rendition.model_copy(update={"origin": "edited"})
    assert DubStage._texts(line, edited, before, ctx, "en") == [text]
