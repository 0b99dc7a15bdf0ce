"""The mix stage: place takes into a dialogue stem and mix it over the M&E (separated from the original audio by
an optional separator, or else the original ducked under each dubbed line).

Loudness follows broadcast practice: the dialogue-gated loudness of each mix is
brought to ``dialogue_lkfs`` (-27 LKFS), or the full programme to ``programme_lkfs``
(-24 LKFS) when dialogue is under 15 % of the running time; true peak stays at or
below ``true_peak_dbtp``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from localize.cache import stable_hash
from localize.config import MixConfig
from localize.errors import ConfigError
from localize.keys import key_value
from localize.media.audio import MIX_RATE, read_audio, write_wav
from localize.media.loudness import SILENCE_LUFS, LoudnessMeter, active_level_db, integrated_loudness, true_peak_dbtp
from localize.model import Episode, Line, Track
from localize.stages.base import RunContext, Stage
from localize.stages.factory import make_backend
from localize.stages.separate import Separator

__all__ = ["MixStage", "duck_envelope", "place_takes", "source_levels"]

log = logging.getLogger(__name__)

TAKE_LEVEL_DB = -20.0
"""Active level (dBFS) every take is brought to before its source line's relative level is applied."""
LOUDNESS_TOLERANCE = 2.0
"""LU a mix may sit from its loudness target."""
TRUE_PEAK_MARGIN_DB = 0.1
"""Headroom kept below the true-peak ceiling (24-bit rounding, resampling in players)."""


def source_levels(original: np.ndarray, lines: list[Line], level_range: float) -> dict[str, float]:
    """line id -> dB its source speech sits above (or below) the median line, within ±``level_range``."""
    levels = {
        line.id: active_level_db(original[int(line.start * MIX_RATE) : int(line.end * MIX_RATE)], MIX_RATE)
        for line in lines
        if line.end > line.start
    }
    heard = [level for level in levels.values() if level > SILENCE_LUFS]
    if not heard:
        return {}
    median = float(np.median(heard))
    return {line_id: float(np.clip(level - median, -level_range, level_range)) for line_id, level in levels.items() if level > SILENCE_LUFS}


def place_takes(
    track: Track, length: int, resolve: Any, levels: dict[str, float] | None = None
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Sum every take at its own start into a mono stem; return it and the spans it covers.

    With ``levels`` (line id -> dB from ``source_levels``), every take is first brought to one speech level
    and then raised or lowered as far as its source line was, so a shouted line stays louder than a whispered one.
    """
    stem = np.zeros(length, dtype=np.float32)
    spans: list[tuple[int, int]] = []
    for line_id, rendition in track.renditions.items():
        take = rendition.take
        if take is None:
            continue
        audio, rate = soundfile.read(resolve(take.audio), dtype="float32")
        assert rate == MIX_RATE, "takes are written at the mix rate"
        if levels is not None:
            own = active_level_db(audio, MIX_RATE)
            if own > SILENCE_LUFS:
                audio = audio * np.float32(10 ** ((TAKE_LEVEL_DB + levels.get(line_id, 0.0) - own) / 20))
        start = round(take.start * MIX_RATE)
        end = min(length, start + len(audio))
        if end > start:
            stem[start:end] += audio[: end - start]
            spans.append((start, end))
    return stem, spans


def duck_envelope(length: int, spans: list[tuple[int, int]], depth_db: float, ramp: float) -> np.ndarray:
    """Gain curve that dips by ``depth_db`` under each span, with linear ramps of ``ramp`` seconds before and after."""
    presence = np.zeros(length, dtype=np.float32)
    width = max(1, round(ramp * MIX_RATE))
    rising = np.arange(1, width + 1, dtype=np.float32) / (width + 1)
    for start, end in spans:
        start, end = max(0, start), min(length, end)
        presence[start:end] = 1.0
        before = presence[max(0, start - width) : start]
        np.maximum(before, rising[width - len(before) :], out=before)
        after = presence[end : end + width]
        np.maximum(after, rising[::-1][: len(after)], out=after)
    depth = 10 ** (depth_db / 20)
    return (1.0 - presence * (1.0 - depth)).astype(np.float32)


def _covered(spans: list[tuple[int, int]]) -> int:
    """Samples covered by at least one span (overlapping takes count once)."""
    covered, reach = 0, 0
    for start, end in sorted(spans):
        covered += max(0, end - max(start, reach))
        reach = max(reach, end)
    return covered


class MixStage(Stage):
    """Build each language's dialogue stem and dub mix; a language whose takes and settings are unchanged is kept."""

    name = "mix"
    reads = (
        "source.path",
        "source.fingerprint",
        "source.duration",
        "source.audio_streams",
        "source.audio_stream",
        "me_stem",
        "lines.*.id",
        "lines.*.start",
        "lines.*.end",
        "tracks.*.language",
        "tracks.*.renditions.*.take.audio",
        "tracks.*.renditions.*.take.start",
    )
    writes = ("tracks.*.dialogue_stem", "tracks.*.mix", "tracks.*.loudness")
    settings = ("mix", "allow_downloads", "models_dir")
    context = ("targets",)

    def backend_name(self, ctx: RunContext) -> str:
        """Mixing is built in."""
        return "numpy.v1"

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """Stems and mixes are still on disk."""
        return all(
            track.mix
            and track.dialogue_stem
            and ctx.workdir.resolve(track.mix).is_file()
            and ctx.workdir.resolve(track.dialogue_stem).is_file()
            for track in episode.tracks.values()
        )

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Mix every target language whose mix is not in the cache already."""
        tracks = dict(episode.tracks)
        pending: dict[str, str] = {}
        for language in ctx.targets:
            key = self._track_key(episode, tracks[language], ctx)
            cached = self._cached(tracks[language], key, ctx)
            if cached is None:
                pending[language] = key
            else:
                tracks[language] = cached
        if pending:
            tracks.update(self._mix_tracks(episode, {language: (tracks[language], key) for language, key in pending.items()}, ctx))
        for language in ctx.targets:
            figures = tracks[language].loudness
            measured = figures["dialogue_lkfs"] if figures["gated"] else figures["programme_lkfs"]
            if abs(measured - figures["target_lkfs"]) > LOUDNESS_TOLERANCE:
                episode = ctx.warn(
                    episode,
                    f"{language} mix measures {measured:.1f} LKFS against {figures['target_lkfs']:g}: peaks limit the gain",
                )
        return episode.model_copy(update={"tracks": tracks})

    @staticmethod
    def _track_key(episode: Episode, track: Track, ctx: RunContext) -> str:
        """What one language's mix depends on: the bed, where the source dialogue is, the takes, the settings, the code."""
        source = episode.source
        takes = sorted((line_id, r.take.audio, r.take.start) for line_id, r in track.renditions.items() if r.take)
        return stable_hash(
            "mix",
            ctx.code,
            track.language,
            source.fingerprint,
            source.audio_stream,
            key_value(episode.me_stem),
            [(line.id, line.start, line.end) for line in episode.lines],
            takes,
            key_value(ctx.config.mix),
        )

    @staticmethod
    def _cached(track: Track, key: str, ctx: RunContext) -> Track | None:
        """The track with its mix from an earlier run, when the files and figures are still there."""
        figures = ctx.workdir.read_json(key)
        stem_path, mix_path = ctx.workdir.artifact(key, ".dialogue.wav"), ctx.workdir.artifact(key, ".mix.wav")
        if not isinstance(figures, dict) or not stem_path.is_file() or not mix_path.is_file():
            return None
        update = {"dialogue_stem": ctx.workdir.relative(stem_path), "mix": ctx.workdir.relative(mix_path), "loudness": figures}
        return track.model_copy(update=update)

    def _mix_tracks(self, episode: Episode, pending: dict[str, tuple[Track, str]], ctx: RunContext) -> dict[str, Track]:
        """Decode the original and the bed once, then mix each pending language over them."""
        length = round(episode.source.duration * MIX_RATE)
        stream = episode.source.audio_streams[episode.source.audio_stream or 0]
        original = _fit_length(read_audio(Path(episode.source.path), MIX_RATE, channels=2, stream=stream.index), length)
        source_spans = [(int(line.start * MIX_RATE), int(line.end * MIX_RATE)) for line in episode.lines]
        meter = LoudnessMeter(original, MIX_RATE)
        original_dialogue = meter.integrated(meter.span_mask(source_spans))
        if episode.me_stem:
            bed, is_me = _fit_length(read_audio(Path(episode.me_stem), MIX_RATE, channels=2), length), True
        elif ctx.config.mix.separation is not None:
            bed, is_me = _separated_bed(original, episode, ctx), True
        else:
            bed, is_me = original, False
        levels = source_levels(original, episode.lines, ctx.config.mix.level_range_db)
        mixed: dict[str, Track] = {}
        for language, (track, key) in pending.items():
            ctx.hook(self.name, language, 0, 1)
            mixed[language] = self._mix_track(track, key, bed, is_me, original_dialogue, levels, ctx)
            ctx.hook(self.name, language, 1, 1)
        return mixed

    def _mix_track(
        self, track: Track, key: str, bed: np.ndarray, is_me: bool, original_dialogue: float, levels: dict[str, float], ctx: RunContext
    ) -> Track:
        config: MixConfig = ctx.config.mix
        length = len(bed)
        dialogue, spans = place_takes(track, length, ctx.workdir.resolve, levels)
        dialogue_share = _covered(spans) / max(1, length)
        gated = dialogue_share >= config.dialogue_share_for_gating
        target = config.dialogue_lkfs if gated else config.programme_lkfs
        # Dialogue to the target, the bed kept at the level it had against the original dialogue.
        dialogue *= _gain(integrated_loudness(dialogue, MIX_RATE), config.dialogue_lkfs)
        under = bed * _gain(original_dialogue, config.dialogue_lkfs)
        if not is_me:
            under *= duck_envelope(length, spans, config.duck_db, config.duck_ramp)[:, None]
        mix = under + dialogue[:, None]
        # Loudness is linear in gain: measure once, then correct level and true peak together.
        meter = LoudnessMeter(mix, MIX_RATE)
        dialogue_lkfs = meter.integrated(meter.span_mask(spans))
        programme_lkfs = meter.integrated()
        measured = dialogue_lkfs if gated else programme_lkfs
        gain_db = target - measured if measured > SILENCE_LUFS else 0.0
        peak = true_peak_dbtp(mix)
        gain_db = min(gain_db, config.true_peak_dbtp - TRUE_PEAK_MARGIN_DB - peak)
        gain = float(10 ** (gain_db / 20))
        mix *= gain
        dialogue *= gain
        figures = {
            "dialogue_lkfs": round(dialogue_lkfs + gain_db, 2),
            "programme_lkfs": round(programme_lkfs + gain_db, 2),
            "true_peak_dbtp": round(peak + gain_db, 2),
            "lra_lu": round(meter.loudness_range, 2),
            "dialogue_share": round(dialogue_share, 3),
            "target_lkfs": target,
            "gated": float(gated),
        }
        stem_path = ctx.workdir.artifact(key, ".dialogue.wav")
        mix_path = ctx.workdir.artifact(key, ".mix.wav")
        write_wav(stem_path, dialogue)
        write_wav(mix_path, mix)
        ctx.workdir.write_json(key, figures)
        return track.model_copy(
            update={"dialogue_stem": ctx.workdir.relative(stem_path), "mix": ctx.workdir.relative(mix_path), "loudness": figures}
        )


def _separated_bed(original: np.ndarray, episode: Episode, ctx: RunContext) -> np.ndarray:
    """The original audio without its voices, from the configured separator; cached per source and separator."""
    choice = ctx.config.mix.separation
    assert choice is not None
    key = stable_hash("separated-bed", episode.source.fingerprint, episode.source.audio_stream, choice.model_dump(mode="json"))
    path = ctx.workdir.artifact(key, ".bed.wav")
    if not path.is_file():
        separator = make_backend("separate", choice, ctx.config)
        if not isinstance(separator, Separator):
            raise ConfigError(f"'{choice.backend}' is not a source separator", "choose a separate backend, e.g. demucs.v1")
        log.info("separating the voices out of the original audio with %s", choice.backend)
        write_wav(path, separator.music_and_effects(original, MIX_RATE), MIX_RATE, subtype="FLOAT")
    return _fit_length(read_audio(path, MIX_RATE, channels=2), len(original))


def _gain(measured: float, target: float) -> float:
    """Linear gain taking ``measured`` LUFS to ``target`` (unity for silence)."""
    return 1.0 if measured <= -69 else float(10 ** ((target - measured) / 20))


def _fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """Pad with silence or cut to exactly ``length`` samples."""
    if len(audio) < length:
        audio = np.pad(audio, ((0, length - len(audio)), (0, 0)))
    return audio[:length]
