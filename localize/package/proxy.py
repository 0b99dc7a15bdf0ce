"""Review proxies, composed with moviepy: small picture, burned-in subtitles and timecode, dubbed audio."""

from __future__ import annotations

import bisect
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from localize.cache import atomic_path
from localize.glossary.report import timecode
from localize.package.cues import Cue

if TYPE_CHECKING:
    from PIL import ImageFont

__all__ = ["write_review_proxy"]

log = logging.getLogger("localize")

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    if path.is_file():
        return ImageFont.truetype(str(path), size)
    log.info("font %s not found (apt-get install fonts-dejavu-core); using Pillow's default", path)
    return ImageFont.load_default(size)


class _Overlay:
    """Draws the timecode, a label and the current subtitle onto each frame."""

    def __init__(self, cues: list[Cue], frame_rate: float, label: str, height: int) -> None:
        self.cues = sorted(cues, key=lambda cue: cue.start)
        self.starts = [cue.start for cue in self.cues]
        self.frame_rate = frame_rate
        self.label = label
        self.text_font = _font(_FONT, max(10, height // 16))
        self.code_font = _font(_MONO, max(9, height // 20))

    def cue_at(self, t: float) -> Cue | None:
        """The subtitle on screen at ``t`` seconds, if any."""
        position = bisect.bisect_right(self.starts, t + 1e-6) - 1
        if position >= 0 and t < self.cues[position].end - 1e-6:
            return self.cues[position]
        return None

    def __call__(self, frame: np.ndarray, t: float) -> np.ndarray:
        from PIL import Image, ImageDraw

        image = Image.fromarray(frame)
        draw = ImageDraw.Draw(image)
        width, height = image.size
        margin = max(2, height // 60)
        for text, anchor, x in ((timecode(t, self.frame_rate), "la", margin), (self.label, "ra", width - margin)):
            box = draw.textbbox((x, margin), text, font=self.code_font, anchor=anchor)
            draw.rectangle((box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2), fill=(0, 0, 0))
            draw.text((x, margin), text, font=self.code_font, anchor=anchor, fill=(255, 255, 0))
        cue = self.cue_at(t)
        if cue is not None:
            y = height - margin
            for line in reversed(cue.lines):
                box = draw.textbbox((width // 2, y), line, font=self.text_font, anchor="md")
                draw.rectangle((box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2), fill=(0, 0, 0))
                draw.text((width // 2, y), line, font=self.text_font, anchor="md", fill=(255, 255, 255))
                y = int(box[1]) - 4
        return np.asarray(image)


def write_review_proxy(video: Path, audio: Path, cues: list[Cue], frame_rate: float, label: str, out: Path, height: int = 270) -> None:
    """Write an H.264/AAC MP4 at ``height`` lines with ``cues`` and the timecode burned in, and ``audio`` as its sound."""
    from moviepy import VideoFileClip

    with VideoFileClip(str(video), audio=False) as probe_clip:
        source_width, source_height = probe_clip.size
    width = max(2, round(source_width * height / source_height / 2) * 2)
    overlay = _Overlay(cues, frame_rate, label, height)
    with VideoFileClip(str(video), audio=False, target_resolution=(width, height)) as clip:
        composed = clip.transform(lambda get_frame, t: overlay(get_frame(t), t))
        with atomic_path(out) as temp:
            composed.write_videofile(
                str(temp),
                fps=frame_rate,
                codec="libx264",
                preset="veryfast",
                audio=str(audio),
                audio_codec="aac",
                audio_bitrate="128k",
                threads=2,
                pixel_format="yuv420p",
                ffmpeg_params=["-crf", "28", "-fflags", "+bitexact", "-movflags", "+faststart", "-f", "mp4"],
                logger=None,
            )
