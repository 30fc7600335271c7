"""Letters reach each parent (issue 18): approval, the route to each carer, pacing within
Exchange Online's limits, and the contact each sent letter records (seeds 000 and 001;
DfE, Working together to improve school attendance, 2024; Education Act 1996 s572, s576;
Microsoft, Exchange Online limits)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from function_app.documents.catalogue import load_catalogue
from function_app.domain import policy
from function_app.domain.delivery import (
    EXCHANGE_ONLINE,
    Preference,
    Refusal,
    Route,
    Sending,
    SendingLimits,
    Wait,
    contact_for,
    contact_subject,
    looks_like_email,
    needs_approval,
    pace,
    plan_delivery,
    preference_of,
    routes,
)
from function_app.domain.model import ContactMode, LettersBy, NoticeToImprove, Stage
from function_app.domain.policy import (
    ALWAYS_APPROVED,
    LETTERS_TO_PARENTS,
    Profile,
    load_profile,
)
from function_app.domain.readiness import (
    NOTICE_WORDS,
    PLAN_WORDS,
    WARNING_WORDS,
    letters_to,
    readiness,
)
from tests.builders import TODAY, carer, case, meeting

pytestmark = pytest.mark.unit

NATIONAL = load_profile("national-2024")
EMAIL = "dana.ellis@example.org"
SENT_AT = dt.datetime(2026, 3, 3, 14, 5, 42)  # 3 March 2026, 2:05pm
LINK = "https://school.sharepoint.com/sites/attendance/Case%20Files/ATT-2026-0001/letter.pdf"


def lenient(**rules: Any) -> Profile:
    """The national profile with some delivery settings changed, as an LA's would be."""
    return replace(NATIONAL, **rules)


# -- approval --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(LETTERS_TO_PARENTS))
def test_every_letter_waits_for_approval_under_the_national_rules(kind: str) -> None:
    """Seed 000 (record every letter sent to parents) and seed 001 ("these letters and plans
    can be exhibited in court"): each letter is a draft until a member of staff approves it."""
    assert needs_approval(kind, NATIONAL)


def test_an_la_may_let_a_letter_of_concern_go_without_approval() -> None:
    """The profile's send_without_approval lists the kinds an LA lets go unapproved (seed 000
    sets no approval step for a letter of concern; the LA chooses)."""
    profile = lenient(send_without_approval=frozenset({"letter_of_concern"}))
    assert not needs_approval("letter_of_concern", profile)
    assert needs_approval("support_meeting_invitation", profile)


@pytest.mark.parametrize("kind", sorted(ALWAYS_APPROVED))
def test_a_warning_or_notice_to_improve_always_waits_for_approval(kind: str) -> None:
    """Seeds 000 and 001: the AIM invitation carries the written warning of prosecution (and
    a rearranged AIM says it still stands); DfE 2024: the Notice to Improve is the formal
    notice before a penalty notice. Even a profile built around the check needs approval."""
    assert needs_approval(kind, lenient(send_without_approval=frozenset({kind})))


def test_the_protected_kinds_are_the_letters_that_warn() -> None:
    """The catalogue's AIM invitation is titled as the warning of prosecution (seeds 000,
    001), and the Notice to Improve warns of a penalty notice or prosecution (DfE 2024)."""
    titles = {k.kind: k.title for k in load_catalogue().kinds}
    assert "prosecution" in titles["aim_invitation"].lower()
    assert set(ALWAYS_APPROVED) == {"aim_invitation", "notice_to_improve", "meeting_rearranged"}


def test_the_letters_to_parents_are_the_catalogues_per_carer_kinds() -> None:
    """Seed 000: parents are contacted individually; the catalogue makes these one per carer."""
    per_carer = {k.kind for k in load_catalogue().kinds if k.per_carer}
    assert per_carer == LETTERS_TO_PARENTS


def with_rules(monkeypatch: pytest.MonkeyPatch, **rules: Any) -> None:
    """Ship a profile 'test-la' extending the national one with these rules."""
    real_read, real_known = policy._read, policy.known_profiles

    def read(name: str) -> dict[str, Any]:
        if name != "test-la":
            return real_read(name)
        return {"title": "Test LA", "extends": "national-2024",
                "rules": {r: {"value": v, "source": "seed 000"} for r, v in rules.items()}}

    monkeypatch.setattr(policy, "_read", read)
    monkeypatch.setattr(policy, "known_profiles", lambda: [*real_known(), "test-la"])


@pytest.mark.parametrize("kind", sorted(ALWAYS_APPROVED))
def test_a_profile_that_frees_a_warning_from_approval_is_refused(
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Seeds 000 and 001 (the warning of prosecution) and DfE 2024 (the Notice to Improve):
    the profile is refused when it loads, naming the profile, the kind and why."""
    with_rules(monkeypatch, send_without_approval=["letter_of_concern", kind])
    with pytest.raises(ValueError) as refused:
        load_profile("test-la")
    message = str(refused.value)
    assert "'test-la'" in message and f"'{kind}'" in message
    assert "never sent without a member of staff approving it" in message
    assert ALWAYS_APPROVED[kind] in message
    assert "seed" in ALWAYS_APPROVED[kind] or "DfE" in ALWAYS_APPROVED[kind]


def test_a_profile_may_free_other_letters_from_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    """An LA's choice, loaded from its profile (seed 000 sets no approval for these)."""
    with_rules(monkeypatch, send_without_approval=["letter_of_concern", "plan_cover_letter"])
    assert load_profile("test-la").send_without_approval == {"letter_of_concern",
                                                             "plan_cover_letter"}


@pytest.mark.parametrize(("rule", "value", "said"), [
    ("send_without_approval", ["letter_of_concen"], "'letter_of_concen', which is not a letter"),
    ("also_posted", ["aim_plan"], "'aim_plan', which is not a letter"),
    ("also_posted", "notice_to_improve", "must be a list"),
])
def test_delivery_settings_must_name_letters_to_parents(
        monkeypatch: pytest.MonkeyPatch, rule: str, value: Any, said: str) -> None:
    """A mistyped kind would silently do nothing, so it is refused (seed 000: each letter to
    a parent individually; the catalogue's per-carer kinds)."""
    with_rules(monkeypatch, **{rule: value})
    with pytest.raises(ValueError, match=said):
        load_profile("test-la")


def test_the_notice_to_improve_is_also_posted_under_the_national_rules() -> None:
    """DfE 2024: a Notice to Improve to each parent; Education Act 1996 s572: served at the
    parent's address or sent there by post."""
    assert NATIONAL.also_posted == {"notice_to_improve"}
    assert "s572" in NATIONAL.source("also_posted")
    for name in policy.known_profiles():
        assert load_profile(name).send_without_approval == frozenset()


# -- routes ----------------------------------------------------------------------------


def test_email_when_the_carer_prefers_email() -> None:
    """Seed 000: contact parents individually via post or email; the carer's choice."""
    plan = routes(carer(email=EMAIL, preferred_contact=ContactMode.EMAIL), "letter_of_concern",
                  NATIONAL)
    assert plan.routes == (Route.EMAIL,) and plan.sent
    assert (plan.email, plan.address, plan.reason, plan.notes) == (EMAIL, "", "", ())


def test_post_when_the_carer_prefers_letters() -> None:
    """Seed 000: post or email, as the parent prefers; a letter by post."""
    plan = routes(carer(email=EMAIL, preferred_contact=ContactMode.LETTER),
                  "support_meeting_invitation", NATIONAL)
    assert plan.routes == (Route.POST,)
    assert plan.address == "4 Mill Lane\nStroud\nGL5 1AA"


def test_with_no_preference_the_letter_is_posted_to_a_recorded_address() -> None:
    """Seeds 001 and 002: parents are invited by letter; Education Act 1996 s572: served at
    the usual address. A parent who has not asked for email is written to at home."""
    plan = routes(carer(email=EMAIL), "letter_of_concern", NATIONAL)
    assert plan.routes == (Route.POST,)
    assert "seeds 001 and 002" in plan.source


@pytest.mark.parametrize("mode", [None, ContactMode.PHONE, ContactMode.TEXT,
                                  ContactMode.HOME_VISIT, ContactMode.MEETING])
def test_with_no_address_and_no_written_preference_the_letter_is_emailed(
        mode: ContactMode | None) -> None:
    """Seed 000: post or email. A phone or visit preference says nothing about letters."""
    plan = routes(carer(address="", email=EMAIL, preferred_contact=mode), "letter_of_concern",
                  NATIONAL)
    assert plan.routes == (Route.EMAIL,) and plan.notes == ()


def test_an_email_preference_with_a_bad_address_goes_by_post() -> None:
    """Seed 000: the letter still reaches the parent, by post; staff are told to check."""
    plan = routes(carer(email="dana.ellis@example", preferred_contact=ContactMode.EMAIL),
                  "letter_of_concern", NATIONAL)
    assert plan.routes == (Route.POST,) and plan.email == ""
    assert plan.notes == (
        "The email address for Dana Ellis (dana.ellis@example) does not look right: check it "
        "on the Carers list.",
        "Dana Ellis prefers email, but their email address does not look right, so the letter "
        "goes by post.")


def test_an_email_preference_with_no_address_goes_by_post() -> None:
    """Seed 000: post when there is no email."""
    plan = routes(carer(preferred_contact=ContactMode.EMAIL), "letter_of_concern", NATIONAL)
    assert plan.routes == (Route.POST,)
    assert plan.notes == ("Dana Ellis prefers email, but no email address is recorded, so the "
                          "letter goes by post.",)


def test_a_post_preference_with_no_address_is_emailed() -> None:
    """Seed 000: email when there is no postal address, and staff asked to add it."""
    plan = routes(carer(address=" ", email=EMAIL, preferred_contact=ContactMode.LETTER),
                  "letter_of_concern", NATIONAL)
    assert plan.routes == (Route.EMAIL,)
    assert plan.notes == ("Dana Ellis prefers letters by post, but there is no postal address, "
                          "so the letter is emailed: add their address on the Carers list.",)


def test_both_when_the_carer_asks_for_both() -> None:
    """Seed 000: post and email are both ways to reach a parent individually."""
    plan = plan_delivery(carer(email=EMAIL), "letter_of_concern", NATIONAL, Preference.BOTH)
    assert plan.routes == (Route.EMAIL, Route.POST) and plan.notes == ()


def test_the_carers_letters_sent_by_column_decides_over_their_way_to_contact() -> None:
    """Seed 000 (post or email, each parent individually): the Carers list's "Letters sent
    by" is the parent's own choice for letters; their preferred way to contact (a phone
    call, say) decides only when it is empty."""
    both = carer(email=EMAIL, preferred_contact=ContactMode.PHONE, letters_by=LettersBy.BOTH)
    assert routes(both, "letter_of_concern", NATIONAL).routes == (Route.EMAIL, Route.POST)
    by_post = carer(email=EMAIL, preferred_contact=ContactMode.EMAIL, letters_by=LettersBy.POST)
    assert routes(by_post, "letter_of_concern", NATIONAL).routes == (Route.POST,)
    unset = carer(email=EMAIL, preferred_contact=ContactMode.EMAIL)
    assert routes(unset, "letter_of_concern", NATIONAL).routes == (Route.EMAIL,)


def test_both_with_one_missing_sends_the_other_and_says_so() -> None:
    """Seed 000: the letter goes the way it can; staff are told what to add."""
    plan = plan_delivery(carer(), "letter_of_concern", NATIONAL, Preference.BOTH)
    assert plan.routes == (Route.POST,)
    assert plan.notes == ("Dana Ellis asked for letters by email and by post, but there is no "
                          "valid email address: add it on the Carers list.",)
    plan = plan_delivery(carer(address="", email=EMAIL), "letter_of_concern", NATIONAL,
                         Preference.BOTH)
    assert plan.routes == (Route.EMAIL,)
    assert "there is no postal address" in plan.notes[0]


def test_a_notice_to_improve_emailed_is_posted_too() -> None:
    """DfE 2024 and Education Act 1996 s572: the Notice to Improve is also posted to the
    parent's address when they prefer email."""
    plan = routes(carer(email=EMAIL, preferred_contact=ContactMode.EMAIL), "notice_to_improve",
                  NATIONAL)
    assert plan.routes == (Route.EMAIL, Route.POST)
    assert "s572" in plan.source


def test_a_notice_to_improve_with_no_address_is_emailed_and_staff_told() -> None:
    """DfE 2024: served on each parent; with no address it can only be emailed, so staff are
    asked to add the address and post a copy."""
    plan = routes(carer(address="", email=EMAIL), "notice_to_improve", NATIONAL)
    assert plan.routes == (Route.EMAIL,)
    assert plan.notes == ("There is no postal address for Dana Ellis, so this letter is emailed "
                          "only, though it should also be posted: add the address on the Carers "
                          "list and post a copy.",)


def test_nothing_is_sent_without_an_email_or_postal_address() -> None:
    """Seed 000: post or email; with neither the letter cannot go, and staff are told why."""
    plan = routes(carer(address=""), "letter_of_concern", NATIONAL)
    assert not plan.sent
    assert plan.reason == ("There is no email or postal address for Dana Ellis, so the letter "
                           "cannot be sent: add one on the Carers list.")


def test_nothing_is_sent_with_only_a_bad_email_address() -> None:
    """Seed 000: a letter needs a way to reach the parent; a mistyped address is not one."""
    plan = routes(carer(address="", email="dana.ellis at example.org"), "letter_of_concern",
                  NATIONAL)
    assert not plan.sent
    assert plan.reason == ("There is no postal address for Dana Ellis and their email address "
                           "does not look right, so the letter cannot be sent: correct the "
                           "email address or add a postal address on the Carers list.")


@pytest.mark.parametrize("kind", sorted(LETTERS_TO_PARENTS))
def test_no_letter_to_parents_goes_to_someone_who_is_not_a_parent(kind: str) -> None:
    """Education Act 1996 s576: a parent has parental responsibility or care of the child;
    a grandmother recorded as a contact is not written to as a parent."""
    gran = carer(id="c3", first_name="June", last_name="Ellis", relationship="Grandmother",
                 parental_responsibility=False, email=EMAIL)
    plan = routes(gran, kind, NATIONAL)
    assert not plan.sent
    assert plan.reason == (
        "June Ellis is not recorded as a parent (with parental responsibility or care of the "
        "child), so letters to parents are not sent to them. If they look after the pupil day "
        "to day, tick \u201cHas care of the child\u201d on the Carers list.")
    assert "s576" in plan.source


def test_a_step_parent_with_care_is_written_to() -> None:
    """Education Act 1996 s576: someone with care of the child is a parent."""
    step = carer(parental_responsibility=False, has_care=True)
    assert routes(step, "letter_of_concern", NATIONAL).routes == (Route.POST,)


def test_preferences_read_from_the_carers_list() -> None:
    """Seed 000: Email or Letter on the Carers list is a preference for letters."""
    assert preference_of(carer(preferred_contact=ContactMode.EMAIL)) is Preference.EMAIL
    assert preference_of(carer(preferred_contact=ContactMode.LETTER)) is Preference.POST
    assert preference_of(carer(preferred_contact=ContactMode.PHONE)) is None
    assert preference_of(carer()) is None


@pytest.mark.parametrize(("address", "looks"), [
    ("dana.ellis@example.org", True), (" dana@mail.example.co.uk ", True),
    ("dana.ellis@example", False), ("dana ellis@example.org", False), ("@example.org", False),
    ("dana@@example.org", False), ("dana@example..org", False), ("", False),
])
def test_a_valid_looking_email_address(address: str, looks: bool) -> None:
    """Seed 000: email only to an address that can receive it."""
    assert looks_like_email(address) is looks


# -- pacing ----------------------------------------------------------------------------


def test_the_limits_are_exchange_onlines() -> None:
    """Microsoft, Exchange Online limits, Sending limits: 30 messages a minute and 10,000
    recipients a day per mailbox."""
    assert (EXCHANGE_ONLINE.messages_per_minute, EXCHANGE_ONLINE.recipients_per_day) == (30,
                                                                                        10_000)
    assert "exchange-online-limits" in EXCHANGE_ONLINE.source


def test_send_now_under_the_message_rate_limit() -> None:
    """Microsoft, Exchange Online limits: up to 30 messages a minute."""
    assert pace(29, 500) == Wait(0)


def test_wait_a_minute_at_the_message_rate_limit() -> None:
    """Microsoft, Exchange Online limits: the 31st message in a minute waits for the window."""
    assert pace(30, 500) == Wait(60)
    assert pace(31, 500) == Wait(60)


def test_the_last_recipient_of_the_day_may_be_emailed() -> None:
    """Microsoft, Exchange Online limits: 10,000 recipients a day; the 10,000th may go."""
    assert pace(0, 9_999) == Wait(0)


def test_no_more_email_once_the_day_is_used_up() -> None:
    """Microsoft, Exchange Online limits: a mailbox over 10,000 recipients in a day is
    stopped from sending, so the app refuses instead, saying so plainly."""
    refused = pace(0, 10_000)
    assert isinstance(refused, Refusal)
    assert refused.reason == ("This mailbox has emailed 10,000 people today and may email "
                              "10,000 a day, so no more can be emailed today: the rest wait "
                              "until tomorrow, or can be printed for the post.")
    assert refused.source == EXCHANGE_ONLINE.source


def test_an_email_to_more_people_than_are_left_is_refused() -> None:
    """Microsoft, Exchange Online limits: the recipient limit counts people, not messages."""
    refused = pace(0, 9_998, recipients=3)
    assert isinstance(refused, Refusal)
    assert "only 2 more can be emailed today" in refused.reason


def test_an_admin_may_set_lower_limits() -> None:
    """Microsoft, Exchange Online limits: the service's limits are the most a mailbox may
    send; an outbound spam policy may set lower ones."""
    limits = SendingLimits(10, 100, "the school's outbound spam policy")
    assert pace(10, 0, limits) == Wait(60)
    assert isinstance(pace(0, 100, limits), Refusal)


def test_counts_cannot_be_negative() -> None:
    """Microsoft, Exchange Online limits count messages and recipients; neither is below 0."""
    with pytest.raises(ValueError):
        pace(-1, 0)
    with pytest.raises(ValueError):
        pace(0, 0, recipients=0)


# -- the record ------------------------------------------------------------------------


def sending(kind: str = "notice_to_improve", route: Route = Route.EMAIL,
            **overrides: Any) -> Sending:
    values: dict[str, Any] = {
        "carer": carer(email=EMAIL), "kind": kind, "route": route, "sent_at": SENT_AT,
        "sent_by": "Priya Shah", "approved_by": "Mark Owen",
        "document_name": "2026-03-03 Notice to Improve - Dana Ellis.pdf",
        "document_link": LINK}
    return Sending(**(values | overrides))


def test_an_emailed_letter_is_recorded_with_date_time_and_mode() -> None:
    """Seed 000: note the date, time and mode of interactions with parents, contacted
    individually; record the letters sent to parents."""
    contact = contact_for(sending())
    assert (contact.date, contact.time, contact.mode) == (dt.date(2026, 3, 3), dt.time(14, 5),
                                                          ContactMode.EMAIL)
    assert contact.staff_member == "Priya Shah"
    assert contact.carer_ids == ("c1",)
    assert contact.summary == (
        "Notice to Improve for Dana Ellis. Emailed as a PDF to dana.ellis@example.org; "
        "approved by Mark Owen. Document: 2026-03-03 Notice to Improve - Dana Ellis.pdf "
        f"({LINK}).")
    assert contact_subject(sending()) == "Notice to Improve emailed to Dana Ellis"


def test_a_posted_letter_is_recorded_as_a_letter() -> None:
    """Seed 000: the mode is letter (by post), with the address it went to."""
    contact = contact_for(sending(route=Route.POST))
    assert contact.mode is ContactMode.LETTER
    assert "Printed and posted to 4 Mill Lane, Stroud, GL5 1AA;" in contact.summary
    assert contact_subject(sending(route=Route.POST)) == "Notice to Improve posted to Dana Ellis"


def test_a_letter_sent_without_approval_says_so() -> None:
    """Seed 001: letters may be exhibited in court, so the record says how it was sent."""
    contact = contact_for(sending(kind="letter_of_concern", approved_by=""))
    assert "sent without approval, as the local authority's rules allow" in contact.summary
    assert contact.summary.startswith("Letter of concern about attendance for Dana Ellis.")


def test_a_letter_that_did_not_go_is_not_a_contact() -> None:
    """Seed 000: record the letters sent; a failed email is not evidence of one."""
    with pytest.raises(ValueError) as refused:
        contact_for(sending(failure="the address rejected it"))
    assert str(refused.value) == (
        "The Notice to Improve did not reach Dana Ellis (the address rejected it), so it is "
        "not recorded as a contact: send it again or by another route.")


def test_a_meetings_letter_is_about_that_meeting() -> None:
    """Seeds 001 and 002: the plan goes to each parent after the meeting; the contact keeps
    the meeting's date so readiness counts it for that meeting."""
    contact = contact_for(sending("plan_cover_letter", meeting_date=dt.date(2026, 2, 17)))
    assert contact.about == dt.date(2026, 2, 17)


@pytest.mark.parametrize(("kind", "words"), [
    ("aim_invitation", WARNING_WORDS), ("notice_to_improve", NOTICE_WORDS),
    ("plan_cover_letter", PLAN_WORDS),
])
def test_readiness_finds_each_sent_letter_as_evidence(kind: str, words: tuple[str, ...]) -> None:
    """Seed 000 (record the letters sent to parents) and readiness.py: the warning, the
    Notice to Improve and the plan are found without anyone typing a contact."""
    contact = contact_for(sending(kind, document_name="letter.pdf"))
    found = letters_to(carer(), [contact], words, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert found == [contact]


@pytest.mark.parametrize("kind", sorted(LETTERS_TO_PARENTS - {"aim_invitation",
                                                              "notice_to_improve",
                                                              "plan_cover_letter"}))
def test_other_letters_are_not_taken_for_a_warning_notice_or_plan(kind: str) -> None:
    """readiness.py: only the letters that are the warning (seeds 000, 001), the Notice to
    Improve (DfE 2024) or a plan (seed 001) count as them."""
    contact = contact_for(sending(kind, document_name="letter.pdf", approved_by=""))
    for words in (WARNING_WORDS, NOTICE_WORDS, PLAN_WORDS):
        assert letters_to(carer(), [contact], words, dt.date.min, dt.date.max) == []


def test_the_notice_to_improve_step_is_met_by_the_recorded_sendings() -> None:
    """DfE 2024 via readiness.py: the Notice to Improve to each parent, found from the
    contacts the sending wrote, dated 3 February 2026, with the period over by TODAY."""
    day = dt.datetime(2026, 2, 3, 10, 0)
    c = case(stage=Stage.NOTICE_TO_IMPROVE, meetings=(meeting(date=dt.date(2026, 1, 6)),),
             notice_to_improve=NoticeToImprove(day.date(), 3),
             interactions=(contact_for(sending(sent_at=day)),))
    step = readiness(c, NATIONAL, TODAY).step("notice_to_improve")
    assert step.found, step.evidence
    assert "Sent to Dana Ellis (email on 3 February 2026)." in step.evidence
