"""Review operations on an episode folder: each change revision-checked, saved atomically, audited; people's lines,
speakers and voices kept by later runs; glossary terms added with the file's earlier version kept."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import soundfile
import yaml

from localize.cache import WorkDir
from localize.config import Config
from localize.errors import EditConflict, InputError
from localize.glossary import load_glossary
from localize.model import Episode, Line, MediaInfo, Rendition, RenditionFlag, RunSettings, Speaker, Track, Word
from localize.review import EpisodeBusy, EpisodeEditor, read_audit
from localize.review.glossary_terms import versions_folder
from localize.stages.base import RunContext, run_stage
from localize.stages.segment import SegmentStage
from localize.studio.episode import StudioEpisode
from tests.conftest import SAMPLE_GLOSSARY, espeak, ffmpeg

WORDS = [
    # speaker, start, text of each word (0.35 s long)
    ("LUCIA", 0.5, "Che,"),
    ("LUCIA", 0.9, "Martín,"),
    ("LUCIA", 1.3, "¿querés"),
    ("LUCIA", 1.7, "un"),
    ("LUCIA", 2.1, "mate?"),
    ("MARTIN", 4.0, "Dale,"),
    ("MARTIN", 4.4, "pero"),
    ("MARTIN", 4.8, "rapidito."),
    ("RAMON", 7.0, "Buenos"),
    ("RAMON", 7.4, "días."),
]


def words(speaker: str | None = None) -> list[Word]:
    return [Word(text=t, start=s, end=round(s + 0.35, 3), speaker=w, probability=0.9) for w, s, t in WORDS if speaker in (None, w)]


def line(line_id: str, speaker: str) -> Line:
    own = words(speaker)
    return Line(id=line_id, start=own[0].start, end=own[-1].end, speaker=speaker, text=" ".join(w.text for w in own), words=own)


def make_episode(tmp_path: Path, name: str = "ep") -> Path:
    """A three-line episode, translated into French, saved as `localize run` leaves it (glossary copied beside it)."""
    glossary = tmp_path / "colectivo.yaml"
    glossary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE_GLOSSARY, glossary)
    workdir = WorkDir(tmp_path, name)
    workdir.prepare()
    lines = [line("L0001", "LUCIA"), line("L0002", "MARTIN"), line("L0003", "RAMON")]
    french = {"L0001": "Che, Martín, tu veux un maté ?", "L0002": "D'accord, mais vite.", "L0003": "Bonjour."}
    renditions = {key: Rendition(line_id=key, text=text, source_text=lines[n].text, candidates=[text, text.upper()])
                  for n, (key, text) in enumerate(french.items())}  # fmt: skip
    episode = Episode(
        id=name,
        source=MediaInfo(path=Path("ep.mp4"), size=1, fingerprint="f", duration=10.0, container="mp4", frame_rate=25.0),
        source_language="es-AR",
        words=words(),
        speakers=[Speaker(id=s, name=s, gender="female" if s == "LUCIA" else "male") for s in ("LUCIA", "MARTIN", "RAMON")],
        lines=lines,
        tracks={"fr": Track(language="fr", renditions=renditions, voices={"LUCIA": "fr-kokoro-f-low"})},
        run=RunSettings(targets=["fr"], glossary=str(glossary), config=Config().model_dump(mode="json")),
    )
    workdir.save(episode)
    return workdir.root


def saved(folder: Path) -> Episode:
    episode = WorkDir.at(folder).load()
    assert episode is not None
    return episode


def test_a_translation_edit_is_saved_revisioned_and_audited(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    editor = EpisodeEditor(folder, "ana")
    editor.edit_translation("fr", "L0001", "Che, Martín, tu veux un thé ?", revision=0)
    rendition = saved(folder).tracks["fr"].renditions["L0001"]
    assert (rendition.origin, rendition.revision, rendition.take) == ("edited", 1, None)
    assert [h.status for h in rendition.glossary_hits if h.term_id == "mate"] == ["forbidden"], "the glossary is checked on save"
    assert RenditionFlag.GLOSSARY_VIOLATION in rendition.flags
    assert rendition.candidates[1:] == ["Che, Martín, tu veux un maté ?", "CHE, MARTÍN, TU VEUX UN MATÉ ?"], "alternatives stay"
    [entry] = [e for e in read_audit(WorkDir.at(folder)) if e.field == "text"]
    assert (entry.by, entry.action, entry.subject) == ("ana", "edit translation", "fr L0001")
    assert (entry.before, entry.after) == ("Che, Martín, tu veux un maté ?", "Che, Martín, tu veux un thé ?")


def test_a_save_against_a_stale_revision_is_a_conflict_and_changes_nothing(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    EpisodeEditor(folder, "ana").edit_translation("fr", "L0002", "D'accord, mais vite alors.", revision=0)
    manifest = WorkDir.at(folder).manifest_path.read_bytes()
    with pytest.raises(EditConflict, match=r"fr L0002 changed since it was read \(revision 0, now 1\)"):
        EpisodeEditor(folder, "bruno").edit_translation("fr", "L0002", "Ok, mais vite.", revision=0)
    with pytest.raises(EditConflict):
        EpisodeEditor(folder, "bruno").set_status("fr", "L0002", "approved", revision=0)
    assert WorkDir.at(folder).manifest_path.read_bytes() == manifest
    assert [e.by for e in read_audit(WorkDir.at(folder))] == ["ana", "ana"]


def test_approve_and_reject_record_who_when_and_why(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    editor = EpisodeEditor(folder, "ana")
    editor.set_status("fr", "L0001", "approved", revision=0)
    with pytest.raises(InputError, match="needs a comment"):
        editor.set_status("fr", "L0002", "rejected", revision=0)
    editor.set_status("fr", "L0002", "rejected", revision=0, comment="Too formal for Martín.")
    renditions = saved(folder).tracks["fr"].renditions
    assert renditions["L0001"].origin == "approved" and renditions["L0001"].review is not None
    rejected = renditions["L0002"]
    assert rejected.origin == "rejected" and rejected.review is not None
    assert (rejected.review.by, rejected.review.comment) == ("ana", "Too formal for Martín.")
    assert rejected.text == "D'accord, mais vite.", "rejecting keeps the text for the next person to fix"
    rejections = [e for e in read_audit(WorkDir.at(folder)) if e.action == "rejected"]
    assert rejections and all(e.comment == "Too formal for Martín." for e in rejections)


def test_split_merge_and_reassign_lines_flag_their_translations(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    editor = EpisodeEditor(folder, "ana")
    editor.split_line("L0001", 2, revision=0)
    episode = saved(folder)
    assert [(x.id, x.text, x.origin) for x in episode.lines[:2]] == [
        ("L0001", "Che, Martín,", "edited"),
        ("L0004", "¿querés un mate?", "edited"),
    ]
    assert RenditionFlag.SOURCE_CHANGED in episode.tracks["fr"].renditions["L0001"].flags
    editor.merge_lines("L0001", "L0004", revisions=(1, 0))
    episode = saved(folder)
    assert [x.id for x in episode.lines] == ["L0001", "L0002", "L0003"] and episode.lines[0].revision == 2
    assert "L0004" not in episode.tracks["fr"].renditions
    with pytest.raises(InputError, match="not neighbours"):
        editor.merge_lines("L0001", "L0003", revisions=(2, 0))
    editor.reassign_line("L0003", "MARTIN", revision=0)
    moved = saved(folder).line("L0003")
    assert moved is not None and moved.speaker == "MARTIN" and {w.speaker for w in moved.words} == {"MARTIN"}
    actions = [e.action for e in read_audit(WorkDir.at(folder))]
    assert {"split line", "merge lines", "reassign line"} <= set(actions)


def test_speaker_names_go_to_the_speakers_file_and_splits_make_a_speaker(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    editor = EpisodeEditor(folder, "ana")
    editor.rename_speaker("LUCIA", "Lucía", seen_name="LUCIA")
    with pytest.raises(EditConflict):
        editor.rename_speaker("LUCIA", "Lu", seen_name="LUCIA")
    with pytest.raises(InputError, match="already called Lucía"):
        editor.rename_speaker("MARTIN", "Lucía", seen_name="MARTIN")
    assert yaml.safe_load((folder / "speakers.yaml").read_text(encoding="utf-8")) == {"LUCIA": "Lucía"}
    editor.reassign_line("L0003", "MARTIN", revision=0)
    editor.split_speaker("MARTIN", ["L0003"], "Tito")
    episode = saved(folder)
    tito = next(s for s in episode.speakers if s.name == "Tito")
    assert (tito.id, tito.origin, tito.gender) == ("MARTIN.2", "edited", "male")
    assert episode.line("L0003").speaker == "MARTIN.2"  # type: ignore[union-attr]
    assert yaml.safe_load((folder / "speakers.yaml").read_text(encoding="utf-8"))["MARTIN.2"] == "Tito"
    editor.merge_speakers("MARTIN.2", "RAMON")
    assert saved(folder).line("L0003").speaker == "RAMON"  # type: ignore[union-attr]


def test_a_voice_choice_is_kept_in_the_episode_casting_file(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    editor = EpisodeEditor(folder, "ana")
    with pytest.raises(InputError, match="not a fr voice"):
        editor.cast_voice("LUCIA", "fr", "en-kokoro-f-adult")
    editor.cast_voice("LUCIA", "fr", "fr-kokoro-f-young")
    assert yaml.safe_load((folder / "casting.yaml").read_text(encoding="utf-8")) == {"LUCIA": {"fr": "fr-kokoro-f-young"}}
    [entry] = read_audit(WorkDir.at(folder))
    assert (entry.subject, entry.before, entry.after) == ("casting fr LUCIA", "fr-kokoro-f-low", "fr-kokoro-f-young")


def test_a_glossary_term_is_appended_validated_and_the_old_file_kept(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    path = tmp_path / "colectivo.yaml"
    before = path.read_text(encoding="utf-8")
    editor = EpisodeEditor(folder, "ana")
    editor.add_glossary_term("rapidito", "other", dnt=False, renderings={"fr": "en vitesse"}, note="Diminutive of rápido.")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.split("terms:")[0]), "the file's comments and header are kept"
    entry = load_glossary(path).entry("rapidito")
    assert entry is not None and entry.rule("fr").renderings == ["en vitesse"] and entry.note == "Diminutive of rápido."
    [backup] = list(versions_folder(path).iterdir())
    assert backup.read_text(encoding="utf-8") == before
    with pytest.raises(InputError, match="already in glossary"):
        editor.add_glossary_term("mate", "food", dnt=True, renderings={})
    with pytest.raises(InputError, match="needs a rendering"):
        editor.add_glossary_term("bondi", "object", dnt=False, renderings={})
    assert path.read_text(encoding="utf-8") == after


def test_an_edit_waits_for_a_render_and_says_when_it_cannot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_episode(tmp_path)
    holder = EpisodeEditor(folder, "render")
    monkeypatch.setattr("localize.review.editor.LOCK_WAIT_SECONDS", 0.2)
    with holder.locked(), pytest.raises(EpisodeBusy, match="being rendered or edited"):
        EpisodeEditor(folder, "ana").edit_translation("fr", "L0001", "Salut.", revision=0)
    results: list[int] = []

    def edit(name: str) -> None:
        episode = EpisodeEditor(folder, name).edit_translation("fr", "L0003", f"Bonjour, de {name}.", None).episode
        results.append(episode.tracks["fr"].renditions["L0003"].revision)

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("ana", "bruno")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [1, 2], "edits made at once are applied one after the other, none lost"


def test_segmentation_keeps_lines_people_edited_and_cuts_only_the_words_around_them(tmp_path: Path) -> None:
    folder = make_episode(tmp_path)
    workdir = WorkDir.at(folder)
    ctx = RunContext(workdir=workdir, config=Config(), targets=["fr"])
    first = run_stage(SegmentStage(), saved(folder), ctx)
    assert [(x.id, x.speaker) for x in first.lines] == [("L0001", "LUCIA"), ("L0002", "MARTIN"), ("L0003", "RAMON")]
    workdir.save(first)
    edited = first.lines[1].model_copy(update={"text": "Dale, pero rapidito, che.", "origin": "edited", "start": 3.9, "revision": 1})
    episode = first.model_copy(update={"lines": [first.lines[0], edited, first.lines[2]]})
    again = run_stage(SegmentStage(), episode, ctx)
    assert again.lines[1] == edited, "a person's line is kept as it is"
    assert [(x.id, x.text) for x in again.lines] == [
        ("L0001", "Che, Martín, ¿querés un mate?"),
        ("L0002", "Dale, pero rapidito, che."),
        ("L0003", "Buenos días."),
    ], "the machine lines around it keep their ids"
    covering = edited.model_copy(update={"start": 2.0, "end": 5.2})
    cut = run_stage(SegmentStage(), first.model_copy(update={"lines": [first.lines[0], covering, first.lines[2]]}), ctx)
    assert [(x.id, x.text) for x in cut.lines] == [
        ("L0001", "Che, Martín, ¿querés un"),
        ("L0002", "Dale, pero rapidito, che."),
        ("L0003", "Buenos días."),
    ], "words inside a person's line are its own; a machine line never spans it"


@pytest.mark.slow
def test_a_corrected_source_line_is_aligned_to_its_audio_and_its_translations_go_stale(tmp_path: Path) -> None:
    """Real audio (espeak-ng), the real transcription, then the reviewer's text aligned by the bundled Whisper model."""
    from localize.review.align import WhisperAligner
    from localize.stages.factory import make_backend

    speech = espeak("Che, Martín, ¿querés un mate? El agua ya está lista.", tmp_path / "speech.wav")
    audio = tmp_path / "dialogue.wav"
    ffmpeg("-i", speech, "-af", "adelay=1000", "-ar", "16000", "-ac", "1", audio)
    config = Config()
    heard = make_backend("transcribe", config.transcribe, config).transcribe(audio, "es", [], lambda *a: None).words
    folder = make_episode(tmp_path)
    workdir = WorkDir.at(folder)
    shutil.copy(audio, workdir.state / "dialogue.wav")
    duration = soundfile.info(str(audio)).duration
    episode = saved(folder)
    first = Line(id="L0001", start=heard[0].start, end=heard[-1].end, speaker="LUCIA", text=" ".join(w.text for w in heard), words=heard)
    workdir.save(episode.model_copy(update={"dialogue_audio": ".localize/dialogue.wav", "lines": [first, *episode.lines[1:]]}))
    editor = EpisodeEditor(folder, "ana", WhisperAligner(config, audio, "es-AR"))
    corrected = "Che, Martín, ¿querés un mate? El agua ya está lista."
    editor.edit_source("L0001", corrected, revision=0)
    line_now = saved(folder).line("L0001")
    assert line_now is not None and (line_now.text, line_now.origin, line_now.revision) == (corrected, "edited", 1)
    assert [w.text for w in line_now.words] == corrected.split()
    starts = [w.start for w in line_now.words]
    assert starts == sorted(starts) and first.start <= starts[0] and line_now.words[-1].end <= first.end <= duration
    by_text = {w.text.lower().strip(",.?¿"): w for w in heard}
    shared = [w for w in line_now.words if w.text.lower().strip(",.?¿") in by_text]
    assert len(shared) >= 4, [w.text for w in heard]
    for word in shared:
        assert abs(word.start - by_text[word.text.lower().strip(",.?¿")].start) < 0.25, "words heard alike are timed alike"
    assert RenditionFlag.SOURCE_CHANGED in saved(folder).tracks["fr"].renditions["L0001"].flags


def test_the_studio_page_reads_the_episode_again_only_after_a_change(tmp_path: Path) -> None:
    """The page's snapshot is shared while the manifest and glossary are unchanged, and fresh after an edit or a new term."""
    folder = make_episode(tmp_path)
    studio = StudioEpisode(folder)
    first = studio.snapshot()
    assert studio.snapshot() is first
    editor = EpisodeEditor(folder, "ana")
    rendition = saved(folder).tracks["fr"].renditions["L0003"]
    editor.edit_translation("fr", "L0003", "Salut.", saved(folder).lines[2].revision + rendition.revision)
    edited = studio.snapshot()
    assert edited is not first and edited[1].tracks["fr"].renditions["L0003"].text == "Salut."
    editor.add_glossary_term("rapidito", "other", dnt=False, renderings={"fr": "en vitesse"})
    glossary = studio.snapshot()[0].glossary
    assert glossary is not None and glossary.entry("rapidito") is not None
