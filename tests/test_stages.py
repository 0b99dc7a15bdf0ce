"""The stage machinery: one ordered registry, declared reads and writes, keys made of exactly what a stage reads."""

from __future__ import annotations

import shutil
import typing
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel
from typer.main import get_command

from localize.cache import WorkDir
from localize.cli import app
from localize.config import Config
from localize.glossary import load_glossary
from localize.keys import code_version, key_value, source_digest
from localize.model import Episode, Line, MediaInfo, Word
from localize.stages import STAGE_NAMES, STAGES, stages
from localize.stages.access import UndeclaredRead, merge, path_tree, project
from localize.stages.base import RunContext, Stage, run_stage, stage_key
from localize.stages.factory import make_backend
from localize.stages.transcribe.stage import TranscribeStage
from localize.stages.translate.backend import TranslationRequest
from localize.stages.translate.lines import LinePreparer
from localize.stages.translate.stage import TranslateStage
from tests.conftest import SAMPLE_GLOSSARY


def episode() -> Episode:
    words = [Word(text="hola", start=0.0, end=0.4), Word(text="che", start=0.5, end=0.9)]
    source = MediaInfo(path=Path("ep.mp4"), size=1, fingerprint="f", duration=3.0, container="mp4")
    lines = [Line(id="L1", start=0, end=1, speaker="A", text="hola")]
    return Episode(id="ep", source=source, source_language="es", words=words, lines=lines)


def context(tmp_path: Path) -> RunContext:
    return RunContext(workdir=WorkDir(tmp_path, "ep"), config=Config(), targets=["en"])


class Upper(Stage):
    """A toy stage: upper-cases each line's text."""

    name = "upper"
    reads: ClassVar[tuple[str, ...]] = ("lines.*.text",)
    writes: ClassVar[tuple[str, ...]] = ("lines.*.text",)

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        lines = [line.model_copy(update={"text": line.text.upper()}) for line in episode.lines]
        return episode.model_copy(update={"lines": lines})


class Peeks(Upper):
    """Reads a field it does not declare."""

    name = "peeks"

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        assert episode.lines[0].speaker
        return episode


class Sneaks(Upper):
    """Uses the targets without declaring them."""

    name = "sneaks"

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        assert ctx.targets
        return episode


class Hinted(Upper):
    """Writes the glossary's first term into each line, taking the glossary as a hint."""

    name = "hinted"
    hints: ClassVar[tuple[str, ...]] = ("glossary.terms.*.term",)

    def run(self, episode: Episode, ctx: RunContext) -> Episode:
        term = ctx.glossary.terms[0].term if ctx.glossary else ""
        return episode.model_copy(update={"lines": [line.model_copy(update={"text": term}) for line in episode.lines]})


class WritesPartial(Upper):
    """Writes whole lines it only partly read."""

    name = "writes-partial"
    writes: ClassVar[tuple[str, ...]] = ("lines",)


def test_a_stage_sees_only_what_it_declares_and_keeps_only_what_it_writes(tmp_path: Path) -> None:
    before = episode()
    after = run_stage(Upper(), before, context(tmp_path))
    assert after.lines[0].text == "HOLA" and after.lines[0].speaker == "A" and after.words == before.words
    assert type(after.lines[0]) is Line, "the merged episode holds the model's own classes"
    with pytest.raises(UndeclaredRead, match=r"Line\.speaker"):
        run_stage(Peeks(), before, context(tmp_path))
    with pytest.raises(UndeclaredRead, match="targets"):
        run_stage(Sneaks(), before, context(tmp_path))
    with pytest.raises(RuntimeError, match="written whole"):
        run_stage(WritesPartial(), before, context(tmp_path))


def test_the_key_is_made_of_the_declared_reads_only(tmp_path: Path) -> None:
    ctx, base = context(tmp_path), episode()
    key = stage_key(Upper(), base, ctx)
    renamed = base.model_copy(update={"lines": [base.lines[0].model_copy(update={"speaker": "B"})]})
    assert stage_key(Upper(), renamed, ctx) == key, "an undeclared field is not an input"
    edited = base.model_copy(update={"lines": [base.lines[0].model_copy(update={"text": "chau"})]})
    assert stage_key(Upper(), edited, ctx) != key
    other_config = RunContext(workdir=ctx.workdir, config=Config(source_language="pt"), targets=["fr"])
    assert stage_key(Upper(), base, other_config) == key, "settings and targets it does not declare are not inputs"


def test_paths_are_keyed_by_content_not_spelling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    glossary = tmp_path / "series" / "g.yaml"
    glossary.parent.mkdir()
    glossary.write_text("a: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert key_value(Path("series/g.yaml")) == key_value(glossary) == key_value(Path("series/../series/g.yaml"))
    before = key_value(glossary)
    glossary.write_text("a: 2\n", encoding="utf-8")
    assert key_value(glossary) != before


def test_code_versions_follow_code_not_docs() -> None:
    plain = "def f(x):\n    return x + 1\n"
    documented = '"""Module."""\n\n\ndef f(x):\n    """Add one."""\n    # comment\n    return x + 1  # inline\n'
    assert source_digest(plain) == source_digest(documented)
    assert source_digest(plain) != source_digest(plain.replace("+ 1", "+ 2"))
    assert code_version("localize.stages.mix", "localize.stages") != code_version("localize.stages.segment", "localize.stages")


def test_one_ordered_registry_drives_pipeline_and_cli() -> None:
    loaded = stages()
    assert [stage.name for stage in loaded] == list(STAGE_NAMES) and len(set(STAGE_NAMES)) == len(STAGE_NAMES)
    commands = set(typing.cast(Any, get_command(app)).commands)
    assert {spec.name for spec in STAGES if spec.summary} <= commands
    assert all(name in STAGE_NAMES for spec in STAGES for name in spec.then)


def _field_type(model: type[BaseModel], name: str) -> Any:
    hints = typing.get_type_hints(model)
    assert name in model.model_fields, f"{model.__name__} has no field {name}"
    return hints[name]


def _valid(model: Any, parts: list[str]) -> None:
    """Walk ``parts`` through the model's type hints: every name a field, every ``*`` over a list or dict."""
    for index, part in enumerate(parts):
        origin = typing.get_origin(model)
        if origin in (typing.Union, type(int | None)):
            model = next(arg for arg in typing.get_args(model) if arg is not type(None))
            origin = typing.get_origin(model)
        if part == "*":
            assert origin in (list, dict), f"'*' at {'.'.join(parts[: index + 1])} is not over a list or dict"
            model = typing.get_args(model)[-1]
        else:
            model = _field_type(model, part)


@pytest.mark.parametrize("stage", stages(), ids=STAGE_NAMES)
def test_declarations_name_real_fields(stage: Stage) -> None:
    for path in (*stage.reads, *stage.writes):
        _valid(Episode, path.split("."))
    for setting in stage.settings:
        _valid(Config, setting.split("."))


def _overlaps(a: str, b: str) -> bool:
    left, right = a.split("."), b.split(".")
    shared = min(len(left), len(right))
    return left[:shared] == right[:shared]


def test_every_field_has_one_writer_and_no_stage_reads_a_later_stages_output() -> None:
    loaded = stages()
    for index, stage in enumerate(loaded):
        for other in loaded[index + 1 :]:
            clashes = [(a, b) for a in stage.writes for b in other.writes if _overlaps(a, b)]
            assert not clashes, f"{stage.name} and {other.name} both write {clashes}"
            later = [(a, b) for a in stage.reads for b in other.writes if _overlaps(a, b)]
            assert not later, f"{stage.name} reads {later} that {other.name}, later in the flow, writes"


def test_merge_keeps_list_order_and_refuses_a_changed_length() -> None:
    base = episode()
    view = project(base, path_tree(["words.*.text"]))
    longer = view.model_copy(update={"words": [*view.words, view.words[0]]})
    with pytest.raises(ValueError, match="changed length"):
        merge(base, longer, path_tree(["words.*.text"]))
    renamed = view.model_copy(update={"words": [w.model_copy(update={"text": w.text.upper()}) for w in view.words]})
    assert [w.text for w in merge(base, renamed, path_tree(["words.*.text"])).words] == ["HOLA", "CHE"]


def test_merge_keeps_a_written_field_the_stage_left_alone() -> None:
    """A stage that writes speakers but handed back lines it did not touch (a language it did not run) keeps them."""
    base = episode()
    view = project(base, path_tree(["lines.*.text"]))
    assert merge(base, view, path_tree(["lines.*.speaker"])).lines[0].speaker == "A"


def test_a_hint_is_seen_but_a_change_of_it_redoes_nothing(tmp_path: Path) -> None:
    """The glossary primes the transcriber as a hint: adding a term keeps the transcript people reviewed."""
    glossary = load_glossary(SAMPLE_GLOSSARY)
    first = glossary.terms[0]
    grown = glossary.model_copy(update={"terms": [first.model_copy(update={"term": "Corrientes"}), *glossary.terms]})
    ctx = RunContext(workdir=WorkDir(tmp_path, "ep"), config=Config(), targets=["en"], glossary=glossary)
    more = RunContext(workdir=ctx.workdir, config=Config(), targets=["en"], glossary=grown)
    assert run_stage(Hinted(), episode(), more).lines[0].text == "Corrientes"
    for stage in (Hinted(), TranscribeStage()):
        assert stage_key(stage, episode(), more) == stage_key(stage, episode(), ctx)


def test_a_language_pair_installed_since_the_last_run_translates_again(tmp_path: Path) -> None:
    """Apertium's pivot route to French needs spa-cat: installing it changes the translate stage's key and each line's."""
    installed = Path("/usr/share/apertium/modes")
    datadir = tmp_path / "apertium"
    (datadir / "modes").mkdir(parents=True)
    for mode in installed.glob("*.mode"):
        if not mode.name.startswith(("spa-cat", "es-ca")):
            shutil.copy(mode, datadir / "modes")
    keys = []
    for step in ("before", "after"):
        if step == "after":
            for mode in installed.glob("spa-cat*.mode"):
                shutil.copy(mode, datadir / "modes")
        config = Config.model_validate({"translate": {"backend": "apertium.v1", "options": {"datadir": str(datadir)}}})
        ctx = RunContext(workdir=WorkDir(tmp_path, "ep"), config=config, targets=["fr"])
        translator = make_backend("translate", config.translate, config)
        prepared = LinePreparer("es", "fr", None, None, []).prepare(TranslationRequest(text="hola"))
        keys.append((stage_key(TranslateStage(), episode(), ctx), prepared.key(translator, "es", "fr", "code")))
        assert [route.via for route in translator.pivot_routes("es", "fr")] == ([] if step == "before" else ["ca"])
    assert keys[0][0] != keys[1][0] and keys[0][1] != keys[1][1]
