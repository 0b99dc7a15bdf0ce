"""Review proxies, composed with moviepy: small picture, burned-in subtitles and timecode, dubbed audio.

Frames are composed from bitmaps drawn once: one per subtitle event, one per
timecode character, one for the label. Per frame only numpy copies run, so
the proxy costs little more than decoding the picture small and encoding it.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from localize.cache import atomic_path
from localize.glossary.report import timecode
from localize.package.cues import Cue

if TYPE_CHECKING:
    from PIL import ImageFont

__all__ = ["ProxyJob", "write_review_proxies"]

log = logging.getLogger("localize")

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")
_TIMECODE_CHARACTERS = "0123456789:"
_WHITE, _YELLOW, _BLACK = (255, 255, 255), (255, 255, 0), (0, 0, 0)


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    if path.is_file():
        return ImageFont.truetype(str(path), size)
    log.info("font %s not found (apt-get install fonts-dejavu-core); using Pillow's default", path)
    return ImageFont.load_default(size)


def _label(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, colour: tuple[int, int, int], pad: int) -> np.ndarray:
    """``text`` drawn on an opaque black box, as an RGB array."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = font.getbbox(text)
    image = Image.new("RGB", (int(right - left) + 2 * pad, int(bottom - top) + 2 * pad), _BLACK)
    ImageDraw.Draw(image).text((pad - left, pad - top), text, font=font, fill=colour)
    return np.asarray(image)


def _event(lines: list[str], font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> np.ndarray:
    """A subtitle event: each line centred on its own box, stacked, at most ``width`` wide."""
    rows = [_label(line, font, _WHITE, 3) for line in lines if line]
    if not rows:
        return np.zeros((0, 0, 3), dtype=np.uint8)
    wide = min(width, max(row.shape[1] for row in rows))
    stacked = np.zeros((sum(row.shape[0] for row in rows) + 2 * (len(rows) - 1), wide, 3), dtype=np.uint8)
    mask = np.zeros(stacked.shape[:2], dtype=bool)
    y = 0
    for row in rows:
        row = row[:, :wide]
        x = (wide - row.shape[1]) // 2
        stacked[y : y + row.shape[0], x : x + row.shape[1]] = row
        mask[y : y + row.shape[0], x : x + row.shape[1]] = True
        y += row.shape[0] + 2
    stacked[~mask] = 0
    return np.dstack([stacked, mask.astype(np.uint8)])


class _Overlay:
    """Pastes the timecode, a label and the current subtitle onto each frame."""

    def __init__(self, cues: list[Cue], frame_rate: float, label: str, width: int, height: int) -> None:
        self.cues = sorted(cues, key=lambda cue: cue.start)
        self.starts = [cue.start for cue in self.cues]
        self.frame_rate = frame_rate
        self.margin = max(2, height // 60)
        text_font = _font(_FONT, max(10, height // 16))
        code_font = _font(_MONO, max(9, height // 20))
        cells = {character: _label(character, code_font, _YELLOW, 0) for character in _TIMECODE_CHARACTERS}
        cell_height = max(cell.shape[0] for cell in cells.values())
        cell_width = max(cell.shape[1] for cell in cells.values())
        self.cells = {key: _pad(cell, cell_height, cell_width) for key, cell in cells.items()}
        self.label = _label(label, code_font, _YELLOW, 2)
        self.events = [_event(cue.lines, text_font, width - 2 * self.margin) for cue in self.cues]

    def event_at(self, t: float) -> int | None:
        """The index of the subtitle on screen at ``t`` seconds, if any."""
        position = bisect.bisect_right(self.starts, t + 1e-6) - 1
        if position >= 0 and t < self.cues[position].end - 1e-6:
            return position
        return None

    def __call__(self, frame: np.ndarray, t: float) -> np.ndarray:
        out = np.array(frame, dtype=np.uint8, copy=True)
        height, width = out.shape[:2]
        m = self.margin
        code = np.pad(np.hstack([self.cells[character] for character in timecode(t, self.frame_rate)]), ((2, 2), (3, 3), (0, 0)))
        _paste(out, code, m, m)
        _paste(out, self.label, m, width - m - self.label.shape[1])
        index = self.event_at(t)
        if index is not None and self.events[index].size:
            event = self.events[index]
            top, left = height - m - event.shape[0], (width - event.shape[1]) // 2
            mask = event[..., 3].astype(bool)
            region = out[max(0, top) : top + event.shape[0], left : left + event.shape[1]]
            clipped = mask[: region.shape[0], : region.shape[1]]
            region[clipped] = event[: region.shape[0], : region.shape[1], :3][clipped]
        return out


def _pad(cell: np.ndarray, height: int, width: int) -> np.ndarray:
    padded = np.zeros((height, width, 3), dtype=np.uint8)
    padded[: cell.shape[0], : cell.shape[1]] = cell
    return padded


def _paste(frame: np.ndarray, patch: np.ndarray, top: int, left: int) -> None:
    """Copy an opaque RGB patch onto ``frame``, clipped to the frame."""
    left = max(0, left)
    bottom, right = min(frame.shape[0], top + patch.shape[0]), min(frame.shape[1], left + patch.shape[1])
    frame[top:bottom, left:right] = patch[: bottom - top, : right - left]


@dataclass(frozen=True)
class ProxyJob:
    """One review proxy to write: its sound (AAC, copied as is), its subtitles, the label in the corner and where it goes."""

    audio: Path
    cues: list[Cue]
    label: str
    out: Path


def write_review_proxies(video: Path, jobs: list[ProxyJob], frame_rate: float, height: int = 270) -> None:
    """Write an H.264/AAC MP4 per job at ``height`` lines, its cues and the timecode burned in, its audio as sound.

    The picture is decoded (and scaled) once for all jobs; each job's frames go to
    its own encoder, which also muxes its audio.
    """
    if not jobs:
        return
    from moviepy import VideoFileClip
    from moviepy.video.io.ffmpeg_writer import FFMPEG_VideoWriter

    with VideoFileClip(str(video), audio=False) as probe_clip:
        source_width, source_height = probe_clip.size
    width = max(2, round(source_width * height / source_height / 2) * 2)
    overlays = [_Overlay(job.cues, frame_rate, job.label, width, height) for job in jobs]
    with contextlib.ExitStack() as stack, VideoFileClip(str(video), audio=False, target_resolution=(width, height)) as clip:
        temps = [stack.enter_context(atomic_path(job.out)) for job in jobs]
        writers = [
            FFMPEG_VideoWriter(
                str(temp),
                (width, height),
                frame_rate,
                codec="libx264",
                audiofile=str(job.audio),
                audio_codec="copy",
                preset="ultrafast",
                threads=1,
                ffmpeg_params=["-crf", "30", "-fflags", "+bitexact", "-movflags", "+faststart", "-f", "mp4"],
            )
            for job, temp in zip(jobs, temps, strict=True)
        ]
        try:
            for t, frame in clip.iter_frames(fps=frame_rate, with_times=True, dtype="uint8"):
                for writer, overlay in zip(writers, overlays, strict=True):
                    writer.write_frame(overlay(frame, t))
        finally:
            for writer in writers:
                writer.close()
