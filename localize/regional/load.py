"""Find and read regional layers: YAML files named by language tag (``es.yaml``, ``es-AR.yaml``).

Layers come from a folder of your own (``[translate] regions_dir``) before the
ones shipped with localize (``glossaries/regions``). A tag reads its base
language's layer, then its own: ``es-AR`` is ``es.yaml`` with ``es-AR.yaml``
on top (the more specific term wins where both define a form).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from localize.errors import GlossaryError
from localize.glossary.validate import Validator, build_terms, list_of, targets_of
from localize.glossary.yaml_io import parse_yaml
from localize.languages import base_language, normalize_tag
from localize.regional.model import LayerTerm, RegionalLayer, Voseo

__all__ = ["default_regions_dir", "layer_for", "load_layer"]

_SWITCHES = ("diminutives", "clock_times", "superlatives", "clitics", "personal_a")
_FIELDS = ("name", "region", "targets", "terms", "interjections", "names", "voseo", *_SWITCHES)


def default_regions_dir() -> Path:
    """The layers shipped with localize (inside the wheel, or the repo's ``glossaries/regions``)."""
    here = Path(__file__).resolve().parents[1]
    packaged = here / "regions"
    return packaged if packaged.is_dir() else here.parent / "glossaries" / "regions"


def _names(validator: Validator, raw: Any, field: str) -> list[str]:
    """A list of names, each a non-empty string."""
    names = list_of(validator, raw, field)
    for index, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise validator.error((field, index), field, f"expected a name, got {name!r}")
    return [name.strip() for name in names]


def _build(data: Any, validator: Validator, stem: str) -> RegionalLayer:
    if not isinstance(data, dict):
        raise validator.error((), "(document)", "expected a mapping with name, region, targets and terms")
    for key in data:
        if key not in _FIELDS:
            raise validator.error((key,), str(key), f"unknown field; expected one of {', '.join(_FIELDS)}")
    region = validator.tag(("region",), "region", data.get("region", stem))
    if region != normalize_tag(stem):
        raise validator.error(("region",), "region", f"'{region}' does not match the file name '{stem}.yaml'")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise validator.error(("name",), "name", f"expected a non-empty name, got {name!r}")
    targets = targets_of(validator, data.get("targets"))
    terms = build_terms(validator, data.get("terms"), targets, LayerTerm)
    interjections = build_terms(validator, data.get("interjections"), targets, LayerTerm, field="interjections")
    ids = {term.id: term for term in terms}
    clash = next((term for term in interjections if term.id in ids), None)
    if clash is not None:
        raise validator.error(("interjections",), "id", f"duplicate id '{clash.id}' (first at line {ids[clash.id].line})")
    voseo = validator.model(Voseo, data["voseo"], ("voseo",), {}) if data.get("voseo") is not None else None
    switches = {key: data.get(key, False) for key in _SWITCHES}
    for key, value in switches.items():
        if not isinstance(value, bool):
            raise validator.error((key,), key, f"expected true or false, got {value!r}")
    return RegionalLayer(
        name=name,
        region=region,
        targets=targets,
        terms=terms,
        interjections=interjections,
        names=_names(validator, data.get("names"), "names"),
        voseo=voseo,
        **switches,
        path=validator.file,
    )


def load_layer(path: Path) -> RegionalLayer:
    """Read and validate one layer file; a problem is a GlossaryError naming its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GlossaryError(str(path), None, "(file)", f"cannot read: {exc}") from exc
    data, lines = parse_yaml(text, str(path))
    return _build(data, Validator(str(path), lines), path.stem)


@lru_cache(maxsize=16)
def _cached(path: Path, mtime_ns: int) -> RegionalLayer:
    return load_layer(path)


def _specific_first(lists: list[list[LayerTerm]]) -> list[LayerTerm]:
    """Terms of layers from general to specific, specific first; a general term whose forms a specific one defines is left out."""
    terms: list[LayerTerm] = []
    forms: set[str] = set()
    for layer_terms in reversed(lists):
        for term in layer_terms:
            own = {form.casefold() for form in term.forms}
            if not own & forms:
                terms.append(term)
            forms |= own
    return terms


def _merge(layers: list[RegionalLayer]) -> RegionalLayer:
    """Layers from general to specific as one."""
    return layers[-1].model_copy(
        update={
            "terms": _specific_first([layer.terms for layer in layers]),
            "interjections": _specific_first([layer.interjections for layer in layers]),
            "names": list(dict.fromkeys(name for layer in layers for name in layer.names)),
            "voseo": next((layer.voseo for layer in reversed(layers) if layer.voseo is not None), None),
            **{switch: any(getattr(layer, switch) for layer in layers) for switch in _SWITCHES},
            "targets": list(dict.fromkeys(tag for layer in layers for tag in layer.targets)),
        }
    )


def layer_for(tag: str, folder: Path | None = None) -> RegionalLayer | None:
    """The layer for a language tag (its base language's layer under its own), or None when no file applies."""
    folders = [f for f in (folder, default_regions_dir()) if f is not None]
    layers = []
    for name in dict.fromkeys([base_language(tag), tag]):
        path = next((f / f"{name}.yaml" for f in folders if (f / f"{name}.yaml").is_file()), None)
        if path is not None:
            layers.append(_cached(path.resolve(), path.stat().st_mtime_ns))
    return _merge(layers) if layers else None
