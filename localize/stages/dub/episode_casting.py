"""The episode's own casting choices: ``OUT/<episode>/casting.yaml``, speaker id -> {language -> voice id}.

A reviewer's choice (the studio writes it; it can be edited by hand too). It wins
over the configuration's casting and the series casting file, and is read on
every run: changing a voice re-dubs only that speaker's lines (and those of a
speaker whose voice it took).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from localize.cache import atomic_write_text
from localize.errors import ConfigError
from localize.user_yaml import load_yaml

__all__ = ["EPISODE_CASTING_FILE", "read_episode_casting", "write_episode_casting"]

EPISODE_CASTING_FILE = "casting.yaml"
HEADER = "# Speaker id -> {language -> voice id}: the voices chosen for this episode. Edit and re-run; they are kept.\n"


def read_episode_casting(path: Path) -> dict[str, dict[str, str]]:
    """The choices the file holds (empty when there is none); ConfigError when it is malformed."""
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"casting file {path} cannot be read ({exc})", "fix it: 'SPEAKER_00: {fr: fr-kokoro-m-adult}'") from exc
    if data is None:
        return {}
    valid = isinstance(data, dict) and all(
        isinstance(speaker, str) and isinstance(voices, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in voices.items())
        for speaker, voices in data.items()
    )
    if not valid:
        raise ConfigError(f"casting file {path} is not a mapping of speaker ids to voices", "write 'SPEAKER_00: {fr: fr-kokoro-m-adult}'")
    return {speaker: dict(voices) for speaker, voices in data.items()}


def write_episode_casting(path: Path, choices: dict[str, dict[str, str]]) -> None:
    """Write the choices atomically, speakers and languages sorted."""
    ordered = {speaker: dict(sorted(voices.items())) for speaker, voices in sorted(choices.items()) if voices}
    atomic_write_text(path, HEADER + yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=False))
