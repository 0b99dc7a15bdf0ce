"""QC checks of one packaged episode: each deliverable against spec, pass or fail, with what failed.

Per language: loudness of the dub mix, how well the takes fit their lines, how well on-screen takes follow the lips,
human edits whose source line changed since, source words the translator left untranslated,
subtitle-rule violations of every subtitle file, glossary terms. Per episode: that the source decoded to the end,
that its sound is in step with its picture, the stream layout of each master, that every stream decodes to the end,
and that every listed file is still the one packaged (sha256).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localize.cache import sha256_file
from localize.config import Config
from localize.languages import display_name, iso639_2
from localize.media.mux import probe_streams
from localize.model import Deliverable, Episode, RenditionFlag, Screen, Track
from localize.package.validate import check_subtitle_file
from localize.qc.spec import QcSpec

__all__ = ["Check", "LanguageQc", "LipLine", "QcReport", "WorstLine", "assess"]

WORST_LINES = 8
LIP_FRAMES = 2
"""Frames an on-screen take's onset or end may miss the mouth's opening or closing before its line fails."""
MIN_LIP_SCORE = 0.1
"""Correlation with the mouth below which an on-screen take does not follow the lips (the source scores 0.3 to 0.8)."""

_SUBTITLE_CODECS = {"matroska": "subrip", "mp4": "mov_text"}


@dataclass(frozen=True)
class Check:
    """One pass/fail verdict (``passed`` is None when the check was not run)."""

    name: str
    subject: str
    passed: bool | None
    summary: str
    details: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """``pass``, ``fail`` or ``not run``."""
        return "not run" if self.passed is None else ("pass" if self.passed else "fail")


@dataclass(frozen=True)
class WorstLine:
    """A line whose take fits its window worst."""

    line_id: str
    start: float
    text: str
    error: float
    overlap: float
    step: str
    overrun: bool = False
    """The take still runs past all the silence it could borrow (flagged by the dub stage)."""


@dataclass(frozen=True)
class LipLine:
    """An on-screen take and how it follows the visible mouth."""

    line_id: str
    start: float
    text: str
    score: float
    lag: float
    onset_error: float | None
    end_error: float | None


@dataclass
class LanguageQc:
    """Everything the QC page shows for one target language."""

    language: str
    checks: list[Check] = field(default_factory=list)
    loudness: dict[str, float] = field(default_factory=dict)
    take_errors: list[float] = field(default_factory=list)
    worst_lines: list[WorstLine] = field(default_factory=list)
    glossary: dict[str, Any] | None = None
    glossary_link: str | None = None
    mix: str | None = None
    casting: list[CastRow] = field(default_factory=list)
    lip_lines: list[LipLine] = field(default_factory=list)
    """The on-screen takes that follow the lips worst (lowest score first)."""


@dataclass(frozen=True)
class CastRow:
    """One character's voice in the casting report: similarity to the actor and to the nearest other character's voice."""

    character: str
    voice: str
    actor_similarity: float | None
    nearest_character: str | None
    nearest_similarity: float | None


def _casting(episode: Episode, track: Track) -> list[CastRow]:
    def name(speaker_id: str | None) -> str | None:
        speaker = episode.speaker(speaker_id) if speaker_id else None
        return speaker.name if speaker else speaker_id

    return [
        CastRow(name(speaker_id) or speaker_id, cast.voice, cast.actor_similarity, name(cast.nearest_character), cast.nearest_similarity)
        for speaker_id, cast in track.casting.items()
    ]


@dataclass
class QcReport:
    """The QC of one episode."""

    episode: str
    frame_rate: float
    languages: list[LanguageQc]
    checks: list[Check]

    def all_checks(self) -> list[Check]:
        """Every check, episode-level last."""
        return [check for language in self.languages for check in language.checks] + self.checks

    @property
    def passed(self) -> bool:
        """No check failed."""
        return all(check.passed is not False for check in self.all_checks())

    @property
    def failed(self) -> list[Check]:
        """The checks that failed."""
        return [check for check in self.all_checks() if check.passed is False]


def _loudness_check(language: str, figures: dict[str, float], spec: QcSpec) -> Check:
    if not figures:
        return Check("loudness", language, None, "no dub mix")
    target = figures.get("target_lkfs", spec.dialogue_lkfs)
    measure = "dialogue_lkfs" if target == spec.dialogue_lkfs else "programme_lkfs"
    integrated, peak, lra = figures.get(measure, -70.0), figures.get("true_peak_dbtp", 0.0), figures.get("lra_lu", 0.0)
    problems = []
    if abs(integrated - target) > spec.loudness_tolerance:
        problems.append(f"integrated {integrated:.1f} LKFS is outside {target:g} ± {spec.loudness_tolerance:g}")
    if peak > spec.true_peak_dbtp + 0.05:
        problems.append(f"true peak {peak:.1f} dBTP is above {spec.true_peak_dbtp:g}")
    if lra > spec.max_lra_lu:
        problems.append(f"LRA {lra:.1f} LU is above {spec.max_lra_lu:g}")
    label = "dialogue-gated" if measure == "dialogue_lkfs" else "programme"
    summary = f"{integrated:.1f} LKFS {label} (target {target:g} ± {spec.loudness_tolerance:g}), {peak:.1f} dBTP, LRA {lra:.1f} LU"
    return Check("loudness", language, not problems, summary, tuple(problems))


def _timing(episode: Episode, track: Track, spec: QcSpec) -> tuple[Check, list[float], list[WorstLine]]:
    rows: list[WorstLine] = []
    for line in episode.lines:
        rendition = track.renditions.get(line.id)
        if rendition is None or rendition.take is None:
            continue
        take = rendition.take
        text = take.text or rendition.text
        rows.append(WorstLine(line.id, line.start, text, take.duration_error, take.overlap, take.ladder_step, "overrun" in take.flags))
    if not rows:
        return Check("timing-fit", track.language, None, "no dubbed lines"), [], []
    # A take flagged short (no slower rate or stretch was allowed) is judged by its error like any other; an overrun always fails.
    bad = [row for row in rows if abs(row.error) > spec.max_take_error or row.overlap > spec.max_take_overlap or row.overrun]
    worst = sorted(rows, key=lambda row: (-(abs(row.error) + row.overlap), row.start))[:WORST_LINES]
    fitted = sum(1 for row in rows if abs(row.error) <= 0.1)
    summary = f"{len(rows)} takes, {fitted} within 0.1 s of their window, {len(bad)} out of spec"
    details = tuple(
        f"{row.line_id}: {row.error:+.2f} s, overlap {row.overlap:.2f} s ({row.step})" for row in sorted(bad, key=lambda r: r.start)
    )
    return Check("timing-fit", track.language, not bad, summary, details), [row.error for row in rows], worst


def _lips(episode: Episode, track: Track, frame_rate: float) -> tuple[Check, list[LipLine]]:
    """On-screen takes against their speaker's mouth: the lip-sync score, onset and end against opening and closing."""
    rows: list[LipLine] = []
    for line in episode.lines:
        rendition = track.renditions.get(line.id)
        take = rendition.take if rendition else None
        if take is None or take.lip_sync is None:
            continue
        sync = take.lip_sync
        rows.append(LipLine(line.id, line.start, take.text or "", sync.score, sync.lag, sync.onset_error, sync.end_error))
    if not rows:
        seen = episode.picture is not None
        return Check("lip-sync", track.language, None, "no dubbed line is on screen" if seen else "the picture was not analysed"), []
    limit = LIP_FRAMES / frame_rate + 1e-6

    def off(value: float | None) -> bool:
        return value is not None and abs(value) > limit

    bad = [row for row in rows if row.score < MIN_LIP_SCORE or off(row.onset_error) or off(row.end_error)]
    mean = sum(row.score for row in rows) / len(rows)
    summary = f"{len(rows)} on-screen takes, mean lip-sync score {mean:.2f}, {len(bad)} off the lips"
    details = tuple(
        f"{row.line_id}: score {row.score:.2f} at {row.lag * 1000:+.0f} ms, onset {_ms(row.onset_error)}, end {_ms(row.end_error)}"
        for row in sorted(bad, key=lambda r: r.start)
    )
    worst = sorted(rows, key=lambda row: (row.score, row.start))[:WORST_LINES]
    return Check("lip-sync", track.language, not bad, summary, details), worst


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:+.0f} ms"


def _sync_check(episode: Episode, frame_rate: float) -> Check:
    """Whether the source's sound is in step with its picture (measured over the lines seen spoken)."""
    picture = episode.picture
    if picture is None:
        return Check("source-sync", "source", None, "the picture was not analysed")
    counts = {screen: sum(sight.screen == screen for sight in picture.lines.values()) for screen in Screen}
    seen = f"{counts[Screen.ON]} lines on screen, {counts[Screen.OFF]} off, {counts[Screen.UNCLEAR]} unclear"
    if picture.sync_offset is None:
        return Check("source-sync", "source", None, f"too few lines seen spoken to measure the offset; {seen}")
    frames = picture.sync_offset * frame_rate
    summary = (
        f"sound {picture.sync_offset * 1000:+.0f} ms ({frames:+.1f} frames) against the picture over {picture.sync_lines} lines; {seen}"
    )
    details = (f"the source's sound is {abs(frames):.1f} frames {'late' if frames > 0 else 'early'}: fix its offset and run again",)
    passed = not picture.out_of_sync(frame_rate)
    return Check("source-sync", "source", passed, summary, () if passed else details)


def _edits_check(episode: Episode, track: Track) -> Check:
    """Human renditions (edited, approved): none may translate a source text the line no longer has."""
    human = [(line, track.renditions[line.id]) for line in episode.lines if line.id in track.renditions]
    human = [(line, rendition) for line, rendition in human if rendition.origin != "machine"]
    if not human:
        return Check("edits", track.language, None, "no edited or approved lines")
    changed = [(line, rendition) for line, rendition in human if RenditionFlag.SOURCE_CHANGED in rendition.flags]
    details = tuple(f"{line.id}: edited for {rendition.source_text!r}, the line now reads {line.text!r}" for line, rendition in changed)
    summary = f"{len(human)} edited or approved lines, {len(changed)} whose source line changed since (re-review them)"
    return Check("edits", track.language, not changed, summary, details)


def _untranslated_check(episode: Episode, track: Track) -> Check:
    """Machine renditions: none may leave a source word untranslated (names and glossary terms kept on purpose aside)."""
    machine = [(line, track.renditions[line.id]) for line in episode.lines if line.id in track.renditions]
    machine = [(line, rendition) for line, rendition in machine if rendition.origin == "machine"]
    if not machine:
        return Check("untranslated", track.language, None, "no machine-translated lines")
    left = [(line, rendition.untranslated) for line, rendition in machine if rendition.untranslated]
    words = sum(len(untranslated) for _, untranslated in left)
    summary = f"{words} source words left untranslated in {len(left)} of {len(machine)} machine-translated lines"
    details = tuple(f"{line.id}: {', '.join(untranslated)}" for line, untranslated in left)
    return Check("untranslated", track.language, not left, summary, details)


def _subtitle_check(language: str, files: list[Path], config: Config, frame_rate: float, shots: list[float], folder: Path) -> Check:
    """Every rule violation once, naming each file it appears in (SRT, WebVTT and TTML of one variant share their events)."""
    if not files:
        return Check("subtitles", language, None, "no subtitle files")
    rules = config.package.rules_for(language)
    found: dict[tuple[str, str], list[str]] = {}
    events = 0
    for path in files:
        result = check_subtitle_file(path, rules, language, frame_rate, shots)
        events += result.events
        variant = path.relative_to(folder).with_suffix("").as_posix()
        for violation in result.violations:
            found.setdefault((variant, violation.describe(frame_rate)), []).append(path.suffix.lstrip("."))
    details = tuple(f"{variant} {described} ({', '.join(formats)})" for (variant, described), formats in found.items())
    summary = f"{len(files)} files, {events} events, {len(details)} rule violations"
    return Check("subtitles", language, not details, summary, details)


def _glossary(language: str, folder: Path, deliverables: list[Deliverable]) -> tuple[Check, dict[str, Any] | None, str | None]:
    report = next((d for d in deliverables if d.kind == "glossary-report" and d.language == language and d.format == "json"), None)
    page = next((d for d in deliverables if d.kind == "glossary-report" and d.language == language and d.format == "html"), None)
    if report is None:
        return Check("glossary", language, None, "no glossary given"), None, None
    summary = json.loads((folder / report.path).read_text(encoding="utf-8"))["summary"]
    text = (
        f"{summary['occurrences']} term occurrences: {summary['honoured']} honoured, {summary['kept']} kept, "
        f"{summary['violated']} violated, {summary['forbidden']} forbidden"
    )
    return Check("glossary", language, summary["violations"] == 0, text), summary, page.path if page else None


def _expected_code(tag: str, container: str) -> str:
    return tag if container == "matroska" or tag == "und" else iso639_2(tag)


def _master_check(episode: Episode, master: Deliverable, folder: Path, dubbed: list[str]) -> Check:
    """The stream layout: video copied, original audio first and default, a tagged dub per language, subtitles per language."""
    container = master.format or "matroska"
    streams = probe_streams(folder / master.path)
    problems: list[str] = []
    video = [s for s in streams if s.get("codec_type") == "video"]
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    subtitles = [s for s in streams if s.get("codec_type") == "subtitle"]
    if episode.source.has_video and [s.get("codec_name") for s in video] != [episode.source.video_codec]:
        problems.append(f"video streams {[s.get('codec_name') for s in video]}, expected one {episode.source.video_codec}")
    original = _expected_code(episode.source_language or "und", container)
    expected_audio = [(original, None)] + [(_expected_code(tag, container), f"{display_name(tag)} (dubbed)") for tag in dubbed]
    found_audio = [((s.get("tags") or {}).get("language"), _title(s)) for s in audio]
    if len(found_audio) != len(expected_audio):
        problems.append(f"{len(found_audio)} audio streams, expected {len(expected_audio)}")
    for number, ((code, title), (found_code, found_title)) in enumerate(zip(expected_audio, found_audio, strict=False)):
        if found_code != code:
            problems.append(f"audio {number} is tagged '{found_code}', expected '{code}'")
        if title is not None and found_title != title:
            problems.append(f"audio {number} is titled '{found_title}', expected '{title}'")
    defaults = [number for number, s in enumerate(audio) if (s.get("disposition") or {}).get("default")]
    if defaults != [0]:
        problems.append(f"default audio streams {defaults}, expected only the original (0)")
    wanted_codec = _SUBTITLE_CODECS.get(container)
    for s in subtitles:
        if s.get("codec_name") != wanted_codec:
            problems.append(f"subtitle stream {s.get('index')} is {s.get('codec_name')}, expected {wanted_codec}")
    subtitle_codes = {(s.get("tags") or {}).get("language") for s in subtitles}
    for tag in dubbed:
        if _expected_code(tag, container) not in subtitle_codes:
            problems.append(f"no subtitle stream tagged {_expected_code(tag, container)}")
    summary = (
        f"{len(video)} video, {len(audio)} audio ({', '.join(str(code) for code, _ in found_audio)}), {len(subtitles)} subtitle streams"
    )
    return Check("master-layout", master.path, not problems, summary, tuple(problems))


def _title(stream: dict[str, Any]) -> str | None:
    tags = stream.get("tags") or {}
    return tags.get("title") or tags.get("handler_name")


def _decode_check(master: Deliverable, folder: Path) -> Check:
    from localize.media.verify import decode_streams

    results = decode_streams(folder / master.path)
    bad = [r for r in results if not r.ok]
    details = tuple(
        f"stream {r.index} ({r.kind}, {r.codec}) decoded to {r.decoded_until:.2f} s of {r.expected or 0:.2f} s"
        + (f": {r.errors[0]}" if r.errors else "")
        for r in bad
    )
    return Check("master-decode", master.path, not bad, f"{len(results) - len(bad)} of {len(results)} streams decode to the end", details)


def _integrity_check(folder: Path, deliverables: list[Deliverable]) -> Check:
    problems = []
    for item in deliverables:
        path = folder / item.path
        if not path.is_file():
            problems.append(f"{item.path} is missing")
        elif path.stat().st_size != item.bytes or sha256_file(path) != item.sha256:
            problems.append(f"{item.path} changed since packaging (sha256 differs)")
    return Check(
        "integrity",
        "manifest",
        not problems,
        f"{len(deliverables) - len(problems)} of {len(deliverables)} files as packaged",
        tuple(problems),
    )


def _source_check(episode: Episode) -> Check:
    """Whether the source decoded to the end (a truncated file gives a package of only part of the programme)."""
    source = episode.source
    if source.decoded_duration is None:
        return Check("source-complete", "source", None, "the source was not decoded")
    summary = f"the dialogue audio decodes to {source.decoded_duration:.1f} s of {source.declared_duration:.1f} s declared"
    details = ("the source file is truncated: copy or export it again",) if source.truncated else ()
    return Check("source-complete", "source", not source.truncated, summary, details)


def assess(
    episode: Episode,
    folder: Path,
    deliverables: list[Deliverable],
    config: Config,
    shots: list[float],
    frame_rate: float,
    decode: bool = False,
    verify_hashes: bool = False,
) -> QcReport:
    """Check every deliverable under ``folder`` (paths in ``deliverables`` are relative to it)."""
    spec = QcSpec.from_config(config)
    languages: list[LanguageQc] = []
    for language, track in episode.tracks.items():
        mine = [d for d in deliverables if d.language == language]
        entry = LanguageQc(language, loudness=dict(track.loudness))
        entry.checks.append(_loudness_check(language, track.loudness, spec))
        timing, entry.take_errors, entry.worst_lines = _timing(episode, track, spec)
        entry.checks.append(timing)
        lips, entry.lip_lines = _lips(episode, track, frame_rate)
        entry.checks.append(lips)
        entry.checks.append(_edits_check(episode, track))
        entry.checks.append(_untranslated_check(episode, track))
        files = [folder / d.path for d in mine if d.kind == "subtitles"]
        entry.checks.append(_subtitle_check(language, files, config, frame_rate, shots, folder))
        glossary, entry.glossary, entry.glossary_link = _glossary(language, folder, mine)
        entry.checks.append(glossary)
        entry.mix = next((d.path for d in mine if d.kind == "dub-mix"), None)
        entry.casting = _casting(episode, track)
        languages.append(entry)
    dubbed = [entry.language for entry in languages if entry.mix]
    checks: list[Check] = [_source_check(episode), _sync_check(episode, frame_rate)]
    for master in (d for d in deliverables if d.kind == "master"):
        checks.append(_master_check(episode, master, folder, dubbed))
        checks.append(_decode_check(master, folder) if decode else Check("master-decode", master.path, None, "run 'localize qc' to decode"))
    if verify_hashes:
        checks.append(_integrity_check(folder, [d for d in deliverables if d.kind != "qc-report"]))
    return QcReport(episode.id, frame_rate, languages, checks)
