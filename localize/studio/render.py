"""Render an episode folder after review: the pipeline on the folder (only what changed runs again), then QC.

Runs under the episode's edit lock, so no review change lands between what the
render read and what it saves; progress goes through the one progress hook.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from localize.errors import LocalizeError
from localize.pipeline import resume_context, run_stages
from localize.progress import ProgressHook
from localize.qc import check_episode_folder
from localize.review import EpisodeEditor

__all__ = ["RenderResult", "RenderState", "deliverable_digests", "render"]

log = logging.getLogger("localize.studio")


@dataclass(frozen=True)
class RenderResult:
    """What a render did: the stages that ran, the deliverables it changed, and the QC verdict."""

    seconds: float
    ran: list[str]
    changed: list[str]
    qc_passed: bool
    qc_failed: list[str]
    """``check subject: summary`` of each failed QC check."""


def deliverable_digests(folder: Path) -> dict[str, str]:
    """Deliverable path -> sha256, as the published manifest lists them (empty before the first package)."""
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    return {item["path"]: item["sha256"] for item in json.loads(path.read_text(encoding="utf-8")).get("deliverables", [])}


def render(editor: EpisodeEditor, hook: ProgressHook, decode: bool = True) -> RenderResult:
    """Run the pipeline on the editor's episode folder, then QC (``decode``: every master decoded to the end)."""
    folder = editor.workdir.root
    started = time.perf_counter()
    with editor.locked(wait=0):
        before = deliverable_digests(folder)
        ctx, episode = resume_context(folder, hook)
        episode = run_stages(episode, ctx)
        hook("qc", "checking", 0, 1)
        report = check_episode_folder(folder, decode=decode)
        hook("qc", "done", 1, 1)
    after = deliverable_digests(folder)
    return RenderResult(
        seconds=round(time.perf_counter() - started, 2),
        ran=[name for name, record in episode.stages.items() if not record.cache_hit],
        changed=sorted(path for path, digest in after.items() if before.get(path) != digest),
        qc_passed=report.passed,
        qc_failed=[f"{check.name} {check.subject}: {check.summary}" for check in report.failed],
    )


@dataclass
class RenderState:
    """One episode's render, run in a thread: its progress while it runs, then its result or error."""

    running: bool = False
    stage: str = ""
    step: str = ""
    completed: int = 0
    total: int = 0
    result: RenderResult | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hook(self, stage: str, step: str, completed: int, total: int) -> None:
        """The progress hook the render reports through."""
        self.stage, self.step, self.completed, self.total = stage, step, completed, total

    def start(self, editor: EpisodeEditor, decode: bool = True) -> bool:
        """Start a render in a thread; False when one is running already."""
        with self._lock:
            if self.running:
                return False
            self.running, self.result, self.error = True, None, None
            self.hook("", "starting", 0, 1)
        threading.Thread(target=self._run, args=(editor, decode), name="studio-render", daemon=True).start()
        return True

    def _run(self, editor: EpisodeEditor, decode: bool) -> None:
        try:
            self.result = render(editor, self.hook, decode)
        except LocalizeError as exc:
            self.error = exc.one_line()
        except Exception as exc:  # reported to the reviewer, who can render again
            log.error("render of %s failed", editor.workdir.root, exc_info=exc)
            self.error = f"internal error: {type(exc).__name__}: {exc}"
        finally:
            self.running = False
