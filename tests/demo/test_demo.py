"""`casework demo`, run end to end into a temporary folder: one term typed into the dev
tenant's lists as staff would, each school's into its own site, the documents it calls for
filed case by case in that site's library, the LA's officers alerted from every school, and
a second run that makes nothing new.

The expected documents were worked out from the scenario (function_app/demo/scenario.json)
and the catalogue (templates/catalogue.json): which stages and meetings produce which
kinds, one letter per carer with parental responsibility.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest

from function_app import bootstrap
from function_app.demo import scenario
from function_app.demo.runner import DemoResult
from function_app.settings import Settings

pytestmark = pytest.mark.integration

ILLEGAL = re.compile(r'["*:<>?/\\|]')
HARTWELL, BRACKENFIELD, COLDHARBOUR = (scenario.HARTWELL, scenario.BRACKENFIELD,
                                       scenario.COLDHARBOUR)


def library_of(workspace: Path, school: scenario.School) -> Path:
    """A school's Case Files library on disk: in its own site's folder."""
    return workspace / "tenant" / school.site_path.lstrip("/") / "Case Files"


@dataclass
class Played:
    workspace: Path
    first: DemoResult
    first_output: str
    files_before_second: dict[Path, int]  # each file and its modification time
    second_output: str
    second_exit: int
    mail_before_second: list[Path]  # the .eml files the first run's emails left
    contacts: tuple[int, int]  # Contacts items in every school's site, after each run

    def library(self, school: scenario.School) -> Path:
        return library_of(self.workspace, school)

    def files(self) -> list[Path]:
        """The documents the processor filed in every school's library (not the evidence
        bundle, kept in Legal/, nor the print packs' covers, in Letters to post/)."""
        return sorted(p for s in scenario.SCHOOLS.values() for p in self.library(s).rglob(
            "*.docx") if p.parent.name not in ("Legal", "Letters to post"))

    def filed(self, case_ref: str) -> Counter[str]:
        return Counter(f.kind for f in self.first.filed if f.case_ref == case_ref)

    def names(self, case_ref: str) -> set[str]:
        return {f.path.rsplit("/", 1)[1] for f in self.first.filed if f.case_ref == case_ref}


def test_every_expected_kind_is_filed_for_the_cases_that_call_for_it(played: Played) -> None:
    """Each case gets exactly the documents its term calls for, kind by kind: a review that
    is planned gets an invitation to each parent (seed 002), like the other meetings."""
    expected = {
        scenario.POPPY: {"letter_of_concern": 1, "support_meeting_invitation": 1,
                         "support_meeting_record": 1, "review_meeting_invitation": 1,
                         "review_meeting_record": 1, "plan_cover_letter": 2},
        # His second review (2 December) escalates: its record and covering letters.
        scenario.ALFIE: {"letter_of_concern": 2, "support_meeting_invitation": 2,
                         "support_meeting_record": 1, "review_meeting_record": 2,
                         "plan_cover_letter": 6},
        scenario.OSCAR: {"letter_of_concern": 2},
        scenario.EVIE: {"letter_of_concern": 1},
        scenario.RILEY: {"letter_of_concern": 2, "support_meeting_invitation": 2,
                         "support_meeting_record": 1, "review_meeting_invitation": 2,
                         "review_meeting_record": 1, "plan_cover_letter": 4,
                         "notice_to_improve": 2},
        scenario.KEIRA: {"aim_invitation": 1, "aim_plan": 1, "plan_cover_letter": 1},
        scenario.ELLIE: {"letter_of_concern": 1, "support_meeting_invitation": 1,
                         "support_meeting_record": 1, "review_meeting_invitation": 1,
                         "review_meeting_record": 1, "plan_cover_letter": 2},
        scenario.MASON: {"aim_invitation": 2, "aim_plan": 3, "plan_cover_letter": 6,
                         "legal_referral": 2},
        # Her stepfather has no parental responsibility but lives with her and has her care:
        # a parent (Education Act 1996 s576), so he gets his own letters.
        scenario.LILY: {"aim_invitation": 2, "aim_plan": 1, "plan_cover_letter": 2},
        scenario.NOAH: {"aim_invitation": 2, "aim_plan": 1, "plan_cover_letter": 1},
    }
    assert {ref: dict(played.filed(ref)) for ref in expected} == expected
    assert len(played.files()) == sum(sum(kinds.values()) for kinds in expected.values())


def test_the_letter_of_concern_goes_to_each_carer_with_parental_responsibility(
        played: Played) -> None:
    """Separated parents get a letter each, at their own address; a grandmother without
    parental responsibility gets none."""
    assert {n for n in played.names(scenario.RILEY) if "Letter of concern" in n} == {
        "2026-09-18 Letter of concern - Donna Hargreaves.docx",
        "2026-09-18 Letter of concern - Wayne Hargreaves.docx"}
    folder = played.library(BRACKENFIELD) / "Brackenfield Academy" / \
        "ATT-2026-0311 Hargreaves, Riley"
    to_wayne = _text(folder / "2026-09-18 Letter of concern - Wayne Hargreaves.docx")
    assert "Dear Wayne Hargreaves" in to_wayne
    assert "9 Canal Street" in to_wayne and "Sycamore Avenue" not in to_wayne
    assert {n for n in played.names(scenario.ELLIE) if "Letter of concern" in n} == {
        "2026-10-09 Letter of concern - Gemma Shaw.docx"}


def test_letters_carry_the_friday_of_the_week_they_were_typed(played: Played) -> None:
    """An invitation typed in the week of 7 September is dated 11 September 2026, whatever
    day the demo runs."""
    folder = played.library(COLDHARBOUR) / "Coldharbour Ridge School" / "ATT-2026-0321 Kerr, Mason"
    assert "11 September 2026" in _text(folder / "2026-09-23 AIM invitation and warning - "
                                                 "Dana Kerr.docx")


def test_the_aim_that_did_not_go_ahead_made_no_plan(played: Played) -> None:
    """Noah's AIM of 18 November, with Noah absent, made no AIM plan; the one held on
    2 December at home did."""
    names = played.names(scenario.NOAH)
    assert "2026-11-18 AIM plan.docx" not in names
    assert "2026-12-02 AIM plan.docx" in names


def test_the_escalated_case_has_its_legal_referral(played: Played) -> None:
    """Mason's case, escalated after the AIM review, has the referral from the day it
    entered legal consultation and the one from the consultation meeting."""
    assert {n for n in played.names(scenario.MASON) if "referral" in n} == {
        "2026-11-06 Legal intervention referral.docx",
        "2026-11-18 Legal intervention referral.docx"}
    folder = played.library(COLDHARBOUR) / "Coldharbour Ridge School" / "ATT-2026-0321 Kerr, Mason"
    text = _text(folder / "2026-11-18 Legal intervention referral.docx")
    assert "Andrea Lomax (Inclusion Officer)" in text


def test_every_filed_document_opens_with_python_docx(played: Played) -> None:
    """Each .docx in the case folders opens and has text."""
    for path in played.files():
        assert _text(path).strip(), path


def test_every_folder_and_file_name_is_valid_for_sharepoint(played: Played) -> None:
    """No name holds " * : < > ? / \\ | or starts or ends with a space or a dot, and each
    path from the school's site down is under 400 characters."""
    for school in scenario.SCHOOLS.values():
        library = played.library(school)
        assert any(library.rglob("*.docx")), school.name
        for path in library.rglob("*"):
            inside = path.relative_to(library)
            for part in inside.parts:
                assert not ILLEGAL.search(part), part
                assert part == part.strip(" ."), part
            assert len(f"{school.site_path}/Case Files/{inside.as_posix()}") < 400


def test_the_item_typed_wrongly_says_what_to_fix_and_nothing_is_filed_for_it(
        played: Played) -> None:
    """The meeting typed with its review date before its date is refused by SharePoint at
    save (the list's validation) and the demo prints the message staff saw; typed again
    with the date corrected but no time, which the form cannot require, it is marked "Needs
    attention" saying the invitation needs the time, and no invitation was made for it."""
    out = played.first_output
    (refused,) = [line for line in out.splitlines() if "SharePoint refused" in line]
    assert scenario.EVIE in refused and "Meetings item" in refused
    assert refused.endswith(
        scenario_message("Meetings"))  # the list's own message, as the form shows it
    assert "had 1 item refused by SharePoint at save" in out
    item = _meeting(played.workspace, HARTWELL,
                    "School attendance (support) meeting, 7 January 2027")
    assert item["ReviewDate"].startswith("2027-01-28")  # the corrected date, one item only
    assert item["GenerationStatus"] == "Needs attention"
    assert "needs the meeting's time" in item["GenerationMessage"]
    assert not item.get("GeneratedDocuments")
    assert played.names(scenario.EVIE) == {"2026-12-04 Letter of concern - Jodie Marsh.docx"}
    (evie,) = [c for c in played.first.cases if c.case_ref == scenario.EVIE]
    assert [a.message for a in evie.attention] == [item["GenerationMessage"]]
    assert played.first.attention == 1


def test_the_output_shows_each_week_the_summary_and_honest_totals(played: Played) -> None:
    """One line a week, each case's folder and documents, the Teams alerts posted (the
    escalated cases need an Inclusion Officer consultation, seed 000), and the totals."""
    out = played.first_output
    assert sum(line.startswith("Week of ") for line in out.splitlines()) == len(scenario.WEEKS)
    assert ("Week of 7 September 2026: staff entered the school holidays, opened 1 case, "
            "logged 1 contact, planned 1 meeting; filed 2 AIM invitations with the warning."
            ) in out
    assert "Teams alerts posted by this run" in out
    assert (f"{scenario.MASON} (Coldharbour Ridge School): consultation needed, to the LA's "
            "officers") in out
    cards = sorted((played.workspace / "teams").rglob("*.json"))
    assert cards and all("Mason" not in c.read_text(encoding="utf-8") for c in cards)
    first_letter = (played.library(HARTWELL) / "Hartwell Green Primary School"
                    / "ATT-2026-0301 Whitfield, Poppy")
    assert f"7 documents in {first_letter}\n" in out  # her review had its own invitation
    assert "needs the meeting's time" in out
    assert f"Totals: {len(played.files())} documents in the case folders " \
           f"({len(played.files())} filed by this run); 1 item needs attention;" in out


def test_a_second_run_creates_nothing_and_says_so(played: Played) -> None:
    """Run again on the same folder, it types nothing, files nothing, touches no file and
    says so plainly."""
    assert played.second_exit == 0
    out = played.second_output
    assert "The term's 10 cases are already in the schools' lists: nothing typed." in out
    assert (f"Nothing new: {len(played.files())} documents already filed for 10 cases") in out
    assert "Week of" not in out
    assert "(staff 0, the app " in out
    assert _all_files(played.workspace) == played.files_before_second
    assert len(played.files_before_second) >= len(played.files())


def scenario_message(list_name: str) -> str:
    """The validation message the list was given (sharepoint_schema/formatting/index.json)."""
    from function_app.services.provisioning.list_formatting import load_formatting
    from function_app.services.provisioning.list_schema import load_lists

    return str(load_formatting(load_lists())[list_name]["validation"]["message"])


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _all_files(workspace: Path) -> dict[Path, int]:
    """Each file in every school's library, and its modification time."""
    return {p: p.stat().st_mtime_ns for s in scenario.SCHOOLS.values()
            for p in library_of(workspace, s).rglob("*") if p.is_file()}


def _meeting(workspace: Path, school: scenario.School, title: str) -> dict[str, Any]:
    """A Meetings item's fields, read back through Graph from the school's site in the
    demo's tenant."""
    from function_app.devtenant import DevTenant

    async def read(base_url: str, hostname: str, site_path: str) -> dict[str, Any]:
        settings = bootstrap.settings_for_dev_tenant(base_url, hostname, site_path, workspace,
                                                     base=Settings())
        graph = bootstrap.graph_client(settings)
        lists = await graph.lists()
        items = await graph.all_items(lists["Meetings"].id)
        (found,) = [i.fields for i in items if i.fields.get("Title") == title]
        return found

    with DevTenant(workspace / "tenant") as tenant:
        return asyncio.run(read(tenant.base_url, tenant.hostname, school.site_path))


def test_every_alert_kind_lands_in_the_teams_sink_without_names(played: Played) -> None:
    """The demo posts a consultation to the LA officers (seed 000), a generation failure to
    the school (the item typed wrongly) and each school's review digest; the sink accepted
    each as a valid Adaptive Card 1.5, and none carries a pupil's full name."""
    import json

    cards = {audience: [json.loads(p.read_text(encoding="utf-8"))
                        for p in sorted((played.workspace / "teams" / audience).glob("*.json"))]
             for audience in ("la_officers", "school")}
    text = {a: json.dumps(c) for a, c in cards.items()}
    assert scenario.MASON in text["la_officers"]
    assert scenario.EVIE in text["school"]
    assert "reviews" in text["school"].lower()
    for surname in ("Kerr", "Marsh", "Whitfield", "Hargreaves"):
        assert surname not in text["la_officers"] + text["school"]


def test_the_demo_provisions_views_and_formatting_once(played: Played) -> None:
    """The first run gives the lists their views, formatters, forms and validation through
    SharePoint REST; the second finds them all there and provisions nothing."""
    for school in scenario.SCHOOLS.values():
        site = (f"{school.name}'s site {school.site_path} (members: "
                f"{', '.join(school.staff)})")
        assert re.search(rf"Provisioned {re.escape(site)}: \d+ lists and libraries with their "
                         r"columns, then gave them their views, formatting, forms and "
                         r"validation through SharePoint REST \(\d+ changes\)\.",
                         played.first_output), school.name
        assert (f"{site} already has every list, library, column, view, formatter and form."
                in played.second_output)


def test_each_case_shows_the_tier_and_attendance_the_app_filled_in(played: Played) -> None:
    """Every case's summary reads "Tier N · P% (X of Y possible sessions)" from the columns
    the processor filled in, the percentage the one rule's figure for those sessions, the tier
    agreeing with the rules' bands and "severely absent" exactly at 50% or lower, on the
    first run and on the second, which finds them already filled in."""
    from fractions import Fraction

    from function_app.domain import load_profile
    from function_app.domain.attendance import display_figure, tier_for

    bands = load_profile("national-2024").tier_bands
    for case in played.first.cases:
        found = re.fullmatch(r"Tier ([1-4]) · ((\d+\.\d)% \((\d+) of (\d+) possible "
                             r"sessions\))(, severely absent)?", case.attendance)
        assert found, (case.case_ref, case.attendance)
        assert found[2] == display_figure(int(found[4]), int(found[5])), case.case_ref
        percent = Fraction(found[3])
        assert int(found[1]) == tier_for(percent, bands).tier, case.case_ref
        assert bool(found[6]) == (percent <= 50), case.case_ref
        assert f"  Attendance: {case.attendance}" in played.first_output
        assert f"  Attendance: {case.attendance}" in played.second_output


def test_the_la_officers_are_alerted_from_every_school(played: Played) -> None:
    """The LA's officers' channel is one for all the schools: every school's site is swept
    from the LA site's Schools list, and each school has a card there (a consultation
    needed), said in the summary; no card names a pupil in full."""
    import json

    cards = [json.loads(p.read_text(encoding="utf-8"))
             for p in sorted((played.workspace / "teams" / "la_officers").glob("*.json"))]
    texts = [str(card.get("fallbackText", "")) for card in cards]
    for school in scenario.SCHOOLS.values():
        assert any(school.name in text and text.startswith("Consultation needed")
                   for text in texts), school.name
    assert scenario.ALFIE in json.dumps(cards)  # Hartwell Green's, from his second review
    assert ("The LA's officers' channel had alerts from 3 schools: Hartwell Green Primary "
            "School, Brackenfield Academy, Coldharbour Ridge School.") in played.first_output
    for pupil in ("Alfie Brennan", "Riley Hargreaves", "Mason Kerr"):
        assert pupil not in json.dumps(cards)


def test_each_school_sees_only_its_own_site(played: Played) -> None:
    """In the demo's tenant each school's staff read their own school's Cases list, holding
    only their school's cases, and Graph answers 403 to them for another school's; the
    LA's officer, who lists the schools, reads no school's cases."""
    from function_app.adapters.graph.errors import GraphError
    from function_app.devtenant import DevTenant

    async def check(tenant: DevTenant) -> None:
        base = Settings(graph_base_url=tenant.base_url)

        def as_person(name: str, school: scenario.School) -> Any:
            return bootstrap.graph_client(base, token=tenant.user_token(name),
                                          site_url=f"https://{tenant.hostname}"
                                                   f"{school.site_path}")

        cases_ids = {s.key: (await as_person(s.officer[0], s).lists())["Cases"].id
                     for s in scenario.SCHOOLS.values()}
        for school in scenario.SCHOOLS.values():
            for person in school.staff:
                own = await as_person(person, school).all_items(cases_ids[school.key])
                assert own and {str(i.fields.get("SchoolName")) for i in own} == {school.name}
                for other in scenario.SCHOOLS.values():
                    if other is school:
                        continue
                    with pytest.raises(GraphError) as refused:
                        await as_person(person, other).all_items(cases_ids[other.key])
                    assert refused.value.status == 403, (person, other.name)
            officer = scenario.LA_OFFICERS[0][0]
            with pytest.raises(GraphError) as refused:
                await as_person(officer, school).all_items(cases_ids[school.key])
            assert refused.value.status == 403, (officer, school.name)

    with DevTenant(played.workspace / "tenant") as tenant:
        asyncio.run(check(tenant))


# Letters reaching each parent (issue 18, point 7) --------------------------------------

EMAILED = {  # the carers who asked for letters by email (or email and post), by school
    "sophie.brennan@example.org": (HARTWELL, "Sophie Brennan"),
    "rachel.bell@example.org": (HARTWELL, "Rachel Bell"),
    "wayne.hargreaves@example.org": (BRACKENFIELD, "Wayne Hargreaves"),
    "gemma.shaw@example.org": (BRACKENFIELD, "Gemma Shaw"),
    "nicola.proctor@example.org": (COLDHARBOUR, "Nicola Proctor"),
}


def _mail_files(workspace: Path) -> list[Path]:
    return sorted((workspace / "mail").rglob("*.eml"))


def _contacts(workspace: Path) -> int:
    """How many Contacts items every school's site holds, read through Graph."""
    from function_app.devtenant import DevTenant

    async def count(tenant: DevTenant) -> int:
        total = 0
        for school in scenario.SCHOOLS.values():
            settings = bootstrap.settings_for_dev_tenant(
                tenant.base_url, tenant.hostname, school.site_path, workspace, base=Settings())
            graph = bootstrap.graph_client(settings)
            total += len(await graph.all_items((await graph.lists())["Contacts"].id))
            await graph.aclose()
        return total

    with DevTenant(workspace / "tenant") as tenant:
        return asyncio.run(count(tenant))


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_each_letter_to_a_carer_who_asked_for_email_is_emailed_once_from_the_school(
        played: Played) -> None:
    """The .eml files under WORKSPACE/mail are addressed only to the carers who asked for
    email, sent from their school's mailbox, one per letter filed for them, each with the
    letter as a PDF; no carer who asked for post is emailed."""
    from email import message_from_bytes, policy

    messages = [message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in played.mail_before_second]
    by_carer = Counter(str(m["To"].addresses[0].addr_spec) for m in messages)
    assert set(by_carer) == set(EMAILED)
    for message in messages:
        school, _name = EMAILED[str(message["To"].addresses[0].addr_spec)]
        assert str(message["From"].addresses[0].addr_spec) == school.email
        assert any(part.get_content_type() == "application/pdf"
                   for part in message.iter_attachments())
    for address, (school, name) in EMAILED.items():
        letters = [p for p in played.library(school).rglob(f"* - {name}.docx")]
        assert letters and by_carer[address] == len(letters), name
    assert played.first.emailed == len(messages)


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_letters_by_post_go_in_print_packs_that_the_lead_marks_posted(played: Played) -> None:
    """Each school's print packs are in its library's "Letters to post" folder, named by
    the day; the leads posted each the day it was made, and the summary says how many
    letters were emailed, how many posted, that none waits, and where the emails and packs
    are."""
    out = played.first_output
    for school in scenario.SCHOOLS.values():
        packs = [p for p in played.library(school).rglob("*.pdf")
                 if p.parent.name == "Letters to post"]
        assert packs and all(re.fullmatch(r"2026-\d\d-\d\d Letters to post\.pdf", p.name)
                             for p in packs), school.name
        assert f"{school.name}'s print packs (each printed, its letters posted and the " \
               f"pack marked \u201cPosted\u201d by the lead), in {packs[0].parent}: " in out
    posted = sum(letter.outcome == "posted" for _, letter in played.first.letters)
    assert posted and played.first.packs_posted
    assert (f"This run emailed {played.first.emailed} letters from the schools' mailboxes and "
            f"recorded {posted} letters as posted") in out
    assert "none waits" in out
    assert f"The emails, as .eml files (open one in any mail program): " \
           f"{played.workspace / 'mail'}" in out
    assert "The attendance leads approved " in out
    assert "LibreOffice" not in out.split("Letters to parents")[1]


@pytest.mark.libreoffice
@pytest.mark.usefixtures("libreoffice")
def test_the_print_packs_are_in_letters_to_post_at_the_library_root(played: Played) -> None:
    for school in scenario.SCHOOLS.values():
        assert list((played.library(school) / "Letters to post").glob("*.pdf")), school.name


def test_a_second_run_sends_no_letter_again(played: Played) -> None:
    """Run again, the demo emails nothing, posts nothing and records no contact, and its
    summary says it sent no letter."""
    assert _mail_files(played.workspace) == played.mail_before_second
    before, after = played.contacts
    assert after == before
    assert "This run sent no letter" in played.second_output
    assert "The attendance leads" not in played.second_output
