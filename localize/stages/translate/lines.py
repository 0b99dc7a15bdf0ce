"""One target language's translation of a batch of lines, around any backend.

1. Read each line through the regional layer (voseo, regional words), leaving
   glossary terms and names alone.
2. Gather the glossary that applies to the line: the series glossary's terms,
   the layer's terms the target renders itself, and the names found in the
   episode (auto-protected, as do-not-translate entries).
3. Translate with glossary enforcement (``enforce``).
4. Post-edit for the target, listing what the translator left untranslated (and rendered through a pivot).

The same steps run in the stage and in the quality benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from localize.cache import stable_hash
from localize.glossary.match import find_terms
from localize.glossary.model import Entry, Glossary
from localize.model import PivotedWord, SourceEdit
from localize.regional.model import RegionalLayer
from localize.regional.reader import LayerReader, Normalised
from localize.regional.text import overlaps
from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.enforce import translate_lines
from localize.stages.translate.postedit import Context, finish, rules_digest

__all__ = ["LinePreparer", "Prepared", "Translated", "translate_prepared"]


@dataclass(frozen=True)
class Prepared:
    """A line ready for the translator: what it reads, the glossary that applies to it, what was changed."""

    request: TranslationRequest
    """The request with the text the translator reads."""
    glossary: Glossary | None
    """Series terms, layer renderings and names found in this line (None: nothing to enforce)."""
    edits: tuple[SourceEdit, ...]
    protected: tuple[str, ...]
    """Auto-protected names in the line."""
    keep: frozenset[str]
    """Names and renderings post-editing must leave as they are."""

    def key(self, translator: Translator, source: str, target: str, code: str) -> str:
        """What this line's translation depends on, and nothing else (the per-line cache key); ``code``: the stage's."""
        request = self.request
        return stable_hash(
            "translate-line",
            code,
            translator.name,
            translator.options.model_dump(mode="json"),
            translator.installed_data(source, target),
            source,
            target,
            request.text,
            request.context() if translator.reads_context else None,
            self.glossary.digest(request.text, target) if self.glossary else None,
            rules_digest(target),
        )


@dataclass(frozen=True)
class Translated:
    """Candidates for a line, best first, the source words its translator left untranslated and those it rendered
    through a pivot language."""

    candidates: list[str]
    untranslated: list[str]
    pivoted: list[PivotedWord] = field(default_factory=list)


def _spans(glossary: Glossary | None, text: str, language: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in find_terms(glossary, text, language)] if glossary else []


class LinePreparer:
    """Prepares lines for one target: the series glossary, the regional layer and the episode's names (``known``: the
    words the translator knows, of those the layer asks about)."""

    def __init__(
        self,
        source: str,
        target: str,
        glossary: Glossary | None,
        layer: RegionalLayer | None,
        names: list[Entry],
        known: frozenset[str] | None = None,
    ) -> None:
        self.source = source
        self.target = target
        self.glossary = glossary
        self.reader = LayerReader(layer, target, known) if layer is not None else None
        self.names = Glossary(name="auto-protected", source_language=source, terms=names) if names else None

    def prepare(self, request: TranslationRequest) -> Prepared:
        """Read the line through the layer and gather the glossary that applies to it."""
        text = request.text
        keep = _spans(self.glossary, text, self.source) + _spans(self.names, text, self.source)
        normalised = self.reader.normalise(text, keep) if self.reader else Normalised(text, ())
        entries: dict[tuple[str, str], Entry] = {}
        if self.glossary is not None:
            entries |= {("glossary", entry.id): entry for entry in self.glossary.entries_for(normalised.text, self.target)}
        taken = _spans(self.glossary, normalised.text, self.source)
        found = find_terms(self.names, normalised.text, self.source) if self.names else []
        names = [m for m in found if not overlaps(m.start, m.end, taken)]
        entries |= {("name", m.entry.id): m.entry for m in names}
        taken += [(m.start, m.end) for m in names]
        for match in self.reader.rendered_terms(normalised.text) if self.reader else []:
            if not overlaps(match.start, match.end, taken):
                entries.setdefault(("layer", match.entry.id), match.entry)
        glossary = Glossary(name="line", source_language=self.source, terms=list(entries.values())) if entries else None
        renderings = {r for entry in entries.values() for r in entry.rule(self.target).renderings}
        protected = tuple(dict.fromkeys(m.entry.term for m in names))
        return Prepared(replace(request, text=normalised.text), glossary, normalised.edits, protected, frozenset(renderings))


def translate_prepared(translator: Translator, lines: list[Prepared], source: str, target: str) -> list[Translated]:
    """Translate prepared lines in one batch, enforce their glossaries and post-edit every candidate."""
    outputs = translate_lines(translator, [line.request for line in lines], source, target, [line.glossary for line in lines])
    results = []
    for line, candidates in zip(lines, outputs, strict=True):
        context = Context(line.request.text, target, line.keep)
        finished = [finish(candidate, context, translator.marks_unknown) for candidate in candidates]
        texts = list(dict.fromkeys(f.text for f in finished if f.text)) or [""]
        untranslated = list(dict.fromkeys(finished[0].untranslated)) if finished else []
        pivoted = list(finished[0].pivoted) if finished else []
        results.append(Translated(texts, untranslated, pivoted))
    return results
