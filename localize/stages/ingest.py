"""Ingest: choose the dialogue stream and extract it as 16 kHz mono audio."""

from __future__ import annotations

from localize.errors import InputError
from localize.media.audio import SPEECH_RATE, audio_duration, choose_audio_stream, extract_audio
from localize.media.channels import measure_channel_talkers
from localize.model import Episode, MediaInfo
from localize.stages.base import RunContext, Stage

__all__ = ["IngestStage"]


class IngestStage(Stage):
    """Extract the source's dialogue audio into the work directory."""

    name = "ingest"
    reads = ("source.fingerprint", "source.path", "source.duration", "source.audio_streams")
    writes = ("source.audio_stream", "source.decoded_duration", "dialogue_audio", "channel_audio")
    settings = ("audio_stream", "source_language", "channels")

    def backend_name(self, ctx: RunContext) -> str:
        """Ingest always uses ffmpeg."""
        return "ffmpeg"

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """The extracted audio is still there."""
        return bool(episode.dialogue_audio) and ctx.workdir.resolve(episode.dialogue_audio or "").is_file()

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Extract the chosen stream (and its channels when they are split); a stream cut short is reported."""
        position = choose_audio_stream(episode.source, ctx.config.source_language, ctx.config.audio_stream)
        channels = ctx.config.channels
        picked = {"left": 0, "right": 1}.get(channels)
        out = ctx.workdir.artifact(episode.source.fingerprint, f".s{position}{'' if picked is None else f'.c{picked}'}.16k.wav")
        ctx.hook(self.name, "extract audio", 0, 1)
        extract_audio(episode.source, position, out, SPEECH_RATE, channel=picked)
        split = self._split(episode, position, ctx) if channels == "split" else []
        ctx.hook(self.name, "extract audio", 1, 1)
        decoded = round(audio_duration(out), 3)
        source = episode.source.model_copy(update={"audio_stream": position, "decoded_duration": decoded})
        update = {"source": source, "dialogue_audio": ctx.workdir.relative(out), "channel_audio": split}
        episode = episode.model_copy(update=update)
        if source.truncated:
            episode = ctx.warn(episode, _truncation_warning(source))
        if channels == "mix":
            episode = self._suggest_split(episode, position, ctx)
        return episode

    @staticmethod
    def _split(episode: Episode, position: int, ctx: RunContext) -> list[str]:
        """Each channel of the stream as its own mono file (``--channels split``)."""
        count = episode.source.audio_streams[position].channels
        if count < 2:
            raise InputError(f"audio stream {position} is mono: it has no channels to split", "use --channels mix")
        paths = []
        for channel in range(count):
            path = ctx.workdir.artifact(episode.source.fingerprint, f".s{position}.c{channel}.16k.wav")
            extract_audio(episode.source, position, path, SPEECH_RATE, channel=channel)
            paths.append(ctx.workdir.relative(path))
        return paths

    @staticmethod
    def _suggest_split(episode: Episode, position: int, ctx: RunContext) -> Episode:
        """Warn when a stereo stream's channels carry different talkers, which a mix would blur into one speaker."""
        talkers = measure_channel_talkers(episode.source, position)
        if talkers is None or not talkers.separate:
            return episode
        return ctx.warn(
            episode,
            f"the left and right channels carry different talkers (correlation {talkers.correlation:.2f}; each alone in "
            f"{100 * talkers.left_alone:.0f} % and {100 * talkers.right_alone:.0f} % of the sound): "
            "re-run with --channels split to take each channel as one speaker",
        )


def _truncation_warning(source: MediaInfo) -> str:
    """What a user reads about a source cut short: how much is missing, what the package holds, what to do."""
    return (
        f"TRUNCATED SOURCE: its audio decodes to {source.decoded_duration or 0.0:.1f} s of the "
        f"{source.declared_duration:.1f} s the file declares; the package covers only what decodes and its QC fails. "
        "Copy or export the file again"
    )
