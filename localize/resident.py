"""Models a process keeps loaded while a stage uses them, and their release when the stage ends.

A loader decorated with ``resident`` is cached like ``functools.lru_cache``; ``release_models``
empties every such cache and hands the freed memory back to the system, so a run's peak memory
is its largest stage's rather than the sum of every model it loaded on the way.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["release_models", "resident"]

Loader = TypeVar("Loader", bound=Callable[..., Any])
_CACHES: list[Any] = []


def resident(maxsize: int) -> Callable[[Loader], Loader]:
    """Cache a model loader's results (``maxsize`` of them) until ``release_models``."""

    def decorate(loader: Loader) -> Loader:
        cached = functools.lru_cache(maxsize=maxsize)(loader)
        _CACHES.append(cached)
        return cached  # type: ignore[return-value]

    return decorate


def release_models() -> None:
    """Forget every resident model and return the memory it held to the system (glibc keeps freed memory otherwise)."""
    for cache in _CACHES:
        cache.cache_clear()
    gc.collect()
    library = ctypes.util.find_library("c")
    if library:
        trim = getattr(ctypes.CDLL(library), "malloc_trim", None)
        if trim is not None:
            trim(0)
