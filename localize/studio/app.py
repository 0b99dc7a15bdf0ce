"""The studio's web app: server-rendered pages and a small JSON API over one episode, mounted locally by
``localize studio`` or per job by the batch service.

Whoever mounts it passes a resolver: it authorizes the request and says which
episode it is for and who is asking (the local studio: a secret given once in
the URL, then a cookie; the service: a token with the ``review`` scope, for a job
of its own tenant). Every change goes through :class:`EpisodeEditor`: a stale
revision answers 409, as does an episode held by a render.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the routes' annotations, which name a local alias.
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from localize.collector import collector_paused
from localize.errors import EditConflict, InputError, LocalizeError
from localize.glossary.model import SCOPES as GLOSSARY_SCOPES
from localize.glossary.report import glossary_report
from localize.model import Episode
from localize.review import EpisodeBusy, read_audit
from localize.stages.dub.episode_casting import EPISODE_CASTING_FILE, read_episode_casting
from localize.studio.episode import StudioEpisode
from localize.studio.peaks import window_peaks
from localize.studio.views import row_view, rows, speaker_views

__all__ = ["Resolver", "Reviewer", "error_response", "studio_router"]

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 2000


@dataclass(frozen=True)
class Reviewer:
    """Who is asking, and about which episode (what a resolver returns)."""

    episode: StudioEpisode
    who: str
    base: str
    """The URL path the studio is mounted at (``""`` or ``/jobs/<id>/studio``)."""


Resolver = Callable[..., Reviewer]
"""A FastAPI dependency (it may take the request, path parameters, credentials) that authorizes a request and says
which episode it is about and who asks."""


def error_response(exc: LocalizeError) -> JSONResponse:
    """A review error as JSON: 409 for a conflict or a busy episode, 422 for bad input, 400 else."""
    code = 409 if isinstance(exc, EditConflict | EpisodeBusy) else 422 if isinstance(exc, InputError) else 400
    return JSONResponse({"detail": exc.one_line()}, status_code=code)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextBody(_Body):
    text: str = Field(max_length=MAX_TEXT)
    revision: int | None = None


class StatusBody(_Body):
    status: str = Field(pattern="^(approved|rejected)$")
    comment: str = Field(default="", max_length=MAX_TEXT)
    revision: int | None = None


class RevisionBody(_Body):
    revision: int | None = None


class TimingBody(_Body):
    start: float
    end: float
    revision: int | None = None


class SplitBody(_Body):
    word: int
    revision: int | None = None


class MergeBody(_Body):
    next: str = Field(max_length=64)
    revision: int | None = None
    next_revision: int | None = None


class SpeakerBody(_Body):
    speaker: str = Field(max_length=64)
    revision: int | None = None


class NameBody(_Body):
    name: str = Field(max_length=200)
    seen: str | None = Field(default=None, max_length=200)


class IntoBody(_Body):
    into: str = Field(max_length=64)


class SplitSpeakerBody(_Body):
    lines: list[str] = Field(max_length=10000)
    name: str = Field(max_length=200)


class VoiceBody(_Body):
    voice: str = Field(max_length=200)


class TermBody(_Body):
    term: str = Field(max_length=200)
    scope: str = "other"
    dnt: bool = False
    renderings: dict[str, str] = Field(default_factory=dict, max_length=50)
    note: str = Field(default="", max_length=MAX_TEXT)


@cache
def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())
    environment.filters["seconds"] = lambda value: f"{value:.2f}"
    return environment


def _language(episode: Episode, requested: str | None) -> str:
    if requested and requested in episode.tracks:
        return requested
    return next(iter(episode.tracks), "")


def _take_url(base: str, language: str) -> str:
    return f"{base}/api/takes/{language}/{{line}}.wav"


def _rows_html(reviewer: Reviewer, episode: Episode, line_ids: list[str], language: str) -> dict[str, str]:
    """line id -> its row's HTML in ``language`` (empty for a line that is gone)."""
    ctx, _ = reviewer.episode.context()
    rules = ctx.config.package.rules_for(language)
    template = _templates().get_template("row.html")
    html = {}
    for line_id in line_ids:
        line = episode.line(line_id)
        row = row_view(episode, line, language, rules, _take_url(reviewer.base, language).format(line=line_id)) if line else None
        html[line_id] = str(template.render(row=row, speakers=episode.speakers, language=language)) if row else ""
    return html


def studio_router(resolve: Resolver) -> APIRouter:
    """The studio's routes, for whatever episode and reviewer ``resolve`` finds for a request."""
    router = APIRouter()
    Who = Annotated[Reviewer, Depends(resolve)]

    async def run(function: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(function, *args)

    def rows_changed(reviewer: Reviewer, language: str, episode: Episode) -> dict[str, Any]:
        """Every row of ``language`` re-rendered (after an edit that may move, split or merge lines)."""
        order = [line.id for line in episode.lines]
        return {"order": order, "rows": _rows_html(reviewer, episode, order, language)}

    def one_row(reviewer: Reviewer, language: str, episode: Episode, line_id: str) -> dict[str, Any]:
        return {"rows": _rows_html(reviewer, episode, [line_id], language)}

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(reviewer: Who, lang: str | None = None) -> HTMLResponse:
        studio = reviewer.episode
        ctx, episode = studio.snapshot()
        language = _language(episode, lang)
        rules = ctx.config.package.rules_for(language)
        with collector_paused():
            html = (
                _templates()
                .get_template("page.html")
                .render(
                    episode=episode,
                    language=language,
                    languages=list(episode.tracks),
                    rows=rows(episode, language, rules, _take_url(reviewer.base, language)) if language else [],
                    speakers=episode.speakers,
                    cards=speaker_views(episode, read_episode_casting(studio.folder / EPISODE_CASTING_FILE)),
                    base=reviewer.base,
                    who=reviewer.who,
                    scopes=GLOSSARY_SCOPES,
                    video=_video_url(reviewer.base, episode, studio),
                    subtitles={lang: f"{reviewer.base}/media/subtitles/{lang}.vtt" for lang in episode.tracks},
                )
            )
        return HTMLResponse(html)

    # --- translations ---

    @router.post("/api/lines/{line_id}/{language}/text")
    async def edit_translation(reviewer: Who, line_id: str, language: str, body: TextBody) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).edit_translation, language, line_id, body.text, body.revision)
        return one_row(reviewer, language, edit.episode, line_id)

    @router.post("/api/lines/{line_id}/{language}/status")
    async def set_status(reviewer: Who, line_id: str, language: str, body: StatusBody) -> dict[str, Any]:
        editor = reviewer.episode.editor(reviewer.who)
        edit = await run(editor.set_status, language, line_id, body.status, body.revision, body.comment)
        return one_row(reviewer, language, edit.episode, line_id)

    @router.post("/api/lines/{line_id}/{language}/retranslate")
    async def retranslate(reviewer: Who, line_id: str, language: str, body: RevisionBody) -> dict[str, Any]:
        edit = await run(reviewer.episode.retranslate, reviewer.who, language, line_id, body.revision)
        return one_row(reviewer, language, edit.episode, line_id)

    @router.post("/api/lines/{line_id}/{language}/regenerate")
    async def regenerate(reviewer: Who, line_id: str, language: str) -> dict[str, Any]:
        edit = await run(reviewer.episode.regenerate, reviewer.who, language, line_id)
        return {**one_row(reviewer, language, edit.episode, line_id), "take": _take_url(reviewer.base, language).format(line=line_id)}

    @router.post("/api/lines/{line_id}/{language}/check")
    async def check(reviewer: Who, line_id: str, language: str, body: TextBody) -> dict[str, Any]:
        result = await run(reviewer.episode.check_text, language, line_id, body.text)
        return {"hits": [hit.model_dump() for hit in result.hits], "cps": result.cps, "fit": asdict(result.fit)}

    # --- the source transcript ---

    @router.post("/api/lines/{line_id}/source")
    async def edit_source(reviewer: Who, line_id: str, body: TextBody, lang: str | None = None) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).edit_source, line_id, body.text, body.revision)
        return rows_changed(reviewer, _language(edit.episode, lang), edit.episode)

    @router.post("/api/lines/{line_id}/timing")
    async def retime(reviewer: Who, line_id: str, body: TimingBody, lang: str | None = None) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).retime, line_id, body.start, body.end, body.revision)
        return rows_changed(reviewer, _language(edit.episode, lang), edit.episode)

    @router.post("/api/lines/{line_id}/split")
    async def split(reviewer: Who, line_id: str, body: SplitBody, lang: str | None = None) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).split_line, line_id, body.word, body.revision)
        return rows_changed(reviewer, _language(edit.episode, lang), edit.episode)

    @router.post("/api/lines/{line_id}/merge")
    async def merge(reviewer: Who, line_id: str, body: MergeBody, lang: str | None = None) -> dict[str, Any]:
        editor = reviewer.episode.editor(reviewer.who)
        edit = await run(editor.merge_lines, line_id, body.next, (body.revision, body.next_revision))
        return rows_changed(reviewer, _language(edit.episode, lang), edit.episode)

    @router.post("/api/lines/{line_id}/speaker")
    async def reassign(reviewer: Who, line_id: str, body: SpeakerBody, lang: str | None = None) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).reassign_line, line_id, body.speaker, body.revision)
        return one_row(reviewer, _language(edit.episode, lang), edit.episode, line_id)

    # --- speakers and casting ---

    @router.post("/api/speakers/{speaker_id}/name")
    async def rename(reviewer: Who, speaker_id: str, body: NameBody) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).rename_speaker, speaker_id, body.name, body.seen)
        speaker = edit.episode.speaker(speaker_id)
        return {"name": speaker.name if speaker else body.name}

    @router.post("/api/speakers/{speaker_id}/merge")
    async def merge_speakers(reviewer: Who, speaker_id: str, body: IntoBody) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).merge_speakers, speaker_id, body.into)
        return {"moved": sum(1 for change in edit.changes if change.field == "speaker")}

    @router.post("/api/speakers/{speaker_id}/split")
    async def split_speaker(reviewer: Who, speaker_id: str, body: SplitSpeakerBody) -> dict[str, Any]:
        edit = await run(reviewer.episode.editor(reviewer.who).split_speaker, speaker_id, body.lines, body.name)
        made = next(change.subject for change in edit.changes if change.field == "name")
        return {"speaker": made.removeprefix("speaker ")}

    @router.get("/api/voices/{language}")
    async def voices(reviewer: Who, language: str) -> list[dict[str, str]]:
        result: list[dict[str, str]] = await run(reviewer.episode.voices, language)
        return result

    @router.post("/api/speakers/{speaker_id}/voice/{language}")
    async def cast(reviewer: Who, speaker_id: str, language: str, body: VoiceBody) -> dict[str, Any]:
        await run(reviewer.episode.editor(reviewer.who).cast_voice, speaker_id, language, body.voice)
        return {"voice": body.voice}

    @router.get("/api/voices/{language}/{voice_id}/preview.wav")
    async def preview(reviewer: Who, language: str, voice_id: str, speaker: str) -> FileResponse:
        path = await run(reviewer.episode.preview_voice, language, voice_id, speaker)
        return FileResponse(path, media_type="audio/wav")

    # --- glossary ---

    @router.get("/api/glossary/{language}")
    async def glossary(reviewer: Who, language: str) -> dict[str, Any]:
        ctx, episode = await run(reviewer.episode.context)
        if ctx.glossary is None or language not in episode.tracks:
            return {"glossary": None, "violations": [], "auto_protected": [], "candidates": []}
        report = await run(glossary_report, episode, ctx.glossary, language)
        violations = [row for row in report["occurrences"] if row.get("status") in ("violated", "forbidden")]
        return {"glossary": report["glossary"], "violations": violations, **{k: report[k] for k in ("auto_protected", "candidates")}}

    @router.post("/api/glossary/terms")
    async def add_term(reviewer: Who, body: TermBody) -> dict[str, Any]:
        if body.scope not in GLOSSARY_SCOPES:
            raise InputError(f"unknown glossary scope '{body.scope[:40]}'", f"use one of {', '.join(GLOSSARY_SCOPES)}")
        editor = reviewer.episode.editor(reviewer.who)
        edit = await run(editor.add_glossary_term, body.term, body.scope, body.dnt, body.renderings, body.note)
        return {"added": edit.changes[0].after}

    # --- render, audit, media ---

    @router.post("/api/render")
    async def render(reviewer: Who) -> dict[str, Any]:
        started = reviewer.episode.render.start(reviewer.episode.editor(reviewer.who))
        return {"started": started, **_render_state(reviewer.episode)}

    @router.get("/api/render")
    async def render_state(reviewer: Who) -> dict[str, Any]:
        return _render_state(reviewer.episode)

    @router.get("/api/audit")
    async def audit(reviewer: Who) -> list[dict[str, Any]]:
        return [asdict(entry) for entry in read_audit(reviewer.episode.workdir)]

    @router.get("/api/peaks/{which}")
    async def peaks(reviewer: Who, which: str, start: float, end: float, width: int = 800) -> dict[str, Any]:
        values = await run(reviewer.episode.peaks, which)
        return {"start": start, "end": end, "peaks": window_peaks(values, start, end, width)}

    @router.get("/api/takes/{language}/{line_id}.wav")
    async def take(reviewer: Who, language: str, line_id: str) -> FileResponse:
        episode = reviewer.episode.load()
        rendition = episode.tracks[language].renditions.get(line_id) if language in episode.tracks else None
        if rendition is None or rendition.take is None:
            raise InputError(f"{language} {line_id} has no take", "regenerate it or render the episode")
        return FileResponse(reviewer.episode.workdir.resolve(rendition.take.audio), media_type="audio/wav")

    @router.get("/media/audio/{which}.wav")
    async def audio(reviewer: Who, which: str) -> FileResponse:
        return FileResponse(await run(reviewer.episode.audio, which), media_type="audio/wav")

    @router.get("/media/video")
    async def video(reviewer: Who) -> FileResponse:
        path = _video_path(reviewer.episode.load(), reviewer.episode)
        if path is None:
            raise InputError("the episode has no picture the browser can play", "render it with review proxies on")
        return FileResponse(path, media_type="video/mp4")

    @router.get("/media/subtitles/{language}.vtt")
    async def subtitles(reviewer: Who, language: str) -> FileResponse:
        episode = reviewer.episode.load()
        path = reviewer.episode.folder / language / f"{episode.id}.{language}.vtt"
        if language not in episode.tracks or not path.is_file():
            raise InputError(f"no {language} subtitles yet", "render the episode")
        return FileResponse(path, media_type="text/vtt")

    @router.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = STATIC / name
        if "/" in name or not path.is_file():
            raise InputError(f"no studio file '{name[:40]}'", "reload the page")
        return FileResponse(path)

    return router


_BROWSER_VIDEO = (".mp4", ".m4v", ".webm")


def _video_path(episode: Episode, studio: StudioEpisode) -> Path | None:
    """The picture the player shows: the source when a browser plays it, else a review proxy."""
    source = Path(episode.source.path)
    if episode.source.has_video and source.suffix.lower() in _BROWSER_VIDEO and source.is_file():
        return source
    proxies = sorted(studio.folder.glob(f"*/{episode.id}.*.review.mp4"))
    return proxies[0] if proxies else None


def _video_url(base: str, episode: Episode, studio: StudioEpisode) -> str | None:
    return f"{base}/media/video" if _video_path(episode, studio) else None


def _render_state(studio: StudioEpisode) -> dict[str, Any]:
    state = studio.render
    return {
        "running": state.running,
        "stage": state.stage,
        "step": state.step,
        "completed": state.completed,
        "total": state.total,
        "result": asdict(state.result) if state.result else None,
        "error": state.error,
    }
