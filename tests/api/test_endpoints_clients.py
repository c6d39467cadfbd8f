"""The API's clients: search through the blind indexes, by POST, and one client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.helpers import access_entries, filled_case
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/clients/search/"


def _search(user, **body):
    return client_for(user).post(SEARCH, body, content_type="application/json")


def test_a_search_by_reference_finds_the_client_with_the_cases_the_caller_may_see(alice):
    case = filled_case(alice).case

    response = _search(alice, reference=case.client.reference)

    assert response.status_code == 200
    body = response.json()
    assert [r["client"]["reference"] for r in body["results"]] == [case.client.reference]
    assert body["results"][0]["cases"] == [case.pk]
    assert body["held_elsewhere"] is False


def test_a_search_by_family_name_and_date_of_birth_finds_the_client_through_the_blind_indexes(
    alice,
):
    client = filled_case(alice).case.client

    response = _search(
        alice, family_name=client.family_name.upper(), date_of_birth=str(client.date_of_birth)
    )

    assert [r["client"]["id"] for r in response.json()["results"]] == [client.pk]


def test_a_search_says_only_that_a_client_held_elsewhere_exists_and_records_the_match(alice, dave):
    theirs = filled_case(dave).case.client

    response = _search(alice, reference=theirs.reference)

    assert response.json() == {"results": [], "held_elsewhere": True}
    assert access_entries(via="API client search: match held elsewhere") == [
        ("client", str(theirs.pk))
    ]


def test_a_search_needs_a_reference_or_a_family_name_with_a_date_of_birth(alice):
    response = _search(alice, family_name="Quorndonshire1")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "non_field" in response.json()["errors"]


def test_a_search_by_get_is_not_allowed_so_that_no_name_reaches_a_url(alice):
    response = client_for(alice).get(SEARCH, {"family_name": "Quorndonshire1"})

    assert response.status_code == 405


def test_someone_without_a_case_role_may_not_search(erin, alice):
    case = filled_case(alice).case

    response = _search(erin, reference=case.client.reference)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_a_client_is_shown_to_their_adviser_and_the_read_is_audited(alice):
    client = filled_case(alice).case.client

    response = client_for(alice).get(reverse("api:client_detail", args=[client.pk]))

    assert response.status_code == 200
    assert response.json()["family_name"] == client.family_name
    assert access_entries(via="API client") == [("client", str(client.pk))]


def test_a_client_of_another_team_answers_exactly_as_a_missing_one(alice, dave):
    client = filled_case(alice).case.client
    http = client_for(dave)

    theirs = http.get(reverse("api:client_detail", args=[client.pk]))
    missing = http.get(reverse("api:client_detail", args=[client.pk + 1000]))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_a_signed_out_caller_gets_a_problem_not_a_redirect_to_sign_in(alice):
    client = filled_case(alice).case.client
    from django.test import Client

    response = Client().get(reverse("api:client_detail", args=[client.pk]))

    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"


def test_a_client_whose_key_was_shredded_reads_as_erased_without_a_date_of_birth(alice):
    from caseload import crypto

    case = filled_case(alice).case
    crypto.data_key_shred(data_key=case.client.data_key)
    http = client_for(alice)

    client = http.get(reverse("api:client_detail", args=[case.client_id]))
    notes = http.get(reverse("api:case_notes", args=[case.pk]))
    assessments = http.get(reverse("api:case_assessments", args=[case.pk]))

    assert client.status_code == notes.status_code == assessments.status_code == 200
    assert client.json()["erased"] is True
    assert client.json()["date_of_birth"] is None
    assert notes.json()["results"][0]["facts"] == "[erased]"
    assert assessments.json()["results"][0]["answers"] == {}
