"""The notices a request issued, in one print pack for the LA's post (issue 19, point 3:
"served by post through the delivery route"): "2026-12-11 Letters to post.pdf" in the
Penalty Notices library's "Notices to post" folder, made by the same print pack as
schools' letters (``documents.print_pack``: a cover listing them, each notice on a new
sheet for a DL window envelope). Filed once per request (``Filer.file``, never over an
earlier pack); the register's note for each notice says which pack and page to post.

Each notice is Graph's PDF of the filed .docx (``?format=pdf``): where Graph cannot convert
(the dev tenant without LibreOffice: 406) no pack is made and the note asks the officer to
print each notice from the library instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from function_app.adapters.graph.errors import GraphError
from function_app.adapters.graph.records import DriveItem
from function_app.documents.print_pack import PackLetter, PrintPackError, make_print_pack
from function_app.services.filing import Filer, Outcome

FOLDER = "Notices to post"
COVER = "Cover of the latest print pack.docx"  # only the way to the cover's PDF
NOTICE_TITLE = "Penalty notice"


class NoticeFiles(Protocol):
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def upload(self, folder_path: str, name: str, content: bytes,
                     conflict: str = "replace") -> DriveItem: ...


@dataclass(frozen=True, slots=True)
class ToPost:
    """A notice issued, as filed: its number, to whom, its case and its file's id."""

    number: str
    recipient: str
    case_ref: str
    item_id: str


async def post_notices(la: NoticeFiles, filer: Filer, request: str, notices: Sequence[ToPost],
                       authority: str, today: date) -> str:
    """The request's notices in one print pack, filed once; what the register's note says
    of them ('' when there is nothing to post). GraphError other than 406 is raised, so
    the decision is acted on again at the next run."""
    if not notices:
        return ""
    try:
        letters = [PackLetter(n.case_ref, NOTICE_TITLE, n.recipient,
                              pdf=await la.download(n.item_id, as_pdf=True), document=n.number)
                   for n in notices]
        pack = await make_print_pack(letters, authority, today, _cover(la))
    except GraphError as exc:
        if exc.status != 406:
            raise
        return ("Print it from the Penalty Notices library and post it today, first class: "
                "no print pack could be made here (Graph could not convert it to PDF).")
    except PrintPackError as exc:
        return f"Print it from the Penalty Notices library and post it today: {exc}"
    digest = hashlib.sha256("\n".join(n.number for n in notices).encode()).hexdigest()[:16]
    filing = await filer.file(f"penalty-pack/{request}", FOLDER, pack.file_name, pack.pdf,
                              {"DocumentKind": "penalty_notices_to_post",
                               "SourceVersion": digest}, replaces=False)
    if filing.outcome is Outcome.PENDING:
        raise GraphError("the request's print pack is being filed by another run", 409)
    return (f"In the print pack \u201c{filing.name or pack.file_name}\u201d ({FOLDER}): "
            "print it, post each notice today, first class.")


def _cover(la: NoticeFiles) -> Any:
    async def convert(docx: bytes) -> bytes:
        cover = await la.upload(FOLDER, COVER, docx)
        return await la.download(cover.id, as_pdf=True)
    return convert
