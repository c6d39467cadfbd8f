"""Consent is checked against its purpose: a share needs consent covering colleagues, a
referral out one covering that agency; the forms offer only those, and a way to record one."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import selectors, services
from cases.models import CaseShare, ConsentRecord, Referral
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _in_a_week() -> str:
    return (date.today() + timedelta(days=7)).strftime("%d/%m/%Y")


def _consent(case, scope, shared_with="Shelter, Citizens Advice Leeds", **extra):
    return ConsentFactory(
        client=case.client,
        scope=scope,
        shared_with=shared_with,
        recorded_by=case.assigned_to,
        **extra,
    )


def _share(case, alice, bob, consent):
    return services.case_share(
        case=case,
        shared_with=bob,
        level="view",
        reason="Covering the drop-in",
        consent=consent,
        expires_on=date.today() + timedelta(days=7),
        shared_by=alice,
    )


def _refer(case, alice, consent, agency="Shelter"):
    return services.referral_out(
        case=case,
        agency=agency,
        contact="",
        reason="Housing advice",
        consent=consent,
        follow_up_on=None,
        created_by=alice,
    )


# --- the rule --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "covers"),
    [("colleagues", True), ("all", True), ("partners", False), ("referral", False)],
)
def test_only_consent_for_colleagues_or_for_all_covers_sharing_with_colleagues(scope, covers):
    assert ConsentRecord(scope=scope, shared_with="Anyone").covers_colleagues is covers


@pytest.mark.parametrize(
    ("scope", "shared_with", "agency", "covers"),
    [
        ("all", "", "Any agency at all", True),
        ("referral", "Shelter, Citizens Advice Leeds", "shelter", True),
        ("partners", "Shelter, Citizens Advice Leeds", "Citizens  Advice", True),
        ("referral", "St. Mungo's outreach", "St Mungo's", True),
        ("referral", "Sheltered Housing Trust", "Shelter", False),
        ("referral", "Shelter", "Citizens Advice", False),
        ("referral", "Shelter", "  ", False),
        ("colleagues", "Shelter", "Shelter", False),
    ],
)
def test_a_referral_is_covered_when_the_consent_names_the_agency_in_whole_words(
    scope, shared_with, agency, covers
):
    consent = ConsentRecord(scope=scope, shared_with=shared_with)

    assert consent.covers_agency(agency) is covers


# --- the services re-check ----------------------------------------------------------


def test_a_share_resting_on_a_referral_consent_is_refused(alice, bob):
    case = CaseFactory(assigned_to=alice)
    consent = _consent(case, "referral")

    with pytest.raises(ValidationError, match="does not cover sharing with colleagues"):
        _share(case, alice, bob, consent)

    assert not CaseShare.objects.exists()


def test_a_share_resting_on_consent_for_all_is_made(alice, bob):
    case = CaseFactory(assigned_to=alice)

    share = _share(case, alice, bob, _consent(case, "all"))

    assert share.is_active()


def test_a_referral_to_an_agency_the_consent_does_not_name_is_refused_saying_which(alice):
    case = CaseFactory(assigned_to=alice)
    consent = _consent(case, "referral", shared_with="Shelter")

    with pytest.raises(ValidationError, match="covers a referral to Step Change"):
        _refer(case, alice, consent, agency="Step Change")

    assert not Referral.objects.exists()


def test_a_referral_to_an_agency_the_consent_names_is_made(alice):
    case = CaseFactory(assigned_to=alice)

    referral = _refer(case, alice, _consent(case, "partners"), agency="citizens advice leeds")

    assert referral.consent.scope == "partners"


def test_consent_for_colleagues_never_covers_a_referral_out(alice):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError):
        _refer(case, alice, _consent(case, "colleagues", shared_with="Shelter"))


# --- the selectors ---------------------------------------------------------------------


def test_the_consents_offered_fit_the_purpose_and_leave_out_withdrawn_ones(alice):
    case = CaseFactory(assigned_to=alice)
    colleagues = _consent(case, "colleagues")
    everyone = _consent(case, "all")
    shelter = _consent(case, "referral", shared_with="Shelter")
    _consent(case, "colleagues", withdrawn_on=date.today())

    assert set(selectors.consents_for_sharing(case)) == {colleagues, everyone}
    assert set(selectors.consents_for_referral(case)) == {everyone, shelter}
    assert set(selectors.consents_for_referral(case, agency="Step Change")) == {everyone}


# --- the forms ---------------------------------------------------------------------------


def _choices(response):
    return {c.pk for c in response.context["form"].fields["consent"].queryset}


def test_the_share_form_lists_only_consents_covering_colleagues(alice):
    case = CaseFactory(assigned_to=alice)
    colleagues = _consent(case, "colleagues")
    _consent(case, "referral")

    response = client_for(alice).get(reverse("cases:share_add", args=[case.pk]))

    assert _choices(response) == {colleagues.pk}


def test_the_share_form_without_a_fitting_consent_links_to_record_one_and_back(alice):
    case = CaseFactory(assigned_to=alice)
    _consent(case, "referral")

    response = client_for(alice).get(reverse("cases:share_add", args=[case.pk]))

    html = response.content.decode()
    assert "None of the client's current consents covers sharing with colleagues" in html
    link = response.context["form"].fields["consent"].help_text
    href = link.split('href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == reverse("cases:consent_add", args=[case.client_id])
    assert query == {"scope": ["colleagues"], "next": [reverse("cases:share_add", args=[case.pk])]}


def test_the_share_consent_is_required_and_its_label_says_so(alice, bob):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).post(
        reverse("cases:share_add", args=[case.pk]),
        {"shared_with": bob.pk, "level": "view", "reason": "Cover", "expires_on": _in_a_week()},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "record it first" in " ".join(response.context["form"].errors["consent"])
    label = html.split('for="id_consent"')[1].split("</label>")[0]
    assert "optional" not in label


def test_the_consent_form_preselects_the_scope_and_carries_next(alice):
    case = CaseFactory(assigned_to=alice)
    back = reverse("cases:share_add", args=[case.pk])

    response = client_for(alice).get(
        reverse("cases:consent_add", args=[case.client_id]), {"scope": "colleagues", "next": back}
    )

    html = response.content.decode()
    assert response.context["form"].initial == {"scope": "colleagues"}
    assert f'<input type="hidden" name="next" value="{back}">' in html


def test_recording_consent_returns_to_the_share_form_with_it_chosen(alice):
    case = CaseFactory(assigned_to=alice)
    back = reverse("cases:share_add", args=[case.pk])
    client = client_for(alice)

    recorded = client.post(
        reverse("cases:consent_add", args=[case.client_id]),
        {
            "scope": "colleagues",
            "shared_with": "The advice team",
            "details": "",
            "given_on": date.today().strftime("%d/%m/%Y"),
            "method": "verbal",
            "next": back,
        },
    )
    consent = ConsentRecord.objects.get()
    returned = client.get(recorded["Location"])

    assert recorded.status_code == 302
    assert recorded["Location"] == f"{back}?consent={consent.pk}"
    assert returned.context["form"].initial["consent"] == consent.pk


@pytest.mark.parametrize("next_url", ["https://elsewhere.example/steal", "//elsewhere.example/"])
def test_the_consent_form_never_sends_anyone_to_another_site(alice, next_url):
    case = CaseFactory(assigned_to=alice)

    recorded = client_for(alice).post(
        reverse("cases:consent_add", args=[case.client_id]),
        {
            "scope": "colleagues",
            "shared_with": "The advice team",
            "given_on": date.today().strftime("%d/%m/%Y"),
            "method": "verbal",
            "next": next_url,
        },
    )

    assert recorded["Location"] == reverse("cases:client_detail", args=[case.client_id])


def test_the_referral_form_says_plainly_which_consent_is_missing_and_keeps_the_text(alice):
    case = CaseFactory(assigned_to=alice)
    shelter = _consent(case, "referral", shared_with="Shelter")

    response = client_for(alice).post(
        reverse("cases:referral_out_add", args=[case.pk]),
        {"agency": "Step Change", "reason": "Debt advice for the arrears", "consent": shelter.pk},
    )

    html = response.content.decode()
    error = " ".join(response.context["form"].errors["consent"])
    assert response.status_code == 400
    assert "No current consent of the client covers a referral to Step Change" in error
    assert "Debt advice for the arrears" in html
    assert _choices(response) == set()
    assert "scope=referral" in response.context["form"].fields["consent"].help_text
    assert not Referral.objects.exists()


def test_the_referral_form_records_a_referral_the_consent_covers(alice):
    case = CaseFactory(assigned_to=alice)
    shelter = _consent(case, "referral", shared_with="Shelter")

    response = client_for(alice).post(
        reverse("cases:referral_out_add", args=[case.pk]),
        {"agency": "Shelter", "reason": "Housing advice", "consent": shelter.pk},
    )

    assert response.status_code == 302
    assert Referral.objects.get().consent == shelter


def test_the_referral_form_comes_back_to_the_review_decision_it_carries(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).get(
        reverse("cases:referral_out_add", args=[case.pk]), {"decision": "7"}
    )

    help_text = response.context["form"].fields["consent"].help_text
    assert "next=%2Fcases%2F" in help_text
    assert "%3Fdecision%3D7" in help_text


def test_an_adviser_of_another_team_cannot_record_consent_for_the_client(alice, dave):
    case = CaseFactory(assigned_to=alice)

    response = client_for(dave).get(reverse("cases:consent_add", args=[case.client_id]))

    assert response.status_code == 404
