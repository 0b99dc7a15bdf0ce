"""Python's cyclic garbage collector paused around allocation-heavy work.

Reading an 800-line manifest or rendering its studio page makes millions of
objects and no reference cycles; the collector, triggered every few hundred
allocations, would scan them (and everything else alive) again and again,
doubling or tripling the time. Reference counting still frees what is dropped.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (left as it was after: off stays off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
