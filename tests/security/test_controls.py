"""Finding 5: rate limits per token (429), token expiry, retention (DELETE /jobs/{id}, purge of old jobs and
uploads), private database files, a database made by an older version upgraded in place, and the compose defaults."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from localize.service.api import create_app
from localize.service.runtime import Service
from localize.service.security import authenticate, create_token
from localize.service.settings import Settings
from tests.conftest import ROOT
from tests.security.conftest import bearer
from tests.test_service_postgres import postgres  # noqa: F401  (fixture)


@pytest.fixture
def small_service(storage: Path, tmp_path: Path) -> Iterator[Service]:
    """A service of its own, allowing 5 requests a minute per token, keeping finished jobs 1 day and idle uploads 2 hours."""
    settings = Settings(
        data_dir=tmp_path / "data", storage_roots=[storage], rate_limit_per_minute=5, job_retention_days=1, upload_retention_hours=2
    )
    service = Service(settings)
    yield service
    service.database.engine.dispose()


def test_a_token_over_its_rate_gets_429_and_others_are_not_slowed(small_service: Service) -> None:
    busy, _ = create_token(small_service.database, "busy", ["read"])
    calm, _ = create_token(small_service.database, "calm", ["read"])
    with TestClient(create_app(small_service)) as api:
        codes = [api.get("/jobs", headers=bearer(busy)).status_code for _ in range(7)]
        assert codes == [200] * 5 + [429] * 2
        refused = api.get("/jobs", headers=bearer(busy))
        assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 12
        assert "5 requests a minute" in refused.json()["detail"]
        assert api.get("/jobs", headers=bearer(calm)).status_code == 200
        assert api.get("/health").status_code == 200


def test_a_token_stops_working_when_it_expires(small_service: Service) -> None:
    secret, token = create_token(small_service.database, "brief", ["read"], expires_in=1.0)
    assert token.expires_at is not None and authenticate(small_service.database, secret) is not None
    time.sleep(1.1)
    assert authenticate(small_service.database, secret) is None
    with TestClient(create_app(small_service)) as api:
        assert api.get("/jobs", headers=bearer(secret)).status_code == 401


def test_delete_and_the_retention_purge_remove_jobs_files_and_uploads(small_service: Service, storage: Path) -> None:
    secret, _ = create_token(small_service.database, "owner", ["read", "submit"])
    small_service.limiter.per_minute = 0  # this test makes many requests
    media = (storage / "episode.wav").read_bytes()
    uploads = small_service.settings.uploads_dir
    with TestClient(create_app(small_service)) as api:

        def upload() -> str:
            response = api.post("/uploads", headers=bearer(secret), params={"filename": "ep.wav"}, content=media)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        def submit(upload_id: str) -> str:
            response = api.post("/jobs", headers=bearer(secret), json={"upload": upload_id, "targets": "en"})
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        shared, alone, idle, pending = upload(), upload(), upload(), upload()
        first, second, third = submit(shared), submit(shared), submit(alone)
        keep_running = submit(pending)
        for job in (first, second, third):
            (small_service.settings.jobs_dir / job / "ep").mkdir(parents=True)
            assert api.post(f"/jobs/{job}/cancel", headers=bearer(secret)).status_code == 200

        assert api.delete(f"/jobs/{keep_running}", headers=bearer(secret)).status_code == 409
        assert api.delete(f"/jobs/{first}", headers=bearer(secret)).status_code == 204
        assert api.get(f"/jobs/{first}", headers=bearer(secret)).status_code == 404
        assert not (small_service.settings.jobs_dir / first).exists()
        assert (uploads / shared).is_dir(), "the second job still uses the shared upload"
        assert api.delete(f"/jobs/{second}", headers=bearer(secret)).status_code == 204
        assert not (uploads / shared).exists(), "no job uses it any more"

        assert small_service.purge() == (0, 0), "nothing is old yet"
        three_hours = time.time() + 3 * 3600
        assert small_service.purge(now=three_hours) == (0, 1), "the idle upload goes; those of jobs that may still run stay"
        assert not (uploads / idle).exists() and (uploads / pending).is_dir() and (uploads / alone).is_dir()
        two_days = time.time() + 2 * 86400
        assert small_service.purge(now=two_days) == (1, 1)
        assert not (small_service.settings.jobs_dir / third).exists() and not (uploads / alone).exists()
        assert api.get(f"/jobs/{keep_running}", headers=bearer(secret)).status_code == 200 and (uploads / pending).is_dir()


def test_database_files_are_private_to_their_owner(small_service: Service) -> None:
    create_token(small_service.database, "someone", ["read"])
    data = small_service.settings.data_dir
    files = [data / name for name in ("localize.db", "localize.db-wal", "localize.db-shm", "broker.db", "results.db")]
    assert [path.name for path in files if not path.exists()] == ["results.db"] or all(path.exists() for path in files)
    for path in files:
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def _old_tables(url: str) -> None:
    """The jobs and tokens tables as the version before tenants made them, with one token and one finished job."""
    from sqlalchemy import JSON, Boolean, Column, Float, Integer, MetaData, String, Table, Text, create_engine, insert

    from localize.service.security import hash_token

    metadata = MetaData()
    jobs = Table(
        "jobs", metadata, Column("id", String(64), primary_key=True), Column("status", String(16)), Column("request", JSON),
        Column("stages", JSON), Column("stage_index", Integer), Column("attempt", Integer), Column("dispatched", Boolean),
        Column("error", Text), Column("lease_owner", String(128)), Column("lease_expires", Float), Column("worker", String(256)),
        Column("submitted_by", String(128)), Column("created_at", Float), Column("updated_at", Float), Column("finished_at", Float),
    )  # fmt: skip
    tokens = Table(
        "tokens", metadata, Column("id", Integer, primary_key=True, autoincrement=True), Column("name", String(128), unique=True),
        Column("hash", String(64), unique=True), Column("scopes", String(64)), Column("created_at", Float),
    )  # fmt: skip
    engine = create_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(tokens).values(name="veteran", hash=hash_token("lz_veteran"), scopes="read submit", created_at=1.7e9))
        request = {"source": "/media/ep.mp4", "targets": ["en"], "out": "/tmp/x"}
        connection.execute(
            insert(jobs).values(
                id="old-job-000000001", status="succeeded", request=request, stages={}, stage_index=8, attempt=1, dispatched=True,
                submitted_by="veteran", created_at=1.7e9, updated_at=1.7e9, finished_at=1.7e9,
            )
        )  # fmt: skip
    engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_made_before_tenants_is_upgraded_and_keeps_its_tokens_and_jobs(
    backend: str, storage: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'localize.db'}" if backend == "sqlite" else request.getfixturevalue("postgres")
    _old_tables(url)
    service = Service(Settings(data_dir=tmp_path / "data", storage_roots=[storage], database_url=url))
    with TestClient(create_app(service)) as api:
        listed = api.get("/jobs", headers=bearer("lz_veteran"))
        assert listed.status_code == 200, listed.text
        assert [(job["id"], job["tenant"]) for job in listed.json()["jobs"]] == [("old-job-000000001", "default")]
    service.database.engine.dispose()


def test_compose_binds_the_api_to_loopback_and_gives_redis_a_password_from_the_environment() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert all(str(port).startswith("127.0.0.1:") for port in services["api"]["ports"])
    redis_command = " ".join(services["redis"]["command"])
    assert "--requirepass" in redis_command and "${LOCALIZE_REDIS_PASSWORD" in redis_command
    for name in ("api", "worker"):
        assert ":${LOCALIZE_REDIS_PASSWORD" in services[name]["environment"]["LOCALIZE_SERVICE_BROKER_URL"]
    assert "${LOCALIZE_REDIS_PASSWORD" in services["redis"]["environment"]["REDISCLI_AUTH"], "the health check authenticates"
