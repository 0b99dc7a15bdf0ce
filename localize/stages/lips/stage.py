"""The lips stage: track faces and mouths once per source, then mark each line ON, OFF or unclear."""

from __future__ import annotations

from pathlib import Path

from localize.cache import atomic_path, stable_hash
from localize.media.faces import face_models_missing
from localize.media.lipsync import SoundFile
from localize.media.mouths import MouthTracks, track_mouths
from localize.media.scenes import detect_shot_changes
from localize.model import Episode, Picture, Screen
from localize.stages.base import RunContext, Stage
from localize.stages.lips.sight import find_sync_offset, see_line, speech_span

__all__ = ["LipsStage"]


class LipsStage(Stage):
    """Find who is seen speaking: mouth tracks of every face, each line's sight, the source's sound-to-picture offset."""

    name = "lips"
    reads = (
        "source.path",
        "source.fingerprint",
        "source.duration",
        "source.frame_rate",
        "source.video_codec",
        "source.width",
        "source.height",
        "dialogue_audio",
        "lines.*.id",
        "lines.*.start",
        "lines.*.end",
        "lines.*.words.*.start",
        "lines.*.words.*.end",
    )
    writes = ("picture",)
    settings = ("lips", "package.scene_threshold")

    def backend_name(self, ctx: RunContext) -> str:
        """The face models' source."""
        return "mediapipe-face-mesh.v1"

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """The mouth tracks are still on disk."""
        return episode.picture is None or ctx.workdir.resolve(episode.picture.mouths).is_file()

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Track the mouths (cached per source), measure the offset, then see every line."""
        source = episode.source
        if not ctx.config.lips.enabled or not source.has_video or not source.width or not source.height or not episode.dialogue_audio:
            return episode.model_copy(update={"picture": None})
        missing = face_models_missing()
        if missing is not None:
            message = f"lines not marked ON/OFF, the dub is not timed to the lips: {missing.one_line()}"
            return ctx.warn(episode, message).model_copy(update={"picture": None})
        path = self._mouths(episode, ctx)
        tracks = MouthTracks.load(path)
        sound = SoundFile(ctx.workdir.resolve(episode.dialogue_audio))
        spans = [speech_span(line) for line in episode.lines]
        config = ctx.config.lips
        ctx.hook(self.name, "lines", 0, len(spans))
        found = find_sync_offset(tracks, sound, spans, config)
        offset, score, used = found if found is not None else (0.0, None, 0)
        sights = {span.line_id: see_line(tracks, sound, span, offset, config) for span in spans}
        ctx.hook(self.name, "lines", len(spans), len(spans))
        picture = Picture(
            mouths=ctx.workdir.relative(path),
            rate=tracks.rate,
            faces=len(set(tracks.track.tolist())),
            sync_offset=offset if found is not None else None,
            sync_score=score,
            sync_lines=used,
            lines=sights,
        )
        if picture.out_of_sync(source.frame_rate or 25.0):
            episode = ctx.warn(episode, _offset_warning(offset, source.frame_rate))
        on = sum(sight.screen == Screen.ON for sight in sights.values())
        ctx.hook(self.name, f"{on} of {len(sights)} lines on screen", len(spans), len(spans))
        return episode.model_copy(update={"picture": picture})

    def _mouths(self, episode: Episode, ctx: RunContext) -> Path:
        """The source's mouth tracks, analysed once per picture and shot threshold."""
        source = episode.source
        threshold = ctx.config.package.scene_threshold
        path = ctx.workdir.artifact(stable_hash("mouths", ctx.code, source.fingerprint, threshold), ".mouths.npz")
        if path.is_file():
            return path
        video = Path(source.path)
        ctx.hook(self.name, "shot changes", 0, 1)
        shots = detect_shot_changes(video, threshold)
        assert source.width and source.height
        total = max(1, round(source.duration))

        def progress(seconds: float) -> None:
            ctx.hook(self.name, "faces", min(total, round(seconds)), total)

        tracks = track_mouths(video, source.frame_rate, source.width, source.height, shots, progress)
        with atomic_path(path) as temp:
            tracks.save(temp)
        return path


def _offset_warning(offset: float, frame_rate: float | None) -> str:
    frames = offset * (frame_rate or 25.0)
    direction = "after" if offset > 0 else "before"
    return (
        f"SOURCE OUT OF SYNC: its sound comes {abs(offset) * 1000:.0f} ms ({abs(frames):.1f} frames) {direction} its picture; "
        "fix the source's audio offset and run again (the dub is timed to the picture)"
    )
