"""The document library: folders and conflicts, uploads, content, files on disk, listItem."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from function_app.devtenant import DevTenant, pdf

from .helpers import Graph, unique

pytestmark = pytest.mark.integration

FRAGMENT = 320 * 1024


def _folder(graph: Graph, parent: str, name: str, behaviour: str | None) -> tuple[int, Any]:
    body: dict[str, object] = {"name": name, "folder": {}}
    if behaviour:
        body["@microsoft.graph.conflictBehavior"] = behaviour
    answer = graph.post(f"/drives/{graph.drive_id()}/items/{parent}/children", body)
    return answer.status, answer.json()


def test_folder_conflicts_fail_replace_and_rename(graph: Graph, tenant: DevTenant) -> None:
    """A taken name is 409 (fail), the same folder 200 (replace), "name 1" (rename)."""
    root = graph.get(f"/drives/{graph.drive_id()}/root").json()["id"]
    name = unique("Case")
    status, made = _folder(graph, root, name, "fail")
    assert status == 201
    assert made["folder"] == {"childCount": 0}
    graph.put(f"/drives/{graph.drive_id()}/items/{made['id']}:/inside.txt:/content", b"keep me")
    status, clash = _folder(graph, root, name, "fail")
    assert (status, clash["error"]["code"]) == (409, "nameAlreadyExists")
    status, _ = _folder(graph, root, name.upper(), None)
    assert status == 409, "names compare case-insensitively and fail is the default"
    status, same = _folder(graph, root, name, "replace")
    assert (status, same["id"], same["folder"]["childCount"]) == (200, made["id"], 1)
    status, renamed = _folder(graph, root, name, "rename")
    assert (status, renamed["name"]) == (201, f"{name} 1")
    status, again = _folder(graph, root, name, "rename")
    assert again["name"] == f"{name} 2"
    assert (tenant.files_root / name / "inside.txt").read_bytes() == b"keep me"
    assert (tenant.files_root / f"{name} 2").is_dir()


def test_small_upload_creates_folders_and_a_real_file(graph: Graph, tenant: DevTenant) -> None:
    """PUT by path makes missing folders and writes a file a person can open, accents and all."""
    folder = unique("Cases")
    path = f"{folder}/C-001 O'Brien/Zoë's letter.docx"
    data = b"PK\x03\x04 a small document"
    got = graph.put(f"/sites/{tenant.site_id}/drive/root:/{path}:/content", data)
    assert got.status == 201
    item = got.json()
    assert item["name"] == "Zoë's letter.docx"
    assert item["file"]["mimeType"].endswith("wordprocessingml.document")
    assert item["parentReference"]["path"].endswith(f"root:/{folder}/C-001 O'Brien")
    on_disk = tenant.files_root / folder / "C-001 O'Brien" / "Zoë's letter.docx"
    assert on_disk.read_bytes() == data
    download = graph.get(f"/drives/{graph.drive_id()}/items/{item['id']}/content")
    assert download.status == 302
    fetched = graph.get(download.headers["Location"], auth=False)
    assert fetched.body == data
    assert graph.get(item["@microsoft.graph.downloadUrl"], auth=False).body == data


def test_upload_by_parent_id_then_replace_keeps_the_id(graph: Graph, tenant: DevTenant) -> None:
    """PUT {parent-id}:/{name}:/content makes a file (201); again replaces it (200), version up."""
    drive = graph.drive_id()
    _, folder = _folder(graph, "root", unique("Replace"), "fail")
    url = f"/drives/{drive}/items/{folder['id']}:/report.txt:/content"
    first = graph.put(url, b"one")
    second = graph.put(url, b"two, longer")
    assert (first.status, second.status) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert second.json()["size"] == len(b"two, longer")
    assert first.json()["cTag"] != second.json()["cTag"]
    by_id = graph.put(f"/drives/{drive}/items/{first.json()['id']}/content", b"three")
    assert by_id.status == 200
    clash = graph.put(f"{url}?@microsoft.graph.conflictBehavior=fail", b"four")
    assert clash.status == 409
    renamed = graph.put(f"{url}?@microsoft.graph.conflictBehavior=rename", b"five")
    assert renamed.json()["name"] == "report 1.txt"


def test_simple_upload_over_4_mb_is_refused(graph: Graph, tenant: DevTenant) -> None:
    """PUT .../content with more than 4 MB is 413: large files need an upload session."""
    big = b"x" * (4 * 1024 * 1024 + 1)
    got = graph.put(f"/sites/{tenant.site_id}/drive/root:/{unique('big')}.bin:/content", big)
    assert got.status == 413


def test_upload_session_over_4_mb_in_ranges(graph: Graph, tenant: DevTenant) -> None:
    """A 5 MB file goes up in 320 KiB-multiple ranges: 202s with nextExpectedRanges, then 201."""
    data = hashlib.sha256(b"seed").digest() * (5 * 1024 * 1024 // 32 + 7)
    name = unique("Large") + ".bin"
    session = graph.post(
        f"/sites/{tenant.site_id}/drive/root:/Uploads/{name}:/createUploadSession",
        {"item": {"@microsoft.graph.conflictBehavior": "fail"}},
    ).json()
    url = session["uploadUrl"]
    assert session["nextExpectedRanges"] == ["0-"]
    step = 5 * FRAGMENT
    start = 0
    answers = []
    while start < len(data):
        chunk = data[start : start + step]
        end = start + len(chunk) - 1
        answer = graph.put(
            url, chunk, auth=False, headers={"Content-Range": f"bytes {start}-{end}/{len(data)}"}
        )
        answers.append(answer.status)
        if answer.status == 202:
            assert answer.json()["nextExpectedRanges"] == [f"{end + 1}-"]
        start = end + 1
    assert answers[:-1] == [202] * (len(answers) - 1) and answers[-1] == 201
    assert (tenant.files_root / "Uploads" / name).read_bytes() == data
    assert graph.get(url, auth=False).status == 404, "a finished session is gone"


def test_upload_session_rules_out_of_order_and_odd_sizes(graph: Graph, tenant: DevTenant) -> None:
    """A range other than the next expected is 416; a middle one not a 320 KiB multiple, 400."""
    data = b"y" * (3 * FRAGMENT)
    session = graph.post(
        f"/sites/{tenant.site_id}/drive/root:/{unique('rules')}.bin:/createUploadSession", {}
    ).json()
    url = session["uploadUrl"]
    total = len(data)
    skipped = graph.put(
        url,
        data[FRAGMENT : 2 * FRAGMENT],
        auth=False,
        headers={"Content-Range": f"bytes {FRAGMENT}-{2 * FRAGMENT - 1}/{total}"},
    )
    assert skipped.status == 416
    odd = graph.put(url, data[:1000], auth=False, headers={"Content-Range": f"bytes 0-999/{total}"})
    assert odd.status == 400
    first = graph.put(
        url,
        data[:FRAGMENT],
        auth=False,
        headers={"Content-Range": f"bytes 0-{FRAGMENT - 1}/{total}"},
    )
    assert first.status == 202
    repeated = graph.put(
        url,
        data[:FRAGMENT],
        auth=False,
        headers={"Content-Range": f"bytes 0-{FRAGMENT - 1}/{total}"},
    )
    assert repeated.status == 416
    assert graph.delete(url, auth=False).status == 204


def test_library_columns_are_set_on_a_file_through_its_list_item(
    graph: Graph, tenant: DevTenant
) -> None:
    """A library column added to Documents is set by PATCH .../listItem/fields on a file."""
    columns = f"/sites/{tenant.site_id}/lists/Documents/columns"
    names = {c["name"] for c in graph.get(columns).json()["value"]}
    if "DocumentKind" not in names:
        graph.post(columns, {"name": "DocumentKind", "choice": {"choices": ["Letter", "Plan"]}})
        graph.post(columns, {"name": "CaseRef", "text": {}, "indexed": True})
    drive = graph.drive_id()
    file = graph.put(f"/drives/{drive}/root:/{unique('Columns')}/plan.docx:/content", b"d").json()
    url = f"/drives/{drive}/items/{file['id']}/listItem/fields"
    patched = graph.patch(url, {"DocumentKind": "Plan", "CaseRef": "C-001"})
    assert patched.status == 200
    assert patched.json()["DocumentKind"] == "Plan"
    assert patched.json()["FileLeafRef"] == "plan.docx"
    item = graph.get(f"/drives/{drive}/items/{file['id']}/listItem?expand=fields").json()
    assert item["fields"]["CaseRef"] == "C-001"
    assert item["contentType"]["name"] == "Document"
    assert graph.patch(url, {"DocumentKind": "Poem"}).status == 400
    by_list = graph.get(
        f"/sites/{tenant.site_id}/lists/Documents/items?$expand=fields"
        "&$filter=fields/CaseRef eq 'C-001'"
    ).json()["value"]
    assert [i["fields"]["FileLeafRef"] for i in by_list] == ["plan.docx"]


def test_children_list_and_delete_removes_files(graph: Graph, tenant: DevTenant) -> None:
    """Children page with $top; deleting a folder removes its items and its files on disk."""
    drive = graph.drive_id()
    folder = unique("Tree")
    for n in range(3):
        graph.put(f"/drives/{drive}/root:/{folder}/f{n}.txt:/content", b"x")
    page = graph.get(f"/drives/{drive}/root:/{folder}:/children?$top=2").json()
    names = [c["name"] for c in page["value"]]
    names += [c["name"] for c in graph.get(page["@odata.nextLink"]).json()["value"]]
    assert names == ["f0.txt", "f1.txt", "f2.txt"]
    item = graph.get(f"/drives/{drive}/root:/{folder}").json()
    assert item["folder"]["childCount"] == 3
    assert item["size"] == 3
    assert graph.delete(f"/drives/{drive}/items/{item['id']}").status == 204
    assert not (tenant.files_root / folder).exists()
    assert graph.get(f"/drives/{drive}/root:/{folder}/f0.txt").status == 404


def test_names_sharepoint_refuses_are_400(graph: Graph, tenant: DevTenant) -> None:
    """Names with characters SharePoint forbids, or reserved names, are refused with 400."""
    drive = graph.drive_id()
    for name in ("a*b.txt", "what?.txt", "CON", "trailing.", "~$lock.docx"):
        assert (
            graph.post(f"/drives/{drive}/root/children", {"name": name, "folder": {}}).status == 400
        )


def test_pdf_conversion_is_406_without_libreoffice(
    graph: Graph, tenant: DevTenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET .../content?format=pdf answers 406 when soffice is not installed."""
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    drive = graph.drive_id()
    file = graph.put(f"/drives/{drive}/root:/{unique('NoPdf')}.docx:/content", b"d").json()
    got = graph.get(f"/drives/{drive}/items/{file['id']}/content?format=pdf")
    assert got.status == 406
    text = graph.put(f"/drives/{drive}/root:/{unique('NoPdf')}.txt:/content", b"d").json()
    assert graph.get(f"/drives/{drive}/items/{text['id']}/content?format=pdf").status == 406


@pytest.mark.libreoffice
@pytest.mark.skipif(pdf.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_conversion_redirects_to_a_pdf(graph: Graph, tenant: DevTenant) -> None:
    """With LibreOffice, ?format=pdf is 302 to a download URL serving a PDF, as documented."""
    from docx import Document

    document = Document()
    document.add_paragraph("Attendance review for Zoë O'Brien")
    target = tenant.data_dir / "convert-me.docx"
    document.save(str(target))
    drive = graph.drive_id()
    file = graph.put(f"/drives/{drive}/root:/{unique('Pdf')}.docx:/content", target.read_bytes())
    got = graph.get(f"/drives/{drive}/items/{file.json()['id']}/content?format=pdf")
    assert got.status == 302
    assert got.body == b""
    converted = graph.get(got.headers["Location"], auth=False)
    assert converted.status == 200
    assert converted.body.startswith(b"%PDF")
