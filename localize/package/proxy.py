"""Review proxies rendered by ffmpeg in one pass: small picture, burned-in subtitles, timecode and label, dubbed audio.

The picture is decoded and scaled once and split into one branch per proxy; each branch burns in its
subtitles with libass (an ASS file written here, white on a black box at the bottom), the running
timecode and its label with drawtext, and goes to its own H.264 encoder, which muxes the proxy's AAC
as it is. Nothing passes through Python frame by frame. The text of the episode (cues, labels) reaches
ffmpeg only inside files it reads (never as part of a filter graph), and their paths are quoted and
escaped for the filter-graph parser.
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from localize.cache import atomic_path
from localize.media.tools import require_tool, run_tool
from localize.package.cues import Cue

__all__ = ["ProxyJob", "ass_document", "write_review_proxies"]

_MONO = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf")
_TEXT_FONT = "DejaVu Sans"
_ENCODER = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-threads", "2"]
"""Fixed threads: x264's output depends on their number, so the same inputs give the same proxy anywhere."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ProxyJob:
    """One review proxy to write: its sound (AAC, copied as is), its subtitles, the label in the corner and where it goes."""

    audio: Path
    cues: list[Cue]
    label: str
    out: Path


def _ass_time(seconds: float) -> str:
    """H:MM:SS.cc, rounded down: a cue on a frame's time shows from that frame, and not on the frame at its end."""
    centis = max(0, math.floor(seconds * 100 + 1e-6))
    return f"{centis // 360000}:{centis // 6000 % 60:02d}:{centis // 100 % 60:02d}.{centis % 100:02d}"


def _ass_text(lines: list[str]) -> str:
    """Cue lines as literal ASS text: control characters become spaces, backslashes and braces cannot start a tag."""
    cleaned = [_CONTROL.sub(" ", line).replace("\\", "\u2216").replace("{", "\\{").replace("}", "\\}") for line in lines]
    return "\\N".join(line for line in cleaned if line.strip())


def ass_document(cues: list[Cue], width: int, height: int) -> str:
    """An ASS script drawing ``cues`` bottom-centre, each line on an opaque black box, sized for ``width`` x ``height``."""
    margin = max(2, height // 60)
    size = max(10, height // 16)
    header = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, "
        "StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Default,{_TEXT_FONT},{size},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,3,3,0,2,"
        f"{margin},{margin},{margin},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [
        f"Dialogue: 0,{_ass_time(cue.start)},{_ass_time(cue.end)},Default,,0,0,0,,{text}"
        for cue in sorted(cues, key=lambda cue: cue.start)
        if cue.end > cue.start and (text := _ass_text(cue.lines))
    ]
    return "\n".join([*header, *events, ""])


def _timecode_expression(frame_rate: float) -> str:
    """drawtext text giving HH:MM:SS:FF of the frame number, non-drop-frame at the nominal rate (as ``timecode()``)."""
    fps = max(1, round(frame_rate))
    parts = [f"trunc(n/{fps * 3600})", f"mod(trunc(n/{fps * 60}),60)", f"mod(trunc(n/{fps}),60)", f"mod(n,{fps})"]
    return ":".join(f"%{{eif:{part}:d:2}}" for part in parts)


def _quoted(path: Path) -> str:
    """``path`` as a filter option value: quoted for the option parser, then escaped for the filter-graph parser."""
    value = "'" + str(path).replace("'", "'\\''") + "'"
    return re.sub(r"([\\'\[\],;])", r"\\\1", value)


def _font() -> str:
    return f"fontfile={_quoted(_MONO)}" if _MONO.is_file() else "font=monospace"


def _branch(folder: Path, number: int, margin: int, code_size: int) -> str:
    """The filters one proxy's picture goes through after the split (its files are in ``folder``)."""
    box = f"fontcolor=yellow:box=1:boxcolor=black:boxborderw={max(2, code_size // 5)}:{_font()}:fontsize={code_size}"
    timecode = f"drawtext=textfile={_quoted(folder / 'timecode.txt')}:expansion=normal:{box}:x={margin}:y={margin}"
    label = f"drawtext=textfile={_quoted(folder / f'label{number}.txt')}:expansion=none:{box}:x=w-tw-{margin}:y={margin}"
    return f"[p{number}]ass=filename={_quoted(folder / f'cues{number}.ass')},{timecode},{label}[v{number}]"


def write_review_proxies(video: Path, jobs: list[ProxyJob], frame_rate: float, source_size: tuple[int, int], height: int = 270) -> None:
    """Write an H.264/AAC MP4 per job at ``height`` lines (the source's shape), its cues, the timecode and its label burned in.

    One ffmpeg process decodes and scales the picture once for all jobs; each job's branch has its own encoder,
    which also muxes its audio.
    """
    if not jobs:
        return
    ffmpeg = require_tool("ffmpeg", "ffmpeg")
    width = max(2, round(source_size[0] * height / source_size[1] / 2) * 2)
    margin = max(2, height // 60)
    code_size = max(9, height // 20)
    rate = f"{frame_rate:.6f}".rstrip("0").rstrip(".")
    with tempfile.TemporaryDirectory(prefix="localize-proxy-") as temp, contextlib.ExitStack() as stack:
        folder = Path(temp)
        (folder / "timecode.txt").write_text(_timecode_expression(frame_rate), encoding="utf-8")
        for number, job in enumerate(jobs):
            (folder / f"cues{number}.ass").write_text(ass_document(job.cues, width, height), encoding="utf-8")
            (folder / f"label{number}.txt").write_text(_CONTROL.sub(" ", job.label), encoding="utf-8")
        split = "".join(f"[p{number}]" for number in range(len(jobs)))
        graph = [f"[0:v:0]fps={rate},scale={width}:{height},setsar=1,split={len(jobs)}{split}"]
        graph += [_branch(folder, number, margin, code_size) for number in range(len(jobs))]
        (folder / "graph.txt").write_text(";\n".join(graph), encoding="utf-8")
        command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(video)]
        for job in jobs:
            command += ["-i", str(job.audio)]
        command += ["-filter_complex_script", str(folder / "graph.txt")]
        for number, job in enumerate(jobs):
            temp_out = stack.enter_context(atomic_path(job.out))
            command += ["-map", f"[v{number}]", "-map", f"{number + 1}:a:0", *_ENCODER, "-c:a", "copy"]
            command += ["-map_metadata", "-1", "-fflags", "+bitexact", "-movflags", "+faststart", "-f", "mp4", str(temp_out)]
        run_tool(command, f"rendering review proxies of {video.name}", "check that the source picture decodes")
