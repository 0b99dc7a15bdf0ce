"""Whether the packaged deliverables meet spec: every subtitle file written passes the validator, and every
stream of every master decodes to the end without error.

Checks the episodes packaged by ``benchmarks/package_speed.py`` (the sample and the 10-minute episode).

Usage: .venv/bin/python benchmarks/package_quality.py [FOLDER ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from localize.media.verify import decode_streams  # noqa: E402
from localize.model import Episode  # noqa: E402
from localize.package.validate import check_subtitle_file  # noqa: E402
from localize.pipeline import resume_context  # noqa: E402

DEFAULT_FOLDERS = [ROOT / "benchmarks" / "out" / "sample" / "episode", ROOT / "benchmarks" / "out" / "long" / "episode"]


def check(folder: Path) -> None:
    """Print the subtitle and decode figures of one packaged episode."""
    ctx, _ = resume_context(folder)
    episode = Episode.model_validate_json((folder / "manifest.json").read_text(encoding="utf-8"))
    shots = episode.package.shot_changes if episode.package else []
    fps = episode.package.frame_rate if episode.package else 25.0
    files = [d for d in episode.deliverables if d.kind == "subtitles"]
    failing = []
    for item in files:
        assert item.language is not None
        result = check_subtitle_file(folder / item.path, ctx.config.package.rules_for(item.language), item.language, fps, shots)
        if not result.passed:
            failing.append((item.path, [v.describe(fps) for v in result.violations]))
    print(f"{folder.relative_to(ROOT)}: {episode.source.duration:.1f} s programme")
    print(f"  subtitle files: {len(files)} written, {len(files) - len(failing)} pass the validator, {len(failing)} with violations")
    for path, violations in failing:
        print(f"    {path}: {len(violations)} violations, e.g. {violations[0]}")
    for master in (d for d in episode.deliverables if d.kind == "master"):
        results = decode_streams(folder / master.path)
        good = sum(1 for r in results if r.ok)
        print(f"  {master.path}: {good}/{len(results)} streams decode to the end without error")
        for r in results:
            if not r.ok:
                print(f"    stream {r.index} ({r.kind}) decoded to {r.decoded_until:.2f} s of {r.expected}: {r.errors[:1]}")


def main() -> None:
    """Check the folders given, or the two benchmark episodes."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path)
    for folder in parser.parse_args().folders or DEFAULT_FOLDERS:
        check(folder.resolve())


if __name__ == "__main__":
    main()
