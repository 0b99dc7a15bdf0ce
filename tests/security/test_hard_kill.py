"""Finding 6: a worker SIGKILLed inside the dub stage, and another inside the package stage, lose nothing: the same
attempt resumes on a live worker and delivers files identical (sha256) to an undisturbed run of the same episode.

Real processes on loopback: redis-server, the API, two workers (the killed one is started again).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from localize.service.cluster import QUICK_JOB_CONFIG, LocalCluster
from tests.conftest import espeak, ffmpeg

pytestmark = pytest.mark.slow

JOB_TIMEOUT = 600.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """An episode of three lines in a storage root, and redis, the API and workers alpha and beta."""
    root = tmp_path_factory.mktemp("storage")
    lines = ["Hola Martín, ¿querés un mate?", "El agua ya está lista, pero el colectivo no pasa.", "Mañana vamos a Plaza de Mayo."]
    parts = [espeak(text, root / f"line{n}.wav", pitch=30 + 30 * n) for n, text in enumerate(lines)]
    ffmpeg(*[arg for part in parts for arg in ("-i", part)], "-filter_complex", "concat=n=3:v=0:a=1", root / "speech.wav")
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-i", root / "speech.wav",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", root / "episode.mp4",
    )  # fmt: skip
    (root.parent / "server.toml").write_text(QUICK_JOB_CONFIG, encoding="utf-8")
    data = tmp_path_factory.mktemp("service")
    settings: dict[str, Any] = {"config_file": root.parent / "server.toml", "lease_seconds": 6.0, "visibility_timeout": 15.0}
    with LocalCluster(data, [root], rate_limit_per_minute=0, **settings) as running:
        running.start_redis()
        running.start_worker("alpha")
        running.start_worker("beta")
        running.start_api()
        yield running


def _wait(client: httpx.Client, job_id: str, done: Callable[[dict[str, Any]], bool], step: float = 0.2) -> dict[str, Any]:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        view = client.get(f"/jobs/{job_id}").json()
        if done(view):
            return dict(view)
        time.sleep(step)
    raise AssertionError(f"job {job_id} did not get there in {JOB_TIMEOUT} s: {view}")


def _kill_inside(cluster: LocalCluster, client: httpx.Client, job_id: str, stage: str, into: float) -> str:
    """SIGKILL the worker running ``stage`` of the job ``into`` seconds after it took the stage; its name."""
    running = _wait(client, job_id, lambda view: view["stages"][stage]["state"] == "running")
    time.sleep(into)
    worker = running["stages"][stage]["worker"].split("@")[0]
    cluster.kill_worker(worker)
    after = client.get(f"/jobs/{job_id}").json()
    assert after["stages"][stage]["state"] == "running", f"the worker was killed inside {stage}, before it finished"
    return str(worker)


def _deliverables(client: httpx.Client, job_id: str) -> dict[str, str]:
    """Every listed deliverable but the manifest (it records the run's own times), by path: the sha256 of its download."""
    listed = client.get(f"/jobs/{job_id}/files").json()
    digests = {}
    for item in listed:
        if item["path"] == "manifest.json":
            continue
        body = client.get(item["url"]).content
        assert hashlib.sha256(body).hexdigest() == item["sha256"], f"{item['path']} is what the manifest lists"
        digests[item["path"]] = item["sha256"]
    return digests


def test_a_worker_killed_inside_dub_and_package_resumes_elsewhere_with_identical_deliverables(cluster: LocalCluster) -> None:
    admin = cluster.token("kill-admin", ["admin"])
    with httpx.Client(base_url=cluster.url, headers={"Authorization": f"Bearer {admin}"}, timeout=60) as client:
        calm = client.post("/jobs", json={"source": "episode.mp4", "targets": "en", "name": "ep"}).json()
        undisturbed = _wait(client, calm["id"], lambda view: view["status"] in ("succeeded", "failed"), step=1.0)
        assert undisturbed["status"] == "succeeded", undisturbed["error"]
        expected = _deliverables(client, calm["id"])
        assert any(path.endswith(".mp4") for path in expected) and any(path.endswith(".dub-mix.wav") for path in expected)

        job = client.post("/jobs", json={"source": "episode.mp4", "targets": "en", "name": "ep"}).json()
        first = _kill_inside(cluster, client, job["id"], "dub", into=1.0)
        cluster.start_worker(first)
        second = _kill_inside(cluster, client, job["id"], "package", into=0.5)
        final = _wait(client, job["id"], lambda view: view["status"] in ("succeeded", "failed"), step=1.0)
        assert final["status"] == "succeeded", final["error"]
        assert final["attempt"] == 1, "the same attempt resumed; nothing was started over"
        assert final["stages"]["package"]["worker"] != f"{second}@cluster", "another worker finished the package"
        assert _deliverables(client, job["id"]) == expected, "identical to the undisturbed run, byte for byte"
        folder = cluster.settings.jobs_dir / job["id"] / "ep"
        visible = [p for p in folder.rglob("*") if p.is_file() and ".localize" not in p.parts]
        assert not [p.name for p in visible if ".part" in p.name], "no partial file is left beside the deliverables"
        cluster.start_worker(second)
