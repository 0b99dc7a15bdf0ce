"""Translation by an OpenAI-compatible chat endpoint (a hosted LLM, vLLM, llama.cpp's server, ...).

Each line goes in its own request with the neighbouring lines (with who says
them), who speaks to whom, the character sheet (names, genders, registers
between characters), the glossary instructions for its terms and a length
budget (syllables the take can hold). The answer
must be JSON ``{"translations": [...]}`` (constrained by a JSON schema where the
server supports it); a malformed answer is asked for again, up to ``retries``
times. Base URL, model and key come from the options or from
``LOCALIZE_LLM_BASE_URL``, ``LOCALIZE_LLM_MODEL`` and ``LOCALIZE_LLM_API_KEY``.
"""

from __future__ import annotations

import json
import logging
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from localize.environment import named, runtime
from localize.errors import BackendUnavailable, ConfigError
from localize.languages import display_name
from localize.registry import Availability, register
from localize.stages.translate.backend import TranslationRequest, Translator

__all__ = ["ChatTranslator", "Translations", "chat_messages"]

log = logging.getLogger(__name__)


class Translations(BaseModel):
    """The answer the model must give."""

    model_config = ConfigDict(extra="forbid")

    translations: list[str] = Field(min_length=1)


def _schema(count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"translations": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1, "maxItems": count}},
        "required": ["translations"],
        "additionalProperties": False,
    }


def chat_messages(request: TranslationRequest, source: str, target: str, count: int) -> list[dict[str, str]]:
    """The system and user messages for one line."""
    rules = [
        f"You translate film dialogue from {display_name(source)} to {display_name(target)} for dubbing.",
        "Keep it natural, spoken and about as long as the original.",
        f'Answer only with JSON: {{"translations": [...]}}, with 1 to {count} alternative translations of the line, best first.',
    ]
    if request.gender != "unknown":
        rules.append(f"The speaker is {request.gender}.")
    if request.formality:
        rules.append(f"The speaker uses the {request.formality} register with the person addressed.")
    if request.characters:
        rules.append("Characters (name, gender, register between them): " + "; ".join(request.characters) + ".")
    if request.glossary:
        rules.append("Glossary: " + "; ".join(request.glossary) + ".")
    if request.syllables:
        rules.append(f"The dub must fit the original's timing: about {request.syllables} syllables at most.")
    context = [f"Previous line: {request.previous}" if request.previous else "", f"Next line: {request.next}" if request.next else ""]
    who = f" ({request.speaker}{' to ' + request.addressee if request.addressee else ''})" if request.speaker else ""
    user = "\n".join([*filter(None, context), f"Translate this line{who}: {request.text}"])
    return [{"role": "system", "content": " ".join(rules)}, {"role": "user", "content": user}]


@register("translate")
class ChatTranslator(Translator):
    """An OpenAI-compatible ``/chat/completions`` endpoint, glossary and context in the prompt."""

    name = "openai-chat.v1"
    extra = "llm"
    job_options = frozenset({"candidates", "temperature"})
    constraints = True
    reads_context = True

    class Options(BaseModel):
        """Chat endpoint options (unset ones come from LOCALIZE_LLM_* variables)."""

        model_config = ConfigDict(extra="forbid")

        base_url: str | None = None
        """e.g. http://127.0.0.1:8080/v1; default $LOCALIZE_LLM_BASE_URL."""
        model: str | None = None
        """Model name the server knows; default $LOCALIZE_LLM_MODEL."""
        api_key_env: str = "LOCALIZE_LLM_API_KEY"
        """Environment variable holding the API key (keys never go in config files)."""
        candidates: int = Field(2, ge=1, le=5)
        temperature: float = Field(0.2, ge=0, le=2)
        max_tokens: int = Field(256, ge=1)
        retries: int = Field(3, ge=1)
        timeout: float = Field(120, gt=0)
        response_format: Literal["json_schema", "json_object"] = "json_schema"
        """How the JSON answer is constrained: an OpenAI json_schema, or json_object with a schema (llama.cpp)."""

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when httpx is installed and a base URL is configured."""
        try:
            import httpx  # noqa: F401
        except ImportError:
            return Availability(False, "missing httpx: pip install 'localize[llm]'")
        if not runtime().llm_base_url:
            return Availability(True, "set base_url (or LOCALIZE_LLM_BASE_URL) to an OpenAI-compatible server")
        return Availability(True, "ready")

    @property
    def base_url(self) -> str:
        """The endpoint's base URL (up to /v1)."""
        url = self.options.base_url or runtime().llm_base_url
        if not url:
            raise ConfigError("the openai-chat backend has no base URL", "set [translate.options] base_url or LOCALIZE_LLM_BASE_URL")
        return url.rstrip("/")

    @cached_property
    def client(self) -> Any:
        """An httpx client with the key, if any."""
        import httpx

        key = named(self.options.api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=self.options.timeout)

    def supports(self, source: str, target: str) -> bool:
        """Any pair: the model decides how well."""
        return bool(self.options.base_url or runtime().llm_base_url)

    def missing_hint(self, source: str, target: str) -> str:
        """What to configure."""
        return "set [translate.options] base_url (or LOCALIZE_LLM_BASE_URL) to an OpenAI-compatible server"

    def _body(self, request: TranslationRequest, source: str, target: str) -> dict[str, Any]:
        count = self.options.candidates
        schema = _schema(count)
        if self.options.response_format == "json_schema":
            response_format: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "translations", "strict": True, "schema": schema},
            }
        else:
            response_format = {"type": "json_object", "schema": schema}
        body: dict[str, Any] = {
            "messages": chat_messages(request, source, target, count),
            "temperature": self.options.temperature,
            "max_tokens": self.options.max_tokens,
            "response_format": response_format,
        }
        model = self.options.model or runtime().llm_model
        if model:
            body["model"] = model
        return body

    def _ask(self, request: TranslationRequest, source: str, target: str) -> list[str]:
        import httpx

        problem = ""
        for attempt in range(1, self.options.retries + 1):
            try:
                response = self.client.post("/chat/completions", json=self._body(request, source, target))
                response.raise_for_status()
                content = response.json()["choices"][0]["message"]["content"]
                answer = Translations.model_validate_json(content)
            except httpx.HTTPError as exc:
                raise BackendUnavailable(f"chat endpoint {self.base_url} failed: {exc}", "check that the server is running") from exc
            except (ValidationError, KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
                problem = str(exc).splitlines()[0]
                log.info("malformed answer for %r (attempt %d): %s", request.text, attempt, problem)
                continue
            texts = [" ".join(t.split()) for t in answer.translations if t.strip()]
            if texts:
                return list(dict.fromkeys(texts))[: self.options.candidates]
            problem = "only empty translations"
        raise BackendUnavailable(
            f"chat endpoint gave no valid translation of {request.text!r} after {self.options.retries} tries ({problem})",
            "use a model that follows JSON output, or raise 'retries'",
        )

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        """One chat request per line (empty lines stay empty)."""
        return [self._ask(request, source, target) if request.text.strip() else [""] for request in requests]
