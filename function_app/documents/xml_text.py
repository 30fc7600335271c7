"""Typed text made safe for WordprocessingML, without changing what the person typed.

The rule (documented in docs/documents.md):
- Characters XML 1.0 forbids cannot be stored in a .docx at all. C0 control characters
  other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF are
  removed.
- A carriage return followed by a line feed is one line break; a lone carriage return,
  a vertical tab (Word's manual line break when pasted) and a form feed are line breaks.
- A line break becomes a Word line break (<w:br/>) and a tab a Word tab (<w:tab/>), in the
  same run, so the text keeps its formatting.
- Everything else, including &, <, {{ }}, emoji, right-to-left text and combining marks,
  is kept exactly: it is escaped as XML character data, never interpreted.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_FORBIDDEN = re.compile(
    "[\x00-\x08\x0e-\x1f\ufffe\uffff\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c]")
BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
TAB = '</w:t><w:tab/><w:t xml:space="preserve">'


def clean(text: str) -> str:
    """The text as it will read in the document (forbidden characters gone, breaks unified)."""
    return _FORBIDDEN.sub("", _LINE_BREAKS.sub("\n", text))


def as_run_text(value: object) -> Markup:
    """Escape a value for the inside of <w:t>, keeping line breaks and tabs as Word's own.

    Markup (XML we built ourselves) is trusted and only has its breaks translated.
    """
    if value is None:
        return Markup("")
    trusted = isinstance(value, Markup)
    text = clean(str(value)) if trusted else str(escape(clean(str(value))))
    if "\n" in text or "\t" in text:
        text = text.replace("\n", BREAK).replace("\t", TAB)
    return Markup(text)
