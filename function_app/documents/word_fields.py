"""Word fields (PAGE, NUMPAGES) in a python-docx paragraph: begin, instruction, separate,
the value shown until the reader works it out, end. Word and LibreOffice work out the value
on each page. Used by the template builder's footers and the evidence bundle's."""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def add_field(paragraph: Any, instruction: str, shown: str = "1") -> None:
    def run_with(element: Any) -> None:
        paragraph.add_run()._r.append(element)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(text)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)
