"""Text people really type, and text that breaks naive templating: the hostile corpus.

Used by ``casework templates check`` (every template must render it) and by the tests
(every free-text field must come back from the document exactly as typed, apart from the
documented rule in ``xml_text``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_HAND_PICKED = [
    "Smith & Co <note>",
    "O'Brien-Ní Bhriain",
    'She said "I can\'t face it" & left',
    "{{ 7*7 }}",
    "{% if true %}yes{% endif %}",
    "{%p if x %}",
    "{%tr for a in b %}",
    "{# comment #}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{_{ not a tag }_}",
    "<w:p><w:r><w:t>injected</w:t></w:r></w:p>",
    "</w:t></w:r></w:p></w:body>",
    "]]><![CDATA[x",
    "&amp; &lt; &#x41; &nbsp;",
    "<script>alert(1)</script>",
    "Line one\nLine two\nLine three",
    "Tab\tseparated\tvalues",
    "Windows\r\nline ending",
    "Trailing spaces   ",
    "   Leading spaces",
    "Double  space",
    "Emoji 😀👨‍👩‍👧‍👦🏳️‍🌈",
    "Right-to-left: مرحبا بالعالم and שלום",
    "Mixed \u202eright-to-left override\u202c text",
    "Combining: e\u0301 a\u0308 n\u0303 Z\u0335\u0321\u0317",
    "Zero width\u200bspace and joiner\u200d",
    "Non-breaking\u00a0space",
    "Soft\u00adhyphen",
    "Ligature ﬁ and full-width ＡＢＣ",
    "Chinese 你好 Japanese こんにちは Korean 안녕하세요",
    "Devanagari नमस्ते Tamil வணக்கம்",
    "Welsh: Ysgol Gymraeg ŵ ŷ",
    "Polish: Zażółć gęślą jaźń",
    "Maths: ∑ ∞ ≤ ≥ ≠ ±",
    "Currency: £80 €10 $5 ¥3",
    "Quotes: ‘single’ “double” «guillemets»",
    "Dashes – — ‐",
    "Ellipsis… and bullet •",
    "Backslash \\ and slash /",
    "Percent 100% and hash #",
    "Null\x00byte",
    "Bell\x07and escape\x1b[31m",
    "Vertical\x0btab",
    "Form\x0cfeed",
    "Lone surrogate \ud800 here",
    "Non-character \ufffe\uffff",
    "None",
    "null",
    "undefined",
    "0",
    "False",
    "",
    " ",
    "A" * 20_000,
    ("The quick brown fox & the <lazy> dog {{ jumped }}. " * 400)[:20_000],
]

_FRAGMENTS = ["&", "<", ">", "\"", "'", "{{", "}}", "{%", "%}", "{#", "#}", "\n", "\t",
              "😀", "مرحبا", "e\u0301", "\x01", "\u200b", "£", "]]>"]


def corpus() -> list[str]:
    """At least 200 strings: the hand-picked ones and every pair of awkward fragments."""
    strings = list(_HAND_PICKED)
    for i, first in enumerate(_FRAGMENTS):
        for second in _FRAGMENTS[i:i + 10]:
            strings.append(f"Before {first}middle{second} after")
    return strings


def hostile_copy(context: Any, strings: Iterator[str]) -> Any:
    """The same context with every text value replaced by the next hostile string."""
    if isinstance(context, dict):
        return {k: hostile_copy(v, strings) for k, v in context.items()}
    if isinstance(context, list):
        return [hostile_copy(v, strings) for v in context]
    if isinstance(context, str):
        return next(strings)
    return context
