"""The data protection officer's retention, erasure and restriction pages, the banner on
the case pages, and every page that shows a client still working once they are erased."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseload import crypto
from caseload.models import DataKey, QueuedTask
from cases import services as case_services
from cases.models import Client
from dataprotection import erasure_services as services
from dataprotection.models import (
    DisposalItem,
    DisposalRun,
    ErasureRequest,
    LegalHold,
    ProcessingRestriction,
)
from notes.models import CaseNote
from tests.conftest import client_for
from tests.dataprotection.retention_world import closed_case, note, years_ago
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "dataprotection:retention",
    "dataprotection:tombstones",
    "dataprotection:holds",
    "dataprotection:restrictions",
    "dataprotection:erasure_requests",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("persona", ["alice", "carol", "erin"])
def test_the_pages_refuse_anyone_but_the_data_protection_officer(name, persona, request):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_the_data_protection_officer_sees_each_page(name, dina):
    assert client_for(dina).get(reverse(name)).status_code == 200


def test_an_adviser_cannot_approve_a_disposal_list(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None

    response = client_for(alice).post(
        reverse("dataprotection:disposal_run", args=[run.pk]),
        {"items": [run.items.get().pk], "reason": "Mine now"},
    )

    assert response.status_code == 403
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.AWAITING_REVIEW
    assert Client.objects.get(pk=case.client_id).family_name != crypto.ERASED


def test_the_dry_run_shows_references_counts_and_dates_never_names_and_changes_nothing(alice, dina):
    case = closed_case(alice, closed_on=years_ago(7))
    client = case.client
    run = services.disposal_run_prepare()
    assert run is not None
    keys_before = list(DataKey.objects.values_list("wrapped_key", flat=True))

    response = client_for(dina).get(reverse("dataprotection:disposal_run", args=[run.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert client.reference in page
    assert "72 months" in page
    assert client.family_name not in page
    assert client.given_name not in page
    assert list(DataKey.objects.values_list("wrapped_key", flat=True)) == keys_before
    assert run.items.get().state == DisposalItem.State.LISTED


def test_approving_on_the_page_queues_the_erasure(alice, dina):
    closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None

    response = client_for(dina).post(
        reverse("dataprotection:disposal_run", args=[run.pk]),
        {"items": [run.items.get().pk], "reason": "Retention ended"},
    )

    assert response.status_code == 302
    assert QueuedTask.objects.filter(args=[run.pk]).exists()


def test_approving_without_a_reason_keeps_the_choice_and_says_why(alice, dina):
    closed_case(alice, closed_on=years_ago(7))
    run = services.disposal_run_prepare()
    assert run is not None

    response = client_for(dina).post(
        reverse("dataprotection:disposal_run", args=[run.pk]),
        {"items": [run.items.get().pk], "reason": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert DisposalRun.objects.get(pk=run.pk).status == DisposalRun.Status.AWAITING_REVIEW


def test_a_hold_for_an_unknown_reference_is_explained_and_the_reason_kept(dina):
    response = client_for(dina).post(
        reverse("dataprotection:holds"), {"reference": "C-999999", "reason": "Claim 2041"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "No client has the reference C-999999." in page
    assert "Claim 2041" in page
    assert not LegalHold.objects.exists()


def test_the_dpo_places_and_lifts_a_hold_on_the_pages(alice, dina):
    case = CaseFactory(assigned_to=alice)
    browser = client_for(dina)

    browser.post(
        reverse("dataprotection:holds"),
        {"reference": case.client.reference.lower(), "reason": "Claim issued"},
    )
    hold = LegalHold.objects.get()
    response = browser.post(
        reverse("dataprotection:hold_lift", args=[hold.pk]), {"reason": "Claim settled"}
    )

    assert response.status_code == 302
    assert LegalHold.objects.get().lift_reason == "Claim settled"


def test_an_adviser_cannot_lift_a_hold(alice, dina):
    case = CaseFactory(assigned_to=alice)
    hold = services.legal_hold_place(client=case.client, reason="Claim", placed_by=dina)

    response = client_for(alice).post(
        reverse("dataprotection:hold_lift", args=[hold.pk]), {"reason": "Not needed"}
    )

    assert response.status_code == 403
    assert LegalHold.objects.get().is_active


def test_an_erasure_request_is_recorded_and_decided_on_the_pages(alice, dina):
    case = CaseFactory(assigned_to=alice)
    browser = client_for(dina)

    browser.post(
        reverse("dataprotection:erasure_requests"),
        {"reference": case.client.reference, "received_on": "1/11/2026"},
    )
    request = ErasureRequest.objects.get()
    response = browser.post(
        reverse("dataprotection:erasure_request", args=[request.pk]),
        {"decision": "refuse", "ground": "legal_claims", "reason": "Claim pending"},
    )

    assert response.status_code == 302
    assert ErasureRequest.objects.get().decision == "refuse"


def test_an_erase_decision_for_a_client_with_an_open_case_is_explained(alice, dina):
    case = CaseFactory(assigned_to=alice)
    request = services.erasure_request_record(
        client=case.client, received_on=years_ago(0), recorded_by=dina
    )

    response = client_for(dina).post(
        reverse("dataprotection:erasure_request", args=[request.pk]),
        {"decision": "erase", "reason": "Asked"},
    )

    assert response.status_code == 400
    assert "must be closed before erasure" in response.content.decode()


def test_an_adviser_cannot_decide_an_erasure_request(alice, dina):
    case = CaseFactory(assigned_to=alice)
    request = services.erasure_request_record(
        client=case.client, received_on=years_ago(0), recorded_by=dina
    )

    response = client_for(alice).post(
        reverse("dataprotection:erasure_request", args=[request.pk]),
        {"decision": "refuse", "ground": "legal_claims", "reason": "x"},
    )

    assert response.status_code == 403
    assert ErasureRequest.objects.get().decision == "pending"


def test_a_missing_restriction_is_not_found(dina):
    response = client_for(dina).get(reverse("dataprotection:restriction", args=[999]))

    assert response.status_code == 404


# --- restriction on the case pages ------------------------------------------------------


@pytest.fixture
def restricted_case(alice, dina):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    services.processing_restriction_place(
        client=case.client, reason="Accuracy contested", placed_by=dina
    )
    return case


def test_the_banner_is_on_the_client_and_case_pages(restricted_case, alice):
    browser = client_for(alice)

    for url in (
        reverse("cases:client_detail", args=[restricted_case.client_id]),
        reverse("cases:case_detail", args=[restricted_case.pk]),
        reverse("cases:client_edit", args=[restricted_case.client_id]),
        reverse("cases:case_status", args=[restricted_case.pk]),
    ):
        assert "Processing restricted." in browser.get(url).content.decode(), url


def test_no_banner_without_a_restriction(alice):
    case = CaseFactory(assigned_to=alice)

    page = client_for(alice).get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    assert "Processing restricted." not in page


def test_the_advisers_note_is_refused_with_the_reason_and_kept(restricted_case, alice):
    # A contact that would be taken but for the restriction, at any hour of the run.
    contact = timezone.localtime() - timedelta(minutes=5)
    response = client_for(alice).post(
        reverse("notes:note_add", args=[restricted_case.pk]),
        {
            "contact_date": contact.strftime("%d/%m/%Y"),
            "contact_time": contact.strftime("%H:%M"),
            "channel": "phone",
            "facts": "Called the landlord",
            "next_steps": "Wait",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "only the data protection officer can add a note" in page
    assert "Called the landlord" in page
    assert not CaseNote.objects.exists()


def test_the_advisers_edit_of_the_client_is_refused_with_the_reason(restricted_case, alice):
    client = restricted_case.client
    response = client_for(alice).post(
        reverse("cases:client_edit", args=[client.pk]),
        {"given_name": "Changed", "family_name": client.family_name},
    )

    assert response.status_code == 400
    assert "Processing of this client&#x27;s data is restricted" in response.content.decode()
    assert Client.objects.get(pk=client.pk).given_name == client.given_name


def test_the_dpo_adds_a_file_note_from_the_restriction_page(restricted_case, dina):
    restriction = ProcessingRestriction.objects.get()

    response = client_for(dina).post(
        reverse("dataprotection:restriction_note", args=[restriction.pk]),
        {"case": restricted_case.pk, "facts": "Restriction confirmed to the client by letter"},
    )

    assert response.status_code == 302
    assert CaseNote.objects.get().author == dina


def test_an_adviser_cannot_use_the_restriction_page(restricted_case, alice):
    restriction = ProcessingRestriction.objects.get()

    for name in ("restriction", "restriction_note", "restriction_lift"):
        url = reverse(f"dataprotection:{name}", args=[restriction.pk])
        response = client_for(alice).post(url, {"case": restricted_case.pk, "facts": "x"})
        assert response.status_code in (403, 405)
    assert not CaseNote.objects.exists()


# --- an erased client on every page that shows client data ------------------------------


def test_every_page_showing_an_erased_client_renders_erased(alice, carol):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    note(case, alice)
    ConsentFactory(client=case.client, recorded_by=alice)
    reference = case.client.reference
    client = Client.objects.select_related("data_key").get(pk=case.client_id)
    crypto.data_key_shred(data_key=client.data_key)
    case_services.client_indexes_blank(client=client, erased_by=alice)

    advisers = client_for(alice)
    for url in (
        reverse("cases:client_detail", args=[client.pk]),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:my_caseload"),
    ):
        response = advisers.get(url)
        assert response.status_code == 200, url
        assert "[erased]" in response.content.decode(), url
    found = advisers.post(reverse("cases:client_search"), {"q": reference}, follow=True)
    assert found.status_code == 200
    assert "[erased]" in found.content.decode()
    assert client_for(carol).get(reverse("reviews:team_dashboard")).status_code == 200
