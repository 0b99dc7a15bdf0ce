"""The dub against the picture: on-screen takes against the mouth, off-screen takes' stretches, lip-sync scores.

    nice -n 10 python benchmarks/lips/retime.py [--language es]

Runs ingest and the lips stage on the cases' programme, gives its GRID lines their sentences
(``bin blue at f two now``...) as English text, translates them with the translate stage
(Apertium) and dubs them twice with the default voices: once with the picture the lips stage saw,
once without it (as before this stage existed). Prints, for the lines the lips stage found on
screen, how far each take's onset and end fall from the mouth's opening and closing (within two
frames, 80 ms at 25 fps, counts; takes the ladder could not fit, flagged short, overrun or
at-limits, are counted apart); for the lines it found off screen, how many takes were sped up or
stretched with and without the picture; overlaps and lines left undubbed; and the lip-sync score
(the take's envelope against the mouth) per language, with the worst lines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.common import CASES, labelled_lines, see
from localize.config import Config
from localize.model import Episode, RenditionFlag, Screen, Speaker, Track
from localize.stages.base import RunContext, run_stage
from localize.stages.dub import DubStage
from localize.stages.translate import TranslateStage

FRAMES = 2
FPS = 25
WORDS = {
    0: {"b": "bin", "l": "lay", "p": "place", "s": "set"},
    1: {"b": "blue", "g": "green", "r": "red", "w": "white"},
    2: {"a": "at", "b": "by", "i": "in", "w": "with"},
    4: {"z": "zero", **{str(d): w for d, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])}},
    5: {"a": "again", "n": "now", "p": "please", "s": "soon"},
}
UNFIT = {RenditionFlag.SHORT, RenditionFlag.OVERRUN, RenditionFlag.AT_LIMITS}


def grid_sentence(clip: str) -> str | None:
    """The sentence a GRID clip says, from its file name's six letters (``bbaf2n``: bin blue at f two now)."""
    if not clip.startswith("grid-"):
        return None
    code = clip.removesuffix(".mpg").rsplit("_", 1)[-1].removeprefix("grid-")
    return " ".join(WORDS[i][c] if i in WORDS else c for i, c in enumerate(code)).capitalize() + "."


def dubbed(episode: Episode, ctx: RunContext, picture: bool) -> Episode:
    seen = episode if picture else episode.model_copy(update={"picture": None})
    return run_stage(DubStage(), seen, ctx)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--language", default="es")
    args = parser.parse_args()
    truth = {str(line["id"]): line for line in labelled_lines()}
    seen = see(CASES / "programme.mkv", "retime")
    episode = seen.episode
    texts = {lid: grid_sentence(str(line["clip"])) for lid, line in truth.items()}
    lines = [line.model_copy(update={"text": texts[line.id] or ""}) for line in episode.lines if texts[line.id]]
    update = {"lines": lines, "speakers": [Speaker(id="A", name="Reader")], "source_language": "en"}
    episode = episode.model_copy(update={**update, "tracks": {args.language: Track(language=args.language)}})
    ctx = RunContext(workdir=seen.workdir, config=Config(source_language="en"), targets=[args.language])
    episode = run_stage(TranslateStage(), episode, ctx)
    with_picture, without = dubbed(episode, ctx, True), dubbed(episode, ctx, False)
    assert episode.picture is not None
    sights = episode.picture.lines
    on = [line.id for line in lines if sights[line.id].screen == Screen.ON]
    off = [line.id for line in lines if sights[line.id].screen == Screen.OFF]
    track, plain = with_picture.tracks[args.language], without.tracks[args.language]
    print(f"{len(lines)} GRID lines dubbed into {args.language}: {len(on)} seen on screen, {len(off)} off screen")

    fitted, within, unfit = 0, 0, 0
    onset_errors, end_errors = [], []
    for line_id in on:
        take = track.renditions[line_id].take
        if take is None or take.lip_sync is None or take.lip_sync.onset_error is None or take.lip_sync.end_error is None:
            continue
        if UNFIT & set(take.flags):
            unfit += 1
            continue
        fitted += 1
        onset_errors.append(abs(take.lip_sync.onset_error))
        end_errors.append(abs(take.lip_sync.end_error))
        within += max(abs(take.lip_sync.onset_error), abs(take.lip_sync.end_error)) <= FRAMES / FPS + 1e-6
    print(
        f"on screen, onset and end within {FRAMES} frames of the mouth's opening and closing: {within}/{fitted} = "
        f"{within / max(fitted, 1):.0%} of the takes the ladder fitted ({unfit} more flagged short, overrun or at-limits)"
    )
    if fitted:
        onset, end = statistics.median(onset_errors) * 1000, statistics.median(end_errors) * 1000
        print(f"  median |onset error| {onset:.0f} ms, median |end error| {end:.0f} ms")

    def sped(renditions: Track, ids: list[str]) -> tuple[int, int]:
        takes = [renditions.renditions[i].take for i in ids if renditions.renditions[i].take is not None]
        return sum(t.stretch != 1.0 for t in takes if t), sum(t.rate != 1.0 or t.stretch != 1.0 for t in takes if t)

    for label, ids in (("off screen", off), ("on screen", on)):
        before, after = sped(plain, ids), sped(track, ids)
        print(f"{label}: stretched takes {before[0]} without the picture -> {after[0]} with it; ", end="")
        print(f"sped up or stretched {before[1]} -> {after[1]}")
    for name, result in (("without", plain), ("with", track)):
        takes = [r.take for r in result.renditions.values() if r.take is not None]
        overlaps = sum(RenditionFlag.OVERLAP in t.flags for t in takes)
        print(f"{name} the picture: {len(takes)}/{len(lines)} lines dubbed, {overlaps} overlapping takes")
    scores = sorted(
        (track.renditions[i].take.lip_sync.score, i) for i in on if track.renditions[i].take and track.renditions[i].take.lip_sync
    )  # type: ignore[union-attr]
    if scores:
        print(
            f"lip-sync score ({args.language}): mean {statistics.mean(s for s, _ in scores):.2f} over {len(scores)} on-screen takes; "
            f"source lines: mean {statistics.mean(sights[i].score or 0 for i in on):.2f}"
        )
        print("  worst: " + ", ".join(f"{i} {s:.2f}" for s, i in scores[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
