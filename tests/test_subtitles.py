"""Subtitles: line breaks, timing to the frame under the rules, the three file formats, the validator and its CLI."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from localize.model import Episode, Line, MediaInfo, Picture, Rendition, Screen, Sight, Speaker, Track
from localize.package.breaks import mid_phrase_breaks, split_text
from localize.package.cues import Cue
from localize.package.subtitles import write_subtitles
from localize.package.timing import Variant, build_cues, is_forced_narrative
from localize.package.validate import RULES, check_cues, check_subtitle_file, file_language, read_cues
from localize.rules import PackageConfig, SubtitleRules
from tests.conftest import run_cli

FPS = 25.0
RULES_DEFAULT = SubtitleRules()
LONG = (
    "The driver of the bus stopped at the corner of the old market and waited for the girl with the red umbrella to get on, "
    "because it was raining and nobody else was coming that night."
)


def _episode(lines: list[tuple[float, float, str, str]], texts: list[str], duration: float = 60.0) -> tuple[Episode, Track]:
    """An episode without media: lines (start, end, speaker, language) and their English renditions."""
    source = MediaInfo(path="/nonexistent.mp4", size=1, fingerprint="x", duration=duration, container="mp4", frame_rate=FPS)
    speakers = [Speaker(id="S1", name="Rosa"), Speaker(id="S2", name="Tito")]
    episode_lines = [
        Line(id=f"L{n:04d}", start=start, end=end, speaker=speaker, text="…", language=language)
        for n, (start, end, speaker, language) in enumerate(lines, start=1)
    ]
    track = Track(
        language="en",
        renditions={line.id: Rendition(line_id=line.id, text=text) for line, text in zip(episode_lines, texts, strict=True)},
    )
    episode = Episode(id="t", source=source, source_language="es-AR", speakers=speakers, lines=episode_lines, tracks={"en": track})
    return episode, track


def test_split_text_keeps_lines_and_events_within_the_rules() -> None:
    events = split_text(LONG, "en", RULES_DEFAULT)
    assert len(events) >= 3
    assert " ".join(" ".join(event) for event in events) == LONG
    for event in events:
        assert 1 <= len(event) <= RULES_DEFAULT.max_lines
        assert all(len(row) <= RULES_DEFAULT.max_chars_per_line for row in event)
        assert not any(row.split()[-1].lower() in {"the", "a", "of", "to", "with", "for"} for row in event[:-1])


def test_short_text_stays_one_line_and_a_break_after_an_article_is_mid_phrase() -> None:
    assert split_text("Where is the bus?", "en", RULES_DEFAULT) == [["Where is the bus?"]]
    assert mid_phrase_breaks(["He gave me the", "keys to the house."], "en", RULES_DEFAULT) == [0]
    assert mid_phrase_breaks(["He gave me the keys,", "and then he left."], "en", RULES_DEFAULT) == []


def test_cues_follow_the_timing_rules() -> None:
    lines = [
        (1.0, 1.4, "S1", "es"),  # too short: lengthened to the minimum duration
        (1.9, 3.0, "S2", "es"),  # 0.5 s after the first: cannot overlap it, keeps a 2-frame gap
        (3.3, 4.5, "S1", "es"),  # gap of ~7 frames: closed to 2 frames
        (6.0, 22.0, "S2", "es"),  # 16 s of speech with long text: split into events of at most 7 s
        (30.0, 33.0, "S1", "es"),
    ]
    texts = ["Hi.", "Hello, Rosa.", "Is the bus late?", LONG, "Yes, very late tonight."]
    episode, track = _episode(lines, texts)
    shots = [31.2]
    cues = build_cues(episode, track, RULES_DEFAULT, shots)
    assert cues[0].duration >= RULES_DEFAULT.min_duration - 1e-6
    for current, following in itertools.pairwise(cues):
        gap = round((following.start - current.end) * FPS)
        assert gap >= RULES_DEFAULT.min_gap_frames
        assert not RULES_DEFAULT.min_gap_frames < gap <= RULES_DEFAULT.close_gap_frames, (current, following)
    assert all(cue.duration <= RULES_DEFAULT.max_duration + 1e-6 for cue in cues)
    long_events = [cue for cue in cues if cue.line_ids == ("L0004",)]
    assert len(long_events) >= 3
    assert check_cues(cues, RULES_DEFAULT, FPS, shots, "en") == []


def test_event_near_a_shot_change_snaps_to_it() -> None:
    episode, track = _episode([(10.0, 12.2, "S1", "es")], ["We are going home now."])
    cues = build_cues(episode, track, RULES_DEFAULT, shots=[12.4])
    assert round(cues[0].end * FPS) == round(12.4 * FPS) - RULES_DEFAULT.min_gap_frames
    cues = build_cues(episode, track, RULES_DEFAULT, shots=[10.2])
    assert round(cues[0].start * FPS) == round(10.2 * FPS)


def test_sdh_label_that_would_break_the_reading_speed_is_left_out() -> None:
    text = "We have to leave right now, the bus is here."  # 44 characters in 2.7 s: 16.3 cps, with a label over 17
    lines = [(0.2, 0.95, "S2", "es"), (1.0, 3.7, "S1", "es"), (3.8, 6.0, "S2", "es")]
    episode, track = _episode(lines, ["Go.", text, "Wait."])
    sdh = build_cues(episode, track, RULES_DEFAULT, [], Variant(sdh=True))
    assert sdh[1].text.replace("\n", " ") == text and sdh[2].text == "[Tito] Wait."
    assert all(cue.chars / (cue.end - cue.start) <= RULES_DEFAULT.max_cps + 0.01 for cue in sdh)


def test_sdh_labels_speakers_and_forced_keeps_only_foreign_lines() -> None:
    lines = [(1.0, 3.0, "S1", "es"), (4.0, 6.0, "S2", "de"), (7.0, 9.0, "S2", "es")]
    episode, track = _episode(lines, ["Good morning.", "Hands up!", "Sorry, I was joking."])
    sdh = build_cues(episode, track, RULES_DEFAULT, [], Variant(sdh=True))
    assert sdh[0].text.startswith("[Rosa] ") and sdh[1].text.startswith("[Tito] ") and not sdh[2].text.startswith("[")
    forced = build_cues(episode, track, RULES_DEFAULT, [], Variant(forced_only=True))
    assert [cue.text for cue in forced] == ["Hands up!"] and forced[0].forced
    unnamed = episode.model_copy(update={"speakers": [Speaker(id="S1", name="S1"), Speaker(id="S2", name="Tito")]})
    sdh = build_cues(unnamed, track, RULES_DEFAULT, [], Variant(sdh=True))
    assert sdh[0].text == "Good morning." and sdh[1].text.startswith("[Tito] "), "a speaker nobody has named gets no [S1] label"
    assert is_forced_narrative(episode.lines[1], "es-AR", "en")
    assert not is_forced_narrative(episode.lines[1], "es-AR", "de-AT"), "a German line needs no forced subtitle for German viewers"


def test_sdh_names_only_speakers_not_seen_speaking() -> None:
    lines = [(1.0, 3.0, "S1", "es"), (4.0, 6.0, "S2", "es"), (7.0, 9.0, "S2", "es"), (10.0, 12.0, "S2", "es")]
    episode, track = _episode(lines, ["Good morning.", "Hello.", "Who is there?", "Nobody."])
    screens = dict(zip([line.id for line in episode.lines], [Screen.ON, Screen.ON, Screen.OFF, Screen.OFF], strict=True))
    picture = Picture(mouths="m.npz", rate=12.5, lines={line_id: Sight(screen=screen) for line_id, screen in screens.items()})
    seen = episode.model_copy(update={"picture": picture})
    texts = [cue.text for cue in build_cues(seen, track, RULES_DEFAULT, [], Variant(sdh=True))]
    assert texts == ["Good morning.", "Hello.", "[Tito] Who is there?", "Nobody."], "named once the speaker goes off screen"


@pytest.mark.parametrize("suffix", [".srt", ".vtt", ".ttml"])
def test_files_round_trip_through_the_reader(tmp_path: Path, suffix: str) -> None:
    cues = [Cue(1.0, 2.5, ["Tom & Jerry <3", "second line"]), Cue(3.04, 5.0, ["Ça va?"])]
    path = tmp_path / f"episode.pt-BR{suffix}"
    write_subtitles(cues, path, "pt-BR", FPS)
    back = read_cues(path)
    assert [(round(c.start, 3), round(c.end, 3), c.lines) for c in back] == [(c.start, c.end, c.lines) for c in cues]
    assert file_language(path) == "pt-BR"
    if suffix == ".ttml":
        root = ElementTree.parse(path).getroot()
        assert root.get("{http://www.w3.org/ns/ttml#parameter}contentProfiles") == "http://www.w3.org/ns/ttml/profile/imsc1.1/text"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "pt-BR"
    if suffix == ".vtt":
        assert path.read_text(encoding="utf-8").startswith("WEBVTT")


def test_validator_reports_each_rule_with_its_timecode() -> None:
    cues = [
        Cue(0.0, 0.4, ["Short."]),  # min-duration
        Cue(0.44, 8.0, ["x" * 50]),  # gap (1 frame), chars-per-line, max-duration
        Cue(8.2, 9.0, ["one", "two", "three"]),  # gap-not-closed (5 frames), lines
        Cue(10.0, 11.0, ["This line is far too long to read in", "one second, even for a fast reader."]),  # reading-speed
        Cue(12.0, 14.0, ["He gave me the", "keys to the house."]),  # line-break; shot change at 12.2
        Cue(15.0, 16.0, []),  # empty
    ]
    found = check_cues(cues, RULES_DEFAULT, FPS, shots=[12.2], language="en")
    rules = {v.rule for v in found}
    assert rules == set(RULES), set(RULES) - rules
    first = next(v for v in found if v.rule == "min-duration")
    assert first.describe(FPS).startswith("#1 00:00:00:00-00:00:00:10 min-duration")


def test_rules_per_language_and_reading_speed_choice() -> None:
    config = PackageConfig(languages={"fr": {"max_cps": 20}, "pt-BR": {"max_chars_per_line": 40}})
    assert config.rules_for("fr-CA").max_cps == 20
    assert config.rules_for("pt-BR").max_chars_per_line == 40 and config.rules_for("pt-PT").max_chars_per_line == 42
    assert config.rules_for("ja").max_chars_per_line == 13
    assert config.rules_for("en").max_cps == 17


@pytest.mark.slow
def test_cli_check_lists_violations_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "episode.en.srt"
    write_subtitles([Cue(1.0, 1.2, ["This event is far too short to read at all"])], bad, "en", FPS)
    result = run_cli("subtitles", "check", bad, "--fps", "25", timeout=120)
    assert result.returncode == 1, result.stderr
    assert "#1 00:00:01:00-00:00:01:05 reading-speed" in result.stdout
    assert "min-duration" in result.stdout
    good = tmp_path / "good.vtt"
    write_subtitles([Cue(1.0, 3.0, ["Fine."])], good, "en", FPS)
    result = run_cli("subtitles", "check", good, "--language", "en", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passes" in result.stderr
    missing = run_cli("subtitles", "check", tmp_path / "nope.srt", timeout=120)
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr


def test_check_subtitle_file_takes_the_ttml_frame_rate(tmp_path: Path) -> None:
    path = tmp_path / "x.ttml"
    write_subtitles([Cue(1.0, 3.0, ["Fine."])], path, "fr", 23.976)
    result = check_subtitle_file(path, RULES_DEFAULT)
    assert abs(result.frame_rate - 23.976) < 1e-3 and result.language == "fr" and result.passed
