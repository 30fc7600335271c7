"""Upload-session and download URLs (pre-authenticated, outside /v1.0) and createUploadSession."""

from __future__ import annotations

from urllib.parse import quote

from .backend import Backend
from .calls import Call, Reply, no_content
from .errors import bad_request, not_found
from .library import mime_type
from .pdf import cached_pdf
from .router import Route
from .routes_drive import BASES, address
from .uploads import cancel, commit, create_session, load, put_range, status


async def create_upload_session(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    drive, base, path = address(b, p)
    return create_session(b, call, drive, base, path)


async def upload_put(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    return put_range(b, call, load(b, p["session-id"]))


async def upload_status(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    return status(b, load(b, p["session-id"]))


async def upload_commit(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    session = load(b, p["session-id"])
    if call.body:
        raise bad_request("Commit an upload session with an empty POST.")
    return commit(b, session)


async def upload_cancel(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    load(b, p["session-id"])
    cancel(b, p["session-id"])
    return no_content()


async def download(b: Backend, call: Call, p: dict[str, str]) -> Reply:
    kind, drive_id, item_id = b.check_download(p["token"])
    drive = b.drive(drive_id)
    item = b.library.item(drive, item_id)
    if item is None or item.is_folder:
        raise not_found("The file no longer exists.")
    if kind == "pdf":
        path = cached_pdf(b.data_dir, item)
        if not path.exists():
            raise not_found("The converted file is no longer available; ask for it again.")
        disposition = item.name.rpartition(".")[0] + ".pdf"
        return Reply(
            200, file=path, content_type="application/pdf", headers=_attachment(disposition)
        )
    return Reply(
        200,
        file=b.library.disk_path(drive, item),
        content_type=mime_type(item.name),
        headers=_attachment(item.name),
    )


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


GRAPH_ROUTES = [
    Route("POST", f"{base}{suffix}/createUploadSession", create_upload_session)
    for base in BASES
    for suffix in ("", ":/{path}:")
]

DIRECT_ROUTES = [
    Route("PUT", "/upload/{session-id}", upload_put),
    Route("GET", "/upload/{session-id}", upload_status),
    Route("POST", "/upload/{session-id}", upload_commit),
    Route("DELETE", "/upload/{session-id}", upload_cancel),
    Route("GET", "/download/{token}", download),
]
