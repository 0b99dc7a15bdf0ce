"""The episode work directory: manifest, content-addressed artifacts, atomic writes.

Layout::

    <out>/<episode>/                 deliverables (written by packaging)
    <out>/<episode>/.localize/
        manifest.json                the Episode
        artifacts/ab/abcdef....ext   files named by the hash of what made them
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from localize.collector import collector_paused
from localize.errors import InputError, MediaError, OutputError
from localize.migrate import migrate_manifest
from localize.model import Episode

__all__ = [
    "WorkDir",
    "atomic_path",
    "atomic_write_text",
    "file_fingerprint",
    "no_space_error",
    "output_error",
    "sha256_file",
    "stable_hash",
]

_SAMPLE = 1 << 20


def stable_hash(*parts: Any) -> str:
    """A sha256 hex digest of JSON-serialisable parts, independent of dict order."""
    payload = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    """The sha256 of a whole file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_SAMPLE), b""):
            digest.update(block)
    return digest.hexdigest()


def file_fingerprint(path: Path) -> str:
    """A fast content fingerprint: size plus samples from the start, middle and end."""
    size = path.stat().st_size
    digest = hashlib.sha256(str(size).encode())
    with path.open("rb") as handle:
        for offset in (0, max(0, size // 2 - _SAMPLE // 2), max(0, size - _SAMPLE)):
            handle.seek(offset)
            digest.update(handle.read(_SAMPLE))
    return digest.hexdigest()


_FULL_BELOW = 1 << 20
"""Bytes free under which a failed write is taken to have failed for want of space."""


def _mount_point(path: Path) -> Path:
    """The mount point of the file system ``path`` is (or would be) on."""
    current = Path(os.path.abspath(path))
    while not current.exists() and current != current.parent:
        current = current.parent
    while not os.path.ismount(current) and current != current.parent:
        current = current.parent
    return current


def no_space_error(path: Path, written: int = 0) -> OutputError:
    """The one-line error for a full file system while writing ``path`` (``written``: bytes it got before it filled)."""
    need = max(1, -(-written // (1 << 20)))
    return OutputError(
        f"no space left on {_mount_point(path)} while writing {path}", f"free at least {need} MB there, or choose another --out"
    )


def output_error(exc: OSError, path: Path | None = None) -> OutputError | None:
    """The OutputError for a failed write of ``path`` (default: the file the error names): full disk or quota,
    permissions, a file in the way; None for other errors."""
    where = path or Path(exc.filename or ".")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return no_space_error(where)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"cannot write to {where}: permission denied", "choose a writable --out directory")
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return OutputError(f"cannot write to {where}: a file is in the way of a folder", "choose another --out directory")
    return None


def _disk_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < _FULL_BELOW
    except OSError:
        return False


def _output_error(path: Path, exc: OSError) -> OutputError:
    found = output_error(exc, path)
    if found is not None:
        return found
    return OutputError(f"cannot write {path}: {exc.strerror}", "check the output directory")


def _file_mode() -> int:
    """rw for everyone the umask allows (mkstemp alone would leave deliverables private to their writer)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place on success.

    A crash or error leaves the previous file (or no file), never a partial one. Whatever fails while the file
    system is full (a library's write, an ffmpeg run) becomes the one-line "no space left" OutputError.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    temp = Path(name)
    try:
        yield temp
        if temp.exists():
            os.chmod(temp, _FILE_MODE)
        os.replace(temp, path)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    except Exception as exc:
        said_full = isinstance(exc, MediaError) and "No space left on device" in exc.stderr
        if not isinstance(exc, OutputError) and (said_full or _disk_full(path.parent)):
            raise no_space_error(path, temp.stat().st_size if temp.exists() else 0) from exc
        raise
    finally:
        temp.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write text to ``path`` atomically."""
    with atomic_path(path) as temp:
        try:
            temp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise _output_error(path, exc) from exc


class WorkDir:
    """One episode's folder of deliverables and its hidden state."""

    def __init__(self, out: Path, episode_id: str) -> None:
        self.root = out / episode_id
        self.state = self.root / ".localize"
        self.manifest_path = self.state / "manifest.json"
        self.artifacts = self.state / "artifacts"

    @classmethod
    def at(cls, root: Path) -> WorkDir:
        """The work directory of an existing episode folder."""
        if not (root / ".localize" / "manifest.json").is_file():
            raise InputError(f"{root} is not a localize episode folder", "run 'localize run' first, or pass OUT/<episode>")
        return cls(root.parent, root.name)

    def prepare(self) -> None:
        """Create the folders, turning permission or space problems into OutputError."""
        try:
            self.artifacts.mkdir(parents=True, exist_ok=True)
            probe = self.state / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise _output_error(self.root, exc) from exc

    def load(self) -> Episode | None:
        """The saved Episode (older schemas migrated), or None when there is none yet.

        A manifest that exists but cannot be read is an error, never a reason to start over:
        starting over would overwrite the edits and approvals it holds.
        """
        if not self.manifest_path.is_file():
            return None
        return self._read(self.manifest_path, f"the manifest of episode {self.root.name} ({self.root.name}/.localize/manifest.json)")

    def load_published(self) -> Episode:
        """The customer-facing manifest of the finished package (older schemas migrated)."""
        if not self.published_manifest.is_file():
            raise InputError(
                f"{self.root} has no manifest.json: it was never packaged, or packaging did not finish", "run 'localize run' again"
            )
        return self._read(self.published_manifest, f"the package manifest {self.root.name}/manifest.json")

    @staticmethod
    def _read(path: Path, where: str) -> Episode:
        keep = "it is kept as it is: restore it from a backup, or move it away to start the episode over"
        try:
            with collector_paused():
                data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read {where}: {exc}", keep) from exc
        if not isinstance(data, dict):
            raise InputError(f"{where} is not a JSON object", keep)
        data = migrate_manifest(data, where)
        try:
            with collector_paused():
                return Episode.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            place = ".".join(map(str, first["loc"]))
            raise InputError(f"{where} is invalid at {place}: {first['msg']}", keep) from exc

    def save(self, episode: Episode) -> None:
        """Write the manifest atomically."""
        atomic_write_text(self.manifest_path, episode.model_dump_json(indent=2))

    @property
    def published_manifest(self) -> Path:
        """``OUT/<episode>/manifest.json``: present only while the package beside it is complete."""
        return self.root / "manifest.json"

    def publish(self, episode: Episode) -> None:
        """Write the customer-facing manifest (the Episode, stage records included) atomically."""
        atomic_write_text(self.published_manifest, episode.model_dump_json(indent=2))

    def artifact(self, key: str, suffix: str) -> Path:
        """The content-addressed path for an artifact made from ``key``."""
        return self.artifacts / key[:2] / f"{key}{suffix}"

    def relative(self, path: Path) -> str:
        """A path as stored in the manifest (relative to the episode folder)."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()

    def resolve(self, stored: str) -> Path:
        """The absolute path of a path stored in the manifest."""
        return self.root / stored

    def read_json(self, key: str) -> Any | None:
        """A cached JSON artifact, or None."""
        path = self.artifact(key, ".json")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def write_json(self, key: str, data: Any) -> None:
        """Store a JSON artifact atomically."""
        atomic_write_text(self.artifact(key, ".json"), json.dumps(data, ensure_ascii=False))
