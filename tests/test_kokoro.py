"""Kokoro-82M backend: espeak-ng phonemes in Kokoro's symbols, style blends, the float-convolution model, real synthesis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.cache import WorkDir
from localize.config import DubConfig
from localize.registry import create
from localize.stages.dub import kokoro
from localize.stages.dub.backend import SynthesisError, VoiceSpec
from localize.stages.dub.kokoro import KOKORO_RATE, MAX_PHONEMES, _pieces, parse_blend
from localize.stages.dub.kokoro_graph import float_convolutions
from localize.stages.dub.phonemes import espeak_voice, kokoro_phonemes
from localize.stages.dub.retime import FIT_TOLERANCE, Voice, Window, fit_take


def test_language_tags_find_espeak_voices() -> None:
    assert espeak_voice("pt-BR") == "pt-br"
    assert espeak_voice("fr") == "fr-fr"
    assert espeak_voice("en") == "en-us"
    assert espeak_voice("es") == "es"
    assert espeak_voice("tlh") is None


def test_phonemes_use_kokoro_symbols_and_keep_punctuation() -> None:
    english = kokoro_phonemes("Hello, how are you? I enjoy chocolate.", "en-us")
    assert "O" in english and "W" in english and "Y" in english and "ʧ" in english  # oʊ, aʊ, ɔɪ, tʃ as single symbols
    assert "^" not in english and "ː" not in english
    assert english.count(",") == 1 and english.count("?") == 1 and english.endswith(".")
    french = kokoro_phonemes("Je dis hello, bonjour !", "fr-fr")
    assert "(" not in french and "en" not in french.replace("ɑ̃", "")  # espeak-ng's language-switch marks are gone
    assert french.endswith("!")
    assert "¿" not in kokoro_phonemes("¿Querés un mate?", "es")


def test_style_blends_parse_and_bad_ones_are_refused() -> None:
    assert parse_blend("jm_kumo") == (("jm_kumo", 1.0),)
    assert parse_blend("jf_alpha*0.6+jm_kumo*0.4") == (("jf_alpha", 0.6), ("jm_kumo", 0.4))
    assert parse_blend("jm_kumo*1.3+jf_alpha*-0.3") == (("jm_kumo", 1.3), ("jf_alpha", -0.3))
    for bad in ("", "jf_alpha*", "a*1+b*-1", "../x"):
        with pytest.raises(ValueError):
            parse_blend(bad)


def test_long_phoneme_strings_are_cut_at_clauses_within_the_context() -> None:
    clause = "ˈaβlo ˈmuʧo, " * 20 + "i ˈnuŋka ˈpaɾo. "
    pieces = _pieces(clause * 4, lambda text: [ord(c) for c in text if c != " "])
    assert len(pieces) > 1
    assert all(len(piece.replace(" ", "")) <= MAX_PHONEMES for piece in pieces)
    assert all(piece.rstrip()[-1] in ",." for piece in pieces[:-1])  # cut after punctuation, not inside a word
    words = "palabra " * 200
    assert all(len(p.replace(" ", "")) <= MAX_PHONEMES for p in _pieces(words, lambda text: [ord(c) for c in text if c != " "]))
    with pytest.raises(SynthesisError, match="longer than Kokoro's context"):  # the dub stage's espeak-ng fallback speaks it
        _pieces("a" * (MAX_PHONEMES + 1) + ", hola.", lambda text: [ord(c) for c in text if c != " "])


def test_integer_convolutions_become_float_ones_with_the_same_output(tmp_path: Path) -> None:
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    rng = np.random.default_rng(0)
    weight = rng.normal(0, 0.3, (8, 4, 5)).astype(np.float32)
    bias = rng.normal(0, 0.1, 8).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w", "b"], ["h"], pads=[2, 2]),
            helper.make_node("Relu", ["h"], ["y"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, None])],
        [numpy_helper.from_array(weight, "w"), numpy_helper.from_array(bias, "b")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, tmp_path / "float.onnx")
    quantize_dynamic(tmp_path / "float.onnx", tmp_path / "int8.onnx", op_types_to_quantize=["Conv"], weight_type=QuantType.QUInt8)
    assert any(n.op_type == "ConvInteger" for n in onnx.load(tmp_path / "int8.onnx").graph.node)

    assert float_convolutions(tmp_path / "int8.onnx", tmp_path / "fconv.onnx") == 1
    converted = onnx.load(tmp_path / "fconv.onnx")
    assert not any(n.op_type in {"ConvInteger", "DynamicQuantizeLinear"} for n in converted.graph.node)
    x = rng.normal(0, 1, (1, 4, 50)).astype(np.float32)
    run = {name: onnxruntime.InferenceSession(tmp_path / name).run(None, {"x": x})[0] for name in ("float.onnx", "fconv.onnx", "int8.onnx")}
    assert np.max(np.abs(run["fconv.onnx"] - run["float.onnx"])) < 0.05  # only the weights' int8 rounding is left
    assert np.max(np.abs(run["fconv.onnx"] - run["int8.onnx"])) < 0.1


def _voice(language: str, blend: str = "jm_kumo", speed: float = 1.0) -> VoiceSpec:
    return VoiceSpec(id="k", backend="kokoro.v1", voice=blend, language=language, gender="male", pitch_hz=120, speed=speed)


@pytest.mark.slow
def test_kokoro_speaks_a_line_and_a_long_one_in_pieces_without_clicks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synthesizer = create("tts", "kokoro.v1", {})
    short = tmp_path / "short.wav"
    text = "Dis, Martin, tu veux un maté ? L'eau est prête."
    synthesizer.synthesize(text, _voice("fr"), 1.0, short)
    audio, rate = soundfile.read(short)
    assert rate == KOKORO_RATE and 1.5 < len(audio) / rate < 6 and np.max(np.abs(audio)) > 0.05
    estimate = synthesizer.estimate_seconds(text, _voice("fr"))
    loud = np.flatnonzero(np.abs(audio) > 0.01 * np.max(np.abs(audio)))
    assert estimate is not None and abs(estimate - (loud[-1] - loud[0]) / rate) < 0.15, "the duration predictor tells the length"
    slower = synthesizer.estimate_seconds(text, _voice("fr", speed=0.8))
    assert slower is not None and slower == pytest.approx(estimate / 0.8, rel=0.05)
    faster = tmp_path / "faster.wav"
    synthesizer.synthesize(text, _voice("fr", speed=1.25), 1.0, faster)
    assert soundfile.info(str(faster)).duration < 0.9 * len(audio) / rate

    sentence = "Je ne sais pas si j'arrive à l'heure, mais j'essaie, parce que le bus ne passe jamais quand il faut. "
    long = tmp_path / "long.wav"
    assert len(kokoro_phonemes(sentence * 8, "fr-fr")) > MAX_PHONEMES
    monkeypatch.setattr(kokoro, "MAX_PHONEMES", 60)  # the same cut and join as past 510 phonemes, on a sentence
    synthesizer.synthesize(sentence, _voice("fr", "jm_kumo*0.7+jf_alpha*0.3"), 1.0, long)
    joined, _ = soundfile.read(long)
    assert len(joined) / rate > 4
    steps = np.abs(np.diff(joined))
    assert np.max(steps) < 0.5 * np.max(np.abs(joined))  # no step from one sample to the next as large as a click
    quiet = np.convolve(np.abs(joined) < 1e-4, np.ones(round(0.14 * rate)), "valid") >= round(0.14 * rate)
    assert quiet.any()  # the pieces are joined with a pause


def test_kokoro_refuses_unknown_styles_and_languages_espeak_cannot_read(tmp_path: Path) -> None:
    synthesizer = create("tts", "kokoro.v1", {})
    with pytest.raises(SynthesisError, match="espeak-ng has no voice"):
        synthesizer.synthesize("qapla'", _voice("tlh"), 1.0, tmp_path / "x.wav")
    with pytest.raises(SynthesisError, match="not a Kokoro style blend"):
        synthesizer.synthesize("hola", _voice("es", "jm_kumo*"), 1.0, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.slow
def test_a_kokoro_take_is_spoken_once_at_the_rate_its_predicted_length_fits(tmp_path: Path) -> None:
    synthesizer = create("tts", "kokoro.v1", {})
    workdir = WorkDir(tmp_path, "episode")
    workdir.prepare()
    text = "On y va, le bus arrive."
    curve = synthesizer.duration_curve(text, _voice("fr"))
    assert curve is not None and curve(1.2) < curve(1.0) < curve(0.85)
    room = curve(1.0) / 1.12
    window = Window(start=1.0, end=1.0 + room, earliest=0.5, latest=1.0 + room + FIT_TOLERANCE)
    take = fit_take(synthesizer, _voice("fr"), [text], [(window, 1.0)], workdir, DubConfig())
    assert take.ladder_step == "rate" and 1.05 < take.rate < 1.2
    assert abs(take.duration - room) <= 0.25
    assert len(list(workdir.artifacts.rglob("*.clip.wav"))) == 1, "the rate was chosen before synthesis"


@pytest.mark.slow
def test_a_line_spoken_alone_on_every_core_is_the_same_take(tmp_path: Path) -> None:
    """A reviewer's single line runs Kokoro on more threads: the same sound, so the run's cached take serves both."""
    synthesizer = create("tts", "kokoro.v1", {})
    alone = synthesizer.on_cores(4)
    assert (synthesizer.options.threads, alone.options.threads) == (1, 4)
    workdir = WorkDir(tmp_path, "episode")
    workdir.prepare()
    text = "Toujours en retard, toi ? Quel désastre."
    clips = [Voice(engine, _voice("fr"), workdir).say(text, 1.0).path for engine in (synthesizer, alone)]
    assert clips[0] == clips[1], "the thread count is not part of the take's key"
    spoken = [tmp_path / "one.wav", tmp_path / "many.wav"]
    for engine, path in zip((synthesizer, alone), spoken, strict=True):
        engine.synthesize(text, _voice("fr"), 1.0, path)
    one, many = (soundfile.read(path)[0] for path in spoken)
    assert one.shape == many.shape and np.max(np.abs(one - many)) < 1e-4
