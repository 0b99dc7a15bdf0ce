"""The TBX glossary format (ISO 30042): read TBX v3 and TBX 2008 (martif), write TBX v3.

One ``conceptEntry`` per term. The source-language ``langSec`` holds the term
(preferred) and its variants (``termType`` variant); each target ``langSec``
holds approved renderings (preferred/admitted) and forbidden ones
(``administrativeStatus`` deprecated). Scope is the ``subjectField``;
do-not-translate and case sensitivity use ``x-localize-*`` descrips. Formality
rules are not represented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree

from localize.errors import ConfigError, GlossaryError
from localize.glossary.model import SCOPES, Entry, Glossary
from localize.glossary.validate import DataPath, LineMap, build_glossary
from localize.languages import base_language, normalize_tag

__all__ = ["read_tbx", "tbx_text"]

TBX_NS = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DNT = "x-localize-dnt"
_CASE = "x-localize-case-sensitive"
_FORBIDDEN_STATUS = ("deprecated", "superseded", "notrecommended")


def _name(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: Any, *names: str) -> list[Any]:
    return [child for child in element if _name(child) in names]


def _typed(element: Any, kind: str) -> str | None:
    """Text of the first descrip/admin/termNote child of ``element`` whose type is ``kind``."""
    for child in _children(element, "descrip", "admin", "termNote"):
        if child.get("type") == kind:
            return (child.text or "").strip()
    return None


def _flag(element: Any, kind: str) -> bool:
    return (_typed(element, kind) or "").lower() in {"true", "yes", "1"}


def _note(element: Any) -> str:
    return " ".join((n.text or "").strip() for n in _children(element, "note") if (n.text or "").strip())


def _terms(lang_sec: Any) -> list[tuple[str, Any]]:
    """(term text, its termSec/tig element) in document order."""
    found = []
    for term_sec in _children(lang_sec, "termSec", "tig", "ntig"):
        for term in term_sec.iter():
            if _name(term) == "term" and (term.text or "").strip():
                found.append(("".join(term.itertext()).strip(), term_sec))
                break
    return found


def _is_forbidden(term_sec: Any) -> bool:
    status = "".join((_typed(term_sec, "administrativeStatus") or "").lower().split())
    return status.startswith(_FORBIDDEN_STATUS)


def _same_language(tag: str, source: str) -> bool:
    """Whether a langSec tag names the source language ("es" or "es-AR" for source "es-AR")."""
    try:
        normalized = normalize_tag(tag)
    except ConfigError:
        return False
    return normalized in (source, base_language(source))


def _entry(element: Any, source: str, path: DataPath, lines: LineMap) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": element.get("id") or f"entry-{path[-1]}"}
    scope = _typed(element, "subjectField")
    if scope in SCOPES:
        entry["scope"] = scope
    if _flag(element, _DNT):
        entry["dnt"] = True
    if _flag(element, _CASE):
        entry["case_sensitive"] = True
    if _note(element):
        entry["note"] = _note(element)
    targets: dict[str, Any] = {}
    for lang_sec in _children(element, "langSec", "langSet"):
        tag = lang_sec.get(XML_LANG) or ""
        terms = _terms(lang_sec)
        if _same_language(tag, source):
            if terms:
                entry["term"] = terms[0][0]
                entry["variants"] = [text for text, _ in terms[1:]]
                pos = _typed(terms[0][1], "partOfSpeech")
                if pos:
                    entry["pos"] = pos
            continue
        rule: dict[str, Any] = {
            "renderings": [text for text, sec in terms if not _is_forbidden(sec)],
            "forbidden": [text for text, sec in terms if _is_forbidden(sec)],
        }
        if _note(lang_sec):
            rule["note"] = _note(lang_sec)
        if _flag(lang_sec, _DNT):
            rule["dnt"] = True
        if _flag(lang_sec, _CASE):
            rule["case_sensitive"] = True
        targets[tag] = rule
        lines[(*path, "targets", tag)] = lang_sec.sourceline
    if targets:
        entry["targets"] = targets
    return entry


def read_tbx(content: bytes, file: str) -> Glossary:
    """Parse and validate a TBX glossary; problems are reported at the element's line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise GlossaryError(file, exc.lineno, "(syntax)", str(exc.msg)) from None
    if _name(root) not in {"tbx", "martif"}:
        problem = f"expected a <tbx> or <martif> root, got <{_name(root)}>"
        raise GlossaryError(file, root.sourceline, "(document)", problem)
    concepts = [e for e in root.iter() if _name(e) in {"conceptEntry", "termEntry"}]
    source = root.get(XML_LANG)
    if source is None:
        first = next((s for c in concepts for s in _children(c, "langSec", "langSet")), None)
        source = first.get(XML_LANG) if first is not None else None
    if source is None:
        raise GlossaryError(file, root.sourceline, "xml:lang", "no source language on <tbx> or any langSec")
    lines: LineMap = {(): root.sourceline}
    try:
        source_tag = normalize_tag(source)
    except ConfigError as exc:
        raise GlossaryError(file, root.sourceline, "xml:lang", exc.message) from None
    terms = []
    for index, concept in enumerate(concepts):
        lines[("terms", index)] = concept.sourceline
        terms.append(_entry(concept, source_tag, ("terms", index), lines))
    title = next((e for e in root.iter() if _name(e) == "title"), None)
    data: dict[str, Any] = {"source_language": source, "terms": terms}
    if title is not None and (title.text or "").strip():
        data["name"] = title.text.strip()
    return build_glossary(data, lines, file, name=Path(file).stem)


def _sub(parent: Any, name: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{TBX_NS}}}{name}", attributes)
    element.text = text
    return element


def _term_sec(parent: Any, text: str, status: str | None = None, term_type: str | None = None) -> Any:
    sec = _sub(parent, "termSec")
    _sub(sec, "term", text)
    if term_type:
        _sub(sec, "termNote", term_type, type="termType")
    if status:
        _sub(sec, "termNote", status, type="administrativeStatus")
    return sec


def _concept(body: Any, entry: Entry, source: str) -> None:
    concept = _sub(body, "conceptEntry", id=entry.id)
    _sub(concept, "descrip", entry.scope, type="subjectField")
    if entry.dnt:
        _sub(concept, "descrip", "true", type=_DNT)
    if entry.case_sensitive:
        _sub(concept, "descrip", "true", type=_CASE)
    if entry.note:
        _sub(concept, "note", entry.note)
    lang_sec = _sub(concept, "langSec", **{XML_LANG: source})
    term = _term_sec(lang_sec, entry.term, "preferredTerm-admn-sts")
    if entry.pos:
        _sub(term, "termNote", entry.pos, type="partOfSpeech")
    for variant in entry.variants:
        _term_sec(lang_sec, variant, term_type="variant")
    for tag, rule in entry.targets.items():
        lang_sec = _sub(concept, "langSec", **{XML_LANG: tag})
        if rule.dnt:
            _sub(lang_sec, "descrip", "true", type=_DNT)
        if rule.case_sensitive:
            _sub(lang_sec, "descrip", "true", type=_CASE)
        if rule.note:
            _sub(lang_sec, "note", rule.note)
        for index, rendering in enumerate(rule.renderings):
            _term_sec(lang_sec, rendering, "preferredTerm-admn-sts" if index == 0 else "admittedTerm-admn-sts")
        for forbidden in rule.forbidden:
            _term_sec(lang_sec, forbidden, "deprecatedTerm-admn-sts")


def tbx_text(glossary: Glossary) -> str:
    """The glossary as a TBX v3 (DCA style) document."""
    root = etree.Element(
        f"{{{TBX_NS}}}tbx",
        {"type": "TBX-Basic", "style": "dca", XML_LANG: glossary.source_language},
        nsmap={None: TBX_NS},
    )
    header = _sub(root, "tbxHeader")
    file_desc = _sub(header, "fileDesc")
    _sub(_sub(file_desc, "titleStmt"), "title", glossary.name)
    _sub(_sub(file_desc, "sourceDesc"), "p", f"localize glossary; targets: {', '.join(glossary.targets)}")
    body = _sub(_sub(root, "text"), "body")
    for entry in glossary.terms:
        _concept(body, entry, glossary.source_language)
    xml = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml
