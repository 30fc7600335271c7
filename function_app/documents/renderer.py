"""Fill a Word template: docxtpl's template language, compiled once, rendered many times.

Templates use docxtpl's tags ({{ }}, {%p if %}, {%tr for %}, ...) so anyone who has
written a docxtpl template can edit ours in Word. What differs from plain docxtpl:

- Jinja runs in an ImmutableSandboxedEnvironment with autoescape on: typed text is data,
  never markup or code, and a template cannot reach Python internals.
- Every value goes through ``xml_text.as_run_text``: XML-forbidden characters removed,
  line breaks and tabs kept as Word's own, None written as nothing.
- A missing variable is an error (StrictUndefined), never an empty gap in a letter.
- The template is parsed and compiled once. Each document renders only the parts that
  hold tags (body, headers, footers) and appends them to a zip of the unchanged parts
  that was compressed once: plain docxtpl re-parses and re-compresses everything per
  document.
- Every rendered part is parsed as strict XML before it is written, so a document that
  would not open in Word is never produced.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from .errors import RenderError, TemplateProblemError
from .logo import Logo, add_to_parts, drawing
from .xml_text import as_run_text, clean

_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
_CORE = "docProps/core.xml"
_STYLES = "word/styles.xml"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_environment() -> ImmutableSandboxedEnvironment:
    """The one Jinja environment for every template, checks included."""
    return ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=as_run_text,
        keep_trailing_newline=True,
    )


def prepare_part(xml: str) -> str:
    """docxtpl's own clean-up of Word's XML into Jinja source, as DocxTemplate does it."""
    source: str = DocxTemplate.patch_xml(None, xml)  # its self is unused
    # docxtpl's way to write literal braces in a template ({_{ prints {{) is applied to the
    # template only: docxtpl applies it to the output, changing what a parent typed.
    for escaped, literal in _LITERAL_BRACES.items():
        source = source.replace(escaped, "{{ '" + literal + "' }}")
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", source)  # lines, for error messages


_LITERAL_BRACES = {"{_{": "{{", "}_}": "}}", "{_%": "{%", "%_}": "%}"}


def _finish_part(xml: str) -> str:
    return re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)


@dataclass(frozen=True, slots=True)
class DocumentProperties:
    """What File > Info shows: ``author`` is the school's name, taken from the context's
    ``school.name`` when left empty; ``created`` is when the document was made."""

    title: str
    subject: str
    created: datetime
    author: str = ""


LANGUAGE = "en-GB"  # British English: the document's language and its styles' default
FALLBACK_AUTHOR = "Attendance Casework"  # only for a context without a school


class CompiledTemplate:
    """One .docx template, ready to render any number of documents."""

    def __init__(self, source: Path | bytes, name: str,
                 env: ImmutableSandboxedEnvironment | None = None) -> None:
        self.name = name
        self.env = env or make_environment()
        self.sources: dict[str, str] = {}
        self.variables: set[str] = set()
        data = source.read_bytes() if isinstance(source, Path) else source
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise TemplateProblemError(name, "is not a Word document (.docx)") from None
        with archive:
            names = archive.namelist()
            if "word/document.xml" not in names:
                raise TemplateProblemError(name, "has no word/document.xml; is it a .docx?")
            self._static: dict[str, bytes] = {}
            for part in names:
                if _TEMPLATED.match(part):
                    self.sources[part] = prepare_part(archive.read(part).decode("utf-8"))
                elif part == _STYLES:
                    self._static[part] = british_styles(archive.read(part))
                elif part != _CORE:
                    self._static[part] = archive.read(part)
            self._has_core = _CORE in names
        self._bases: dict[str, bytes] = {}
        self._compiled = {}
        for part, text in self.sources.items():
            try:
                self._compiled[part] = self.env.from_string(text)
                self.variables |= meta.find_undeclared_variables(self.env.parse(text))
            except TemplateSyntaxError as exc:
                raise TemplateProblemError(
                    name, f"{exc.message} in {part}, near {_tag_near(text, exc.lineno)}"
                ) from None

    def _base(self, logo: Logo | None) -> bytes:
        """The unchanged parts, compressed once (per logo, when there is one)."""
        key = logo.digest if logo else ""
        if key not in self._bases:
            parts = dict(self._static)
            if logo is not None:
                add_to_parts(parts, list(self.sources), logo)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as base:
                for part, data in parts.items():
                    base.writestr(part, data)
            self._bases[key] = buffer.getvalue()
        return self._bases[key]

    def render(self, context: Mapping[str, Any], properties: DocumentProperties,
               logo: Logo | None = None) -> bytes:
        """The finished .docx as bytes; RenderError if the context cannot fill it."""
        missing = sorted(self.variables - set(context))
        if missing:
            raise RenderError(self.name, f"the context has no {', '.join(missing)}")
        school = _school_name(context)
        if not properties.author:
            properties = replace(properties, author=school or FALLBACK_AUTHOR)
        alt = f"Logo of {school}" if school else "School logo"
        context = {**context, "logo": drawing(logo, alt) if logo else None}
        out = io.BytesIO(self._base(logo))
        with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
            for part, template in self._compiled.items():
                xml = _finish_part(self._render_part(part, template, context))
                data = xml.encode("utf-8")
                try:
                    etree.fromstring(data)
                except etree.XMLSyntaxError as exc:
                    raise RenderError(self.name, f"{part} would not be valid XML ({exc}); "
                                                 "check the template's tags") from None
                archive.writestr(part, data)
            if self._has_core:
                archive.writestr(_CORE, core_properties(properties))
        return out.getvalue()

    def _render_part(self, part: str, template: Any, context: Mapping[str, Any]) -> str:
        try:
            return str(template.render(context))
        except SecurityError as exc:
            raise TemplateProblemError(
                self.name, f"tries to reach outside the template sandbox in {part}: {exc}"
            ) from None
        except UndefinedError as exc:
            raise RenderError(self.name, f"{exc.message} (in {part})") from None
        except TemplateError as exc:
            raise RenderError(self.name, f"{exc} (in {part})") from None


def _tag_near(source: str, lineno: int | None) -> str:
    if not lineno:
        return "an unknown place"
    lines = source.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[max(lineno - 1, 0)] if lines else "")
    text = text.strip()
    return repr(text[:80]) if text else f"line {lineno}"


def _school_name(context: Mapping[str, Any]) -> str:
    school = context.get("school")
    name = school.get("name") if isinstance(school, Mapping) else None
    return " ".join(str(name).split()) if name else ""


def british_styles(xml: bytes) -> bytes:
    """styles.xml with British English as the default language of text (w:lang in the
    document defaults), so Word checks spelling and screen readers speak in en-GB."""
    root = etree.fromstring(xml)
    w = f"{{{_W}}}"
    defaults = root.find(f"{w}docDefaults")
    if defaults is None:
        defaults = etree.Element(f"{w}docDefaults")
        root.insert(0, defaults)
    rpr_default = defaults.find(f"{w}rPrDefault")
    if rpr_default is None:
        rpr_default = etree.Element(f"{w}rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(f"{w}rPr")
    if rpr is None:
        rpr = etree.SubElement(rpr_default, f"{w}rPr")
    lang = rpr.find(f"{w}lang")
    if lang is None:  # schema order: w:lang comes before these three, after the rest
        lang = etree.Element(f"{w}lang")
        later = [rpr.find(f"{w}{n}") for n in ("eastAsianLayout", "specVanish", "oMath")]
        found = [e for e in later if e is not None]
        if found:
            found[0].addprevious(lang)
        else:
            rpr.append(lang)
    if lang.get(f"{w}val") == LANGUAGE:
        return xml
    lang.set(f"{w}val", LANGUAGE)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return out


def core_properties(p: DocumentProperties) -> bytes:
    """docProps/core.xml: title and subject, the school as author, when it was made, and
    British English as its language."""
    when = p.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    author = xml_escape(clean(p.author) or FALLBACK_AUTHOR)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/'
        'dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_escape(p.title)}</dc:title>"
        f"<dc:subject>{xml_escape(p.subject)}</dc:subject>"
        f"<dc:creator>{author}</dc:creator>"
        f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        f"<dc:language>{LANGUAGE}</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()
