"""The translate stage: every line into every target language, glossary enforced, cached per line."""

from __future__ import annotations

import logging
from typing import Any

from localize.cache import stable_hash
from localize.errors import ConfigError, InputError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.glossary.model import Glossary
from localize.languages import base_language
from localize.model import Episode, GlossaryHit, Line, Rendition, Track
from localize.stages.base import RunContext
from localize.stages.factory import make_backend
from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.enforce import translate_lines

__all__ = ["FORCED_NARRATIVE", "GLOSSARY_VIOLATION", "SOURCE_CHANGED", "TranslateStage"]

log = logging.getLogger(__name__)

GLOSSARY_VIOLATION = "glossary-violation"
FORCED_NARRATIVE = "forced-narrative"
SOURCE_CHANGED = "source-changed"
"""A human rendition kept although its source line's text changed since (re-transcription, re-segmentation): re-review it."""
_OWN_FLAGS = (GLOSSARY_VIOLATION, FORCED_NARRATIVE, SOURCE_CHANGED)


def _flags(line: Line, hits: list[GlossaryHit], existing: list[str], source_changed: bool = False) -> list[str]:
    """``existing`` flags with this stage's flags set afresh."""
    flags = [flag for flag in existing if flag not in _OWN_FLAGS]
    if line.extras.get("forced_narrative"):
        flags.append(FORCED_NARRATIVE)
    if any(hit.status in VIOLATIONS for hit in hits):
        flags.append(GLOSSARY_VIOLATION)
    if source_changed:
        flags.append(SOURCE_CHANGED)
    return flags


def _source_changed(line: Line, rendition: Rendition | None) -> bool:
    """A human rendition made for another text of this line (renditions made before ``source_text`` existed are trusted)."""
    if rendition is None or rendition.origin == "machine" or not rendition.source_text:
        return False
    return " ".join(rendition.source_text.split()) != " ".join(line.text.split())


def _addressee(lines: list[Line], index: int, names: dict[str, str]) -> str | None:
    """Who a line is probably said to: the speaker of the nearest neighbouring line by someone else."""
    speaker = lines[index].speaker
    for neighbour in (index - 1, index + 1):
        if 0 <= neighbour < len(lines) and lines[neighbour].speaker != speaker:
            return names.get(lines[neighbour].speaker)
    return None


def _human_edits(episode: Episode) -> dict[str, dict[str, tuple[str, str]]]:
    """Edited or approved renditions per target; targets without any are left out, so a fresh episode keys like a re-run."""
    edits: dict[str, dict[str, tuple[str, str]]] = {
        target: {rid: (r.text, str(r.origin)) for rid, r in track.renditions.items() if r.origin != "machine"}
        for target, track in sorted(episode.tracks.items())
    }
    return {target: lines for target, lines in edits.items() if lines}


def _cached_candidates(data: Any) -> list[str] | None:
    candidates = data.get("candidates") if isinstance(data, dict) else None
    if isinstance(candidates, list) and candidates and all(isinstance(c, str) for c in candidates):
        return candidates
    return None


class TranslateStage:
    """Translate lines with the configured backend; human-edited and approved renditions are never replaced."""

    name = "translate"
    version = 1

    def __init__(self, enforce_glossary: bool = True) -> None:
        self.enforce_glossary = enforce_glossary

    def backend_name(self, ctx: RunContext) -> str:
        """The configured translate backend."""
        return ctx.config.translate.backend

    def inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """Everything that changes this stage's output."""
        glossary = ctx.glossary
        meaningful: dict[str, Any] = {"path": True, "terms": {"__all__": {"line"}}}
        glossary_data = glossary.model_dump(mode="json", exclude=meaningful) if glossary else None
        return {
            "source": episode.source_language or ctx.config.source_language,
            "targets": ctx.targets,
            "options": ctx.config.translate.options,
            "enforce_glossary": self.enforce_glossary,
            "glossary": glossary_data,
            "speakers": [(s.id, s.name, s.gender) for s in episode.speakers],
            "lines": [(ln.id, ln.text, ln.speaker, bool(ln.extras.get("forced_narrative"))) for ln in episode.lines],
            "edited": _human_edits(episode),
        }

    def outputs_present(self, episode: Episode, ctx: RunContext) -> bool:
        """The output lives in the manifest only."""
        return True

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        """Translate every line into every target; checks all pairs before translating anything."""
        source = episode.source_language or ctx.config.source_language
        if not episode.lines:  # no dialogue (silence, music): nothing to translate, whatever the languages
            episode = self._warn_orphans(episode, ctx)
            empty = {
                target: (episode.tracks.get(target) or Track(language=target)).model_copy(update={"renditions": {}})
                for target in ctx.targets
            }
            return episode.model_copy(update={"tracks": {**episode.tracks, **empty}})
        if not source:
            raise InputError("the episode's source language is unknown", "set source_language in localize.toml")
        choice = ctx.config.translate
        translator = make_backend("translate", choice, ctx.config)
        if not isinstance(translator, Translator):
            raise ConfigError(f"'{choice.backend}' is not a translate backend", "choose a translate backend")
        for target in ctx.targets:
            translator.require(source, target)
        glossary = ctx.glossary
        if glossary is not None and base_language(glossary.source_language) != base_language(source):
            episode = ctx.warn(
                episode,
                f"glossary '{glossary.name}' is for {glossary.source_language}, the episode is in {source}: not used",
            )
            glossary = None
        episode = self._warn_orphans(episode, ctx)
        episode = self._warn_changed_sources(episode, ctx)
        requests = self._requests(episode, glossary)
        tracks = dict(episode.tracks)
        for target in ctx.targets:
            tracks[target] = self._track(episode, ctx, translator, glossary, requests, source, target)
        return episode.model_copy(update={"tracks": tracks})

    def _warn_orphans(self, episode: Episode, ctx: RunContext) -> Episode:
        """Warn about edited/approved renditions whose line no longer exists (they are dropped)."""
        line_ids = {line.id for line in episode.lines}
        for target in ctx.targets:
            track = episode.tracks.get(target) or Track(language=target)
            orphans = [rid for rid, r in track.renditions.items() if r.origin != "machine" and rid not in line_ids]
            if orphans:
                message = f"{target}: edited renditions of removed lines dropped: {', '.join(orphans)}"
                episode = ctx.warn(episode, message)
        return episode

    def _warn_changed_sources(self, episode: Episode, ctx: RunContext) -> Episode:
        """Warn about edited/approved renditions whose source line now reads differently (they are kept, and flagged)."""
        for target in ctx.targets:
            track = episode.tracks.get(target) or Track(language=target)
            changed = [line.id for line in episode.lines if _source_changed(line, track.renditions.get(line.id))]
            if changed:
                message = f"{target}: source changed under edited renditions (kept, flagged {SOURCE_CHANGED}): {', '.join(changed)}"
                episode = ctx.warn(episode, message)
        return episode

    def _requests(self, episode: Episode, glossary: Glossary | None) -> list[TranslationRequest]:
        names = {speaker.id: speaker.name for speaker in episode.speakers}
        genders = {speaker.id: speaker.gender for speaker in episode.speakers}
        lines = episode.lines
        requests = []
        for index, line in enumerate(lines):
            name = names.get(line.speaker)
            formality = glossary.formality_for(name, _addressee(lines, index, names)) if glossary and name else None
            requests.append(
                TranslationRequest(
                    text=line.text,
                    previous=lines[index - 1].text if index > 0 else "",
                    next=lines[index + 1].text if index + 1 < len(lines) else "",
                    gender=genders.get(line.speaker, "unknown"),
                    formality=formality,
                )
            )
        return requests

    def _line_key(
        self,
        translator: Translator,
        request: TranslationRequest,
        glossary: Glossary | None,
        source: str,
        target: str,
    ) -> str:
        """The per-line cache key: what this line's translation depends on, and nothing else."""
        enforced = glossary if self.enforce_glossary else None
        return stable_hash(
            "translate-line",
            self.version,
            translator.name,
            translator.options.model_dump(mode="json"),
            source,
            target,
            request.text,
            request.previous,
            request.next,
            request.gender,
            request.formality,
            enforced.digest(request.text, target) if enforced else None,
            self.enforce_glossary,
        )

    def _track(
        self,
        episode: Episode,
        ctx: RunContext,
        translator: Translator,
        glossary: Glossary | None,
        requests: list[TranslationRequest],
        source: str,
        target: str,
    ) -> Track:
        track = episode.tracks.get(target) or Track(language=target)
        lines = episode.lines
        renditions: dict[str, Rendition] = {}
        pending: list[tuple[int, str]] = []
        for index, line in enumerate(lines):
            old = track.renditions.get(line.id)
            if old is not None and old.origin != "machine":
                hits = check_rendition(line.text, old.text, glossary, source, target) if glossary else []
                update = {"glossary_hits": hits, "flags": _flags(line, hits, old.flags, _source_changed(line, old))}
                renditions[line.id] = old.model_copy(update=update)
                continue
            key = self._line_key(translator, requests[index], glossary, source, target)
            candidates = _cached_candidates(ctx.workdir.read_json(key))
            if candidates is None:
                pending.append((index, key))
            else:
                renditions[line.id] = self._rendition(line, candidates, old, glossary, source, target)
        ctx.hook(self.name, target, len(renditions), len(lines))
        if pending:
            log.info("translating %d of %d lines into %s", len(pending), len(lines), target)
            enforced = glossary if self.enforce_glossary else None
            batch = [requests[index] for index, _ in pending]
            outputs = translate_lines(translator, batch, source, target, enforced)
            for (index, key), candidates in zip(pending, outputs, strict=True):
                ctx.workdir.write_json(key, {"candidates": candidates})
                line = lines[index]
                previous = track.renditions.get(line.id)
                renditions[line.id] = self._rendition(line, candidates, previous, glossary, source, target)
            ctx.hook(self.name, target, len(lines), len(lines))
        return track.model_copy(update={"renditions": {line.id: renditions[line.id] for line in lines}})

    def _rendition(
        self,
        line: Line,
        candidates: list[str],
        previous: Rendition | None,
        glossary: Glossary | None,
        source: str,
        target: str,
    ) -> Rendition:
        """A machine rendition; keeps the previous take when the text did not change."""
        text = candidates[0] if candidates else ""
        hits = check_rendition(line.text, text, glossary, source, target) if glossary else []
        return Rendition(
            line_id=line.id,
            text=text,
            source_text=line.text,
            candidates=candidates,
            glossary_hits=hits,
            origin="machine",
            take=previous.take if previous is not None and previous.text == text else None,
            flags=_flags(line, hits, []),
        )
