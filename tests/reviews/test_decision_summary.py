"""The review decision page shows where the case stands beside the decision form."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from cases import services as case_services
from notes.models import Action
from notes.services import action_create
from priorities.models import DeadlineFlag
from reviews import services
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(alice, carol):
    case = CaseFactory(assigned_to=alice)
    soon = date.today() + timedelta(days=4)
    outcome = case_services.outcome_add(
        case=case,
        description="Keep the tenancy",
        measure="Claim withdrawn",
        target_date=date.today() + timedelta(days=40),
        added_by=alice,
    )
    case_services.outcome_progress_record(
        outcome=outcome,
        note="Plan agreed",
        status="in_progress",
        progress_percent=45,
        recorded_by=alice,
    )
    action = action_create(
        case=case,
        description="Ring the landlord's agent",
        owner=Action.Owner.ADVISER,
        due_on=soon,
        created_by=alice,
    )
    # As the timescales would set them (none are configured here).
    case.next_contact_due_on = case.next_due_on = soon
    case.save()
    DeadlineFlag.objects.create(
        case=case, deadline=DeadlineFlag.Deadline.NEXT_CONTACT, due_on=soon, stage="approaching"
    )
    review = services.review_start(adviser=alice, started_by=carol)
    return case, review, outcome, action


def _url(review, case):
    return reverse("reviews:review_decide", args=[review.pk, case.pk])


def test_the_decision_page_shows_the_case_summary_beside_the_form(carol, scene):
    case, review, _, _ = scene

    response = client_for(carol).get(_url(review, case))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Case {case.reference} at a glance" in html
    assert "Not assessed" in html
    assert "Next contact due" in html  # the what-is-due label on the case
    assert "Keep the tenancy" in html
    assert 'value="45"' in html
    assert "Approaching</span> Next contact" in html
    assert "Ring the landlord" in html
    assert 'name="decision"' in html
    # Side by side from a wide screen on, one above the other on a phone.
    assert html.count('class="col-lg-6"') == 2


def test_reading_the_summary_is_recorded_like_the_case_page(carol, scene):
    case, review, outcome, action = scene

    client_for(carol).get(_url(review, case))

    for record in (case, outcome, action):
        assert LogEntry.objects.filter(
            action=LogEntry.Action.ACCESS,
            actor=carol,
            content_type=ContentType.objects.get_for_model(record),
            object_pk=str(record.pk),
            additional_data__via="review decision",
        ).exists()


def test_the_summary_comes_back_with_the_form_when_the_decision_is_refused(carol, scene):
    case, review, _, _ = scene

    response = client_for(carol).post(_url(review, case), {"decision": "close", "comment": ""})

    assert response.status_code == 400
    assert "Keep the tenancy" in response.content.decode()


def test_a_supervisor_of_another_team_cannot_open_the_decision_page(dave, scene):
    case, review, _, _ = scene

    response = client_for(dave).get(_url(review, case))

    assert response.status_code == 404
    assert "Keep the tenancy" not in response.content.decode()
