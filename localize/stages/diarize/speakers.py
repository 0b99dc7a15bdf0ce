"""The episode's speakers file: speaker id -> character name, editable and kept across re-runs.

It is YAML, one ``SPEAKER_00: Lucía`` per line. The diarize stage writes it with
every speaker it found (new ones named after their id) and, on every run, gives
each speaker the name the file holds for its id. A speaker whose gender the voice
misleads on can be given one: ``SPEAKER_01: {name: Martín, gender: male}``.
"""

from __future__ import annotations

from pathlib import Path

from localize.cache import atomic_write_text
from localize.config import Config
from localize.errors import ConfigError
from localize.model import Gender
from localize.user_yaml import load_yaml

__all__ = ["SPEAKERS_FILE", "read_speaker_genders", "read_speakers_file", "speakers_path", "write_speakers_file"]

GENDERS = ("male", "female")

SPEAKERS_FILE = "speakers.yaml"

HEADER = "# Speaker id -> character name, or {name: Name, gender: male|female}. Edit and re-run; it is kept.\n"


def speakers_path(config: Config, episode_folder: Path) -> Path:
    """The episode's speakers file: the configured one, else ``speakers.yaml`` in the episode folder."""
    return config.speakers.file or episode_folder / SPEAKERS_FILE


def read_speakers_file(path: Path) -> dict[str, str]:
    """The names the file gives (empty when it does not exist yet); ConfigError when it is malformed."""
    return {key: name for key, (name, _) in _entries(path).items()}


def read_speaker_genders(path: Path) -> dict[str, Gender]:
    """The genders the file gives, by speaker id (only the speakers given one)."""
    return {key: gender for key, (_, gender) in _entries(path).items() if gender is not None}


def _entries(path: Path) -> dict[str, tuple[str, Gender | None]]:
    """Speaker id -> (name, gender given or None)."""
    import yaml

    if not path.is_file():
        return {}
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"speakers file {path} cannot be read ({exc})", "fix it: one 'SPEAKER_00: Name' per line") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str | int | dict) for k, v in data.items()):
        raise ConfigError(f"speakers file {path} is not a mapping of speaker ids to names", "write one 'SPEAKER_00: Name' per line")
    entries = {key.strip(): _entry(path, key.strip(), value) for key, value in data.items()}
    empty = [key for key, (name, _) in entries.items() if not name]
    if empty:
        raise ConfigError(f"speakers file {path} gives {empty[0]} an empty name", "give every speaker a name, or delete its line")
    return entries


def _entry(path: Path, key: str, value: str | int | dict[str, object]) -> tuple[str, Gender | None]:
    """One speaker's name and given gender: ``Name``, or ``{name: Name, gender: male|female}``."""
    if not isinstance(value, dict):
        return str(value).strip(), None
    name, gender = value.get("name", ""), value.get("gender")
    if set(value) - {"name", "gender"} or not isinstance(name, str | int) or gender not in (None, *GENDERS):
        raise ConfigError(f"speakers file {path}: {key} must be a name, or {{name: Name, gender: male|female}}", "fix that speaker's line")
    return str(name).strip(), gender  # type: ignore[return-value]


def write_speakers_file(path: Path, names: dict[str, str]) -> None:
    """Write ``names`` (speaker id order), keeping the genders the file gives, atomically; unchanged files are left untouched."""
    import yaml

    genders = read_speaker_genders(path)
    entries = {key: {"name": name, "gender": genders[key]} if key in genders else name for key, name in sorted(names.items())}
    body = HEADER + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, default_flow_style=False)
    if path.is_file() and path.read_text(encoding="utf-8") == body:
        return
    atomic_write_text(path, body)
