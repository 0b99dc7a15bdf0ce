"""Finding 4: hostile names and numbers get a 4xx with a one-line reason, never a 500; error bodies name files
relative to the storage roots and never echo megabytes of input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from localize.service.runtime import Service
from localize.service.security import create_token
from tests.security.conftest import bearer


@pytest.fixture(scope="module")
def token(service: Service) -> str:
    secret, _ = create_token(service.database, "prober", ["read", "submit"])
    return secret


def _detail(response: Any, service: Service) -> str:
    """The response's one-line detail, checked to hold no server path."""
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and len(detail) <= 1000, detail[:300]
    for root in (service.settings.data_dir, *service.settings.storage_roots):
        assert str(root.resolve()) not in detail, detail
    return detail


RAW_JOBS = [
    ('{"source": "' + "a" * 300 + '.mp4", "targets": "en"}', 422),
    ('{"source": "' + "d/" * 2100 + 'x.mp4", "targets": "en"}', 422),
    ('{"source": "episode\\ud800.wav", "targets": "en"}', 422),
    ('{"source": "episode.wav", "targets": "en", "name": "x\\udfff"}', 422),
    ('{"source": "episode.wav", "targets": "en", "config": {"dub": {"casting": {"\\ud800": {"en": "x"}}}}}', 422),
    ('{"source": "episode.wav", "targets": "en", "name": "' + "n" * 5000 + '"}', 422),
    ('{"source": "episode.wav", "targets": "' + "en," * 5000 + '"}', 422),
    ('{"source": "episode.wav", "targets": "en", "config": {"x": "' + "y" * (2 << 20) + '"}}', 413),
    ("{not json", 422),
]


@pytest.mark.parametrize(("body", "status"), RAW_JOBS, ids=[f"{body[:40]}...({len(body)} bytes)" for body, _ in RAW_JOBS])
def test_hostile_submissions_get_a_4xx_with_one_short_line(api: TestClient, service: Service, token: str, body: str, status: int) -> None:
    response = api.post("/jobs", headers={**bearer(token), "Content-Type": "application/json"}, content=body.encode("utf-8"))
    assert response.status_code == status, response.text[:300]
    _detail(response, service)


@pytest.mark.parametrize("params", [{"offset": 2**63}, {"limit": 2**63}, {"offset": -1}, {"status": "x" * 20_000}])
def test_out_of_range_listing_parameters_get_422(api: TestClient, service: Service, token: str, params: dict[str, Any]) -> None:
    response = api.get("/jobs", headers=bearer(token), params=params)
    assert response.status_code == 422, response.text[:300]
    _detail(response, service)


def test_a_long_upload_name_is_shortened_and_a_strange_one_cleaned(api: TestClient, service: Service, token: str, storage: Path) -> None:
    media = (storage / "episode.wav").read_bytes()
    response = api.post("/uploads", headers=bearer(token), params={"filename": "b" * 300 + ".wav"}, content=media)
    assert response.status_code == 201, response.text[:300]
    assert response.json()["filename"].endswith(".wav") and len(response.json()["filename"]) <= 128
    response = api.post("/uploads?filename=%ED%A0%80%FF.wav", headers=bearer(token), content=media)
    assert response.status_code in (201, 422), response.text[:300]
    response = api.post("/uploads", headers=bearer(token), params={"filename": "x" * 5000 + ".wav"}, content=media)
    assert response.status_code == 422
    _detail(response, service)


def test_errors_about_files_name_them_relative_to_the_storage_root(api: TestClient, service: Service, token: str, storage: Path) -> None:
    (storage / "notes.wav").write_text("meeting notes, not audio\n" * 20, encoding="utf-8")
    (storage / "broken.yaml").write_text("name: [unclosed\nterms: {\n", encoding="utf-8")
    response = api.post("/jobs", headers=bearer(token), json={"source": "notes.wav", "targets": "en"})
    assert 400 <= response.status_code < 500 and "notes.wav" in _detail(response, service)
    response = api.post("/jobs", headers=bearer(token), json={"source": "episode.wav", "glossary": "broken.yaml", "targets": "en"})
    assert response.status_code == 422 and "broken.yaml" in _detail(response, service)
    response = api.post("/uploads", headers=bearer(token), params={"filename": "notes.mp4"}, content=b"meeting notes\n" * 50)
    assert response.status_code == 415 and "notes.mp4" in _detail(response, service)
