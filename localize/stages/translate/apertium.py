"""The embedded translate backend: Apertium rule-based MT from Debian packages.

A whole batch goes through one ``apertium`` process. Lines are separated by a
blank line: Apertium's text deformatter treats a blank line as a hard sentence
boundary (it inserts a sentence end there), so words never move between lines
and the blank lines come back in place. A line whose output cannot be aligned
(never seen in practice) is retranslated on its own. A word the direct pair
leaves unknown is translated through a pivot language where both of its pairs
are installed (``pivot``).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import langcodes
from pydantic import BaseModel, ConfigDict, field_validator

from localize.environment import named
from localize.errors import BackendUnavailable
from localize.languages import base_language
from localize.registry import Availability, names, register
from localize.stages.translate.backend import TranslationRequest, Translator
from localize.stages.translate.pivot import PivotRoute, pivot_unknown_words
from localize.stages.translate.shorten import drop_leading_interjections

__all__ = ["ApertiumTranslator", "apertium_datadir"]

log = logging.getLogger(__name__)

_SEPARATOR = "\n\n"
_MODE = re.compile(r"([a-z]{2,3})-([a-z]{2,3})(?:_\w+)?\.mode")
"""An installed mode's file name: its source and target codes (``spa-cat_valencia.mode``)."""
_FIRST_NAME = re.compile(r"<np><ant><(?:m|f|mf)>")
"""An analyser's reading of a person's first name (Apertium's anthroponyms with a gender)."""
_NAMELIKE = frozenset({"np", "n", "adj"})
"""Readings a word may also have and still be taken for the first name it can be (a noun, an adjective)."""
_DATADIRS = (Path("/usr/share/apertium"), Path("/usr/local/share/apertium"))

# Debian packages providing Apertium pairs, by unordered pair of language subtags.
PAIR_PACKAGES: dict[frozenset[str], str] = {
    frozenset(pair): package
    for pair, package in [
        (("es", "en"), "apertium-eng-spa"),
        (("es", "pt"), "apertium-es-pt"),
        (("es", "fr"), "apertium-fr-es"),
        (("es", "it"), "apertium-spa-ita"),
        (("es", "ca"), "apertium-spa-cat"),
        (("es", "gl"), "apertium-es-gl"),
        (("es", "ro"), "apertium-es-ro"),
        (("es", "oc"), "apertium-oc-es"),
        (("es", "ast"), "apertium-spa-ast"),
        (("es", "an"), "apertium-spa-arg"),
        (("es", "eo"), "apertium-eo-es"),
        (("es", "eu"), "apertium-eu-es"),
        (("en", "ca"), "apertium-eng-cat"),
        (("en", "gl"), "apertium-en-gl"),
        (("en", "eo"), "apertium-eo-en"),
        (("en", "eu"), "apertium-eu-en"),
        (("en", "mk"), "apertium-mkd-eng"),
        (("en", "is"), "apertium-isl-eng"),
        (("fr", "ca"), "apertium-fra-cat"),
        (("fr", "eo"), "apertium-eo-fr"),
        (("fr", "oc"), "apertium-oci-fra"),
        (("fr", "br"), "apertium-br-fr"),
        (("pt", "ca"), "apertium-por-cat"),
        (("pt", "gl"), "apertium-pt-gl"),
        (("ca", "it"), "apertium-cat-ita"),
        (("ca", "oc"), "apertium-oc-ca"),
        (("ca", "eo"), "apertium-eo-ca"),
        (("nl", "af"), "apertium-afr-nld"),
        (("nn", "nb"), "apertium-nno-nob"),
        (("sv", "da"), "apertium-swe-dan"),
        (("ru", "uk"), "apertium-rus-ukr"),
    ]
}


def apertium_datadir(configured: Path | None = None) -> Path | None:
    """Apertium's data folder (with ``modes/``): as configured, from $APERTIUM_DATADIR, the
    default written in the ``apertium`` script, or the usual install locations."""
    candidates: list[Path] = []
    if configured is not None:
        candidates.append(configured)
    from_environment = named("APERTIUM_DATADIR")
    if from_environment:
        candidates.append(Path(from_environment))
    script = shutil.which("apertium")
    if script:
        try:
            found = re.search(r'APERTIUM_DATADIR:-([^}"]+)', Path(script).read_text(errors="replace")[:4096])
        except OSError:
            found = None
        if found:
            candidates.append(Path(found.group(1)))
    candidates.extend(_DATADIRS)
    return next((path for path in candidates if (path / "modes").is_dir()), None)


def _codes(tag: str) -> list[str]:
    """Codes a mode name may use for a language: two-letter then three-letter ("es", "spa")."""
    language = langcodes.Language.get(tag)
    code = language.language or tag
    return list(dict.fromkeys([code, language.to_alpha3()]))


def _mode_names(source: str, target: str) -> list[str]:
    """Mode names to look for, most specific first (es-pt_BR before es-pt)."""
    region = langcodes.Language.get(target).territory
    suffixes = [f"_{region}", ""] if region else [""]
    return [f"{s}-{t}{suffix}" for suffix in suffixes for s in _codes(source) for t in _codes(target)]


@register("translate")
class ApertiumTranslator(Translator):
    """Spanish (and other) rule-based translation through installed Apertium pairs."""

    name = "apertium.v1"
    job_options = frozenset({"alternatives"})

    class Options(BaseModel):
        """Apertium options."""

        model_config = ConfigDict(extra="forbid")

        datadir: Path | None = None
        """Apertium data folder (containing ``modes/``); found automatically when unset."""
        alternatives: bool = True
        """Add a shorter second candidate (leading interjections dropped) where a line has them."""
        mark_unknown: bool = True
        """Keep Apertium's * before words it does not know, so the stage lists them as untranslated (and removes the marks)."""
        pivots: list[str] = ["ca", "gl"]
        """Languages a word the direct pair does not know is translated through (source to pivot to target), tried in
        order where both pairs are installed; only with ``mark_unknown``; ``[]`` turns it off."""

        @field_validator("pivots")
        @classmethod
        def _language_subtags(cls, pivots: list[str]) -> list[str]:
            wrong = [pivot for pivot in pivots if not re.fullmatch(r"[a-z]{2,3}", pivot)]
            if wrong:
                raise ValueError(f"pivots must be language subtags such as 'ca' or 'gl', not {', '.join(map(repr, wrong))}")
            return pivots

    options: Options

    @classmethod
    def availability(cls) -> Availability:
        """Usable when the ``apertium`` command and its data folder exist."""
        if shutil.which("apertium") is None:
            return Availability(False, "the 'apertium' command is missing (apt-get install apertium)")
        if apertium_datadir() is None:
            return Availability(False, "no Apertium language data found (apt-get install apertium-eng-spa)")
        return Availability(True, "ready")

    @classmethod
    def optional_parts(cls) -> dict[str, Availability]:
        """Each pivot route between installed pairs whose missing pair Debian ships ("pivot es>ca>fr")."""
        translator = cls(cls.Options())
        modes = translator.datadir / "modes" if translator.datadir else None
        if modes is None or shutil.which("apertium") is None:
            return {}
        pairs = {tuple(base_language(code) for code in found.groups()) for found in map(_MODE.fullmatch, os.listdir(modes)) if found}
        parts = {}
        for source, target in sorted(pair for pair in pairs if pair[0] != pair[1]):
            for via in translator.options.pivots:
                hops = [(source, via), (via, target)]
                packages = [PAIR_PACKAGES.get(frozenset(hop)) for hop in hops]
                if via in (source, target) or None in packages:
                    continue
                missing = [str(package) for hop, package in zip(hops, packages, strict=True) if not translator.mode(*hop)]
                install = f"apt-get install {' '.join(dict.fromkeys(missing))} (else unknown words stay untranslated)"
                parts[f"pivot {source}>{via}>{target}"] = Availability(not missing, install if missing else "installed")
        return parts

    @property
    def marks_unknown(self) -> bool:
        """As the options say (on by default)."""
        return self.options.mark_unknown

    @cached_property
    def datadir(self) -> Path | None:
        """The data folder this instance uses."""
        return apertium_datadir(self.options.datadir)

    def mode(self, source: str, target: str) -> str | None:
        """The installed mode translating ``source`` to ``target`` (e.g. "es-pt_BR"), if any."""
        if self.datadir is None:
            return None
        modes = self.datadir / "modes"
        return next((name for name in _mode_names(source, target) if (modes / f"{name}.mode").is_file()), None)

    def pivot_routes(self, source: str, target: str) -> list[PivotRoute]:
        """The configured pivots whose two pairs (source to pivot, pivot to target) are installed, in order."""
        if not self.options.mark_unknown:
            return []
        routes = []
        for via in self.options.pivots:
            first, second = self.mode(source, via), self.mode(via, target)
            if first and second and via not in (base_language(source), base_language(target)):
                routes.append(PivotRoute(via, first, second))
        return routes

    def installed_data(self, source: str, target: str) -> tuple[str, ...]:
        """The pair's mode and each pivot route's two modes."""
        routes = (f"{route.first}>{route.second}" for route in self.pivot_routes(source, target))
        return (self.mode(source, target) or "", *routes)

    def supports(self, source: str, target: str) -> bool:
        """Whether a mode for the pair is installed."""
        return shutil.which("apertium") is not None and self.mode(source, target) is not None

    def missing_hint(self, source: str, target: str) -> str:
        """The Debian package that provides the pair, or another backend to use."""
        if shutil.which("apertium") is None:
            return "install Apertium: apt-get install apertium"
        package = PAIR_PACKAGES.get(frozenset({base_language(source), base_language(target)}))
        if package:
            return f"install the Apertium pair: apt-get install {package}"
        others = [name for name in names("translate") if name != self.name]
        suggestion = f"one of: {', '.join(others)}" if others else "a neural (transformers/CTranslate2) or LLM backend"
        return (
            f"Apertium has no {base_language(source)}-{base_language(target)} pair; "
            f"set [translate] backend in localize.toml to {suggestion}"
        )

    def _analyser(self, mode: str) -> Path | None:
        """The morphological analyser a mode starts with (its ``automorf.bin``)."""
        if self.datadir is None:
            return None
        try:
            pipeline = (self.datadir / "modes" / f"{mode}.mode").read_text(encoding="utf-8")
        except OSError:
            return None
        found = re.match(r"\s*lt-proc\s+(?:-\w+\s+)*'?([^'\s]+\.automorf\.bin)", pipeline)
        return Path(found.group(1)) if found else None

    def _source_analysers(self, source: str) -> list[Path]:
        """The analysers of every installed mode from ``source``'s language (each pair has its own lexicon)."""
        modes = self.datadir / "modes" if self.datadir else None
        names = sorted(os.listdir(modes)) if modes is not None and modes.is_dir() else []
        found = [name.removesuffix(".mode") for name in names if _MODE.fullmatch(name)]
        ours = [name for name in found if base_language(name.split("-")[0]) == base_language(source)]
        return list(dict.fromkeys(analyser for name in ours if (analyser := self._analyser(name))))

    @staticmethod
    def _analyse(analyser: Path, words: list[str]) -> str | None:
        """The analyses of ``words`` in one ``lt-proc`` call (``^word/reading/...$`` each); None when it fails."""
        try:
            done = subprocess.run(
                ["lt-proc", "-w", str(analyser)],
                input="\n".join(words) + "\n",
                capture_output=True,
                text=True,
                encoding="utf-8",
                check=False,
            )
        except OSError:
            return None
        return done.stdout if done.returncode == 0 else None

    def known_words(self, words: Iterable[str], source: str, target: str) -> frozenset[str] | None:
        """The words the pair's analyser knows (one ``lt-proc`` call for all); None when it cannot be run."""
        mode = self.mode(source, target)
        analyser = self._analyser(mode) if mode else None
        asked = sorted({word for word in words if word.isalpha()})
        if analyser is None or not asked:
            return None if analyser is None else frozenset()
        analyses = self._analyse(analyser, asked)
        if analyses is None:
            return None
        return frozenset(word.lower() for word, unknown in re.findall(r"\^([^/$]*)/(\*?)", analyses) if not unknown)

    def person_names(self, words: Iterable[str], source: str) -> frozenset[str]:
        """The capitalised words some analyser of the language reads as a person's first name (a proper noun with a
        gender: the unsexed ones are mostly surnames, "Mesa") and otherwise only as a noun or an adjective ("Flor",
        "Rosa"; not "Dale", also a command, nor "Claro": a masculine adjective opening a sentence is an interjection)."""
        asked = sorted({word for word in words if word.isalpha() and word[:1].isupper()})
        found: set[str] = set()
        for analyser in self._source_analysers(source) if asked else []:
            for word, analysis in re.findall(r"\^([^/$]*)/([^$]*)\$", self._analyse(analyser, asked) or ""):
                readings = analysis.split("/")
                kinds = {kind.group(1) if (kind := re.search(r"<(\w+)>", reading)) else "" for reading in readings}
                named = any(_FIRST_NAME.search(reading) for reading in readings)
                if named and kinds <= _NAMELIKE and "<adj><m>" not in analysis:
                    found.add(word)
        return frozenset(found)

    def translate(self, requests: list[TranslationRequest], source: str, target: str) -> list[list[str]]:
        """Translate all requests in one Apertium call; a shorter second candidate where one makes sense."""
        mode = self.mode(source, target)
        if mode is None:
            hint = self.missing_hint(source, target)
            raise BackendUnavailable(f"Apertium cannot translate {source} to {target}", hint)
        texts = [" ".join(request.text.split()) for request in requests]
        shorter = [drop_leading_interjections(text, source) if self.options.alternatives else None for text in texts]
        extra = [text for text in shorter if text]
        batch = [*texts, *extra]
        outputs = self._run_batch(batch, mode)
        routes = self.pivot_routes(source, target)
        if routes:
            outputs = pivot_unknown_words(batch, outputs, routes, self._run_batch)
        alternatives = iter(outputs[len(texts) :])
        candidates: list[list[str]] = []
        for output, short in zip(outputs, shorter, strict=False):
            alternative = next(alternatives) if short else ""
            candidates.append([output, alternative] if alternative and alternative != output else [output])
        return candidates

    def _run_batch(self, texts: list[str], mode: str, markup: str = "txt") -> list[str]:
        """Translations of ``texts`` (one line each, no newlines), aligned, from one Apertium process; ``markup``:
        Apertium's format of the text (``txt``, or ``html`` whose tags stay with the words they wrap)."""
        todo = [i for i, text in enumerate(texts) if text.strip()]
        results = [""] * len(texts)
        if not todo:
            return results
        output = self._run(_SEPARATOR.join(texts[i] for i in todo) + "\n", mode, markup)
        parts = output.removesuffix("\n").split(_SEPARATOR)
        if len(parts) != len(todo):
            log.warning("Apertium returned %d lines for %d; translating them one by one", len(parts), len(todo))
            parts = [" ".join(self._run(texts[i] + "\n", mode, markup).split()) for i in todo]
        for index, part in zip(todo, parts, strict=True):
            results[index] = part.strip()
        return results

    def _run(self, text: str, mode: str, markup: str = "txt") -> str:
        command = ["apertium", "-f", markup] if self.options.mark_unknown else ["apertium", "-f", markup, "-u"]
        if self.datadir is not None:
            command += ["-d", str(self.datadir)]
        command.append(mode)
        try:
            done = subprocess.run(command, input=text, capture_output=True, text=True, encoding="utf-8", check=False)
        except OSError as exc:
            raise BackendUnavailable(f"cannot run apertium: {exc.strerror}", "apt-get install apertium") from exc
        if done.returncode != 0:
            raise BackendUnavailable(
                f"apertium {mode} failed (exit {done.returncode}): {done.stderr.strip()[-500:]}",
                f"check the installation of the Apertium pair providing '{mode}'",
            )
        return done.stdout
