"""Assemble every bundled model into the model cache, so a container built with them runs offline."""

from __future__ import annotations

from pathlib import Path

from localize.models import BUNDLED, resolve_model

__all__ = ["prefetch"]


def prefetch() -> list[Path]:
    """Assemble (and checksum) each bundled model; returns their folders."""
    return [Path(resolve_model(f"bundled:{name}")) for name in sorted(BUNDLED)]


if __name__ == "__main__":
    for folder in prefetch():
        print(folder)
