"""Loudness of every dub mix, measured again from the written files by ffmpeg's ebur128 and by pyloudnorm.

Reads an episode folder that has been through the mix stage (by default the one
``benchmarks/dub_fit.py`` leaves), and prints per language the manifest's figures
next to ffmpeg's (integrated, true peak, loudness range) and pyloudnorm's integrated
loudness of the full programme and of the dialogue-gated blocks, the stems' formats,
and whether each mix is in spec (-27 LKFS ±2 dialogue-gated, or -24 LKFS programme
when dialogue is under 15 %; true peak <= -2 dBTP; 48 kHz / 24-bit; mono dialogue stem).

Usage (from the repository root)::

    .venv/bin/python benchmarks/mix_loudness.py [EPISODE_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "benchmarks" / "longform" / "out" / "work-sample" / "episode"


def main() -> None:
    """Measure and print."""
    from localize.cache import WorkDir
    from localize.media.loudness import ffmpeg_ebur128

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    workdir = WorkDir.at(folder)
    episode = workdir.load()
    assert episode is not None, f"no manifest in {folder}"
    all_ok = True
    for language, track in episode.tracks.items():
        if not track.mix or not track.dialogue_stem:
            print(f"{language}: not mixed")
            all_ok = False
            continue
        mix_path, stem_path = workdir.resolve(track.mix), workdir.resolve(track.dialogue_stem)
        figures = track.loudness
        integrated, peak, lra = ffmpeg_ebur128(mix_path)
        samples, rate = soundfile.read(str(mix_path), dtype="float64")
        meter = pyloudnorm.Meter(rate)
        programme = meter.integrated_loudness(samples)
        spans = [
            samples[round(r.take.start * rate) : round((r.take.start + r.take.duration) * rate)]
            for r in track.renditions.values()
            if r.take is not None
        ]
        dialogue = meter.integrated_loudness(np.concatenate(spans)) if spans else float("nan")
        mix_info, stem_info = soundfile.info(str(mix_path)), soundfile.info(str(stem_path))
        formats_ok = (mix_info.samplerate, mix_info.subtype, stem_info.samplerate, stem_info.subtype, stem_info.channels) == (
            48_000,
            "PCM_24",
            48_000,
            "PCM_24",
            1,
        )
        gated = bool(figures.get("gated", 1.0))
        measured = dialogue if gated else programme
        target = figures["target_lkfs"]
        ok = abs(measured - target) <= 2.0 and peak <= -2.0 + 0.05 and formats_ok
        all_ok &= ok
        print(
            f"{language}: manifest dialogue {figures['dialogue_lkfs']:.2f} / programme {figures['programme_lkfs']:.2f} LKFS,"
            f" TP {figures['true_peak_dbtp']:.2f} dBTP, LRA {figures['lra_lu']:.1f} LU"
            f" | ffmpeg ebur128 programme {integrated:.1f} LUFS, TP {peak:.1f} dBTP, LRA {lra:.1f} LU"
            f" | pyloudnorm programme {programme:.2f}, dialogue (takes concatenated) {dialogue:.2f} LUFS"
            f" | mix {mix_info.samplerate} Hz {mix_info.subtype} {mix_info.channels} ch, stem {stem_info.samplerate} Hz"
            f" {stem_info.subtype} {stem_info.channels} ch | target {target:g} ({'dialogue-gated' if gated else 'programme'})"
            f" -> {'PASS' if ok else 'FAIL'}"
        )
    print(f"all mixes in spec: {all_ok}")


if __name__ == "__main__":
    main()
