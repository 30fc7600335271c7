"""What makes a PDF tagged, checked the way an accessibility checker does (ISO 14289 /
PDF/UA-1 7.1: "all content shall be marked in the structure tree or as an artifact"), for
the tests of the evidence bundle, and small PDFs to join, made by hand.

``tagging_problems`` returns what is wrong, in words, and an empty list for a tagged PDF:
- the catalogue says ``/MarkInfo /Marked true`` and has a ``/StructTreeRoot``;
- every text drawn on a page is inside marked content that has an MCID or is an Artifact;
- every MCID on a page is claimed by exactly one structure element (through its ``/K``, with
  the element's or the reference's ``/Pg``), and every claim is on its page;
- the parent tree, looked up by the page's ``/StructParents`` and the MCID, gives the element
  that claims it;
- every element's ``/P`` is its parent.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

TEXT_OPERATORS = {b"Tj", b"TJ", b"'", b'"'}


def tagging_problems(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.root_object
    problems: list[str] = []
    if not (root.get("/MarkInfo") or {}).get("/Marked"):
        problems.append("the catalogue does not say /MarkInfo /Marked true")
    if "/StructTreeRoot" not in root:
        return [*problems, "there is no structure tree"]
    tree = root["/StructTreeRoot"].get_object()
    claims: dict[tuple[int, int], int] = {}
    for elem_ref, elem, parent in walk(tree):
        if elem.get("/P") != parent:
            problems.append(f"element {elem_ref.idnum} ({elem.get('/S')}) has the wrong /P")
        for page, mcid in claimed(elem):
            if (page, mcid) in claims:
                problems.append(f"MCID {mcid} on object {page} is claimed twice")
            claims[(page, mcid)] = elem_ref.idnum
    parent_tree = dict(number_tree(tree["/ParentTree"].get_object()))
    drawn: set[tuple[int, int]] = set()
    for n, page in enumerate(reader.pages, start=1):
        ref = page.indirect_reference
        assert ref is not None
        mcids, unmarked = marked_content(page, reader)
        if unmarked:
            problems.append(f"page {n}: {unmarked} text drawn outside tagged or artifact content")
        drawn |= {(ref.idnum, m) for m in mcids}
        if mcids and "/StructParents" not in page:
            problems.append(f"page {n} has marked content but no /StructParents")
            continue
        entry = parent_tree.get(int(page.get("/StructParents", -1)))
        found = entry.get_object() if isinstance(entry, IndirectObject) else entry
        for mcid in mcids:
            owner = claims.get((ref.idnum, mcid))
            if owner is None:
                problems.append(f"page {n}: MCID {mcid} is claimed by no element")
            elif not isinstance(found, ArrayObject) or mcid >= len(found) or \
                    getattr(found[mcid], "idnum", None) != owner:
                problems.append(f"page {n}: the parent tree does not give MCID {mcid}'s element")
    for page_id, mcid in sorted(set(claims) - drawn):
        problems.append(f"an element claims MCID {mcid} on object {page_id}, not on the page")
    return problems


def walk(tree: DictionaryObject) -> Iterator[tuple[IndirectObject, DictionaryObject, Any]]:
    """(reference, element, the reference its /P should be) for every structure element."""
    stack: list[tuple[Any, Any]] = [(kid, tree.indirect_reference) for kid in kids_of(tree)]
    while stack:
        kid, parent = stack.pop()
        if not isinstance(kid, IndirectObject):
            continue
        elem = kid.get_object()
        if not isinstance(elem, DictionaryObject) or "/S" not in elem:
            continue
        yield kid, elem, parent
        stack.extend((k, kid) for k in kids_of(elem))


def kids_of(node: DictionaryObject) -> list[Any]:
    k = node.get("/K")
    if k is None:
        return []
    found = k.get_object() if isinstance(k, IndirectObject) else k
    return list(node.raw_get("/K").get_object()) if isinstance(found, ArrayObject) else \
        [node.raw_get("/K")]


def claimed(elem: DictionaryObject) -> Iterator[tuple[int, int]]:
    page = elem.raw_get("/Pg") if "/Pg" in elem else None
    for kid in kids_of(elem):
        value = kid.get_object() if isinstance(kid, IndirectObject) else kid
        if isinstance(value, int):
            assert page is not None, f"MCID {value} in an element without /Pg"
            yield page.idnum, int(value)
        elif isinstance(value, DictionaryObject) and value.get("/Type") == "/MCR":
            on = value.raw_get("/Pg") if "/Pg" in value else page
            yield on.idnum, int(value["/MCID"])


def number_tree(node: DictionaryObject) -> Iterator[tuple[int, Any]]:
    nums = list(node.get("/Nums", []))
    for i in range(0, len(nums) - 1, 2):
        yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", []):
        yield from number_tree(kid.get_object())


def marked_content(page: Any, reader: PdfReader) -> tuple[list[int], int]:
    """The MCIDs on the page, and how many text operators are outside marked content that
    has an MCID or is an Artifact."""
    contents = page.get_contents()
    if contents is None:
        return [], 0
    stack: list[bool] = []  # True: this sequence, or one around it, is tagged or artifact
    mcids: list[int] = []
    unmarked = 0
    for operands, operator in ContentStream(contents, reader).operations:
        if operator in (b"BDC", b"BMC"):
            tag = operands[0]
            props = operands[1] if operator == b"BDC" else None
            props = props.get_object() if isinstance(props, IndirectObject) else props
            mcid = props.get("/MCID") if isinstance(props, DictionaryObject) else None
            if mcid is not None:
                mcids.append(int(mcid))
            stack.append((bool(stack) and stack[-1]) or tag == "/Artifact" or mcid is not None)
        elif operator == b"EMC":
            if stack:
                stack.pop()
        elif operator in TEXT_OPERATORS and not (stack and stack[-1]):
            unmarked += 1
    return mcids, unmarked


def structure_outline(pdf: bytes, depth: int = 2) -> list[tuple[str, str]]:
    """(type, title) of the elements down to ``depth`` levels, in reading order."""
    reader = PdfReader(io.BytesIO(pdf))
    tree = reader.root_object["/StructTreeRoot"].get_object()
    out: list[tuple[str, str]] = []

    def visit(node: DictionaryObject, level: int) -> None:
        for kid in kids_of(node):
            value = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(value, DictionaryObject) and "/S" in value:
                out.append((str(value["/S"]), str(value.get("/T", ""))))
                if level < depth:
                    visit(value, level + 1)

    visit(tree, 1)
    return out


def element_types(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [str(e["/S"]) for _, e, _ in walk(reader.root_object["/StructTreeRoot"].get_object())]


# Small PDFs made by hand, one A4 page per entry.

def _page(writer: PdfWriter, content: bytes) -> Any:
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): font})})
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    return page


def _text(line: str, y: float = 700, x: float = 72, size: float = 12) -> bytes:
    """Latin-1 text drawn in Helvetica (what cannot be written in Latin-1 becomes "?")."""
    text = (line.encode("latin-1", "replace").decode("latin-1")
            .replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
    return f"BT /F1 {size:g} Tf {x:g} {y:g} Td ({text}) Tj ET".encode("latin-1")


Drawn = tuple[str, str, float, float, float]  # structure type, text, x, y, font size


def tagged_pages(pages: Sequence[Sequence[Drawn]], *, rule: bool = True) -> bytes:
    """A tagged PDF: a page per entry, each of its texts its own element (``/P``,
    ``/H1``...), with an artifact rule at the top of every page when ``rule``."""
    writer = PdfWriter()
    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = writer._add_object(tree)
    doc = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                            NameObject("/S"): NameObject("/Document"),
                            NameObject("/P"): tree_ref})
    doc_ref = writer._add_object(doc)
    kids, nums = ArrayObject(), ArrayObject()
    for n, drawn in enumerate(pages):
        parts = [b"/Artifact BMC 72 800 m 520 800 l S EMC"] if rule else []
        for mcid, (tag, text, x, y, size) in enumerate(drawn):
            parts.append(f"{tag} <</MCID {mcid}>> BDC ".encode() + _text(text, y, x, size)
                         + b" EMC")
        page = _page(writer, b"\n".join(parts))
        page[NameObject("/StructParents")] = NumberObject(n)
        refs = ArrayObject()
        for mcid, (tag, *_) in enumerate(drawn):
            elem = DictionaryObject({NameObject("/Type"): NameObject("/StructElem"),
                                     NameObject("/S"): NameObject(tag),
                                     NameObject("/P"): doc_ref,
                                     NameObject("/Pg"): page.indirect_reference,
                                     NameObject("/K"): NumberObject(mcid)})
            ref = writer._add_object(elem)
            kids.append(ref)
            refs.append(ref)
        nums.extend([NumberObject(n), refs])
    doc[NameObject("/K")] = kids
    tree[NameObject("/K")] = doc_ref
    tree[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): nums}))
    tree[NameObject("/ParentTreeNextKey")] = NumberObject(len(pages))
    writer._root_object[NameObject("/StructTreeRoot")] = tree_ref
    writer._root_object[NameObject("/MarkInfo")] = DictionaryObject(
        {NameObject("/Marked"): BooleanObject(True)})
    writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tagged_pdf(paragraphs: list[str], heading: str = "") -> bytes:
    """A tagged PDF: a page per paragraph, each a P element (the first page also an H1 when
    ``heading`` is given), with an artifact rule at the top of every page."""
    return tagged_pages([
        ([("/H1", heading, 72, 740, 12)] if heading and n == 0 else [])
        + [("/P", text, 72, 700, 12)] for n, text in enumerate(paragraphs)])


def untagged_pdf(pages: list[str]) -> bytes:
    """A PDF with no tags (as a scanner or an untagging converter makes): a page per entry,
    its text drawn plainly, or, for an empty entry, only a grey box (a scan's picture)."""
    writer = PdfWriter()
    for text in pages:
        _page(writer, _text(text) if text else b"0.5 g 72 72 451 698 re f")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
