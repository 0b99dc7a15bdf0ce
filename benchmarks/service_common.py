"""What the service benchmarks share: a short generated episode, a cheap server config, a loopback cluster.

The episode (espeak-ng speech over a test pattern) and the config are written to
``benchmarks/service-data/`` (git-ignored) the first time a benchmark needs them.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from localize.service.cluster import QUICK_JOB_CONFIG, LocalCluster

__all__ = ["DATA", "episode", "run_cluster", "submit", "submit_and_wait"]

DATA = Path(__file__).resolve().parent / "service-data"
SPEECH = "Hola Martín, ¿querés un mate? El agua ya está lista."


def episode() -> Path:
    """The benchmark episode (about 6 s of Spanish speech over a 160x120 test pattern) and its server config beside it."""
    DATA.mkdir(exist_ok=True)
    video = DATA / "episode.mp4"
    if not video.is_file():
        speech = DATA / "speech.wav"
        subprocess.run(["espeak-ng", "-v", "es-419", "-w", str(speech), SPEECH], check=True)
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-i", str(speech),
             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(video)],
            check=True,
        )  # fmt: skip
    (DATA / "server.toml").write_text(QUICK_JOB_CONFIG, encoding="utf-8")
    return video


@contextmanager
def run_cluster(workers: int) -> Iterator[tuple[LocalCluster, str]]:
    """A fresh loopback cluster (redis, API, ``workers`` workers) over the benchmark episode; yields it and an admin token."""
    source = episode()
    with (
        tempfile.TemporaryDirectory(prefix="localize-service-bench-") as data,
        LocalCluster(Path(data), [source.parent], config_file=source.parent / "server.toml") as cluster,
    ):
        cluster.start_redis()
        for n in range(workers):
            cluster.start_worker(f"w{n + 1}")
        cluster.start_api()
        yield cluster, cluster.token("bench", ["admin"])


def submit(client: httpx.Client, count: int) -> list[str]:
    """Submit ``count`` jobs of the benchmark episode; their ids."""
    ids = []
    for n in range(count):
        response = client.post("/jobs", json={"source": "episode.mp4", "targets": "en", "name": f"ep{n:03d}"})
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def submit_and_wait(client: httpx.Client, count: int, poll: float = 1.0) -> list[dict[str, object]]:
    """Submit ``count`` jobs of the benchmark episode and wait until all are finished; their final views."""
    ids = submit(client, count)
    while True:
        views = [client.get(f"/jobs/{job_id}").json() for job_id in ids]
        if all(view["status"] in ("succeeded", "failed", "cancelled") for view in views):
            return views
        time.sleep(poll)
