"""Finding 1: a job's config may set only the allow-list; server-only settings are refused (403) at every level,
unknown settings, backends and bad values are refused (422) when the job is submitted, each naming the key."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from localize.service.runtime import Service
from localize.service.security import create_token
from tests.security.conftest import bearer

SERVER_ONLY: list[tuple[dict[str, Any], str]] = [
    (
        {"translate": {"backend": "openai-chat.v1", "options": {"base_url": "http://attacker.example/v1", "api_key_env": "HOME"}}},
        "config.translate.options.base_url",
    ),
    (
        {"translate": {"backend": "openai-chat.v1", "options": {"api_key_env": "LOCALIZE_SERVICE_DATABASE_URL"}}},
        "config.translate.options.api_key_env",
    ),
    ({"speakers": {"file": "/etc/passwd"}}, "config.speakers.file"),
    ({"speakers": {"characters_file": "/tmp/anywhere/characters.json"}}, "config.speakers.characters_file"),
    ({"translate": {"options": {"datadir": "/tmp/evil"}}}, "config.translate.options.datadir"),
    ({"transcribe": {"options": {"allow_downloads": True}}}, "config.transcribe.options.allow_downloads"),
    ({"transcribe": {"options": {"models_dir": "/"}}}, "config.transcribe.options.models_dir"),
    ({"transcribe": {"options": {"model": "/etc"}}}, "config.transcribe.options.model"),
    ({"transcribe": {"options": {"device": "cuda"}}}, "config.transcribe.options.device"),
    ({"transcribe": {"options": {"cpu_threads": 64}}}, "config.transcribe.options.cpu_threads"),
    ({"mix": {"separation": {"backend": "demucs.v1", "options": {"repo": "/tmp/models"}}}}, "config.mix.separation.options.repo"),
    ({"dub": {"backend_options": {"xtts.v1": {"model": "/tmp/xtts"}}}}, "config.dub.backend_options.xtts.v1.model"),
    ({"dub": {"backend_options": {"piper.v1": {"models_dir": "/"}}}}, "config.dub.backend_options.piper.v1.models_dir"),
    ({"dub": {"voices_dir": "/tmp"}}, "config.dub.voices_dir"),
    ({"dub": {"workers": 16}}, "config.dub.workers"),
    ({"diarize": {"backend": "pyannote.v1", "options": {"token_env": "AWS_SECRET_ACCESS_KEY"}}}, "config.diarize.options.token_env"),
    ({"diarize": {"backend": "pyannote.v1", "options": {"pipeline": "/srv"}}}, "config.diarize.options.pipeline"),
    ({"package": {"subtitles": {"spacy_model": "/tmp/evil_pipeline"}}}, "config.package.subtitles.spacy_model"),
    ({"package": {"languages": {"fr": {"spacy_model": "/tmp/evil"}}}}, "config.package.languages.fr.spacy_model"),
    ({"package": {"proxy_height": 100000}}, "config.package.proxy_height"),
    ({"regional": {"folder": "/etc"}}, "config.regional.folder"),
    ({"dub": {"backend_options": {"kokoro.v1": {"model": "/tmp/evil.onnx"}}}}, "config.dub.backend_options.kokoro.v1.model"),
    ({"models_dir": "/"}, "config.models_dir"),
    ({"allow_downloads": True}, "config.allow_downloads"),
]

INVALID: list[tuple[dict[str, Any], str]] = [
    ({"translate": {"backend": "evil.v9"}}, "config.translate.backend"),
    ({"dub": {"clone_backend": "nope.v1"}}, "config.dub.clone_backend"),
    ({"dub": {"backend_options": {"nope.v1": {}}}}, "config.dub.backend_options.nope.v1"),
    ({"transcribe": {"options": {"beam_size": 0}}}, "beam_size"),
    ({"transcribe": {"options": {"no_such_option": 1}}}, "config.transcribe.options.no_such_option"),
    ({"translate": {"backend": "transformers.v1"}}, "config.translate"),
    ({"no_such_section": {}}, "config.no_such_section"),
    ({"dub": {"no_such_key": 1}}, "config.dub.no_such_key"),
    ({"dub": "not a table"}, "config.dub"),
    ({"dub": {"casting": {"Martín": {"en": "no-such-voice"}}}}, "config.dub.casting.Martín.en"),
    ({"segment": {"max_seconds": -4}}, "config.segment.max_seconds"),
    ({"initial_prompt": "x" * 100_000}, "over 64 KB"),
]


@pytest.fixture(scope="module")
def token(service: Service) -> str:
    secret, _ = create_token(service.database, "configurer", ["read", "submit"])
    return secret


def _submit(api: TestClient, token: str, config: dict[str, Any]) -> Any:
    return api.post("/jobs", headers=bearer(token), json={"source": "episode.wav", "targets": "en", "config": config})


@pytest.mark.parametrize(("config", "key"), SERVER_ONLY, ids=[key for _, key in SERVER_ONLY])
def test_a_server_only_setting_at_any_level_is_refused_with_403_naming_it(
    api: TestClient, token: str, config: dict[str, Any], key: str
) -> None:
    response = _submit(api, token, config)
    assert response.status_code == 403, response.text
    assert key in response.json()["detail"]


@pytest.mark.parametrize(("config", "key"), INVALID, ids=[key for _, key in INVALID])
def test_an_unknown_setting_backend_or_bad_value_is_refused_with_422_naming_it(
    api: TestClient, token: str, config: dict[str, Any], key: str
) -> None:
    response = _submit(api, token, config)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and key in detail and len(detail) < 600


def test_allowed_settings_apply_over_the_servers_and_keep_its_own(api: TestClient, token: str, service: Service) -> None:
    allowed = {
        "transcribe": {"options": {"beam_size": 1, "temperature": [0.0]}},
        "diarize": {"options": {"num_speakers": 2}},
        "translate": {"options": {"alternatives": False}},
        "package": {"subtitles": {"max_cps": 20}, "languages": {"fr": {"max_chars_per_line": 40}}, "review_proxy": False},
        "dub": {"casting": {"Martín": {"en": "en-espeak-m3"}}, "max_rate": 1.3, "casting_file": "series/casting.json"},
        "mix": {"duck_db": -10, "level_range_db": 3},
        "regional": {"layer": "es-AR"},
    }
    response = _submit(api, token, allowed)
    assert response.status_code == 201, response.text
    from localize.service import jobs

    config = jobs.get(service.database, response.json()["id"]).request["config"]
    assert config["transcribe"]["backend"] == "faster-whisper.v1"
    assert config["transcribe"]["options"] == {"cpu_threads": 1, "beam_size": 1, "temperature": [0.0]}, "the server's cpu_threads stays"
    assert config["diarize"]["options"] == {"num_speakers": 2}
    assert config["package"]["subtitles"]["max_cps"] == 20 and config["package"]["review_proxy"] is False
    assert config["dub"]["casting"] == {"Martín": {"en": "en-espeak-m3"}}
    storage = service.settings.storage_roots[0].resolve()
    assert config["dub"]["casting_file"] == str(storage / "series" / "casting.json")
    assert config["allow_downloads"] is False and config["models_dir"] is None
    assert config["regional"]["layer"] == "es-AR" and config["mix"]["level_range_db"] == 3


def test_a_casting_file_outside_the_storage_roots_is_refused(api: TestClient, token: str) -> None:
    for path in ("/etc/localize-casting.json", "../casting.json"):
        response = _submit(api, token, {"dub": {"casting_file": path}})
        assert response.status_code == 403, response.text
        assert "config.dub.casting_file" in response.json()["detail"]
