"""Finding 2: every route x every kind of caller x own or other tenant's job. Jobs belong to the submitting token's
tenant; only admin crosses tenants; another tenant's job or upload is "not found", as if it did not exist."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from localize.service.runtime import Service
from localize.service.security import create_token
from tests.security.conftest import bearer, mark_succeeded

CALLERS = ("anonymous", "forged", "expired", "acme-read", "acme-submit", "globex-read", "globex-submit", "admin")


@pytest.fixture(scope="module")
def secrets(service: Service) -> dict[str, str]:
    """A token secret per caller (``anonymous`` has none); ``acme-both`` is the owner used to make jobs."""
    made = {"forged": "lz_" + "x" * 43}
    for tenant in ("acme", "globex"):
        for scope in ("read", "submit"):
            made[f"{tenant}-{scope}"], _ = create_token(service.database, f"{tenant}-{scope}", [scope], tenant=tenant)
    made["acme-both"], _ = create_token(service.database, "acme-both", ["read", "submit"], tenant="acme")
    made["admin"], _ = create_token(service.database, "admin", ["admin"], tenant="ops")
    made["expired"], _ = create_token(service.database, "expired", ["read", "submit", "admin"], tenant="acme", expires_in=0.01)
    time.sleep(0.05)
    return made


def _headers(secrets: dict[str, str], caller: str) -> dict[str, str]:
    return bearer(secrets[caller]) if caller in secrets else {}


def _submit(api: TestClient, secret: str, **fields: object) -> str:
    response = api.post("/jobs", headers=bearer(secret), json={"source": "episode.wav", "targets": "en", **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _queued(api: TestClient, service: Service, secrets: dict[str, str]) -> str:
    return _submit(api, secrets["acme-both"])


def _cancelled(api: TestClient, service: Service, secrets: dict[str, str]) -> str:
    job_id = _queued(api, service, secrets)
    assert api.post(f"/jobs/{job_id}/cancel", headers=bearer(secrets["acme-both"])).status_code == 200
    return job_id


def _succeeded(api: TestClient, service: Service, secrets: dict[str, str]) -> str:
    """A job of acme's recorded as finished, with one deliverable (a subtitle file) and its manifest."""
    job_id = _queued(api, service, secrets)
    folder = service.settings.jobs_dir / job_id / "episode"
    subtitles = folder / "en" / "episode.en.srt"
    subtitles.parent.mkdir(parents=True)
    subtitles.write_text("1\n00:00:00,000 --> 00:00:01,000\nHello.\n", encoding="utf-8")
    digest = hashlib.sha256(subtitles.read_bytes()).hexdigest()
    deliverable = {"path": "en/episode.en.srt", "kind": "subtitles", "sha256": digest, "bytes": subtitles.stat().st_size}
    (folder / "manifest.json").write_text(json.dumps({"deliverables": [deliverable]}), encoding="utf-8")
    mark_succeeded(service, job_id)
    return job_id


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str
    make: Callable[[TestClient, Service, dict[str, str]], str]
    owner_status: int


JOB_ROUTES = (
    Route("GET", "/jobs/{id}", "read", _queued, 200),
    Route("POST", "/jobs/{id}/cancel", "submit", _queued, 200),
    Route("POST", "/jobs/{id}/retry", "submit", _cancelled, 200),
    Route("DELETE", "/jobs/{id}", "submit", _cancelled, 204),
    Route("DELETE", "/jobs/{id}", "submit", _queued, 409),
    Route("GET", "/jobs/{id}/files", "read", _succeeded, 200),
    Route("GET", "/jobs/{id}/files/en/episode.en.srt", "read", _succeeded, 200),
    Route("GET", "/jobs/{id}/files/manifest.json", "read", _succeeded, 200),
)


def expected(caller: str, scope: str, owner_status: int, other_tenant: int = 404) -> int:
    """What a caller gets on a route of ``scope`` about something of tenant acme (``other_tenant``: what globex gets)."""
    if caller in ("anonymous", "forged", "expired"):
        return 401
    if caller != "admin" and not caller.endswith(scope):
        return 403
    if caller.startswith("globex"):
        return other_tenant
    return owner_status


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("route", JOB_ROUTES, ids=[f"{r.method} {r.path} ({r.make.__name__[1:]})" for r in JOB_ROUTES])
def test_job_routes_by_caller_and_tenant(api: TestClient, service: Service, secrets: dict[str, str], route: Route, caller: str) -> None:
    job_id = route.make(api, service, secrets)
    response = api.request(route.method, route.path.format(id=job_id), headers=_headers(secrets, caller))
    assert response.status_code == expected(caller, route.scope, route.owner_status), response.text[:300]
    if response.status_code == 404:
        missing = "M" * len(job_id)
        absent = api.request(route.method, route.path.format(id=missing), headers=_headers(secrets, caller))
        assert (absent.status_code, absent.json()["detail"].replace(missing, job_id)) == (404, response.json()["detail"]), "no leak"
    if response.status_code == 401:
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("caller", CALLERS)
def test_listing_shows_only_the_callers_tenant(api: TestClient, service: Service, secrets: dict[str, str], caller: str) -> None:
    acme = _queued(api, service, secrets)
    globex = _submit(api, secrets["globex-submit"])
    response = api.get("/jobs", headers=_headers(secrets, caller), params={"limit": 1000})
    assert response.status_code == expected(caller, "read", 200, other_tenant=200), response.text[:300]
    if response.status_code != 200:
        return
    listed = {job["id"]: job["tenant"] for job in response.json()["jobs"]}
    if caller == "admin":
        assert {acme, globex} <= set(listed) and {"acme", "globex"} <= set(listed.values())
    else:
        tenant = caller.split("-")[0]
        assert set(listed.values()) == {tenant} and (acme if tenant == "acme" else globex) in listed
        assert response.json()["total"] == len(listed)


@pytest.mark.parametrize("caller", CALLERS)
def test_submitting_with_an_upload_of_another_tenant_is_not_found(
    api: TestClient, storage: Path, secrets: dict[str, str], caller: str
) -> None:
    upload = api.post(
        "/uploads", headers=bearer(secrets["acme-submit"]), params={"filename": "ep.wav"}, content=(storage / "episode.wav").read_bytes()
    )
    assert upload.status_code == 201, upload.text
    response = api.post("/jobs", headers=_headers(secrets, caller), json={"upload": upload.json()["id"], "targets": "en"})
    assert response.status_code == expected(caller, "submit", 201), response.text[:300]


@pytest.mark.parametrize("caller", CALLERS)
def test_uploads_and_tokens_by_caller(api: TestClient, storage: Path, secrets: dict[str, str], caller: str) -> None:
    headers = _headers(secrets, caller)
    upload = api.post("/uploads", headers=headers, params={"filename": "ep.wav"}, content=(storage / "episode.wav").read_bytes())
    assert upload.status_code == expected(caller, "submit", 201, other_tenant=201), upload.text
    name = f"made-by-{caller}"
    assert api.post("/tokens", headers=headers, json={"name": name, "scopes": ["read"]}).status_code == expected(caller, "admin", 201, 201)
    assert api.get("/tokens", headers=headers).status_code == expected(caller, "admin", 200, 200)
    assert api.delete(f"/tokens/{name}", headers=headers).status_code == expected(caller, "admin", 204, 204)
    assert api.get("/health", headers=headers).status_code == 200


def test_a_job_takes_its_submitters_tenant_and_tokens_show_theirs(api: TestClient, service: Service, secrets: dict[str, str]) -> None:
    job_id = _submit(api, secrets["globex-submit"])
    assert api.get(f"/jobs/{job_id}", headers=bearer(secrets["admin"])).json()["tenant"] == "globex"
    made = api.post(
        "/tokens", headers=bearer(secrets["admin"]), json={"name": "shortlived", "tenant": "initech", "expires_in_days": 1}
    ).json()
    assert made["tenant"] == "initech" and made["expires_at"] is not None
    listed = {token["name"]: token for token in api.get("/tokens", headers=bearer(secrets["admin"])).json()}
    assert listed["acme-read"]["tenant"] == "acme" and listed["acme-read"]["expires_at"] is None
    assert all("token" not in token and "hash" not in token for token in listed.values())
