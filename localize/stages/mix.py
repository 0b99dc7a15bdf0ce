"""The mix stage: place takes into a dialogue stem and mix it over the M&E (separated from the original audio by
an optional separator, or else the original ducked under each dubbed line).

Loudness follows broadcast practice: the dialogue-gated loudness of each mix is
brought to ``dialogue_lkfs`` (-27 LKFS), or the full programme to ``programme_lkfs``
(-24 LKFS) when dialogue is under 15 % of the running time; true peak stays at or
below ``true_peak_dbtp``.

Audio goes through in blocks (``localize.stages.mixdown``): the original once (its
loudness under the source lines, each line's level), each language's takes once
(the dialogue stem's loudness), then the bed twice for all languages together (the
mix measured, then written at its final gain), so memory does not grow with the
programme's length.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from localize.cache import stable_hash
from localize.config import MixConfig
from localize.errors import ConfigError
from localize.keys import key_value
from localize.media.audio import MIX_RATE, read_audio, write_wav
from localize.media.blocks import read_blocks, wav_writer
from localize.media.loudness import SILENCE_LUFS, LoudnessMeter, TruePeakMeter
from localize.model import Episode, Track
from localize.stages.base import RunContext, Stage
from localize.stages.factory import make_backend
from localize.stages.mixdown import BLOCK, DialogueStem, LineLevels, covered, duck_gain, relative_levels
from localize.stages.separate import Separator

__all__ = ["MixStage"]

log = logging.getLogger(__name__)

LOUDNESS_TOLERANCE = 2.0
"""LU a mix may sit from its loudness target."""
TRUE_PEAK_MARGIN_DB = 0.1
"""Headroom kept below the true-peak ceiling (24-bit rounding, resampling in players)."""


@dataclass(frozen=True)
class _Bed:
    """What the dub is laid over: a file's audio stream, and whether it is an M&E (else the original, ducked)."""

    path: Path
    stream: int | None
    is_me: bool


@dataclass
class _LanguageMix:
    """One language's mix as it is built: its stem, its gains, and the meters the measuring pass feeds."""

    track: Track
    key: str
    stem: DialogueStem
    dialogue_gain: float
    bed_gain: float
    duck: bool
    config: MixConfig
    length: int
    meter: LoudnessMeter = field(default_factory=lambda: LoudnessMeter(MIX_RATE, 2))
    peak: TruePeakMeter = field(default_factory=TruePeakMeter)

    def block(self, first: int, bed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mix, dialogue) of the block of ``bed`` starting at sample ``first``, before the final gain."""
        dialogue = self.stem.block(first, first + len(bed))
        dialogue *= self.dialogue_gain
        under = bed * self.bed_gain
        if self.duck:
            under *= duck_gain(first, first + len(bed), self.stem.spans, self.length, self.config.duck_db, self.config.duck_ramp)[:, None]
        return under + dialogue[:, None], dialogue


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
        """Analyse the original once, then mix every pending language over the bed, block by block."""
        config: MixConfig = ctx.config.mix
        length = round(episode.source.duration * MIX_RATE)
        source = Path(episode.source.path)
        stream = episode.source.audio_streams[episode.source.audio_stream or 0].index
        source_spans = [(int(line.start * MIX_RATE), int(line.end * MIX_RATE)) for line in episode.lines]
        original = LoudnessMeter(MIX_RATE, 2)
        lines = LineLevels(episode.lines, length)
        for number, block in enumerate(read_blocks(source, MIX_RATE, 2, length, BLOCK, stream)):
            original.add(block)
            lines.add(number * BLOCK, block)
        original_dialogue = original.integrated(original.span_mask(source_spans))
        levels = relative_levels(lines.finish(), config.level_range_db)
        if episode.me_stem:
            bed = _Bed(Path(episode.me_stem), None, True)
        elif config.separation is not None:
            bed = _Bed(_separated_bed(episode, length, ctx), None, True)
        else:
            bed = _Bed(source, stream, False)
        mixes: dict[str, _LanguageMix] = {}
        for language, (track, key) in pending.items():
            ctx.hook(self.name, language, 0, 1)
            stem = DialogueStem(track, length, ctx.workdir.resolve, levels)
            # Dialogue to the target, the bed kept at the level it had against the original dialogue.
            dialogue_gain = _gain(_stem_loudness(stem, length), config.dialogue_lkfs)
            bed_gain = _gain(original_dialogue, config.dialogue_lkfs)
            mixes[language] = _LanguageMix(track, key, stem, dialogue_gain, bed_gain, not bed.is_me, config, length)
        for number, block in enumerate(read_blocks(bed.path, MIX_RATE, 2, length, BLOCK, bed.stream)):
            for mix in mixes.values():
                mixed, _ = mix.block(number * BLOCK, block)
                mix.meter.add(mixed)
                mix.peak.add(mixed)
        gains = {language: _final_gain(mix) for language, mix in mixes.items()}
        paths = {
            language: (ctx.workdir.artifact(mix.key, ".dialogue.wav"), ctx.workdir.artifact(mix.key, ".mix.wav"))
            for language, mix in mixes.items()
        }
        with contextlib.ExitStack() as files:
            writers = {
                language: (files.enter_context(wav_writer(stem, 1)), files.enter_context(wav_writer(mixed, 2)))
                for language, (stem, mixed) in paths.items()
            }
            for mix in mixes.values():
                mix.stem.rewind()
            for number, block in enumerate(read_blocks(bed.path, MIX_RATE, 2, length, BLOCK, bed.stream)):
                for language, mix in mixes.items():
                    mixed, dialogue = mix.block(number * BLOCK, block)
                    gain = gains[language][0]
                    mixed *= gain
                    dialogue *= gain
                    writers[language][0](dialogue)
                    writers[language][1](mixed)
        tracks: dict[str, Track] = {}
        for language, mix in mixes.items():
            figures = gains[language][1]
            ctx.workdir.write_json(mix.key, figures)
            ctx.hook(self.name, language, 1, 1)
            stem_path, mix_path = paths[language]
            update = {"dialogue_stem": ctx.workdir.relative(stem_path), "mix": ctx.workdir.relative(mix_path), "loudness": figures}
            tracks[language] = mix.track.model_copy(update=update)
        return tracks


def _final_gain(mix: _LanguageMix) -> tuple[float, dict[str, float]]:
    """The gain that brings a measured mix to its target with its true peak under the ceiling (loudness is linear
    in gain, so level and peak are corrected together), and the figures the mix will then have."""
    config = mix.config
    dialogue_share = covered(mix.stem.spans) / max(1, mix.length)
    gated = dialogue_share >= config.dialogue_share_for_gating
    target = config.dialogue_lkfs if gated else config.programme_lkfs
    dialogue_lkfs = mix.meter.integrated(mix.meter.span_mask(mix.stem.spans))
    programme_lkfs = mix.meter.integrated()
    measured = dialogue_lkfs if gated else programme_lkfs
    gain_db = target - measured if measured > SILENCE_LUFS else 0.0
    peak = mix.peak.dbtp
    gain_db = min(gain_db, config.true_peak_dbtp - TRUE_PEAK_MARGIN_DB - peak)
    figures = {
        "dialogue_lkfs": round(dialogue_lkfs + gain_db, 2),
        "programme_lkfs": round(programme_lkfs + gain_db, 2),
        "true_peak_dbtp": round(peak + gain_db, 2),
        "lra_lu": round(mix.meter.loudness_range, 2),
        "dialogue_share": round(dialogue_share, 3),
        "target_lkfs": target,
        "gated": float(gated),
    }
    return float(10 ** (gain_db / 20)), figures


def _stem_loudness(stem: DialogueStem, length: int) -> float:
    """Gated integrated loudness of a dialogue stem (LUFS); -70 when silent or shorter than a gating block."""
    meter = LoudnessMeter(MIX_RATE, 1)
    heard = False
    for first in range(0, length, BLOCK):
        block = stem.block(first, min(length, first + BLOCK))
        heard = heard or bool(np.any(block))
        meter.add(block)
    stem.rewind()
    return meter.integrated() if heard and length >= int(0.4 * MIX_RATE) else SILENCE_LUFS


def _separated_bed(episode: Episode, length: int, ctx: RunContext) -> Path:
    """The original audio without its voices, from the configured separator; cached per source and separator.

    The separator works on the whole programme at once (the one step here that is not done in blocks).
    """
    choice = ctx.config.mix.separation
    assert choice is not None
    key = stable_hash("separated-bed", episode.source.fingerprint, episode.source.audio_stream, choice.model_dump(mode="json"))
    path = ctx.workdir.artifact(key, ".bed.wav")
    if not path.is_file():
        separator = make_backend("separate", choice, ctx.config)
        if not isinstance(separator, Separator):
            raise ConfigError(f"'{choice.backend}' is not a source separator", "choose a separate backend, e.g. demucs.v1")
        log.info("separating the voices out of the original audio with %s", choice.backend)
        stream = episode.source.audio_streams[episode.source.audio_stream or 0].index
        original = _fit_length(read_audio(Path(episode.source.path), MIX_RATE, channels=2, stream=stream), length)
        write_wav(path, separator.music_and_effects(original, MIX_RATE), MIX_RATE, subtype="FLOAT")
    return path


def _gain(measured: float, target: float) -> float:
    """Linear gain taking ``measured`` LUFS to ``target`` (unity for silence)."""
    return 1.0 if measured <= -69 else float(10 ** ((target - measured) / 20))


def _fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    """Pad with silence or cut to exactly ``length`` samples."""
    if len(audio) < length:
        audio = np.pad(audio, ((0, length - len(audio)), (0, 0)))
    return audio[:length]
