"""The translate stage: every line into every target language, glossary enforced, cached per line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from localize.errors import ConfigError, InputError
from localize.glossary.check import VIOLATIONS, check_rendition
from localize.glossary.model import Glossary
from localize.languages import base_language, normalize_tag, syllable_rate
from localize.model import Episode, GlossaryHit, Line, PivotedWord, Rendition, RenditionFlag, Track
from localize.regional.load import layer_for
from localize.regional.model import RegionalLayer
from localize.regional.reader import LayerReader, words_read
from localize.regional.text import WORD
from localize.stages.base import RunContext, Stage
from localize.stages.factory import make_backend
from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.lines import LinePreparer, Prepared, Translated, translate_prepared
from localize.stages.translate.names import find_names, name_entries

__all__ = ["TranslateStage"]

log = logging.getLogger(__name__)

_OWN_FIELDS = (
    "line_id",
    "text",
    "source_text",
    "candidates",
    "glossary_hits",
    "origin",
    "revision",
    "flags",
    "source_edits",
    "protected",
    "untranslated",
    "pivoted",
)
"""The rendition fields this stage writes (and reads back, to keep what people edited); the take is the dub's."""
_OWN_FLAGS = (RenditionFlag.GLOSSARY_VIOLATION, RenditionFlag.FORCED_NARRATIVE, RenditionFlag.SOURCE_CHANGED)


def _flags(line: Line, hits: list[GlossaryHit], existing: list[RenditionFlag], source_changed: bool = False) -> list[RenditionFlag]:
    """``existing`` flags with this stage's flags set afresh."""
    flags = [flag for flag in existing if flag not in _OWN_FLAGS]
    if line.forced_narrative:
        flags.append(RenditionFlag.FORCED_NARRATIVE)
    if any(hit.status in VIOLATIONS for hit in hits):
        flags.append(RenditionFlag.GLOSSARY_VIOLATION)
    if source_changed:
        flags.append(RenditionFlag.SOURCE_CHANGED)
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


def _cached(data: Any) -> Translated | None:
    """A line's stored translation, if ``data`` is one."""
    if not isinstance(data, dict):
        return None
    candidates, untranslated = data.get("candidates"), data.get("untranslated", [])
    if not (isinstance(candidates, list) and candidates and all(isinstance(c, str) for c in candidates)):
        return None
    if not (isinstance(untranslated, list) and all(isinstance(w, str) for w in untranslated)):
        return None
    try:
        pivoted = [PivotedWord.model_validate(word) for word in data.get("pivoted", [])]
    except (TypeError, ValidationError):
        return None
    return Translated(candidates, untranslated, pivoted)


def _characters(episode: Episode, glossary: Glossary | None) -> tuple[str, ...]:
    """The character sheet: each named character and gender, then the glossary's registers between characters."""
    people = [
        f"{speaker.name} ({speaker.gender})" if speaker.gender != "unknown" else speaker.name
        for speaker in episode.speakers
        if speaker.name != speaker.id
    ]
    registers = [f"{' and '.join(rule.speakers)}: {rule.register}" for rule in glossary.formality] if glossary else []
    return (*people, *registers)


def _capitalised(texts: list[str]) -> set[str]:
    """The capitalised words of ``texts``."""
    return {word.group() for text in texts for word in WORD.finditer(text) if word.group()[:1].isupper()}


def _regional_word(layer: RegionalLayer | None) -> Callable[[str], bool]:
    """Whether a word belongs to the regional variety: a form of one of its terms, or one its rules change."""
    if layer is None:
        return lambda word: False
    forms = {form.casefold() for term in (*layer.terms, *layer.interjections) for form in term.forms}
    reader = LayerReader(layer, layer.targets[0] if layer.targets else "en")
    return lambda word: word.casefold() in forms or bool(reader.normalise(word).edits)


def _said(line: Line, names: dict[str, str]) -> str:
    """A line as context: "Name: text" when its speaker has a name."""
    name = names.get(line.speaker)
    return f"{name}: {line.text}" if name and name != line.speaker else line.text


class TranslateStage(Stage):
    """Translate lines with the configured backend; human-edited and approved renditions are never replaced."""

    name = "translate"
    reads = (
        "source_language",
        *(f"lines.*.{name}" for name in ("id", "text", "speaker", "start", "end", "forced_narrative")),
        "speakers.*.id",
        "speakers.*.name",
        "speakers.*.gender",
        "tracks.*.language",
        *(f"tracks.*.renditions.*.{name}" for name in _OWN_FIELDS),
    )
    writes = tuple(f"tracks.*.renditions.*.{name}" for name in _OWN_FIELDS)
    settings = ("translate", "regional", "source_language", "allow_downloads", "models_dir")
    context = ("targets", "glossary")

    def __init__(self, enforce_glossary: bool = True) -> None:
        self.enforce_glossary = enforce_glossary

    def backend_name(self, ctx: RunContext) -> str:
        """The configured translate backend."""
        return ctx.config.translate.backend

    def _layer(self, source: str, ctx: RunContext) -> RegionalLayer | None:
        """The regional layer for the source language (or the configured tag); None when disabled or absent."""
        settings = ctx.config.regional
        if settings.layer is not None and settings.layer.strip().lower() == "none":
            return None
        tag = normalize_tag(settings.layer) if settings.layer else source
        if base_language(tag) != base_language(source):
            raise ConfigError(f"regional layer '{tag}' is not for the source language {source}", "set [regional] layer to a variety of it")
        return layer_for(tag, settings.folder)

    def external_inputs(self, episode: Episode, ctx: RunContext) -> Any:
        """The language data the translator has installed for each target (a pair installed since the last run)."""
        source = episode.source_language or ctx.config.source_language
        translator = make_backend("translate", ctx.config.translate, ctx.config)
        if not source or not isinstance(translator, Translator):
            return None
        return {target: translator.installed_data(source, target) for target in ctx.targets}

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
        layer = self._layer(source, ctx)
        characters = [speaker.name for speaker in episode.speakers if speaker.name != speaker.id]
        capitalised = [term for term in (*layer.terms, *layer.interjections) if term.term[:1].isupper()] if layer else []
        decided = Glossary(name="decided", source_language=source, terms=[*(glossary.terms if glossary else []), *capitalised])
        texts = [line.text for line in episode.lines]
        asked = {word.group().lower() for text in texts for word in WORD.finditer(text)} | (words_read(layer, texts) if layer else set())
        vocabularies = {target: translator.known_words(asked, source, target) for target in ctx.targets}
        found = find_names(
            texts,
            source,
            characters,
            decided,
            _regional_word(layer),
            layer.names if layer else (),
            lambda word: any(word in vocabulary for vocabulary in vocabularies.values() if vocabulary is not None),
            translator.person_names(_capitalised(texts), source).__contains__,
        )
        names = name_entries(found, characters)
        requests = self._requests(episode, glossary)
        tracks = dict(episode.tracks)
        for target in ctx.targets:
            preparer = LinePreparer(source, target, glossary if self.enforce_glossary else None, layer, names, vocabularies[target])
            tracks[target] = self._track(episode, ctx, translator, preparer, requests, glossary, source, target)
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
                flag = RenditionFlag.SOURCE_CHANGED.value
                message = f"{target}: source changed under edited renditions (kept, flagged {flag}): {', '.join(changed)}"
                episode = ctx.warn(episode, message)
        return episode

    def _requests(self, episode: Episode, glossary: Glossary | None) -> list[TranslationRequest]:
        names = {speaker.id: speaker.name for speaker in episode.speakers}
        genders = {speaker.id: speaker.gender for speaker in episode.speakers}
        characters = _characters(episode, glossary)
        lines = episode.lines
        requests = []
        for index, line in enumerate(lines):
            name = names.get(line.speaker)
            addressee = _addressee(lines, index, names)
            formality = glossary.formality_for(name, addressee) if glossary and name else None
            requests.append(
                TranslationRequest(
                    text=line.text,
                    previous=_said(lines[index - 1], names) if index > 0 else "",
                    next=_said(lines[index + 1], names) if index + 1 < len(lines) else "",
                    gender=genders.get(line.speaker, "unknown"),
                    formality=formality,
                    speaker=name if name and name != line.speaker else "",
                    addressee=addressee or "",
                    characters=characters,
                )
            )
        return requests

    def _track(
        self,
        episode: Episode,
        ctx: RunContext,
        translator: Translator,
        preparer: LinePreparer,
        requests: list[TranslationRequest],
        glossary: Glossary | None,
        source: str,
        target: str,
    ) -> Track:
        track = episode.tracks.get(target) or Track(language=target)
        lines = episode.lines
        renditions: dict[str, Rendition] = {}
        pending: list[tuple[int, Prepared, str]] = []
        rate = syllable_rate(target)
        for index, line in enumerate(lines):
            old = track.renditions.get(line.id)
            if old is not None and old.origin != "machine":
                hits = check_rendition(line.text, old.text, glossary, source, target) if glossary else []
                update = {"glossary_hits": hits, "flags": _flags(line, hits, old.flags, _source_changed(line, old))}
                renditions[line.id] = old.model_copy(update=update)
                continue
            request = replace(requests[index], syllables=max(1, round(line.duration * rate)))
            prepared = preparer.prepare(request)
            key = prepared.key(translator, source, target, ctx.code)
            cached = _cached(ctx.workdir.read_json(key))
            if cached is None:
                pending.append((index, prepared, key))
            else:
                renditions[line.id] = self._rendition(line, cached, prepared, old, glossary, source, target)
        ctx.hook(self.name, target, len(renditions), len(lines))
        if pending:
            log.info("translating %d of %d lines into %s", len(pending), len(lines), target)
            outputs = translate_prepared(translator, [prepared for _, prepared, _ in pending], source, target)
            for (index, prepared, key), translated in zip(pending, outputs, strict=True):
                stored = {
                    "candidates": translated.candidates,
                    "untranslated": translated.untranslated,
                    "pivoted": [word.model_dump(mode="json") for word in translated.pivoted],
                }
                ctx.workdir.write_json(key, stored)
                line = lines[index]
                previous = track.renditions.get(line.id)
                renditions[line.id] = self._rendition(line, translated, prepared, previous, glossary, source, target)
            ctx.hook(self.name, target, len(lines), len(lines))
        return track.model_copy(update={"renditions": {line.id: renditions[line.id] for line in lines}})

    def _rendition(
        self,
        line: Line,
        translated: Translated,
        prepared: Prepared,
        previous: Rendition | None,
        glossary: Glossary | None,
        source: str,
        target: str,
    ) -> Rendition:
        """A machine rendition, one revision past ``previous`` when its text changed (its take is the dub stage's)."""
        text = translated.candidates[0] if translated.candidates else ""
        hits = check_rendition(line.text, text, glossary, source, target) if glossary else []
        return Rendition(
            line_id=line.id,
            text=text,
            source_text=line.text,
            candidates=translated.candidates,
            glossary_hits=hits,
            origin="machine",
            revision=previous.revision_for(text, "machine") if previous is not None else 0,
            flags=_flags(line, hits, []),
            source_edits=list(prepared.edits),
            protected=list(prepared.protected),
            untranslated=translated.untranslated,
            pivoted=translated.pivoted,
        )
