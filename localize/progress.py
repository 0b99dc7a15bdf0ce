"""Progress reporting: one hook signature for the CLI and the service."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ProgressHook", "silent_hook"]


class ProgressHook(Protocol):
    """Called as work advances: ``hook("translate", "fr", 3, 15)``."""

    def __call__(self, stage: str, step: str, completed: int, total: int) -> None: ...


def silent_hook(stage: str, step: str, completed: int, total: int) -> None:
    """A hook that ignores progress."""
