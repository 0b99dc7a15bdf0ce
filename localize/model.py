"""The Episode document that flows through every stage, and its parts.

Times are float seconds from the start of the programme. Paths to artifacts are
stored relative to the episode's work directory so a work directory can move.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "AudioStream",
    "CastVoice",
    "Deliverable",
    "Episode",
    "GlossaryHit",
    "Line",
    "MediaInfo",
    "PackageResult",
    "Picture",
    "Rendition",
    "RenditionFlag",
    "Review",
    "RunSettings",
    "Screen",
    "Sight",
    "SourceEdit",
    "Speaker",
    "SpeechTurn",
    "StageRecord",
    "Take",
    "TakeSync",
    "Track",
    "Word",
]

SCHEMA_VERSION = 4
"""Bumped when a saved manifest needs migrating; :mod:`localize.migrate` takes older ones forward."""

TRUNCATION_TOLERANCE_SECONDS = 1.0
TRUNCATION_TOLERANCE_SHARE = 0.01
"""A stream decoding to less than declared by more than 1 s + 1 % of its length is truncated (codec
priming and a video slightly longer than its sound stay well within this)."""

SYNC_TOLERANCE_FRAMES = 1.0
"""Frames a source's sound may be off its picture before it is reported out of sync."""

Origin = Literal["machine", "edited", "approved", "rejected"]
"""Who a rendition's text comes from and where its review stands: machine -> edited -> approved / rejected.
Anything but ``machine`` is a person's, never replaced by a re-run."""
LineOrigin = Literal["machine", "edited"]
"""``edited``: a person changed the line's text, timing or speaker; segmentation keeps it as it is."""
Gender = Literal["male", "female", "unknown"]


class RenditionFlag(StrEnum):
    """What a reviewer should know about a rendition or its take (QC reads these)."""

    GLOSSARY_VIOLATION = "glossary-violation"
    FORCED_NARRATIVE = "forced-narrative"
    SOURCE_CHANGED = "source-changed"
    """The source line's text changed since this rendition was made: a person's is kept (re-review it), a machine's
    is translated again by the next run."""
    NOT_DUBBED = "not-dubbed"
    NO_VOICE = "no-voice"
    TTS_FAILED = "tts-failed"
    FALLBACK_VOICE = "fallback-voice"
    """The cast voice could not speak the line; espeak-ng's fallback voice did."""
    OVERLAP = "overlap"
    OVERRUN = "overrun"
    SHORT = "short"
    EARLY = "early"
    AT_LIMITS = "at-limits"
    """The take needed the slowest engine rate and the largest stretch allowed: listen to it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AudioStream(_Model):
    """One audio stream of the source file."""

    index: int
    codec: str
    channels: int
    sample_rate: int
    language: str | None = None
    title: str | None = None
    duration: float | None = None
    """Seconds the container declares for this stream (absent in some containers, e.g. Matroska)."""


class MediaInfo(_Model):
    """What ffprobe told us about the source file."""

    path: Path
    """Typed as a path, so cache keys hold the file's content rather than how its name was spelled."""
    size: int
    fingerprint: str
    duration: float
    container: str
    frame_rate: float | None = None
    video_codec: str | None = None
    width: int | None = None
    height: int | None = None
    audio_streams: list[AudioStream] = Field(default_factory=list)
    audio_stream: int | None = None
    """Index (in ``audio_streams``) of the stream used as dialogue source."""
    decoded_duration: float | None = None
    """Seconds the dialogue stream actually decodes to (measured at ingest)."""

    @property
    def has_video(self) -> bool:
        """Whether the source has a picture (audio-only sources get no shot detection or proxy)."""
        return self.video_codec is not None

    @property
    def declared_duration(self) -> float:
        """Seconds the container declares for the dialogue stream (the stream's own figure, else the file's)."""
        stream = self.audio_streams[self.audio_stream or 0] if self.audio_streams else None
        return stream.duration if stream is not None and stream.duration else self.duration

    @property
    def truncated(self) -> bool:
        """Whether the dialogue stream decodes to clearly less than declared (a file cut short in copying)."""
        if self.decoded_duration is None:
            return False
        missing = self.declared_duration - self.decoded_duration
        return missing > TRUNCATION_TOLERANCE_SECONDS + TRUNCATION_TOLERANCE_SHARE * self.declared_duration


class Word(_Model):
    """A transcribed word with its timing."""

    text: str
    start: float
    end: float
    probability: float = 1.0
    speaker: str | None = None
    language: str | None = None
    """The language this word was transcribed in (the line's detected language)."""


class SpeechTurn(_Model):
    """A stretch of time in which one speaker talks (diarization output)."""

    start: float
    end: float
    speaker: str


class Speaker(_Model):
    """A voice in the programme; ``name`` is the editable character name."""

    id: str
    name: str
    gender: Gender = "unknown"
    median_f0: float | None = None
    speech_seconds: float = 0.0
    reference_clip: str | None = None
    embedding: list[float] = Field(default_factory=list)
    """The voice's speaker embedding (diarization's encoder): recognises characters across episodes, guides casting."""
    origin: LineOrigin = "machine"
    """``edited``: a person made this speaker (split off another); diarization keeps it."""
    extras: dict[str, Any] = Field(default_factory=dict)
    """For third-party plug-ins only; localize's own data has typed fields."""


class Line(_Model):
    """One dialogue line: the unit a dubbing actor records."""

    id: str
    start: float
    end: float
    speaker: str
    text: str
    words: list[Word] = Field(default_factory=list)
    language: str | None = None
    forced_narrative: bool = False
    """Spoken in another language than the programme's: subtitled as a forced narrative, not dubbed by default."""
    revision: int = 0
    """Raised each time the line's text, timing or speaker changes; with its rendition's, says whether a script row is stale."""
    origin: LineOrigin = "machine"
    """``edited``: a person changed it; segmentation keeps the line and cuts only the words around it."""
    extras: dict[str, Any] = Field(default_factory=dict)
    """For third-party plug-ins only; localize's own data has typed fields."""

    @property
    def duration(self) -> float:
        """Length of the line in seconds."""
        return self.end - self.start


class GlossaryHit(_Model):
    """One glossary term found in a line, and what happened to it."""

    term_id: str
    source: str
    expected: list[str] = Field(default_factory=list)
    found: str | None = None
    status: Literal["honoured", "kept", "violated", "forbidden"]
    note: str = ""


class TakeSync(_Model):
    """How well a take's sound follows the speaker's visible mouth (on-screen lines only)."""

    score: float
    """Peak correlation of the take's speech envelope with the mouth's opening (-1..1; the source itself scores
    about 0.4 to 0.8)."""
    lag: float
    """Seconds the take's sound comes after the mouth at that peak."""
    onset_error: float | None = None
    """Seconds between the take's first sound and the mouth's visible opening (positive: the sound is late)."""
    end_error: float | None = None
    """Seconds between the take's last sound and the mouth's visible closing (positive: the sound runs on)."""


class Take(_Model):
    """A synthesized, retimed recording of one rendition."""

    audio: str
    voice: str
    start: float
    duration: float
    window_start: float
    window_end: float
    rate: float = 1.0
    """Engine speaking rate used (1.0 natural, >1 faster)."""
    stretch: float = 1.0
    """Time-stretch speed factor applied after synthesis (>1 faster, <1 slower)."""
    ladder_step: str = "natural"
    """Furthest retiming step needed: natural, rate, candidate, stretch, borrow or flagged."""
    steps: list[str] = Field(default_factory=list)
    """Every retiming step the take used, in ladder order."""
    text: str | None = None
    """What the take says (a shorter candidate when the ladder chose one)."""
    duration_error: float = 0.0
    """Take length minus its window length, in seconds."""
    overlap: float = 0.0
    """Seconds this take runs into the next take, beyond what the source lines overlap."""
    flags: list[RenditionFlag] = Field(default_factory=list)
    lip_sync: TakeSync | None = None
    """For a line whose speaker is on screen: how the take follows the visible mouth."""


class SourceEdit(_Model):
    """One change a regional layer made to a line's text before translation, at offsets [start, end) of the line's text."""

    start: int
    end: int
    original: str
    replacement: str
    rule: str
    """What made it: ``voseo``, or the id of the layer term."""
    layer: str
    """The layer's language tag (``es-AR``)."""


class PivotedWord(_Model):
    """A source word the direct translator did not know, rendered through another language."""

    word: str
    via: str
    """The pivot language (``ca``): source to it, then it to the target."""
    rendering: str


class Review(_Model):
    """The last review decision on a rendition: who made it, when, and why."""

    by: str
    at: str
    """ISO 8601 time, UTC."""
    comment: str = ""


class Rendition(_Model):
    """A line in one target language."""

    line_id: str
    text: str
    source_text: str = ""
    """The source line's text this rendition translates; a human rendition whose line has changed since is flagged."""
    candidates: list[str] = Field(default_factory=list)
    glossary_hits: list[GlossaryHit] = Field(default_factory=list)
    origin: Origin = "machine"
    revision: int = 0
    """Raised each time the text or origin changes (a new machine translation, an edit, an approval)."""
    flags: list[RenditionFlag] = Field(default_factory=list)
    """What translation and review found (glossary violation, forced narrative, source changed)."""
    take: Take | None = None
    skipped: RenditionFlag | None = None
    """Why the dub stage made no take for it (not dubbed, no voice, synthesis failed, forced narrative)."""
    source_edits: list[SourceEdit] = Field(default_factory=list)
    """What the regional layer changed in the source before the translator read it."""
    protected: list[str] = Field(default_factory=list)
    """Names kept verbatim without a glossary entry (auto-protected), for a reviewer to promote or reject."""
    untranslated: list[str] = Field(default_factory=list)
    """Source words the translator passed through untranslated."""
    pivoted: list[PivotedWord] = Field(default_factory=list)
    """Source words the direct translator did not know, rendered through a pivot language, for a reviewer to check."""
    review: Review | None = None
    """The reviewer's last approval or rejection (with its comment); None until a person reviewed it."""

    def revision_for(self, text: str, origin: Origin) -> int:
        """The revision this rendition has once its text and origin are these: one higher if either changes."""
        return self.revision + ((self.text, self.origin) != (text, origin))

    @property
    def all_flags(self) -> list[RenditionFlag]:
        """Every flag of the rendition, its dubbing and its take, for reviewers and QC."""
        dubbing = [self.skipped] if self.skipped else []
        return sorted({*self.flags, *dubbing, *(self.take.flags if self.take else [])})


class CastVoice(_Model):
    """Why a character got its voice: how near the voice is to the actor, and to the other characters' voices."""

    voice: str
    actor_similarity: float | None = None
    """Cosine similarity of the voice's voiceprint and the actor's speaker embedding."""
    nearest_character: str | None = None
    """The other character (speaker id) whose voice in this language sounds most like this one."""
    nearest_similarity: float | None = None
    """Cosine similarity of the two voices' voiceprints."""


class Track(_Model):
    """Everything produced for one target language."""

    language: str
    renditions: dict[str, Rendition] = Field(default_factory=dict)
    voices: dict[str, str] = Field(default_factory=dict)
    """speaker id -> voice id used for this language."""
    casting: dict[str, CastVoice] = Field(default_factory=dict)
    """speaker id -> the casting report of its voice."""
    dialogue_stem: str | None = None
    mix: str | None = None
    loudness: dict[str, float] = Field(default_factory=dict)
    extras: dict[str, Any] = Field(default_factory=dict)
    """For third-party plug-ins only; localize's own data has typed fields."""


class StageRecord(_Model):
    """When and how a stage last ran, and the cache key it ran with."""

    stage: str
    backend: str
    key: str
    """A digest of what the stage read, taken after it ran."""
    output: str = ""
    """A digest of what the stage wrote: changed since (by a person or another stage), the stage runs again."""
    seconds: float
    cache_hit: bool = False
    finished_at: str


class Deliverable(_Model):
    """A file handed to the customer."""

    path: str
    kind: str
    language: str | None = None
    sha256: str
    bytes: int
    format: str | None = None
    """Container or file format: matroska, mp4, wav-pcm24-48k, srt, webvtt, imsc1.1-text, csv, xlsx, html, json."""
    duration: float | None = None
    """Seconds of media (for subtitles: the end of the last event)."""
    figures: dict[str, Any] = Field(default_factory=dict)
    """Measurements: loudness (LUFS, dBTP, LU), subtitle timing (events, reading speed, violations), take fit."""


class RunSettings(_Model):
    """What the episode was last run with, so single stages, ``localize qc`` and the studio can run again alike."""

    targets: list[str] = Field(default_factory=list)
    glossary: str | None = None
    """The glossary file (absolute path) the run used."""
    config: dict[str, Any] = Field(default_factory=dict)
    """The resolved configuration as JSON (:class:`localize.config.Config` validates it)."""


class PackageResult(_Model):
    """What packaging measured on the picture, which QC reads again later."""

    shot_changes: list[float] = Field(default_factory=list)
    frame_rate: float


class Screen(StrEnum):
    """Whether a line's speaker is seen speaking it (dubbing scripts' ON/OFF)."""

    ON = "on"
    """A visible mouth moves with the line: the dub must keep to it."""
    OFF = "off"
    """No visible mouth speaks it (no face, a face turned away or covered, a listener): the dub may move."""
    UNCLEAR = "unclear"
    """A face is seen, but too small, too briefly or moving too loosely with the sound to say."""


class Sight(_Model):
    """What the picture shows while a line is spoken."""

    screen: Screen
    face: int | None = None
    """The mouth track (see :class:`Picture`) that speaks the line, or moves most like it."""
    score: float | None = None
    """Peak correlation of the line's speech envelope with that mouth's opening."""
    lag: float | None = None
    """Seconds the line's sound comes after that mouth at the peak."""
    coverage: float = 0.0
    """Share of the line's speech during which that face is seen."""
    mouth_open: float | None = None
    """When the speaking mouth visibly opens for the line (seconds, on-screen lines)."""
    mouth_close: float | None = None
    """When it visibly closes at the line's end."""
    closures: list[tuple[float, float]] = Field(default_factory=list)
    """Pauses inside the line where the mouth is seen closed (start, end)."""


class Picture(_Model):
    """What the face analysis found: the mouth tracks, the source's sound-to-picture offset, each line's sight."""

    mouths: str
    """Work-dir path of the mouth tracks (:class:`localize.media.mouths.MouthTracks`)."""
    rate: float
    """Frames a second analysed."""
    faces: int = 0
    """Face tracks found (a face followed through one shot is one track)."""
    sync_offset: float | None = None
    """Seconds the source's sound comes after its picture, measured over its on-screen lines (None: too few to say)."""
    sync_score: float | None = None
    """Mean correlation of those lines at that offset."""
    sync_lines: int = 0
    """Lines the offset was measured on."""
    lines: dict[str, Sight] = Field(default_factory=dict)
    """line id -> what the picture shows while it is spoken."""

    def out_of_sync(self, frame_rate: float) -> bool:
        """Whether the source's sound was measured more than a frame off its picture."""
        return self.sync_offset is not None and abs(self.sync_offset) * frame_rate > SYNC_TOLERANCE_FRAMES


class Episode(_Model):
    """The document every stage reads and returns a new copy of."""

    schema_version: int = SCHEMA_VERSION
    id: str
    source: MediaInfo
    source_language: str | None = None
    me_stem: Path | None = None
    """The music-and-effects stem given with the source (keyed by content, like every path)."""
    dialogue_audio: str | None = None
    """Work-dir path of the extracted 16 kHz mono source dialogue audio."""
    channel_audio: list[str] = Field(default_factory=list)
    """Work-dir paths of each channel's 16 kHz audio when every channel carries one talker (``--channels split``)."""
    words: list[Word] = Field(default_factory=list)
    turns: list[SpeechTurn] = Field(default_factory=list)
    speakers: list[Speaker] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    tracks: dict[str, Track] = Field(default_factory=dict)
    stages: dict[str, StageRecord] = Field(default_factory=dict)
    deliverables: list[Deliverable] = Field(default_factory=list)
    picture: Picture | None = None
    """Faces, mouths and each line's ON/OFF (the lips stage); None for a source without picture or before it ran."""
    package: PackageResult | None = None
    run: RunSettings | None = None
    warnings: list[str] = Field(default_factory=list)
    extras: dict[str, Any] = Field(default_factory=dict)
    """For third-party plug-ins only; localize's own data has typed fields."""

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The speaker with this id, if any."""
        return next((s for s in self.speakers if s.id == speaker_id), None)

    def line(self, line_id: str) -> Line | None:
        """The line with this id, if any."""
        return next((line for line in self.lines if line.id == line_id), None)

    def screen(self, line_id: str) -> Screen | None:
        """Whether the line's speaker is seen speaking it; None when the picture was not analysed."""
        sight = self.picture.lines.get(line_id) if self.picture else None
        return sight.screen if sight else None
