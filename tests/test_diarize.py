"""Diarization: who speaks when, speaker-count hints, names from the speakers and character files, pyannote."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.config import load_config
from localize.errors import BackendUnavailable, ConfigError
from localize.media.mel import mel_frames
from localize.model import Episode, SpeechTurn
from localize.pipeline import RunRequest, prepare_run, run_stages
from localize.progress import silent_hook
from localize.registry import backend_class, create
from localize.stages.diarize.characters import CharacterFile, match_characters
from localize.stages.diarize.profile import reference_segments
from localize.stages.diarize.pyannote_audio import turns_from_annotation
from localize.stages.diarize.speakers import read_speaker_genders, read_speakers_file, write_speakers_file
from tests.conftest import espeak, ffmpeg, run_cli

RATE = 16_000
VOICES = {"A": ("es+m3", 35, 150), "B": ("es-419+f2", 75, 170)}
EPISODES = {
    "ep1": [
        ("A", "Buenos días, ¿dormiste bien anoche? Yo no pude dormir nada."),
        ("B", "Dejé las llaves otra vez en la mesa de la cocina."),
        ("A", "Tenemos que salir antes de que haya más tráfico en la avenida."),
        ("B", "El tren no vino, así que volví caminando a casa."),
        ("A", "¿Dónde pusiste la carta del banco que llegó ayer?"),
        ("B", "Creo que va a llover esta tarde, llevá el paraguas."),
    ],
    "ep2": [
        ("B", "Nunca vi esta calle tan tranquila un domingo."),
        ("A", "Mi hermano viene a visitarnos la semana que viene."),
        ("B", "Tenemos que comprar pan, leche y un poco de fruta."),
        ("A", "El médico me dijo que descanse unos días en casa."),
    ],
}


def _build(folder: Path, name: str, overlapped: frozenset[int] = frozenset()) -> tuple[Path, list[SpeechTurn]]:
    """A dialogue WAV (16 kHz mono) and its true turns; the turns after ``overlapped`` ones start 0.5 s before they end."""
    turns: list[SpeechTurn] = []
    placed: list[tuple[float, np.ndarray]] = []
    cursor = 0.5
    for index, (speaker, text) in enumerate(EPISODES[name]):
        voice, pitch, speed = VOICES[speaker]
        raw = espeak(text, folder / f"{name}-{index}.wav", voice=voice, pitch=pitch, speed=speed)
        samples, rate = soundfile.read(raw, dtype="float32")
        samples = np.interp(np.arange(0, len(samples), rate / RATE), np.arange(len(samples)), samples).astype(np.float32)
        loud = np.flatnonzero(np.abs(samples) > 0.01)
        samples = samples[loud[0] : loud[-1] + 1]
        start = round(turns[-1].end - 0.5, 3) if index - 1 in overlapped else cursor
        turns.append(SpeechTurn(start=start, end=round(start + len(samples) / RATE, 3), speaker=speaker))
        placed.append((start, samples * 0.5 / np.max(np.abs(samples))))
        cursor = turns[-1].end + 0.6
    audio = np.zeros(int(cursor * RATE), dtype=np.float32)
    for start, samples in placed:
        first = int(start * RATE)
        audio[first : first + len(samples)] += samples
    path = folder / f"{name}{'-overlapped' if overlapped else ''}.wav"
    soundfile.write(path, np.clip(audio, -1.0, 1.0), RATE, subtype="PCM_16")
    return path, turns


@pytest.fixture(scope="session")
def dialogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[SpeechTurn]]]:
    """Two short two-speaker episodes with the same two voices."""
    folder = tmp_path_factory.mktemp("dialogue")
    built = {name: _build(folder, name) for name in EPISODES}
    built["ep1-overlapped"] = _build(folder, "ep1", overlapped=frozenset({1, 3}))
    return built


def _der(truth: list[SpeechTurn], found: list[SpeechTurn]) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference, hypothesis = Annotation(), Annotation()
    for turn in truth:
        reference[Segment(turn.start, turn.end)] = turn.speaker
    for turn in found:
        hypothesis[Segment(turn.start, turn.end)] = turn.speaker
    return float(DiarizationErrorRate(collar=0.25)(reference, hypothesis))


def _true_speaker(turns: list[SpeechTurn], found: list[SpeechTurn], speaker_id: str) -> str:
    """The true speaker who talks most during ``speaker_id``'s turns."""
    shared: dict[str, float] = {}
    for mine in (t for t in found if t.speaker == speaker_id):
        for true in turns:
            overlap = min(mine.end, true.end) - max(mine.start, true.start)
            if overlap > 0:
                shared[true.speaker] = shared.get(true.speaker, 0.0) + overlap
    return max(shared, key=lambda s: shared[s])


@pytest.mark.slow
def test_embedded_backend_finds_the_speakers_and_their_turns(dialogues: dict[str, tuple[Path, list[SpeechTurn]]]) -> None:
    audio, truth = dialogues["ep1"]
    result = create("diarize", "embedded.v1").diarize(audio, silent_hook)
    assert sorted({t.speaker for t in result.turns}) == ["SPEAKER_00", "SPEAKER_01"]
    assert _der(truth, result.turns) < 0.10
    assert set(result.embeddings) == {"SPEAKER_00", "SPEAKER_01"} and len(result.embeddings["SPEAKER_00"]) == 256
    assert all(a.end <= b.start + 1e-6 for a, b in zip(result.turns, result.turns[1:], strict=False))


@pytest.mark.slow
def test_a_speaker_starting_before_the_last_one_finished_is_an_overlap(dialogues: dict[str, tuple[Path, list[SpeechTurn]]]) -> None:
    audio, truth = dialogues["ep1-overlapped"]
    turns = create("diarize", "embedded.v1").diarize(audio, silent_hook).turns
    found = [(b.start, a.end) for a, b in itertools.pairwise(turns) if b.start < a.end and a.speaker != b.speaker]
    real = [(b.start, a.end) for a, b in itertools.pairwise(truth) if b.start < a.end]
    assert len(real) == 2 and len(found) == 2
    assert all(
        abs((start + end) / 2 - (true_start + true_end) / 2) < 0.5 for (start, end), (true_start, true_end) in zip(found, real, strict=True)
    )
    # Without overlap detection the same audio gets turns that never overlap.
    plain = create("diarize", "embedded.v1", {"overlap_pause_ms": None}).diarize(audio, silent_hook).turns
    assert all(a.end <= b.start for a, b in itertools.pairwise(plain))


@pytest.mark.slow
@pytest.mark.parametrize(("hints", "count"), [({"num_speakers": 3}, 3), ({"max_speakers": 1}, 1)])
def test_speaker_count_hints_are_obeyed(dialogues: dict[str, tuple[Path, list[SpeechTurn]]], hints: dict[str, int], count: int) -> None:
    result = create("diarize", "embedded.v1", hints).diarize(dialogues["ep1"][0], silent_hook)
    assert len({t.speaker for t in result.turns}) == count


def test_mel_frames_are_the_ones_resemblyzer_computes(dialogues: dict[str, tuple[Path, list[SpeechTurn]]]) -> None:
    """Our numpy mel frames feed Resemblyzer's encoder exactly what its own librosa-based function would."""
    from resemblyzer.audio import wav_to_mel_spectrogram

    samples, rate = soundfile.read(next(iter(dialogues.values()))[0], dtype="float32")
    assert rate == 16_000
    ours, theirs = mel_frames(samples[: 3 * rate]), wav_to_mel_spectrogram(samples[: 3 * rate])
    assert ours.shape == theirs.shape == (301, 40)
    assert np.max(np.abs(ours - theirs)) <= 1e-5 * np.max(theirs)


def test_reference_clips_keep_only_speech_no_one_else_talks_over() -> None:
    own = [
        SpeechTurn(start=0.0, end=5.0, speaker="A"),
        SpeechTurn(start=8.0, end=9.5, speaker="A"),
        SpeechTurn(start=20.0, end=40.0, speaker="A"),
    ]
    others = [
        SpeechTurn(start=4.5, end=7.0, speaker="B"),
        SpeechTurn(start=8.8, end=9.0, speaker="B"),
        SpeechTurn(start=21.0, end=21.5, speaker="B"),
    ]
    pieces = [(t.start, t.end) for t in reference_segments(own, own + others, target=12.0)]
    assert pieces == [(21.5, 40.0)]  # the longest stretch alone: enough on its own
    pieces = [(t.start, t.end) for t in reference_segments(own[:2], own + others, target=12.0)]
    assert pieces == [(0.0, 4.5)]  # 8.0-8.8 and 9.0-9.5 are too short to be worth a reference


def test_speaker_hints_are_validated() -> None:
    with pytest.raises(ConfigError, match="min_speakers is larger than max_speakers"):
        create("diarize", "embedded.v1", {"min_speakers": 4, "max_speakers": 2})


def test_speakers_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "speakers.yaml"
    assert read_speakers_file(path) == {}
    write_speakers_file(path, {"SPEAKER_01": "Martín", "SPEAKER_00": "Lucía"})
    assert read_speakers_file(path) == {"SPEAKER_00": "Lucía", "SPEAKER_01": "Martín"}
    assert path.read_text(encoding="utf-8").splitlines()[1:] == ["SPEAKER_00: Lucía", "SPEAKER_01: Martín"]
    for bad in ("- just\n- a list\n", "SPEAKER_00: [a, b]\n", "SPEAKER_00: ''\n", "SPEAKER_00: {unclosed\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match="speakers file"):
            read_speakers_file(path)


def test_the_speakers_file_may_give_a_gender_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "speakers.yaml"
    path.write_text("SPEAKER_00: Lucía\nSPEAKER_01: {name: Martín, gender: male}\n", encoding="utf-8")
    assert read_speakers_file(path) == {"SPEAKER_00": "Lucía", "SPEAKER_01": "Martín"}
    assert read_speaker_genders(path) == {"SPEAKER_01": "male"}
    write_speakers_file(path, {"SPEAKER_00": "Lucía", "SPEAKER_01": "Martín Ruiz", "SPEAKER_02": "SPEAKER_02"})
    assert read_speaker_genders(path) == {"SPEAKER_01": "male"}
    assert "SPEAKER_01:\n  name: Martín Ruiz\n  gender: male" in path.read_text(encoding="utf-8")
    for bad in ("SPEAKER_00: {name: Lucía, gender: tall}\n", "SPEAKER_00: {name: Lucía, age: 30}\n"):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match="SPEAKER_00 must be a name, or"):
            read_speakers_file(path)


def test_character_match_is_one_to_one_and_thresholded(tmp_path: Path) -> None:
    characters = CharacterFile()
    characters.remember("ep1", "Lucía", [1.0, 0.0, 0.0])
    characters.remember("ep1", "Martín", [0.0, 1.0, 0.0])
    characters.remember("ep1", "Lucía", [0.9, 0.1, 0.0])  # the same episode replaces its reference
    path = tmp_path / "characters.json"
    characters.write(path)
    voices = CharacterFile.read(path).voices()
    found = {"SPEAKER_00": [0.1, 0.95, 0.0], "SPEAKER_01": [0.95, 0.05, 0.1], "SPEAKER_02": [0.92, 0.0, 0.2], "SPEAKER_03": [0.0, 0.0, 1.0]}
    assert match_characters(found, voices, 0.8) == {"SPEAKER_00": "Martín", "SPEAKER_01": "Lucía"}
    path.write_text('{"characters": {"Lucía": {"references": {"ep1": "not a vector"}}}}', encoding="utf-8")
    with pytest.raises(ConfigError, match="character file"):
        CharacterFile.read(path)


def _episode(source: Path, out: Path, **speakers: Path) -> Episode:
    overrides = {"source_language": "es", "speakers": speakers}
    ctx, episode = prepare_run(RunRequest(source=source, out=out, targets=["en"]), load_config(overrides=overrides))
    return run_stages(episode, ctx, names=("ingest", "transcribe", "diarize", "segment"))


@pytest.mark.slow
def test_names_persist_through_the_cli_and_characters_are_recognised_by_voice(
    dialogues: dict[str, tuple[Path, list[SpeechTurn]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = {"backend": "faster-whisper.v1", "options": {"beam_size": 1, "detect_line_language": False}}
    monkeypatch.setenv("LOCALIZE_TRANSCRIBE", json.dumps(fast))  # a quicker decode, for the CLI and the library alike
    (wav1, truth1), (ep2, truth2) = dialogues["ep1"], dialogues["ep2"]
    ep1 = tmp_path / "ep1.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-i", wav1, "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", ep1)
    out, names, characters = tmp_path / "out", tmp_path / "ep1.speakers.yaml", tmp_path / "series.characters.json"
    broken = tmp_path / "broken.yaml"
    broken.write_text("- not\n- a mapping\n", encoding="utf-8")
    failed = run_cli("run", ep1, "--from", "es", "--to", "en", "--out", out, "--speakers", broken, "--quiet")
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert f"speakers file {broken} is not a mapping" in failed.stderr

    first = _episode(ep1, out, file=names, characters_file=characters)
    assert read_speakers_file(names) == {"SPEAKER_00": "SPEAKER_00", "SPEAKER_01": "SPEAKER_01"}
    assert all(len({w.speaker for w in line.words}) == 1 for line in first.lines)
    character = {"A": "Lucía", "B": "Martín"}
    given = {s.id: character[_true_speaker(truth1, first.turns, s.id)] for s in first.speakers}
    write_speakers_file(names, given)

    renamed = run_cli("diarize", out / "ep1", "--quiet")
    assert renamed.returncode == 0, renamed.stderr
    manifest = json.loads((out / "ep1" / ".localize" / "manifest.json").read_text(encoding="utf-8"))
    assert {s["id"]: s["name"] for s in manifest["speakers"]} == given
    assert {line["speaker"] for line in manifest["lines"]} == set(given)
    assert read_speakers_file(names) == given
    stored = json.loads(characters.read_text(encoding="utf-8"))["characters"]
    assert sorted(stored) == ["Lucía", "Martín"] and all(list(c["references"]) == ["ep1"] for c in stored.values())

    second = _episode(ep2, out, characters_file=characters)
    recognised = {s.id: s.name for s in second.speakers}
    assert {name: character[_true_speaker(truth2, second.turns, sid)] for sid, name in recognised.items()} == {
        "Lucía": "Lucía",
        "Martín": "Martín",
    }
    assert read_speakers_file(out / "ep2" / "speakers.yaml") == recognised
    assert sorted(json.loads(characters.read_text(encoding="utf-8"))["characters"]["Lucía"]["references"]) == ["ep1", "ep2"]


def test_pyannote_without_its_extra_is_a_clear_error(dialogues: dict[str, tuple[Path, list[SpeechTurn]]]) -> None:
    if backend_class("diarize", "pyannote.v1").availability().usable:
        pytest.skip("pyannote.audio is installed here")
    assert "localize[pyannote]" in backend_class("diarize", "pyannote.v1").availability().detail
    backend = create("diarize", "pyannote.v1", {"pipeline": "/nowhere/pipeline", "num_speakers": 2})
    with pytest.raises(BackendUnavailable, match=r"pyannote\.audio is not installed") as caught:
        backend.diarize(dialogues["ep2"][0], silent_hook)
    assert "localize[pyannote]" in caught.value.hint


def test_pyannote_annotation_becomes_turns_in_order_of_appearance() -> None:
    core = pytest.importorskip("pyannote.core")
    annotation = core.Annotation()
    annotation[core.Segment(5.0, 7.5)] = "spk_a"
    annotation[core.Segment(0.5, 4.0)] = "spk_b"
    annotation[core.Segment(7.0, 9.0)] = "spk_b"
    turns, order = turns_from_annotation(annotation)
    assert order == {"spk_b": "SPEAKER_00", "spk_a": "SPEAKER_01"}
    assert [(t.start, t.end, t.speaker) for t in turns] == [(0.5, 4.0, "SPEAKER_00"), (5.0, 7.5, "SPEAKER_01"), (7.0, 9.0, "SPEAKER_00")]
