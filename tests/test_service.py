"""The batch service with real processes on loopback: redis-server, the API, two workers, and the embedded broker.

Jobs are a 5-second espeak-ng episode with a cheap server-side config (one
target, one master, no review proxy) so that 20 of them finish in minutes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from localize.errors import InputError
from localize.service.batch import read_season
from localize.service.cluster import QUICK_JOB_CONFIG, LocalCluster, free_port
from tests.conftest import ROOT, espeak, ffmpeg, run_cli

pytestmark = pytest.mark.slow

MAX_UPLOAD = 1 << 20
JOB_TIMEOUT = 300.0


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A storage root with a short episode, a glossary, a server config and a symlink that escapes the root."""
    root = tmp_path_factory.mktemp("storage")
    speech = espeak("Hola Martín, ¿querés un mate? El agua ya está lista.", root / "speech.wav")
    ffmpeg(
        "-f", "lavfi", "-i", "testsrc=size=160x120:rate=24", "-i", speech,
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", root / "episode.mp4",
    )  # fmt: skip
    (root / "glossary.yaml").write_text(
        "name: Test series\nsource_language: es\ntargets: [en]\nterms:\n  - id: martin\n    term: Martín\n    dnt: true\n", encoding="utf-8"
    )
    (root / "escape.mp4").symlink_to(ROOT / "samples" / "colectivo" / "episode.mp4")
    outside = tmp_path_factory.mktemp("outside")
    ffmpeg("-f", "lavfi", "-i", "sine=d=1", outside / "secret.wav")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root.parent / "server.toml").write_text(QUICK_JOB_CONFIG, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cluster(storage: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """redis-server, the API and two workers sharing one data directory."""
    data = tmp_path_factory.mktemp("service")
    with LocalCluster(
        data,
        [storage],
        config_file=storage.parent / "server.toml",
        max_upload_bytes=MAX_UPLOAD,
        lease_seconds=6.0,
        visibility_timeout=20.0,
        rate_limit_per_minute=0,  # the season's follower and these tests poll 20 jobs every second with one token
    ) as running:
        running.start_redis()
        running.start_worker("alpha")
        running.start_worker("beta")
        running.start_api()
        yield running


@pytest.fixture(scope="module")
def tokens(cluster: LocalCluster) -> dict[str, str]:
    """One token per scope."""
    return {scope: cluster.token(f"{scope}-user", [scope]) for scope in ("read", "submit", "admin")}


def _client(cluster: LocalCluster, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=cluster.url, headers=headers, timeout=60)


def _wait(client: httpx.Client, job_id: str, done: Any, timeout: float = JOB_TIMEOUT) -> dict[str, Any]:
    """Poll a job until ``done(view)``; the view that satisfied it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = client.get(f"/jobs/{job_id}").json()
        if done(view):
            return view
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not get there in {timeout} s: {view}")


def _check_deliverables(client: httpx.Client, job_id: str, episode: str) -> None:
    """A succeeded job lists its deliverables once each; every file downloads with its listed sha256; the subtitles are English."""
    listed = client.get(f"/jobs/{job_id}/files").json()
    paths = [item["path"] for item in listed]
    assert len(paths) == len(set(paths))
    for expected in (f"en/{episode}.en.srt", f"en/{episode}.en.dub-mix.wav", f"{episode}.mp4", "manifest.json"):
        assert expected in paths
    for item in listed:
        if item["path"].endswith((".srt", ".mp4", "manifest.json")):
            body = client.get(item["url"]).content
            assert len(body) == item["bytes"]
            if item["sha256"]:
                assert hashlib.sha256(body).hexdigest() == item["sha256"]
    manifest = client.get(f"/jobs/{job_id}/files/manifest.json").json()
    assert "agua" in " ".join(line["text"] for line in manifest["lines"]).lower()
    srt = client.get(f"/jobs/{job_id}/files/en/{episode}.en.srt").text
    assert "-->" in srt and "water" in srt.lower()


def test_health_is_open_and_the_rest_needs_a_token_with_the_right_scope(cluster: LocalCluster, tokens: dict[str, str]) -> None:
    with _client(cluster, None) as anonymous:
        assert anonymous.get("/health").json() == {"status": "ok"}
        schema = anonymous.get("/openapi.json").json()
        assert {"/jobs", "/jobs/{job_id}", "/jobs/{job_id}/cancel", "/jobs/{job_id}/retry", "/uploads"} <= set(schema["paths"])
        for method, path in (("GET", "/jobs"), ("POST", "/jobs"), ("GET", "/jobs/x"), ("GET", "/tokens"), ("POST", "/uploads")):
            response = anonymous.request(method, path)
            assert response.status_code == 401, (method, path)
            assert response.headers["www-authenticate"] == "Bearer"
    with _client(cluster, "lz_not-a-real-token") as forged:
        assert forged.get("/jobs").status_code == 401
    with _client(cluster, tokens["read"]) as reader:
        assert reader.get("/jobs").status_code == 200
        assert reader.post("/jobs", json={"source": "episode.mp4", "targets": "en"}).status_code == 403
        assert reader.post("/uploads", params={"filename": "a.wav"}, content=b"x").status_code == 403
        assert reader.get("/tokens").status_code == 403
    with _client(cluster, tokens["submit"]) as submitter:
        assert submitter.get("/jobs").status_code == 403
        assert submitter.post("/tokens", json={"name": "sneaky", "scopes": ["admin"]}).status_code == 403
    with _client(cluster, tokens["admin"]) as admin:
        created = admin.post("/tokens", json={"name": "temporary", "scopes": ["read"]}).json()
        assert created["token"].startswith("lz_")
        listed = admin.get("/tokens").json()
        assert {"name": "temporary", "scopes": ["read"]}.items() <= next(t for t in listed if t["name"] == "temporary").items()
        assert all("token" not in t and "hash" not in t for t in listed)
        with _client(cluster, created["token"]) as temporary:
            assert temporary.get("/jobs").status_code == 200
            assert admin.delete("/tokens/temporary").status_code == 204
            assert temporary.get("/jobs").status_code == 401


def test_paths_are_confined_and_uploads_limited_and_checked(cluster: LocalCluster, tokens: dict[str, str], storage: Path) -> None:
    with _client(cluster, tokens["admin"]) as admin:
        for source in ("../outside/secret.wav", "/etc/hostname", "escape.mp4", "linked/secret.wav", str(storage / ".." / "server.toml")):
            response = admin.post("/jobs", json={"source": source, "targets": "en"})
            assert response.status_code == 403, (source, response.text)
        response = admin.post("/jobs", json={"source": "episode.mp4", "glossary": "../server.toml", "targets": "en"})
        assert response.status_code == 403
        response = admin.post("/jobs", json={"source": "episode.mp4", "targets": "en", "config": {"models_dir": "/"}})
        assert response.status_code == 403
        assert admin.post("/jobs", json={"source": "missing.mp4", "targets": "en"}).status_code == 404
        assert admin.get("/jobs/not-a-job").status_code == 404

        too_big = os.urandom(MAX_UPLOAD + 4096)
        assert admin.post("/uploads", params={"filename": "big.mp4"}, content=too_big).status_code == 413
        streamed = admin.post("/uploads", params={"filename": "big.mp4"}, content=iter([too_big[:65536]] * 20))
        assert streamed.status_code == 413
        assert admin.post("/uploads", params={"filename": "tool.exe"}, content=b"MZ" * 100).status_code == 415
        assert admin.post("/uploads", params={"filename": "notes.mp4"}, content=b"meeting notes\n" * 50).status_code == 415
        upload = admin.post("/uploads", params={"filename": "../../evil name.mp4"}, content=(storage / "episode.mp4").read_bytes())
        assert upload.status_code == 201, upload.text
        assert upload.json()["filename"] == "evil_name.mp4"
        assert list(cluster.settings.uploads_dir.glob("*/*")) == [cluster.settings.uploads_dir / upload.json()["id"] / "evil_name.mp4"]
        assert admin.post("/jobs", json={"upload": "../../../etc", "targets": "en"}).status_code == 404


def test_a_season_of_twenty_jobs_across_two_workers_survives_an_api_restart(
    cluster: LocalCluster, tokens: dict[str, str], storage: Path, tmp_path: Path
) -> None:
    season = tmp_path / "season.csv"
    with season.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "name", "targets", "glossary"])
        writer.writerows([["episode.mp4", f"ep{n:02d}", "en", "glossary.yaml"] for n in range(1, 20)])
    with _client(cluster, tokens["submit"]) as submitter:
        upload = submitter.post("/uploads", params={"filename": "episode.mp4"}, content=(storage / "episode.mp4").read_bytes()).json()
        uploaded = submitter.post("/jobs", json={"upload": upload["id"], "targets": ["en"], "name": "ep20"}).json()
        assert uploaded["status"] == "queued" and len(uploaded["id"]) >= 22
    env = {**os.environ, "LOCALIZE_API_TOKEN": tokens["admin"]}
    follower = subprocess.Popen(
        [sys.executable, "-m", "localize.cli", "batch", str(season), "--api", cluster.url, "--interval", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with _client(cluster, tokens["admin"]) as admin:
        deadline = time.monotonic() + 120
        while admin.get("/jobs").json()["total"] < 20 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert admin.get("/jobs").json()["total"] == 20
        _wait(admin, uploaded["id"], lambda view: view["stages"]["ingest"]["state"] == "done", timeout=120)

        cluster.stop_api(signal.SIGKILL)
        cluster.start_api()
        after = admin.get("/jobs", params={"limit": 1000}).json()
        assert after["total"] == 20
        assert any(job["status"] != "succeeded" for job in after["jobs"]), "the restart should happen mid-run"

        stdout, stderr = follower.communicate(timeout=JOB_TIMEOUT * 2)
        assert follower.returncode == 0, stderr[-2000:]
        assert "19/19 episodes succeeded" in stderr
        season_ids = stdout.split()
        final = _wait(admin, uploaded["id"], lambda view: view["status"] == "succeeded")
        views = [admin.get(f"/jobs/{job_id}").json() for job_id in season_ids] + [final]
        assert sorted(view["episode"] for view in views) == [f"ep{n:02d}" for n in range(1, 21)]
        workers = {stage["worker"] for view in views for stage in view["stages"].values()}
        assert workers == {"alpha@cluster", "beta@cluster"}
        for view in views:
            assert view["status"] == "succeeded" and view["progress"] == 1.0
            assert all(stage["state"] == "done" for stage in view["stages"].values())
            _check_deliverables(admin, view["id"], view["episode"])


def _running_stage(view: dict[str, Any]) -> str | None:
    return next((name for name, stage in view["stages"].items() if stage["state"] == "running"), None)


def test_a_job_on_a_killed_worker_completes_on_the_other(cluster: LocalCluster, tokens: dict[str, str]) -> None:
    with _client(cluster, tokens["admin"]) as admin:
        job = admin.post("/jobs", json={"source": "episode.mp4", "targets": "en", "name": "killed"}).json()
        running = _wait(admin, job["id"], lambda view: _running_stage(view) not in (None, "package"))
        victim = running["stages"][_running_stage(running)]["worker"].split("@")[0]
        cluster.kill_worker(victim)
        at_kill = admin.get(f"/jobs/{job['id']}").json()
        unfinished = [name for name, stage in at_kill["stages"].items() if stage["state"] != "done"]
        assert "package" in unfinished and at_kill["status"] == "running", "the worker was killed mid-job"
        final = _wait(admin, job["id"], lambda view: view["status"] in ("succeeded", "failed"))
        assert final["status"] == "succeeded", final["error"]
        assert final["attempt"] == 1, "the same attempt resumed: nothing was started over"
        survivor = ({"alpha", "beta"} - {victim}).pop()
        assert {final["stages"][name]["worker"] for name in unfinished} == {f"{survivor}@cluster"}
        _check_deliverables(admin, job["id"], "killed")
        folder = cluster.settings.jobs_dir / job["id"] / "killed"
        visible = {str(f.relative_to(folder)) for f in folder.rglob("*") if f.is_file() and ".localize" not in f.parts}
        assert {item["path"] for item in admin.get(f"/jobs/{job['id']}/files").json()} <= visible
        assert not [name for name in visible if ".part" in name], "no partial file from the killed worker is left beside the deliverables"
        cluster.start_worker(victim)


@pytest.fixture
def embedded_service(storage: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``localize serve`` with its defaults: the embedded SQLite broker and a worker it starts itself."""
    data = tmp_path / "data"
    token = run_cli("token", "create", "owner", "--scope", "admin", "--data", data)
    assert token.returncode == 0, token.stderr
    port = free_port()
    env = {**os.environ, "LOCALIZE_SERVICE_STORAGE_ROOTS": json.dumps([str(storage)])}
    command = ["serve", "--port", str(port), "--data", str(data), "--config", str(storage.parent / "server.toml")]
    server = subprocess.Popen([sys.executable, "-m", "localize.cli", *command], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", token.stdout.strip()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)


def test_embedded_broker_runs_cancels_and_retries_an_uploaded_episode(embedded_service: tuple[str, str], storage: Path) -> None:
    url, token = embedded_service
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        upload = client.post("/uploads", params={"filename": "episode.mp4"}, content=(storage / "episode.mp4").read_bytes()).json()
        job = client.post("/jobs", json={"upload": upload["id"], "targets": "en", "name": "solo"}).json()
        cancelled = client.post(f"/jobs/{job['id']}/cancel").json()
        assert cancelled["status"] == "cancelled"
        assert client.post(f"/jobs/{job['id']}/retry").json()["attempt"] == 2
        assert client.post(f"/jobs/{job['id']}/retry").status_code == 409
        final = _wait(client, job["id"], lambda view: view["status"] in ("succeeded", "failed"))
        assert final["status"] == "succeeded", final["error"]
        _check_deliverables(client, job["id"], "solo")


def test_a_season_csv_with_a_bad_row_names_its_line(tmp_path: Path) -> None:
    season = tmp_path / "season.csv"
    season.write_text("source,targets\nep1.mp4,en\nep2.mp4,\n", encoding="utf-8")
    assert [s.source for s in read_season(season, "fr")] == ["ep1.mp4", "ep2.mp4"]
    with pytest.raises(InputError, match=r"season.csv:3: no target languages"):
        read_season(season, None)
    season.write_text("episode,targets\nep1.mp4,en\n", encoding="utf-8")
    result = run_cli("batch", season, "--token", "x")
    assert result.returncode != 0 and "must have a 'source' column" in result.stderr and "Traceback" not in result.stderr
