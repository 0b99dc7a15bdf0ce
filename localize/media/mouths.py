"""Mouths through a programme: every face tracked through each shot, and how open its mouth is, frame by frame.

The picture is decoded once by ffmpeg at a reduced frame rate and size (a proxy) and read a
frame at a time, so memory stays flat whatever the programme's length. A face is found by the
detector (at each shot's start, and every ``DETECT_EVERY`` seconds for faces that enter), then
followed by the face mesh alone: each frame's landmarks give the next frame's region.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from localize.errors import MediaError
from localize.media.faces import MIN_PRESENCE, Box, FaceModels, Landmarks
from localize.media.tools import picture_command

__all__ = ["PROXY_WIDTH", "TARGET_RATE", "MouthTracks", "analysis_rate", "track_mouths"]

PROXY_WIDTH = 640
"""Pixels across the proxy the faces are found in (smaller sources are read at their own size)."""
TARGET_RATE = 12.5
"""Frames a second analysed, about: every source frame at 12.5 fps and below, every second one at 25 fps."""
DETECT_EVERY = 0.5
"""Seconds between two looks for faces that entered the shot."""
DETECT_IDLE = 0.16
"""Seconds between two looks while no face is seen (a cut the shot detector missed brings one in)."""
SAME_FACE = 0.5
"""Two tracks whose regions overlap this much (IoU) follow the same face: the younger one ends."""
FOLLOWED = 0.2
"""A detected face overlapping a track's region this much (IoU) is that track's face, not a new one."""
LIP_PAIRS = ((13, 14), (82, 87), (312, 317))
"""Face-mesh points facing each other across the inner lips (centre, left, right)."""
EYE_CORNERS = (33, 263)


@dataclass(frozen=True)
class MouthTracks:
    """Per analysed frame and visible face: which track, how open the mouth is, how big and where the face is."""

    rate: float
    """Analysed frames per second; frame ``i`` shows the picture at ``i / rate`` seconds."""
    frames: int
    frame: np.ndarray
    track: np.ndarray
    opening: np.ndarray
    """Inner-lip gap over the distance between the eye corners (0 closed, about 0.4 wide open)."""
    size: np.ndarray
    """The face region's side over the frame's height."""
    x: np.ndarray
    """The face's centre across the frame (0 left, 1 right)."""
    shots: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """Analysed frames that start a new shot."""

    def save(self, path: Path) -> None:
        """Write the tracks as a NumPy archive."""
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                rate=np.float64(self.rate),
                frames=np.int64(self.frames),
                frame=self.frame,
                track=self.track,
                opening=self.opening,
                size=self.size,
                x=self.x,
                shots=self.shots,
            )

    @classmethod
    def load(cls, path: Path) -> MouthTracks:
        """Read tracks written by :meth:`save`."""
        with np.load(path) as data:
            return cls(
                rate=float(data["rate"]),
                frames=int(data["frames"]),
                frame=data["frame"],
                track=data["track"],
                opening=data["opening"],
                size=data["size"],
                x=data["x"],
                shots=data["shots"],
            )

    def visible(self, start: float, end: float) -> list[int]:
        """Tracks seen at least once between ``start`` and ``end`` seconds."""
        inside = (self.frame >= start * self.rate) & (self.frame <= end * self.rate)
        return sorted(int(t) for t in np.unique(self.track[inside]))

    def series(self, track: int) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, mouth opening) of one track, in time order."""
        mine = self.track == track
        return self.frame[mine] / self.rate, self.opening[mine]

    def face_size(self, track: int) -> float:
        """The track's median face size (over the frame's height)."""
        return float(np.median(self.size[self.track == track]))


def analysis_rate(frame_rate: float | None) -> Fraction:
    """The frame rate faces are analysed at: the source's divided by a whole number, near TARGET_RATE."""
    source = Fraction(str(frame_rate or 25.0)).limit_denominator(1001)
    return source / max(1, round(float(source) / TARGET_RATE))


def _proxy_size(width: int, height: int) -> tuple[int, int]:
    proxy_width = min(PROXY_WIDTH, width - width % 2)
    return proxy_width, max(2, round(height * proxy_width / width / 2) * 2)


def _mouth_opening(landmarks: Landmarks) -> float:
    points = landmarks.points
    gap = np.mean([np.linalg.norm(points[a] - points[b]) for a, b in LIP_PAIRS])
    eyes = float(np.linalg.norm(points[EYE_CORNERS[0]] - points[EYE_CORNERS[1]]))
    return float(gap / eyes) if eyes > 0 else 0.0


@dataclass
class _Track:
    id: int
    box: Box


class _Tracker:
    """Follows faces frame by frame and records one sample per face per frame."""

    def __init__(self, models: FaceModels, height: int, width: int, rate: float) -> None:
        self.models = models
        self.height, self.width = height, width
        self.detect_every = max(1, round(DETECT_EVERY * rate))
        self.detect_idle = max(1, round(DETECT_IDLE * rate))
        self.active: list[_Track] = []
        self.next_id = 0
        self.last_detection = -self.detect_every
        self.rows: list[tuple[int, int, float, float, float]] = []

    def _record(self, index: int, track: _Track, landmarks: Landmarks) -> None:
        self.rows.append((index, track.id, _mouth_opening(landmarks), track.box.side / self.height, track.box.x / self.width))

    def cut(self) -> None:
        """A new shot: every face is lost."""
        self.active = []
        self.last_detection = -self.detect_every

    def step(self, index: int, frame: np.ndarray) -> None:
        """Follow the faces into ``frame``; look for new ones when one was lost or a look is due."""
        kept: list[_Track] = []
        lost = False
        for track in self.active:
            landmarks = self.models.landmarks(frame, track.box)
            if landmarks.presence < MIN_PRESENCE:
                lost = True
                continue
            track.box = landmarks.box()
            if any(track.box.overlap(other.box) > SAME_FACE for other in kept):
                continue
            kept.append(track)
            self._record(index, track, landmarks)
        self.active = kept
        due = self.detect_every if self.active else self.detect_idle
        if lost or index - self.last_detection >= due:
            self.last_detection = index
            for box in self.models.detect(frame):
                if any(box.overlap(track.box) > FOLLOWED for track in self.active):
                    continue
                landmarks = self.models.landmarks(frame, box)
                if landmarks.presence < MIN_PRESENCE:
                    continue
                track = _Track(self.next_id, landmarks.box())
                self.next_id += 1
                self.active.append(track)
                self._record(index, track, landmarks)


def track_mouths(
    video: Path,
    frame_rate: float | None,
    width: int,
    height: int,
    shot_changes: list[float],
    progress: Callable[[float], None] | None = None,
) -> MouthTracks:
    """Track every face of ``video`` and measure its mouth opening at :func:`analysis_rate`.

    ``shot_changes`` (seconds) end every track; ``progress`` hears the seconds analysed so far.
    """
    rate = analysis_rate(frame_rate)
    proxy_width, proxy_height = _proxy_size(width, height)
    scale = f"fps={rate.numerator}/{rate.denominator},scale={proxy_width}:{proxy_height}:flags=area"
    command = picture_command(video, scale, "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    frame_bytes = proxy_width * proxy_height * 3
    cuts = sorted({round(t * float(rate)) for t in shot_changes})
    tracker = _Tracker(FaceModels(), proxy_height, proxy_width, float(rate))
    index = 0
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=frame_bytes) as process:
        assert process.stdout is not None and process.stderr is not None
        try:
            while True:
                data = process.stdout.read(frame_bytes)
                if len(data) < frame_bytes:
                    break
                if cuts and index >= cuts[0]:
                    tracker.cut()
                    while cuts and index >= cuts[0]:
                        cuts.pop(0)
                frame = np.frombuffer(data, dtype=np.uint8).reshape(proxy_height, proxy_width, 3)
                tracker.step(index, frame)
                index += 1
                if progress is not None and index % 25 == 0:
                    progress(index / float(rate))
            stderr = process.stderr.read().decode("utf-8", "replace").strip()
        finally:
            process.stdout.close()
        if process.wait() != 0:
            raise MediaError(
                f"reading the picture of {video.name} failed: {stderr.splitlines()[-1] if stderr else process.returncode}",
                "the video stream may be corrupt",
                command=command,
                stderr=stderr,
            )
    rows = np.array(tracker.rows, dtype=np.float64).reshape(-1, 5)
    return MouthTracks(
        rate=float(rate),
        frames=index,
        frame=rows[:, 0].astype(np.int32),
        track=rows[:, 1].astype(np.int32),
        opening=rows[:, 2].astype(np.float32),
        size=rows[:, 3].astype(np.float32),
        x=rows[:, 4].astype(np.float32),
        shots=np.array(sorted({round(t * float(rate)) for t in shot_changes}), dtype=np.int32),
    )
