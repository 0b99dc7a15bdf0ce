"""Dialogue lines: cut at sentence ends, speaker and language changes, long pauses and the maximum length."""

from __future__ import annotations

from localize.config import SegmentConfig
from localize.model import Word
from localize.stages.segment import sentence_ends, words_to_lines


def _words(text: str, speaker: str = "SPEAKER_00", start: float = 0.0, step: float = 0.4, language: str | None = "es") -> list[Word]:
    """One word every ``step`` seconds, each ``step - 0.05`` long."""
    return [
        Word(text=token, start=round(start + i * step, 3), end=round(start + i * step + step - 0.05, 3), speaker=speaker, language=language)
        for i, token in enumerate(text.split())
    ]


def _shift(words: list[Word], seconds: float) -> list[Word]:
    return [w.model_copy(update={"start": w.start + seconds, "end": w.end + seconds}) for w in words]


def test_sentence_ends_follow_spacy_and_keep_ellipses_and_numbers() -> None:
    words = _words("Gracias, Lucía. Mirá... no sé si llego. Son 3.500 pesos, como siempre.")
    ends = sentence_ends(words, "es-AR")
    assert [words[i].text for i in sorted(ends)] == ["Lucía.", "llego."]


def test_lines_cut_at_sentence_end_with_pause_but_not_at_ellipsis() -> None:
    first = _words("Gracias, Lucía.")
    second = _shift(_words("Mirá... no sé si llego."), first[-1].end + 0.5)
    lines = words_to_lines(first + second, SegmentConfig(), "es-AR")
    assert [line.text for line in lines] == ["Gracias, Lucía.", "Mirá... no sé si llego."]
    assert all(line.language == "es-AR" and not line.forced_narrative for line in lines)


def test_sentence_end_without_a_pause_keeps_one_line() -> None:
    words = _words("¿Otra vez llegás tarde? Sos un desastre.")
    assert len(words_to_lines(words, SegmentConfig(), "es")) == 1


def test_speaker_change_and_long_pause_cut_and_each_line_has_one_speaker() -> None:
    a = _words("hola cómo andás", "SPEAKER_00")
    b = _shift(_words("bien y vos", "SPEAKER_01"), a[-1].end + 0.1)
    c = _shift(_words("todo tranquilo", "SPEAKER_01"), b[-1].end + 2.5)
    lines = words_to_lines(a + b + c, SegmentConfig(max_pause=2.0), "es")
    assert [(line.speaker, line.text) for line in lines] == [
        ("SPEAKER_00", "hola cómo andás"),
        ("SPEAKER_01", "bien y vos"),
        ("SPEAKER_01", "todo tranquilo"),
    ]
    assert [line.id for line in lines] == ["L0001", "L0002", "L0003"]
    for line in lines:
        assert {w.speaker for w in line.words} == {line.speaker}
        assert line.start == line.words[0].start and line.end == line.words[-1].end


def test_long_run_is_cut_at_its_widest_pause_under_the_maximum() -> None:
    words = _words(" ".join(f"palabra{i}" for i in range(12)), step=0.5)
    words = words[:7] + _shift(words[7:], 0.6)
    lines = words_to_lines(words, SegmentConfig(max_seconds=4.0, max_pause=2.0), "es")
    assert [len(line.words) for line in lines] == [7, 5]
    assert all(line.duration <= 4.0 for line in lines)


def test_another_language_is_its_own_forced_narrative_line() -> None:
    spanish = _words("Bueno, vamos.", language="es")
    english = _shift(_words("I left my keys on the table", language="en"), spanish[-1].end + 0.1)
    lines = words_to_lines(spanish + english, SegmentConfig(), "es-AR")
    assert [(line.language, line.forced_narrative) for line in lines] == [("es-AR", False), ("en", True)]
    assert lines[1].text == "I left my keys on the table"
