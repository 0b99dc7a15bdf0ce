"""Clock times are dubbed as people say them, not as the subtitles write them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.cache import WorkDir
from localize.registry import create
from localize.stages.dub.backend import VoiceSpec
from localize.stages.dub.phonemes import kokoro_phonemes
from localize.stages.dub.retime import Voice
from localize.stages.dub.spoken import spoken_text


@pytest.mark.parametrize(
    ("written", "language", "said"),
    [
        ("Rendez-vous à 6\u00a0h\u00a040, pas à 18\u00a0h.", "fr", "Rendez-vous à 6 heures 40, pas à 18 heures."),
        ("Il part à 1 h 05.", "fr", "Il part à une heure 5."),
        ("Chego às 6h40, não às 18h.", "pt-BR", "Chego às 6 e 40, não às 18 horas."),
        ("Às 2h15 ou à 1h.", "pt-BR", "Às duas e 15 ou à uma hora."),
        ("At 6:05, not 6:00 or 6:30.", "en", "At 6 oh 5, not 6 o'clock or 6 30."),
        ("A la 1:00 o a las 6:05.", "es", "A la una en punto o a las 6 y 5."),
        ("Son 3.500 pesos, 12,5 kilos y 6 hommes.", "fr", "Son 3.500 pesos, 12,5 kilos y 6 hommes."),
        ("Wir treffen uns um 6:40.", "de", "Wir treffen uns um 6:40."),
    ],
)
def test_clock_times_are_said_as_people_say_them(written: str, language: str, said: str) -> None:
    assert spoken_text(written, language) == said


def test_espeak_ng_reads_the_spoken_time_not_the_letter_h() -> None:
    """As written, espeak-ng reads "h" as the letter ("aʃ", "agá"); as spoken, it says the hours."""
    assert "aʃ" in kokoro_phonemes("à 6 h 40", "fr-fr")
    french = kokoro_phonemes(spoken_text("à 6 h 40", "fr"), "fr-fr")
    assert "aʃ" not in french and "œʁ" in french
    assert "ɡa" not in kokoro_phonemes(spoken_text("às 6h40", "pt-BR"), "pt-br")


def test_a_take_speaks_the_spoken_time_and_keeps_the_written_text(tmp_path: Path) -> None:
    """The dub's voice says "6 heures 40" for the subtitle's "6 h 40" (the same sound as the spoken form); the clip
    still carries the written text."""
    spec = VoiceSpec(id="e", backend="espeak-ng.v1", voice="fr", language="fr", gender="male", pitch_hz=120)
    workdir = WorkDir(tmp_path, "ep")
    workdir.prepare()
    voice = Voice(create("tts", "espeak-ng.v1"), spec, workdir)
    written, said, other = (voice.say(text, 1.0) for text in ("À 6 h 40.", "À 6 heures 40.", "À 6 heures 50."))
    assert written.text == "À 6 h 40." and written.path != said.path
    assert np.array_equal(soundfile.read(written.path)[0], soundfile.read(said.path)[0])
    assert not np.array_equal(soundfile.read(written.path)[0], soundfile.read(other.path)[0])
