"""The episode's speakers file: speaker id -> character name, editable and kept across re-runs.

It is YAML, one ``SPEAKER_00: Lucía`` per line. The diarize stage writes it with
every speaker it found (new ones named after their id) and, on every run, gives
each speaker the name the file holds for its id.
"""

from __future__ import annotations

from pathlib import Path

from localize.cache import atomic_write_text
from localize.config import Config
from localize.errors import ConfigError
from localize.user_yaml import load_yaml

__all__ = ["SPEAKERS_FILE", "read_speakers_file", "speakers_path", "write_speakers_file"]

SPEAKERS_FILE = "speakers.yaml"

HEADER = "# Speaker id -> character name. Edit the names and re-run; they are kept.\n"


def speakers_path(config: Config, episode_folder: Path) -> Path:
    """The episode's speakers file: the configured one, else ``speakers.yaml`` in the episode folder."""
    return config.speakers.file or episode_folder / SPEAKERS_FILE


def read_speakers_file(path: Path) -> dict[str, str]:
    """The names the file gives (empty when it does not exist yet); ConfigError when it is malformed."""
    import yaml

    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"speakers file {path} cannot be read ({exc})", "fix it: one 'SPEAKER_00: Name' per line") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str | int) for k, v in data.items()):
        raise ConfigError(f"speakers file {path} is not a mapping of speaker ids to names", "write one 'SPEAKER_00: Name' per line")
    names = {key.strip(): str(value).strip() for key, value in data.items()}
    empty = [key for key, value in names.items() if not value]
    if empty:
        raise ConfigError(f"speakers file {path} gives {empty[0]} an empty name", "give every speaker a name, or delete its line")
    return names


def write_speakers_file(path: Path, names: dict[str, str]) -> None:
    """Write ``names`` (speaker id order), atomically; unchanged files are left untouched."""
    import yaml

    body = HEADER + yaml.safe_dump(dict(sorted(names.items())), allow_unicode=True, sort_keys=False, default_flow_style=False)
    if path.is_file() and path.read_text(encoding="utf-8") == body:
        return
    atomic_write_text(path, body)
