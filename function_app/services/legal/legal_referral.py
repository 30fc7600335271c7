"""Prepare the legal referral for a case: read its folder, check readiness, assemble the
evidence bundle (.docx and PDF) into the folder's ``Legal`` subfolder.

Triggered when staff tick "Prepare legal referral" on the Cases item (the change processor
calls ``prepare``) or by ``casework bundle``. A bundle already prepared for the same case
state (the case as the lists hold it, and every source file's SHA-256) is not made again:
the key is claimed in the StateStore like every generated document, under its case
(``filing.case_key``), and its done claim keeps the two files' drive item ids, never their
names or links (which name the pupil's folder): a bundle asked for again is read from
Graph by those ids.

Each file's library columns (DocumentKind, MeetingId, CarerId, GeneratedAt) say the event
it was made for, so that an earlier version of a document remade for the same event is
listed as superseded; its own date is the date written on it (``case_folder``).

Production converts to PDF through Graph: each exhibit is ``?format=pdf`` of the filed file
itself (a true copy: letterhead, address and footers as filed; a PDF staff uploaded is used
as it is), and the bundle's own pages are ``?format=pdf`` of their .docx uploaded to
``Legal/``; the dev tenant answers that with LibreOffice, so the same path runs on a laptop.
Where Graph cannot convert (406: the dev tenant on a machine without LibreOffice) the Word
document of the bundle's own pages is filed alone, its index without page numbers, saying
plainly that the exhibits are missing from it, and the case item, the card and the
referral say that there is no PDF and what makes one; its claim is released, so ticking
again once PDFs can be made files the whole bundle.

The PDF bundle, once filed, is shared with the legal officers (CASEWORK_LEGAL_OFFICERS:
``bundle_sharing``), and every file filed gets the retention label
(CASEWORK_RETENTION_LABEL: ``filing.label_filed``, before the claim is done, as a
document's), both said on the item and the card through ``Referral.summary``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from function_app.adapters.graph.errors import GraphError, GraphUnavailableError, NotFoundError
from function_app.adapters.graph.records import DriveItem
from function_app.documents.context import Options
from function_app.documents.engine import TemplateSet, produce
from function_app.domain import assess
from function_app.domain.errors import CaseworkError, InvalidCaseError
from function_app.domain.model import Case
from function_app.domain.policy import Profile
from function_app.domain.readiness import Readiness, readiness
from function_app.domain.wording import counted
from function_app.services.filing import ITEM, case_key, held_here, label_filed
from function_app.services.ports import StateStore

from .bundle_sharing import Sharing, share_filed, share_standing, word_only

if TYPE_CHECKING:  # python-docx and pypdf load on first use, not at a cold start
    from function_app.adapters.graph.library import SharedWith
    from function_app.documents.bundle import Bundle, BundleEntry, Source

log = logging.getLogger(__name__)
LEGAL_FOLDER = "Legal"
BUNDLE_KIND = "evidence_bundle"
LEASE_SECONDS = 900
LEGAL_CLAIMS = "legal-bundle/"  # after the case's prefix: a bundle's claim key
WORD_ONLY = "-word-only"  # after the state key of a bundle filed without its PDF
NEEDS_LIBREOFFICE = "converting it to PDF needs LibreOffice on the machine running the dev tenant"
NO_PDF = (f"{NEEDS_LIBREOFFICE} (install libreoffice-writer-nogui, then tick \"Prepare legal "
          "referral\" again; in production Microsoft Graph's ?format=pdf makes the PDF)")


class Library(Protocol):
    """What preparing a referral needs of the Case Files library (GraphClient)."""

    async def children(self, folder_path: str) -> list[DriveItem]: ...
    async def download(self, item_id: str, as_pdf: bool = False) -> bytes: ...
    async def file_at(self, folder_path: str, name: str
                      ) -> tuple[DriveItem, dict[str, Any]] | None: ...
    async def upload(self, folder_path: str, name: str, content: bytes) -> DriveItem: ...
    async def invite(self, item_id: str, emails: Sequence[str], expires: datetime,
                     message: str) -> list[SharedWith]: ...
    async def shared_with(self, item_id: str) -> list[SharedWith]: ...
    async def set_retention_label(self, item_id: str, name: str) -> dict[str, Any]: ...
    async def set_file_fields(self, item_id: str, fields: dict[str, object]
                              ) -> dict[str, object]: ...
    async def file_by_id(self, item_id: str) -> DriveItem | None: ...


@dataclass(frozen=True, slots=True)
class Referral:
    """The outcome: the readiness found, the bundle's files, and whether this call made them."""

    case_ref: str
    readiness: Readiness
    entries: tuple[BundleEntry, ...]
    pdf_url: str
    docx_url: str
    folder: str  # the Legal folder, inside the library
    pdf_name: str
    docx_name: str
    made: bool  # False: the same case state had its bundle already
    state_key: str  # with WORD_ONLY after it when only the Word bundle was filed
    pdf_missing: str = ""  # why no PDF was filed (then pdf_url and pdf_name are '')
    # False: another worker holds this case state's claim and has not filed the bundle yet,
    # so there is nothing in the folder to name (the names and links are '').
    exists: bool = True
    sharing: Sharing = field(default_factory=Sharing)  # with the legal officers, or why not

    @property
    def bundle_links(self) -> tuple[tuple[str, str], ...]:
        """(email, link) for each legal officer the PDF is shared with: the card's buttons.
        Only sharing links: the file's own address names the case folder, so the pupil."""
        return self.sharing.links

    @property
    def names(self) -> tuple[str, ...]:
        """The files filed in the Legal folder: never a PDF that was not made."""
        return tuple(n for n in (self.pdf_name, self.docx_name) if n)

    @property
    def summary(self) -> str:
        """One line for the Cases item and the card: no names, the steps by title."""
        gaps = [s.title for s in self.readiness.missing if s.required]
        verdict = ("Ready: every required step is evidenced." if not gaps else
                   f"Not ready: {counted(len(gaps), 'step')} missing: " + "; ".join(gaps) + ".")
        exhibits = [e for e in self.entries if not e.superseded]
        included = sum(1 for e in exhibits if e.included)
        where = f" in the case folder's {LEGAL_FOLDER} subfolder"
        return (f"{verdict} Evidence bundle of {counted(included, 'exhibit')}"
                + (f", {len(exhibits) - included} missing or unreadable" if
                   included < len(exhibits) else "")
                + (f"{where}, as a Word document only: no PDF was made, as {self.pdf_missing}."
                   if self.pdf_missing else f"{where}.")
                + "".join(f" {line}" for line in self.sharing.lines))

    def item_text(self) -> str:
        """The "Legal readiness" column: the verdict, the bundle's links, then what to do for
        each gap."""
        pdf = "not made (see above)." if self.pdf_missing else self.pdf_url or self.pdf_name
        lines = [self.summary, f"PDF: {pdf}", f"Word: {self.docx_url or self.docx_name}"]
        for s in self.readiness.missing:
            mark = "Missing" if s.required else "Caution"
            lines.append(f"- {mark}: {s.title}. {s.what_to_do}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A filed evidence bundle's file, to copy where it is sent: its name (which names the
    case reference, never the pupil), its bytes, and what it holds in a sentence."""

    name: str
    content: bytes
    about: str


class LegalReferrals:
    def __init__(self, library: Library, state: StateStore, templates: TemplateSet,
                 options: Options, owner: str, officers: Sequence[str] = (),
                 retention_label: str = "") -> None:
        self.library, self.state, self.templates = library, state, templates
        self.options, self.owner = options, owner
        self.officers = tuple(officers)  # CASEWORK_LEGAL_OFFICERS: who each PDF is shared with
        self.retention_label = retention_label  # CASEWORK_RETENTION_LABEL; '' for none

    async def prepare(self, case: Case, profile: Profile, folder: str, today: date,
                      share: bool = True) -> Referral:
        """Read the case folder, check readiness, and file the bundle unless this state's
        bundle is filed already (then its links are returned with ``made`` False). Shared
        with the legal officers unless ``share`` is False (a bundle sent elsewhere, as a
        penalty notice request's evidence: a later "Prepare legal referral" shares it)."""
        officers = self.officers if share else ()
        from function_app.documents import case_folder
        from function_app.documents.bundle import Bundle, ComposedBundle
        from function_app.documents.bundle_pdf import paginate

        items = await self._read_folder(case, folder)
        sources = list(items)
        catalogue = self.templates.catalogue
        sources += case_folder.missing_sources(case, catalogue, [s.name for s in sources])
        evidenced = replace(case, interactions=case.interactions
                            + case_folder.letters_as_contacts(case, sources, catalogue))
        # The chronology lists the filed letters from the exhibits themselves (cited by
        # number); readiness counts them as the letters it looks for.
        bundle = Bundle(case, tuple(sources), today, _prepared_by(case), profile=profile)
        ready = readiness(evidenced, profile, today)
        ready = replace(ready, steps=(*ready.steps, case_folder.folder_step(bundle.entries)))
        key = _state_key(case, profile, bundle, ready)
        legal = f"{folder}/{LEGAL_FOLDER}"
        stem = f"{today.isoformat()} Evidence bundle {case.case_ref}"
        claim = case_key(case.case_ref, f"{LEGAL_CLAIMS}{key}")
        with held_here(claim, self.state) as mine:
            if not mine:  # another task of this process is making it now
                return Referral(case.case_ref, ready, bundle.entries, "", "", legal, "", "",
                                False, key, exists=False)
            now = datetime.now(UTC)
            if not self.state.claim(claim, self.owner, now, LEASE_SECONDS):
                existing = self.state.get_claim(claim)
                if existing is None or existing.state != "done":  # being made by another worker
                    return Referral(case.case_ref, ready, bundle.entries, "", "", legal, "", "",
                                    False, key, exists=False)
                # The first bundle of this state, as it is now (it may be of another day).
                pdf_url, docx_url, pdf_name, docx_name = await self._bundle_filed(
                    existing.result, legal, stem)
                pdf_id = _pdf_id(existing.result)
                sharing = (await share_standing(self.library, pdf_id, officers, now)
                           if pdf_id and pdf_url else Sharing())
                return Referral(case.case_ref, ready, bundle.entries, pdf_url, docx_url, legal,
                                pdf_name, docx_name, False, key, sharing=sharing)
            try:
                earlier = self.state.get_claim(legacy_claim(case.case_ref, key))
                if earlier is not None and earlier.state == "done":
                    # Filed before claims were kept under their case: not made again.
                    ids = await self._ids_of(earlier.result, legal)
                    self.state.complete(claim, self.owner, _bundle_result(*ids))
                    pdf_url, docx_url, pdf_name, docx_name = await self._bundle_filed(
                        earlier.result, legal, stem)
                    return Referral(case.case_ref, ready, bundle.entries, pdf_url, docx_url,
                                    legal, pdf_name, docx_name, False, key)
                bundle = replace(bundle, readiness=ready,
                                 referral_form=self._referral_form(evidenced, profile, today))
                converter = _GraphPdf(self.library, legal, f"{stem}.docx")
                composed = ComposedBundle(bundle)
                fields: dict[str, object] = {
                    "CaseRef": case.case_ref, "DocumentKind": BUNDLE_KIND, "SourceVersion": key,
                    "GeneratedAt": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
                try:
                    made = await paginate(await self._true_copies(bundle, items), converter,
                                          composed)
                except GraphError as exc:
                    if exc.status != 406:  # 406: this Graph makes no PDF; else try again later
                        raise
                    log.info("case %s: no PDF of the evidence bundle (%s); filing the Word "
                             "bundle alone", case.case_ref, exc.code or exc.status)
                    docx = await self.library.upload(legal, f"{stem}.docx",
                                                     composed.docx_without_pdf(NEEDS_LIBREOFFICE))
                    await self.library.set_file_fields(docx.id, fields)
                    await label_filed(self.library, docx.id, self.retention_label)
                    # Not the finished bundle: the claim is released, so a tick once PDFs can be
                    # made files it whole (and its card is posted: another state_key).
                    self.state.release(claim, self.owner)
                    return Referral(case.case_ref, ready, bundle.entries, "", docx.web_url, legal,
                                    "", f"{stem}.docx", True, key + WORD_ONLY, NO_PDF,
                                    sharing=word_only(officers))
                pdf = await self.library.upload(legal, f"{stem}.pdf", made.pdf)
                assert converter.item is not None
                for item in (pdf, converter.item):
                    await self.library.set_file_fields(item.id, fields)
                    await label_filed(self.library, item.id, self.retention_label)
                # Filed: shared now, once (a refusal is said, never raised).
                sharing = await share_filed(self.library, pdf.id, officers,
                                            datetime.now(UTC))
            except BaseException:
                self.state.release(claim, self.owner)
                raise
            self.state.complete(claim, self.owner, _bundle_result(pdf.id, converter.item.id))
            log.info("evidence bundle filed for case %s (%d conversions)", case.case_ref,
                     made.conversions)
            return Referral(case.case_ref, ready, made.entries, pdf.web_url, converter.item.web_url,
                            legal, f"{stem}.pdf", f"{stem}.docx", True, key, sharing=sharing)

    async def exhibit(self, case: Case, profile: Profile, folder: str, today: date
                      ) -> Exhibit | None:
        """The case's evidence bundle as it stands, to send with a penalty notice request:
        this case state's bundle (filed now if it is not yet, shared with no one), its PDF,
        or its Word document where no PDF can be made. None while another worker files it.
        Raises CaseworkError when the bundle filed for this state is gone from the folder."""
        referral = await self.prepare(case, profile, folder, today, share=False)
        if not referral.exists:
            return None
        name = referral.pdf_name or referral.docx_name
        found = await self.library.file_at(referral.folder, name) if name else None
        if found is None:
            raise CaseworkError(
                f"the evidence bundle made for this case is no longer in the case folder's "
                f"{LEGAL_FOLDER} subfolder; restore it from the site's recycle bin, or change "
                "the case (a new bundle is then made), and tick again")
        exhibits = [e for e in referral.entries if not e.superseded]
        included = sum(1 for e in exhibits if e.included)
        about = (f"The case's evidence bundle of {counted(included, 'exhibit')}, as filed in "
                 f"the school's case folder"
                 + (f"; a Word document only, without its exhibits: no PDF was made, as "
                    f"{referral.pdf_missing}." if referral.pdf_missing else "."))
        return Exhibit(name, await self.library.download(found[0].id), about)

    async def _bundle_filed(self, result: str, legal: str, stem: str
                            ) -> tuple[str, str, str, str]:
        """(pdf link, docx link, pdf name, docx name) of a bundle filed earlier, from its
        done claim: read from Graph by the files' ids ('' for a file gone since); a claim
        kept before ids were holds the four itself."""
        lines = result.split("\n")
        if len(lines) == 2 and all(line.startswith(ITEM) for line in lines):
            pdf, docx = [await self.library.file_by_id(line.removeprefix(ITEM))
                         if line != ITEM else None for line in lines]
            return (pdf.web_url if pdf else "", docx.web_url if docx else "",
                    pdf.name if pdf else "", docx.name if docx else "")
        if len(lines) == 4:
            return lines[0], lines[1], lines[2], lines[3]
        return "", "", f"{stem}.pdf", f"{stem}.docx"

    async def _ids_of(self, result: str, legal: str) -> tuple[str, str]:
        """The drive item ids of a bundle whose done claim, kept before ids were, names its
        files ('' for one not found in the Legal folder)."""
        lines = result.split("\n")
        names = lines[2:4] if len(lines) == 4 else []
        ids = []
        for name in names:
            found = await self.library.file_at(legal, name)
            ids.append(found[0].id if found is not None else "")
        pdf_id, docx_id = [*ids, "", ""][:2]
        return pdf_id, docx_id

    async def _true_copies(self, bundle: Bundle, items: dict[Source, str]) -> Bundle:
        """The bundle with each Word exhibit's PDF as Graph converts the filed file (406 when
        this Graph makes no PDF: the caller files the Word bundle alone). A PDF staff
        uploaded is its own copy; an image is put on a page with the bundle's pages."""
        from function_app.documents.bundle import DOCX

        copies = {}
        for _, source in bundle.exhibits():
            if source.form == DOCX and source in items:
                copies[source.name] = await self.library.download(items[source], as_pdf=True)
        return replace(bundle, sources=tuple(
            replace(s, pdf=copies[s.name]) if s.name in copies else s for s in bundle.sources))

    async def _read_folder(self, case: Case, folder: str) -> dict[Source, str]:
        """Each file of the folder as a source, with its item id (to ask Graph for its PDF)."""
        from function_app.documents import case_folder

        sources: dict[Source, str] = {}
        for item in await self.library.children(folder):
            if item.is_folder:
                continue  # the Legal folder itself, or staff's own subfolders
            uploaded = _day(item.created)
            columns: dict[str, Any] = {}
            try:
                content: bytes | None = await self.library.download(item.id)
                problem = ""
            except GraphUnavailableError:
                raise  # Graph busy: the processor keeps the case and tries again
            except NotFoundError:  # deleted since the folder was listed
                content, problem = None, "missing: not in the case folder"
            except GraphError as exc:  # listed as unreadable, never skipped
                content, problem = None, f"unreadable: it could not be downloaded " \
                                         f"({type(exc).__name__})"
            try:  # the columns say the event it was made for; a file without them is alone
                found = await self.library.file_at(folder, item.name)
                columns = found[1] if found is not None else {}
            except GraphUnavailableError:
                raise
            except GraphError:
                columns = {}
            source = case_folder.source_of(item.name, content, uploaded,
                                           self.templates.catalogue, problem, columns,
                                           made_at=item.created)
            sources[source] = item.id
        return sources

    def _referral_form(self, case: Case, profile: Profile, today: date) -> bytes | None:
        """The Request to Initiate Legal Proceedings (the legal_referral template), filled in
        from the case; None, said in the readiness, if the case lacks what it needs."""
        try:
            documents = produce(self.templates, "legal_referral", assess(case, profile, today),
                                None, self.options)
        except InvalidCaseError as exc:
            log.warning("case %s: the referral form could not be filled (%d problems)",
                        case.case_ref, len(exc.problems))
            return None
        return documents[0].content if documents else None


class _GraphPdf:
    """Converts by uploading the .docx to its place in the Legal folder and asking Graph for
    it as PDF: the last upload is the bundle's .docx."""

    def __init__(self, library: Library, folder: str, name: str) -> None:
        self.library, self.folder, self.name = library, folder, name
        self.item: DriveItem | None = None

    async def __call__(self, docx: bytes) -> bytes:
        self.item = await self.library.upload(self.folder, self.name, docx)
        return await self.library.download(self.item.id, as_pdf=True)


def legacy_claim(case_ref: str, key: str) -> str:
    """The key a bundle's claim was kept under before claims carried their case."""
    return f"{LEGAL_CLAIMS}{case_ref}/{key}"


def _pdf_id(result: str) -> str:
    """The PDF's drive item id a bundle's done claim keeps ('' for none, or an old claim)."""
    first = result.split("\n")[0]
    return first.removeprefix(ITEM) if first.startswith(ITEM) else ""


def _bundle_result(pdf_id: str, docx_id: str) -> str:
    """What a bundle's done claim keeps: the two files' drive item ids, no name or link."""
    return f"{ITEM}{pdf_id}\n{ITEM}{docx_id}"


def _prepared_by(case: Case) -> str:
    s = case.school
    who = ", ".join(p for p in (s.signatory_name, s.signatory_role) if p)
    return f"{who}, {s.name}" if who else s.name


def _day(text: str) -> date:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return datetime.now(UTC).date()


def _state_key(case: Case, profile: Profile, bundle: Bundle, ready: Readiness) -> str:
    """The case as recorded, the rules applied, every source's content and what readiness
    found (which can change with the date alone, e.g. a review falling overdue): the same key
    means the same bundle."""
    parts = [repr(case), profile.name, repr(ready.steps)]
    parts += sorted(f"{s.name}|{s.sha256}|{s.problem}" for s in bundle.sources)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:20]
