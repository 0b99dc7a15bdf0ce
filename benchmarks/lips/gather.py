"""Copy the benchmark's clips out of local snapshots of their repositories, checking each file's SHA-256.

    python benchmarks/lips/gather.py --mirrors /work/.mirror

``--mirrors`` holds one bare snapshot per repository as ``<owner>+<name>/repo`` (how the session's
fetch tool lays them out); any git clone of the repository at the listed commit works too:
``--mirrors`` DIR with DIR/<owner>+<name>/repo being that clone's git directory.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.lips.sources import CLIPS, CLIPS_DIR


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    args = parser.parse_args()
    CLIPS_DIR.mkdir(parents=True, exist_ok=True)
    failed = 0
    for clip in CLIPS:
        git_dir = args.mirrors / clip.repo.replace("/", "+") / "repo"
        shown = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{clip.commit}:{clip.path}"], capture_output=True, check=False)
        digest = hashlib.sha256(shown.stdout).hexdigest()
        if shown.returncode != 0 or digest != clip.sha256:
            print(f"MISSING {clip.name}: {clip.repo}@{clip.commit[:10]}:{clip.path} ({shown.stderr.decode().strip() or 'sha256 differs'})")
            failed += 1
            continue
        clip.file.write_bytes(shown.stdout)
        print(f"ok      {clip.name}  {clip.repo}@{clip.commit[:10]}:{clip.path}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
