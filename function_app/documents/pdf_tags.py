"""The structure tree of a PDF joined from several PDFs, so the joined PDF is tagged.

A tagged PDF marks each piece of page content (``BDC`` ... ``EMC`` with an ``MCID``) and a
structure tree says what each piece is (a heading, a paragraph, a table cell, a figure) and
in what order it is read. pypdf copies pages but not structure trees (it even drops each
page's ``/StructParents``), so the evidence bundle, which joins the bundle's own pages and
each exhibit's PDF, would lose every tag its parts had. ``join_structure`` rebuilds one tree:

    Document "Evidence bundle for legal intervention: CASE-REF"
      Part "The bundle's own pages"      <- the tree of the first part, copied
      Part "Exhibit 1: Letter of concern, 3 March 2026"  <- the tree of exhibit 1, copied
      ...

Each part's elements are copied, not redrawn: their types, titles, alternative texts,
attributes and marked-content references are kept, pointing at the joined PDF's pages, and
each page's ``/StructParents`` and the parent tree's keys are moved past the parts before
it. A part with no structure tree (a scan, a PDF from a converter that does not tag) gets
one element per page that marks the page's whole content: a ``Figure`` with alternative text
when the page has no text, else a ``Div`` read in the order the page draws it. The stamps
laid over pages afterwards are marked as pagination artifacts (``bundle_stamp``).

Not kept: structure elements that reference annotations (``OBJR``: a link's target),
because pypdf rebuilds annotations when it copies a page; the link's text stays tagged.
Roles of non-standard types are merged from each part's ``/RoleMap`` (first one wins).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

STRUCT_KEYS_KEPT = ("/S", "/T", "/Alt", "/ActualText", "/E", "/Lang", "/A", "/C", "/R")


@dataclass(frozen=True, slots=True)
class JoinedPart:
    """A PDF already appended to the writer: its reader, the writer's index of its first
    page, the title of its ``Part`` element and, for a part without tags, the alternative
    text of a page that has no text (``{page}`` and ``{pages}`` are filled in)."""

    reader: PdfReader
    start: int
    title: str
    untagged_alt: str = "A page of {title}, page {page} of {pages}, as an image."


def join_structure(writer: PdfWriter, parts: Sequence[JoinedPart], *, title: str,
                   language: str) -> None:
    """Give ``writer`` (whose pages are the parts' pages, appended in order) one structure
    tree made of each part's, and mark it tagged."""
    root_elem = _elem(writer, "/Document", title=title, lang=language)
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    root_elem[NameObject("/P")] = tree_ref
    root_ref = writer._add_object(root_elem)
    nums: list[tuple[int, Any]] = []
    next_key = 0
    role_map = DictionaryObject()
    class_map = DictionaryObject()
    kids = ArrayObject()
    for part in parts:
        part_elem = _elem(writer, "/Part", title=part.title)
        part_elem[NameObject("/P")] = root_ref
        part_ref = writer._add_object(part_elem)
        kids.append(part_ref)
        source = part.reader.root_object.get("/StructTreeRoot")
        if source is not None and "/ParentTree" in source.get_object():
            copied = _Copy(writer, part, next_key)
            part_elem[NameObject("/K")] = copied.kids(source.get_object(), part_ref)
            nums.extend(copied.parent_tree(source.get_object()))
            next_key = copied.next_key
            _merge_map(writer, role_map, source.get_object().get("/RoleMap"))
            _merge_map(writer, class_map, source.get_object().get("/ClassMap"))
        else:
            part_kids, entries, next_key = _whole_pages(writer, part, part_ref, next_key)
            part_elem[NameObject("/K")] = part_kids
            nums.extend(entries)
    root_elem[NameObject("/K")] = kids
    nums.sort(key=lambda n: n[0])
    flat = ArrayObject()
    for key, value in nums:
        flat.extend([NumberObject(key), value])
    tree[NameObject("/K")] = root_ref
    tree[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): flat}))
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(next_key)
    if role_map:
        tree[NameObject("/RoleMap")] = role_map
    if class_map:
        tree[NameObject("/ClassMap")] = class_map
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = tree_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)})
    for page in writer.pages:
        page[NameObject("/Tabs")] = NameObject("/S")  # tab order follows the structure


class _Copy:
    """One part's structure tree copied into the writer."""

    def __init__(self, writer: PdfWriter, part: JoinedPart, offset: int) -> None:
        self.writer, self.part, self.offset = writer, part, offset
        self.pages = {p.indirect_reference.idnum: writer.pages[part.start + i].indirect_reference
                      for i, p in enumerate(part.reader.pages)
                      if p.indirect_reference is not None}
        self.elems: dict[int, IndirectObject] = {}
        self.next_key = offset
        for i, page in enumerate(part.reader.pages):
            key = page.get("/StructParents")
            if key is not None:
                at = offset + int(key)
                writer.pages[part.start + i][NameObject("/StructParents")] = NumberObject(at)
                self.next_key = max(self.next_key, at + 1)

    def kids(self, node: DictionaryObject, parent: IndirectObject) -> ArrayObject:
        out = ArrayObject()
        for kid in _as_list(node.get("/K")):
            copied = self._kid(kid, parent)
            if copied is not None:
                out.append(copied)
        return out

    def _kid(self, kid: Any, parent: IndirectObject) -> Any:
        value = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(value, NumberObject | int):
            return NumberObject(int(value))  # an MCID on the element's page
        if not isinstance(value, DictionaryObject):
            return None
        kind = value.get("/Type")
        if kind == "/OBJR":
            return None  # an annotation: pypdf rebuilt it, so the reference would dangle
        if kind == "/MCR":
            mcid = NumberObject(int(cast(Any, value["/MCID"])))
            mcr = DictionaryObject({NameObject("/Type"): NameObject("/MCR"),
                                    NameObject("/MCID"): mcid})
            page = self._page(value.get("/Pg"))
            if page is not None:
                mcr[NameObject("/Pg")] = page
            return mcr
        if "/S" not in value:
            return None
        return self._element(kid, value, parent)

    def _element(self, ref: Any, value: DictionaryObject, parent: IndirectObject) -> Any:
        elem = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                 NameObject("/P"): parent})
        for key in STRUCT_KEYS_KEPT:
            if key in value:
                elem[NameObject(key)] = value.raw_get(key).clone(self.writer)
        page = self._page(value.get("/Pg"))
        if page is not None:
            elem[NameObject("/Pg")] = page
        new = self.writer._add_object(elem)
        if isinstance(ref, IndirectObject):
            self.elems[ref.idnum] = new
        elem[NameObject("/K")] = self.kids(value, new)
        return new

    def _page(self, ref: Any) -> IndirectObject | None:
        if isinstance(ref, IndirectObject):
            return self.pages.get(ref.idnum)
        return None

    def parent_tree(self, tree: DictionaryObject) -> Iterator[tuple[int, Any]]:
        """The part's parent-tree entries for pages (arrays indexed by MCID), with keys
        moved past the parts before it; an annotation's entry is left out with its OBJR."""
        for key, value in _number_tree(cast(DictionaryObject, tree["/ParentTree"].get_object())):
            found = value.get_object() if isinstance(value, IndirectObject) else value
            if not isinstance(found, ArrayObject):
                continue
            elems = ArrayObject()
            for item in found:
                new = self.elems.get(item.idnum) if isinstance(item, IndirectObject) else None
                elems.append(new if new is not None else NullObject())
            yield self.offset + int(key), elems


def _whole_pages(writer: PdfWriter, part: JoinedPart, parent: IndirectObject,
                 key: int) -> tuple[ArrayObject, list[tuple[int, Any]], int]:
    """An element per page of an untagged part, marking the page's whole content."""
    kids = ArrayObject()
    entries: list[tuple[int, Any]] = []
    pages = len(part.reader.pages)
    for i in range(pages):
        page = writer.pages[part.start + i]
        text = (part.reader.pages[i].extract_text() or "").strip()
        elem = _elem(writer, "/Div" if text else "/Figure")
        if not text:
            elem[NameObject("/Alt")] = TextStringObject(
                part.untagged_alt.format(title=part.title, page=i + 1, pages=pages))
        elem[NameObject("/P")] = parent
        elem[NameObject("/Pg")] = page.indirect_reference
        elem[NameObject("/K")] = NumberObject(0)
        ref = writer._add_object(elem)
        kids.append(ref)
        _wrap_content(writer, page, "/Figure" if not text else "/Div")
        page[NameObject("/StructParents")] = NumberObject(key)
        entries.append((key, ArrayObject([ref])))
        key += 1
    return kids, entries, key


def _wrap_content(writer: PdfWriter, page: Any, tag: str) -> None:
    """Put the page's content in one marked-content sequence with MCID 0."""
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(f"{tag} <</MCID 0>> BDC\n".encode("ascii"))
    after.set_data(b"\nEMC\n")
    contents = page.get("/Contents")
    streams = ArrayObject([writer._add_object(before)])
    if contents is not None:
        found = contents.get_object()
        streams.extend(found if isinstance(found, ArrayObject) else [contents])
    streams.append(writer._add_object(after))
    page[NameObject("/Contents")] = streams


def _elem(writer: PdfWriter, kind: str, *, title: str = "", lang: str = "") -> DictionaryObject:
    elem = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                             NameObject("/S"): NameObject(kind)})
    if title:
        elem[NameObject("/T")] = TextStringObject(title)
    if lang:
        elem[NameObject("/Lang")] = TextStringObject(lang)
    return elem


def _number_tree(node: DictionaryObject) -> Iterator[tuple[int, Any]]:
    nums = node.get("/Nums")
    if nums is not None:
        values = list(nums.get_object())
        for i in range(0, len(values) - 1, 2):
            yield int(values[i]), values[i + 1]
    for kid in node.get("/Kids", ()):
        yield from _number_tree(kid.get_object())


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    found = value.get_object() if isinstance(value, IndirectObject) else value
    return list(found) if isinstance(found, ArrayObject) else [value]


def _merge_map(writer: PdfWriter, into: DictionaryObject, source: Any) -> None:
    if source is None:
        return
    found = source.get_object()
    for key in found:
        if key not in into:
            into[NameObject(key)] = found.raw_get(key).clone(writer)


def finished(writer: PdfWriter, *, title: str, author: str, language: str,
             subject: str = "") -> bytes:
    """The joined PDF's bytes, with what a reader and a screen reader need to open it well:
    its title (shown in the window's title bar), author, language, and the bookmarks
    panel open."""
    import io

    metadata = {"/Title": title, "/Author": author or title,
                "/Creator": "Attendance Casework for Microsoft 365"}
    if subject:
        metadata["/Subject"] = subject
    writer.add_metadata(metadata)
    root = writer._root_object
    root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)})
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

