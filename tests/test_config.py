"""Configuration has one reader of the environment: runtime and service variables never break the configuration,
and a partial nested override changes one field and keeps the rest."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from localize.config import load_config
from localize.environment import RUNTIME, config_overrides, runtime
from localize.errors import ConfigError
from localize.service.settings import Settings
from tests.conftest import ROOT

RUNTIME_AND_SERVICE = {
    "LOCALIZE_DEBUG": "1",
    "LOCALIZE_LOG": "info",
    "LOCALIZE_CACHE": "/opt/localize-cache",
    "LOCALIZE_PROGRESS": "1",
    "LOCALIZE_LLM_API_KEY": "sk-secret",
    "LOCALIZE_SERVICE_DATA_DIR": "/data",
    "LOCALIZE_SERVICE_STORAGE_ROOTS": '["/media"]',
}


def test_runtime_and_service_variables_leave_the_configuration_alone() -> None:
    config = load_config(None, environ=RUNTIME_AND_SERVICE)
    assert config.transcribe.backend == "faster-whisper.v1"
    settings = runtime(RUNTIME_AND_SERVICE)
    assert settings.debug and settings.log_level == "INFO" and settings.progress and settings.cache == Path("/opt/localize-cache")
    assert Settings.from_env(RUNTIME_AND_SERVICE).storage_roots == [Path("/media")]


def test_a_partial_nested_override_keeps_the_stage_backend_and_other_options(tmp_path: Path) -> None:
    toml = tmp_path / "localize.toml"
    toml.write_text("[transcribe.options]\ncpu_threads = 2\n[dub]\nmax_rate = 1.25\n", encoding="utf-8")
    environ = {"LOCALIZE_TRANSCRIBE__OPTIONS__BEAM_SIZE": "1", "LOCALIZE_MIX__DUCK_DB": "-10", **RUNTIME_AND_SERVICE}
    config = load_config(toml, environ=environ)
    assert config.transcribe.backend == "faster-whisper.v1"
    assert config.transcribe.options == {"cpu_threads": 2, "beam_size": 1}
    assert config.dub.max_rate == 1.25 and config.mix.duck_db == -10 and config.mix.duck_ramp == 0.12


def test_an_undeclared_variable_is_ignored_with_a_warning_and_a_bad_value_still_fails(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="localize"):
        assert config_overrides({"transcribe"}, {"LOCALIZE_TRANSCIBE__BACKEND": "x", "LOCALIZE_HOME": "/x"}) == {}
    assert "LOCALIZE_TRANSCIBE__BACKEND is not a localize setting" in caplog.text and "LOCALIZE_HOME" in caplog.text
    with pytest.raises(ConfigError, match=r"segment\.max_seconds"):
        load_config(environ={"LOCALIZE_SEGMENT__MAX_SECONDS": "0.5"})


def test_every_runtime_variable_is_declared_and_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = [name for name in RUNTIME if name not in readme]
    assert not undocumented, undocumented


def test_the_cli_runs_with_runtime_and_service_variables_and_the_readme_override(tmp_path: Path) -> None:
    env = {**os.environ, **RUNTIME_AND_SERVICE, "LOCALIZE_DEBUG": "", "LOCALIZE_TRANSCRIBE__OPTIONS__BEAM_SIZE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "localize.cli", "run", str(tmp_path / "missing.mp4"), "--to", "en", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "missing.mp4" in result.stderr and "Extra inputs" not in result.stderr and "Field required" not in result.stderr
