"""The API's notes: listed per case and appended with the page's rules; never changed
or deleted, and the schema says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseShare
from dataprotection.erasure_services import processing_restriction_place
from notes.models import CaseNote
from tests.api.helpers import access_entries, filled_case, note_on
from tests.conftest import client_for
from tests.personas import share

pytestmark = pytest.mark.django_db


def _notes_url(case) -> str:
    return reverse("api:case_notes", args=[case.pk])


def _note(**extra) -> dict:
    return {
        "contact_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "channel": "phone",
        "facts": "Client rang: the bailiffs have given a date",
        "next_steps": "Apply to suspend the warrant",
        **extra,
    }


def _append(user, case, **extra):
    return client_for(user).post(_notes_url(case), _note(**extra), content_type="application/json")


def test_the_notes_of_a_case_are_listed_newest_first_and_each_is_audited(alice):
    filled = filled_case(alice)
    second = note_on(filled.case, alice, facts="Client called back")

    response = client_for(alice).get(_notes_url(filled.case))

    assert [n["id"] for n in response.json()["results"]] == [second.pk, filled.note.pk]
    assert response.json()["results"][0]["facts"] == "Client called back"
    assert sorted(access_entries(via="API case notes")) == sorted(
        [("casenote", str(second.pk)), ("casenote", str(filled.note.pk))]
    )


def test_listing_notes_takes_as_many_queries_for_six_notes_as_for_two(alice):
    case = filled_case(alice).case
    http = client_for(alice)
    http.get(_notes_url(case))
    note_on(case, alice)
    with CaptureQueriesContext(connection) as two:
        assert len(http.get(_notes_url(case)).json()["results"]) == 2
    for _ in range(4):
        note_on(case, alice)
    with CaptureQueriesContext(connection) as six:
        assert len(http.get(_notes_url(case)).json()["results"]) == 6

    assert len(six.captured_queries) == len(two.captured_queries)


def test_a_note_is_appended_to_the_chain_and_records_the_contact(alice):
    case = filled_case(alice).case

    response = _append(alice, case, contact_at=(timezone.now() - timedelta(minutes=5)).isoformat())

    assert response.status_code == 201
    note = CaseNote.objects.get(pk=response.json()["id"])
    assert note.sequence == 2
    assert note.author == alice
    case.refresh_from_db()
    assert case.last_contact_at == note.contact_at


def test_a_note_of_a_contact_in_the_future_is_refused_with_the_pages_message(alice):
    case = filled_case(alice).case

    response = _append(alice, case, contact_at=(timezone.now() + timedelta(hours=1)).isoformat())

    assert response.status_code == 400
    assert response.json()["errors"]["contact_at"] == ["The contact cannot be in the future."]
    assert CaseNote.objects.filter(case=case).count() == 1


def test_a_note_written_days_after_the_contact_is_shown_as_a_late_entry(alice):
    case = filled_case(alice).case

    response = _append(alice, case, contact_at=(timezone.now() - timedelta(days=3)).isoformat())

    assert response.json()["is_late"] is True


def test_no_note_is_added_to_a_client_whose_processing_is_restricted(alice, dina):
    case = filled_case(alice).case
    processing_restriction_place(client=case.client, reason="The client objected", placed_by=dina)

    response = _append(alice, case)

    assert response.status_code == 400
    assert CaseNote.objects.filter(case=case).count() == 1


def test_a_correction_points_at_the_note_it_corrects_which_stays_as_it_was(alice):
    filled = filled_case(alice)

    response = _append(
        alice, filled.case, corrects=filled.note.pk, correction_reason="Wrong phone number"
    )

    assert response.status_code == 201
    assert response.json()["corrects"] == filled.note.pk
    original = CaseNote.objects.get(pk=filled.note.pk)
    assert original.facts == filled.note.facts


def test_a_correction_of_a_note_of_another_case_is_refused(alice):
    mine, other = filled_case(alice), filled_case(alice)

    response = _append(alice, mine.case, corrects=other.note.pk, correction_reason="Wrong")

    assert response.status_code == 400
    assert "corrects" in response.json()["errors"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_notes_cannot_be_changed_or_deleted_through_the_api(alice, method):
    filled = filled_case(alice)
    http = client_for(alice)
    before = list(CaseNote.objects.values_list("pk", "content_hash"))

    answers = [
        getattr(http, method)(url, _note(facts="Rewritten"), content_type="application/json")
        for url in (
            _notes_url(filled.case),
            f"{_notes_url(filled.case)}{filled.note.pk}/",
        )
    ]

    assert [a.status_code for a in answers] == [405, 404]
    assert list(CaseNote.objects.values_list("pk", "content_hash")) == before


def test_the_schema_offers_only_get_and_post_for_a_cases_notes():
    schema = yaml.safe_load(Client().get(reverse("api:schema")).content)

    notes = [p for p in schema["paths"] if p.endswith("/notes/")]

    assert notes == ["/api/v1/cases/{id}/notes/"]
    assert set(schema["paths"][notes[0]]) - {"parameters"} == {"get", "post"}
    assert not [p for p in schema["paths"] if "/notes/{" in p]


def test_a_view_share_holder_reads_the_notes_but_may_not_add_one(alice, dave):
    case = filled_case(alice).case
    share(case, dave, CaseShare.Level.VIEW)

    assert client_for(dave).get(_notes_url(case)).status_code == 200
    assert _append(dave, case).status_code == 403
    assert CaseNote.objects.filter(case=case).count() == 1


def test_another_teams_adviser_finds_no_notes_as_if_the_case_did_not_exist(alice, dave):
    case = filled_case(alice).case

    assert client_for(dave).get(_notes_url(case)).status_code == 404
    assert _append(dave, case).status_code == 404
