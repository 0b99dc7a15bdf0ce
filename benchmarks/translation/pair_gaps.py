"""Everyday Spanish words the translate stage still leaves untranslated, per target.

Each word of a list (``everyday_words.txt`` beside this file: family, feelings, food,
house, body, clothes, work, street, animals, weather, football, verbs of daily life)
goes through the translate stage as the line "Es <word>." with the regional layer
(es-AR by default); the words any target leaves untranslated are printed per target.
It is how the layers' "words some translator pairs lack" were found: add a rendering
for the targets that lack a word, then run this again. The list is written for that
purpose, not drawn from the test set.

Usage: .venv/bin/python benchmarks/translation/pair_gaps.py [--words FILE] [--targets en,pt-BR,fr]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from localize.cache import WorkDir  # noqa: E402
from localize.config import Config  # noqa: E402
from localize.model import Episode, Line, MediaInfo  # noqa: E402
from localize.stages.base import RunContext  # noqa: E402
from localize.stages.translate import TranslateStage  # noqa: E402

WORDS = Path(__file__).with_name("everyday_words.txt")


def gaps(words: list[str], source: str, targets: list[str]) -> dict[str, list[str]]:
    """The words each target leaves untranslated, in the list's order."""
    media = MediaInfo(path="gaps", size=0, fingerprint="gaps", duration=len(words) * 4.0, container="none")
    lines = [Line(id=f"W{i}", start=i * 4.0, end=i * 4.0 + 3.0, speaker="S1", text=f"Es {word}.") for i, word in enumerate(words)]
    with tempfile.TemporaryDirectory() as folder:
        ctx = RunContext(workdir=WorkDir(Path(folder), "gaps"), config=Config(source_language=source), targets=targets)
        ctx.workdir.prepare()
        episode = TranslateStage().run(Episode(id="gaps", source=media, source_language=source, lines=lines), ctx)
    pairs = list(zip(words, lines, strict=True))
    return {target: [word for word, line in pairs if episode.tracks[target].renditions[line.id].untranslated] for target in targets}


def main() -> None:
    """Print each target's untranslated words."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=Path, default=WORDS)
    parser.add_argument("--source", default="es-AR")
    parser.add_argument("--targets", default="en,pt-BR,fr")
    args = parser.parse_args()
    text = args.words.read_text(encoding="utf-8")
    words = list(dict.fromkeys(word for line in text.splitlines() if not line.startswith("#") for word in line.split()))
    for target, missing in gaps(words, args.source, args.targets.split(",")).items():
        print(f"{target}: {len(missing)} of {len(words)} untranslated: {' '.join(missing)}")


if __name__ == "__main__":
    main()
