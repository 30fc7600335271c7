"""Sending mail: POST /users/{userPrincipalName}/sendMail (and /me/sendMail) as documented
(user-sendmail.md), each accepted message kept as an .eml file, refusals as Exchange
answers them, Exchange Online's sending limits and the mailboxes the app may send as."""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from function_app.devtenant import DevTenant
from function_app.devtenant.mail_sink import MESSAGES_PER_MINUTE, MailPacer
from function_app.devtenant.routes_mail import MAX_ATTACHMENT_BYTES, SAVE_HEADER

from .helpers import Graph, Response, example

pytestmark = pytest.mark.integration

OFFICER = "Oak Attendance Officer"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sendmail")


@pytest.fixture(scope="module")
def tenant(folder: Path) -> Iterator[DevTenant]:
    with DevTenant(folder / "tenant") as running:
        yield running


@pytest.fixture
def graph(tenant: DevTenant) -> Iterator[Graph]:
    client = Graph(tenant)
    yield client
    client.close()


def mailbox() -> str:
    """A mailbox of its own for each test, so sending limits and folders do not mix."""
    return f"office-{uuid.uuid4().hex[:8]}@oak-primary.sch.uk"


def letter(to: str = "parent@example.org", **extra: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "subject": "Attendance: a letter about Sam",
        "body": {"contentType": "Text", "content": "Please read the attached letter."},
        "toRecipients": [{"emailAddress": {"address": to, "name": "A Parent"}}],
        **extra,
    }
    return {"message": message}


def send(graph: Graph, box: str, body: Any) -> Response:
    return graph.post(f"/users/{box}/sendMail", body)


def attachment(name: str, data: bytes, content_type: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.fileAttachment", "name": name,
            "contentType": content_type, "contentBytes": base64.b64encode(data).decode()}


def assert_error(reply: Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status == status, reply.body
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == code
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])
    return error


# -- the documented examples ------------------------------------------------------------------

def test_the_documented_json_examples_are_accepted_and_kept(tenant: DevTenant,
                                                            graph: Graph) -> None:
    documented = example("user-sendmail")
    box = mailbox()
    bodies = [documented["request"]["body"],
              documented["examples"]["with_headers"]["request"]["body"],
              documented["examples"]["with_attachment"]["request"]["body"]]
    for body in bodies:
        reply = send(graph, box, body)
        assert reply.status == documented["response"]["status"] == 202
        assert reply.body == b""
    first, second, third = tenant.sent_mail(box)

    assert first["From"] == box
    assert first["Subject"] == "Meet for lunch?"
    assert first["To"] == "frannis@contoso.com" and first["Cc"] == "danas@contoso.com"
    assert first.get_content_type() == "text/plain"
    assert first.get_content().strip() == "The new cafeteria is open."
    assert first[SAVE_HEADER] == "false"  # the page sends the string "false"

    assert second.get_content_type() == "text/html"
    assert second["x-custom-header-group-name"] == "Nevada"
    assert second["x-custom-header-group-id"] == "NV001"
    assert second[SAVE_HEADER] == "true"

    parts = list(third.iter_attachments())
    assert [p.get_filename() for p in parts] == ["attachment.txt"]
    assert parts[0].get_content_type() == "text/plain"
    assert parts[0].get_payload(decode=True) == b"Hello World!"


def test_the_documented_mime_example_is_accepted_and_bad_base64_refused(
        tenant: DevTenant, graph: Graph) -> None:
    documented = example("user-sendmail")["examples"]
    mime = documented["mime"]["request"]["body"].encode("ascii")
    box = "adelev@contoso.com"  # the example's From
    reply = graph.request("POST", f"/users/{box}/sendMail", data=mime,
                          headers={"Content-Type": "text/plain"})
    assert reply.status == 202, reply.body
    kept = tenant.sent_mail(box)[-1]
    assert kept["Subject"] == "Test Message"
    assert [p.get_filename() for p in kept.iter_attachments()] == ["test.txt"]

    refused = graph.request("POST", f"/users/{box}/sendMail", data=b"not base64 at all!",
                            headers={"Content-Type": "text/plain"})
    error = assert_error(refused, 400, "ErrorMimeContentInvalidBase64String")
    assert error["message"] == \
        documented["mime_invalid_base64"]["response"]["body"]["error"]["message"]


def test_a_member_of_staff_sends_as_themselves_through_me(tenant: DevTenant) -> None:
    staff = Graph(tenant, tenant.user_token(OFFICER))
    try:
        reply = staff.post("/me/sendMail", example("user-sendmail")["request"]["body"])
        assert reply.status == 202, reply.body
        own = tenant.user_email(OFFICER)
        assert tenant.sent_mail(own)[-1]["From"] == own
        assert staff.post(f"/users/{own}/sendMail", letter()).status == 202
    finally:
        staff.close()


# -- what is kept ---------------------------------------------------------------------------

def test_each_message_is_an_eml_file_with_the_attachment_bytes_identical(
        tenant: DevTenant, graph: Graph, folder: Path) -> None:
    box = mailbox()
    pdf = b"%PDF-1.7\n" + os.urandom(200_000) + b"\n%%EOF\n"
    body = letter(attachments=[attachment("Letter to parents.pdf", pdf, "application/pdf")])
    body["message"]["ccRecipients"] = [{"emailAddress": {"address": "other.parent@example.org",
                                                         "name": "Ó Súilleabháin"}}]
    body["message"]["bccRecipients"] = [{"emailAddress": {"address": "records@oak.sch.uk"}}]
    assert send(graph, box, body).status == 202

    assert tenant.mail_dir == folder / "mail"  # beside the data folder, as in the demo
    [path] = tenant.sent_mail_files(box)
    assert path.parent == folder / "mail" / box and path.suffix == ".eml"
    kept = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(kept, EmailMessage)
    assert kept["From"] == box
    assert kept["To"].addresses[0].display_name == "A Parent"
    assert kept["Cc"].addresses[0].display_name == "Ó Súilleabháin"
    assert kept["Bcc"] == "records@oak.sch.uk"
    assert kept["Message-ID"] and kept["Date"]
    [part] = kept.iter_attachments()
    assert part.get_filename() == "Letter to parents.pdf"
    assert part.get_content_type() == "application/pdf"
    assert part.get_payload(decode=True) == pdf
    assert tenant.sent_mail(box)[0]["Subject"] == "Attendance: a letter about Sam"


def test_messages_sort_in_the_order_they_were_sent(tenant: DevTenant, graph: Graph) -> None:
    box = mailbox()
    for n in range(3):
        body = letter()
        body["message"]["subject"] = f"Letter {n}"
        assert send(graph, box, body).status == 202
    assert [m["Subject"] for m in tenant.sent_mail(box)] == ["Letter 0", "Letter 1",
                                                             "Letter 2"]
    assert [m["Subject"] for m in tenant.sent_mail()][-3:] == ["Letter 0", "Letter 1",
                                                               "Letter 2"]


def test_sendmail_works_inside_a_batch(tenant: DevTenant, graph: Graph) -> None:
    box = mailbox()
    batch = {"requests": [{"id": "1", "method": "POST", "url": f"/users/{box}/sendMail",
                           "headers": {"Content-Type": "application/json"},
                           "body": letter()}]}
    reply = graph.post("/$batch", batch)
    assert reply.status == 200, reply.body
    assert reply.json()["responses"][0]["status"] == 202
    assert len(tenant.sent_mail(box)) == 1


# -- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize("recipients", [
    {},
    {"toRecipients": []},
    {"toRecipients": [], "ccRecipients": [], "bccRecipients": []},
])
def test_a_message_without_recipients_is_refused(tenant: DevTenant, graph: Graph,
                                                 recipients: dict[str, Any]) -> None:
    box = mailbox()
    body = letter()
    del body["message"]["toRecipients"]
    body["message"].update(recipients)
    error = assert_error(send(graph, box, body), 400, "ErrorInvalidRecipients")
    assert "contains no recipients" in error["message"]
    assert tenant.sent_mail(box) == []


@pytest.mark.parametrize("address", ["not-an-address", "parent@", "@example.org",
                                     "two@@example.org", "a parent@example.org",
                                     "parent@example", "", None, 42])
def test_an_invalid_recipient_address_is_refused(tenant: DevTenant, graph: Graph,
                                                 address: Any) -> None:
    box = mailbox()
    body = letter()
    body["message"]["ccRecipients"] = [{"emailAddress": {"address": address}}]
    error = assert_error(send(graph, box, body), 400, "ErrorInvalidRecipients")
    assert "isn't resolved" in error["message"]
    assert tenant.sent_mail(box) == []


@pytest.mark.parametrize("change", [
    {"toRecipients": [{"address": "parent@example.org"}]},  # emailAddress missing
    {"toRecipients": "parent@example.org"},
    {"body": {"contentType": "markdown", "content": "x"}},
    {"subject": 7},
    {"attachments": [{"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt",
                      "contentBytes": "not base64!"}]},
    {"attachments": [{"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt"}]},
    {"attachments": [{"@odata.type": "#microsoft.graph.fileAttachment",
                      "contentBytes": "SGk="}]},
    {"internetMessageHeaders": [{"name": "Subject", "value": "sneaky"}]},
])
def test_a_malformed_message_is_refused(tenant: DevTenant, graph: Graph,
                                        change: dict[str, Any]) -> None:
    box = mailbox()
    body = letter(**change)
    assert send(graph, box, body).status == 400
    assert tenant.sent_mail(box) == []


def test_a_body_without_a_message_or_with_a_bad_save_flag_is_refused(graph: Graph) -> None:
    box = mailbox()
    assert send(graph, box, {"subject": "no wrapper"}).status == 400
    assert send(graph, box, {**letter(), "saveToSentItems": "perhaps"}).status == 400


def test_only_file_attachments_are_taken(graph: Graph) -> None:
    item = {"@odata.type": "#microsoft.graph.itemAttachment", "name": "a message"}
    assert_error(send(graph, mailbox(), letter(attachments=[item])), 501, "notSupported")


def test_attachments_up_to_3_mb_in_all_are_taken_and_more_refused(tenant: DevTenant,
                                                                 graph: Graph) -> None:
    box = mailbox()
    exactly = attachment("limit.bin", b"\0" * MAX_ATTACHMENT_BYTES, "application/octet-stream")
    assert send(graph, box, letter(attachments=[exactly])).status == 202

    one_over = attachment("over.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1),
                          "application/octet-stream")
    error = assert_error(send(graph, box, letter(attachments=[one_over])), 413,
                         "ErrorMessageSizeExceeded")
    assert "upload session" in error["message"]

    half = attachment("half.bin", b"\0" * (MAX_ATTACHMENT_BYTES // 2 + 1), "application/pdf")
    assert_error(send(graph, box, letter(attachments=[half, half])), 413,
                 "ErrorMessageSizeExceeded")
    assert len(tenant.sent_mail(box)) == 1


def test_a_from_other_than_the_mailbox_is_refused(graph: Graph) -> None:
    box = mailbox()
    body = letter()
    body["message"]["from"] = {"emailAddress": {"address": "head@oak-primary.sch.uk"}}
    assert_error(send(graph, box, body), 403, "ErrorSendAsDenied")
    body["message"]["from"] = {"emailAddress": {"address": box.upper(), "name": "Oak Office"}}
    assert send(graph, box, body).status == 202


def test_a_user_id_that_is_not_an_address_is_not_found(graph: Graph) -> None:
    assert_error(send(graph, "48d31887-5fad-4d73-a9f5-3c356e68a038", letter()), 404,
                 "ErrorInvalidUser")


def test_me_needs_a_member_of_staffs_token(graph: Graph) -> None:
    reply = graph.post("/me/sendMail", letter())
    assert reply.status == 400
    assert "delegated" in reply.json()["error"]["message"]


# -- who may send as which mailbox ------------------------------------------------------------

def test_the_app_sends_only_as_the_mailboxes_it_is_allowed(tenant: DevTenant,
                                                           graph: Graph) -> None:
    school, other = mailbox(), mailbox()
    tenant.set_mail_senders([school.upper()])
    try:
        error = assert_error(send(graph, other, letter()), 403, "ErrorAccessDenied")
        assert error["message"] == "Access to OData is disabled."  # auth-limit-mailbox-access
        assert send(graph, school, letter()).status == 202
        assert tenant.sent_mail(other) == []
    finally:
        tenant.set_mail_senders(None)
    assert send(graph, other, letter()).status == 202


def test_the_allowed_mailboxes_may_be_given_when_the_tenant_starts(folder: Path) -> None:
    allowed = mailbox()
    with DevTenant(folder / "limited", mail_senders=[allowed]) as limited:
        client = Graph(limited)
        try:
            assert send(client, allowed, letter()).status == 202
            assert send(client, mailbox(), letter()).status == 403
        finally:
            client.close()
        assert len(limited.sent_mail(allowed)) == 1


def test_staff_cannot_send_as_another_mailbox_nor_the_admin_app(tenant: DevTenant) -> None:
    box = mailbox()
    for token in (tenant.user_token(OFFICER), tenant.admin_token):
        client = Graph(tenant, token)
        try:
            error = assert_error(send(client, box, letter()), 403, "ErrorAccessDenied")
            assert error["message"] == "Access is denied. Check credentials and try again."
        finally:
            client.close()
    assert tenant.sent_mail(box) == []


# -- Exchange Online's sending limits ---------------------------------------------------------

def test_over_30_messages_a_minute_answers_429_with_retry_after(tenant: DevTenant,
                                                                graph: Graph) -> None:
    box, other = mailbox(), mailbox()
    for _ in range(MESSAGES_PER_MINUTE):
        assert send(graph, box, letter()).status == 202
    reply = send(graph, box, letter())
    error = assert_error(reply, 429, "ApplicationThrottled")
    assert "30 messages a minute" in error["message"]
    assert 1 <= int(reply.headers["Retry-After"]) <= 60
    assert len(tenant.sent_mail(box)) == MESSAGES_PER_MINUTE  # the refused one is not kept
    assert send(graph, other, letter()).status == 202  # the limit is per mailbox

    tenant.set_mail_pacing(False)
    try:
        assert send(graph, box, letter()).status == 202
    finally:
        tenant.set_mail_pacing(True)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_pacer_counts_messages_a_minute_and_recipients_a_day() -> None:
    clock = Clock()
    pacer = MailPacer(clock=clock)
    for _ in range(30):
        assert pacer.admit("office@oak.sch.uk", 1) is None
    clock.now += 20
    assert pacer.admit("OFFICE@oak.sch.uk", 1) == 40  # until the first leaves the minute
    clock.now += 40
    assert pacer.admit("office@oak.sch.uk", 1) is None

    day = MailPacer(clock=clock)
    for _ in range(20):
        assert day.admit("office@oak.sch.uk", 500) is None
        clock.now += 61
    assert day.admit("office@oak.sch.uk", 1) == 24 * 3600 - 20 * 61  # 10,000 a day
    assert day.admit("another@oak.sch.uk", 500) is None
    clock.now += 24 * 3600
    assert day.admit("office@oak.sch.uk", 500) is None
