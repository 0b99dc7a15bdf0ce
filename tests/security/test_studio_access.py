"""The studio of a job, served by the service: a token needs the ``review`` scope and the job's tenant; a browser
gets in once with ``/open?token=`` and then holds the token in a cookie limited to that job's studio."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from localize.cache import WorkDir
from localize.review import read_audit
from localize.service.runtime import Service
from localize.service.security import create_token
from tests.security.conftest import bearer, mark_succeeded
from tests.test_review import make_episode


@pytest.fixture(scope="module")
def reviewers(service: Service) -> dict[str, str]:
    made = {}
    for name, scopes, tenant in (
        ("acme-owner", ["read", "submit"], "acme"),
        ("acme-reader", ["read"], "acme"),
        ("acme-reviewer", ["review"], "acme"),
        ("globex-reviewer", ["review"], "globex"),
        ("root", ["admin"], "ops"),
    ):
        made[name], _ = create_token(service.database, name, scopes, tenant=tenant)
    return made


def _job(api: TestClient, service: Service, owner: str, status: str = "succeeded") -> str:
    """A job of acme's; when succeeded, its folder holds a translated episode (as a run leaves it)."""
    response = api.post("/jobs", headers=bearer(owner), json={"source": "episode.wav", "targets": "fr"})
    assert response.status_code == 201, response.text
    job_id = str(response.json()["id"])
    if status == "succeeded":
        make_episode(service.settings.jobs_dir / job_id, "episode")
        mark_succeeded(service, job_id)
    return job_id


@pytest.mark.parametrize(
    ("caller", "status"),
    [(None, 401), ("acme-reader", 403), ("acme-owner", 403), ("globex-reviewer", 404), ("acme-reviewer", 200), ("root", 200)],
)
def test_the_studio_needs_the_review_scope_of_the_jobs_tenant(
    api: TestClient, service: Service, reviewers: dict[str, str], caller: str | None, status: int
) -> None:
    job_id = _job(api, service, reviewers["acme-owner"])
    headers = bearer(reviewers[caller]) if caller else {}
    page = api.get(f"/jobs/{job_id}/studio/", headers=headers)
    assert page.status_code == status, page.text
    approve = api.post(f"/jobs/{job_id}/studio/api/lines/L0001/fr/status", headers=headers, json={"status": "approved", "revision": 0})
    assert approve.status_code == status, approve.text
    if status == 200:
        assert "L0001" in page.text and "Che, Martín, tu veux un maté ?" in page.text
        folder = service.settings.jobs_dir / job_id / "episode"
        assert [entry.by for entry in read_audit(WorkDir.at(folder))] == [caller, caller], "the audit log names the token"


def test_a_stale_edit_is_a_conflict_and_an_unfinished_job_has_no_studio(
    api: TestClient, service: Service, reviewers: dict[str, str]
) -> None:
    job_id = _job(api, service, reviewers["acme-owner"])
    headers = bearer(reviewers["acme-reviewer"])
    url = f"/jobs/{job_id}/studio/api/lines/L0002/fr/text"
    assert api.post(url, headers=headers, json={"text": "D'accord, vite.", "revision": 0}).status_code == 200
    stale = api.post(url, headers=headers, json={"text": "Ok, vite.", "revision": 0})
    assert stale.status_code == 409 and "changed since it was read" in stale.json()["detail"]
    queued = _job(api, service, reviewers["acme-owner"], status="queued")
    refused = api.get(f"/jobs/{queued}/studio/", headers=headers)
    assert refused.status_code == 409 and "once the job has succeeded" in refused.json()["detail"]


def test_a_browser_opens_the_studio_once_and_keeps_the_token_in_a_cookie_for_that_job(
    api: TestClient, service: Service, reviewers: dict[str, str]
) -> None:
    job_id, other = _job(api, service, reviewers["acme-owner"]), _job(api, service, reviewers["acme-owner"])
    api.cookies.clear()
    assert api.get(f"/jobs/{job_id}/studio/open", params={"token": reviewers["acme-reader"]}, follow_redirects=False).status_code == 403
    opened = api.get(f"/jobs/{job_id}/studio/open", params={"token": reviewers["acme-reviewer"]}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/jobs/{job_id}/studio/"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and f"Path=/jobs/{job_id}/studio" in cookie
    assert api.get(f"/jobs/{job_id}/studio/").status_code == 200, "the cookie admits the browser"
    assert api.get(f"/jobs/{other}/studio/").status_code == 401, "and only into that job's studio"
    api.cookies.clear()
