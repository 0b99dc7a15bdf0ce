"""Service throughput: episodes per hour with 1 and 2 workers (redis broker, real worker processes).

Each run starts a fresh loopback cluster, submits JOBS copies of the short
benchmark episode at once (see service_common.py) and times submission to the
last finished job. Workers that were started but not yet warm count: that is
what a season costs.

Usage: .venv/bin/python benchmarks/service_throughput.py [--jobs 8] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from service_common import run_cluster, submit_and_wait


def measure(workers: int, jobs: int) -> tuple[float, int]:
    """Seconds from the first submission to the last finished job, and how many succeeded."""
    with (
        run_cluster(workers) as (cluster, token),
        httpx.Client(base_url=cluster.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
    ):
        started = time.perf_counter()
        views = submit_and_wait(client, jobs)
        return time.perf_counter() - started, sum(view["status"] == "succeeded" for view in views)


def main() -> None:
    """Print episodes per hour for each worker count."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=8, help="episodes submitted at once (default 8)")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, comma separated (default 1,2)")
    args = parser.parse_args()
    print(f"episode: benchmarks/service-data/episode.mp4 (≈6 s, es → en, one mp4 master); {args.jobs} jobs per run")
    for workers in (int(n) for n in args.workers.split(",")):
        seconds, succeeded = measure(workers, args.jobs)
        print(
            f"workers={workers}: {succeeded}/{args.jobs} succeeded in {seconds:.1f} s -> "
            f"{succeeded / seconds * 3600:.0f} episodes/hour ({seconds / max(succeeded, 1):.1f} s per episode)"
        )


if __name__ == "__main__":
    main()
