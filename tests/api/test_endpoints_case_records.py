"""The API's records of a case: actions (list, agree, mark done), assessments (read,
record), deadlines and flags (read)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseShare
from notes.models import Action
from priorities.models import Assessment, DeadlineFlag
from tests.api.helpers import access_entries, filled_case
from tests.conftest import client_for
from tests.personas import share

pytestmark = pytest.mark.django_db


def _post(user, url, body):
    return client_for(user).post(url, body, content_type="application/json")


# --- actions --------------------------------------------------------------------------


def test_the_actions_of_a_case_are_listed_and_audited(alice):
    filled = filled_case(alice)

    response = client_for(alice).get(reverse("api:case_actions", args=[filled.case.pk]))

    assert [a["id"] for a in response.json()["results"]] == [filled.action.pk]
    assert response.json()["results"][0]["description"] == "Send the rent statement"
    assert access_entries(via="API case actions") == [("action", str(filled.action.pk))]


def test_an_action_is_agreed_with_the_pages_rules(alice):
    case = filled_case(alice).case
    url = reverse("api:case_actions", args=[case.pk])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()

    refused = _post(alice, url, {"description": "Call", "owner": "third_party", "due_on": due})
    agreed = _post(
        alice, url, {"description": "Call the council", "owner": "client", "due_on": due}
    )

    assert refused.status_code == 400
    assert refused.json()["errors"]["owner_detail"] == ["Name the third party."]
    assert agreed.status_code == 201
    assert Action.objects.filter(case=case).count() == 2


def test_an_action_is_marked_done(alice):
    filled = filled_case(alice)

    response = _post(
        alice, reverse("api:action_complete", args=[filled.case.pk, filled.action.pk]), {}
    )

    assert response.status_code == 200
    filled.action.refresh_from_db()
    assert filled.action.status == Action.Status.DONE


def test_an_action_of_another_case_is_not_found_through_this_one(alice):
    mine, other = filled_case(alice), filled_case(alice)

    response = _post(
        alice, reverse("api:action_complete", args=[mine.case.pk, other.action.pk]), {}
    )

    assert response.status_code == 404
    other.action.refresh_from_db()
    assert other.action.status == Action.Status.OPEN


def test_a_view_share_holder_may_not_mark_an_action_done(alice, dave):
    filled = filled_case(alice)
    share(filled.case, dave, CaseShare.Level.VIEW)

    response = _post(
        dave, reverse("api:action_complete", args=[filled.case.pk, filled.action.pk]), {}
    )

    assert response.status_code == 403


# --- assessments ------------------------------------------------------------------------


def test_the_assessments_of_a_case_are_listed_and_one_is_shown_as_made(alice):
    filled = filled_case(alice)
    http = client_for(alice)

    listed = http.get(reverse("api:case_assessments", args=[filled.case.pk])).json()
    one = http.get(
        reverse("api:assessment_detail", args=[filled.case.pk, filled.assessment.pk])
    ).json()

    assert [a["id"] for a in listed["results"]] == [filled.assessment.pk]
    assert one["answers"] == {"safeguarding": 0, "complexity": 2}
    assert one["rationale"] == "First look at the papers"
    assert access_entries(via="API assessment") == [("assessment", str(filled.assessment.pk))]


def test_an_assessment_is_recorded_through_the_priorities_service(alice):
    case = filled_case(alice).case

    response = _post(
        alice,
        reverse("api:case_assessments", args=[case.pk]),
        {"answers": {"safeguarding": 1, "complexity": 0}, "rationale": "A school called"},
    )

    assert response.status_code == 201
    assert response.json()["level"] == "red"
    case.refresh_from_db()
    assert case.level == "red"


def test_an_assessment_missing_an_answer_is_refused_with_the_services_message(alice):
    case = filled_case(alice).case

    response = _post(
        alice,
        reverse("api:case_assessments", args=[case.pk]),
        {"answers": {"safeguarding": 1}, "rationale": "A school called"},
    )

    assert response.status_code == 400
    assert response.json()["errors"]["answer_complexity"] == ["Answer this question."]
    assert Assessment.objects.filter(case=case).count() == 1


def test_an_assessment_of_another_case_is_not_found_through_this_one(alice):
    mine, other = filled_case(alice), filled_case(alice)

    response = client_for(alice).get(
        reverse("api:assessment_detail", args=[mine.case.pk, other.assessment.pk])
    )

    assert response.status_code == 404


def test_another_teams_supervisor_sees_no_assessment(alice, sam):
    filled = filled_case(alice)

    response = client_for(sam).get(reverse("api:case_assessments", args=[filled.case.pk]))

    assert response.status_code == 404


# --- deadlines and flags -----------------------------------------------------------------


def test_the_deadlines_of_a_case_are_listed_and_audited(alice):
    filled = filled_case(alice)

    response = client_for(alice).get(reverse("api:case_deadlines", args=[filled.case.pk]))

    assert response.json()["results"][0]["description"] == "Hearing"
    assert access_entries(via="API case deadlines") == [("casedeadline", str(filled.deadline.pk))]


def test_the_flags_of_a_case_are_listed_to_its_supervisor(alice, carol):
    case = filled_case(alice).case
    flag = DeadlineFlag.objects.create(
        case=case,
        deadline=Case.DueDate.NEXT_CONTACT,
        due_on=timezone.localdate(),
        stage="due",
    )

    response = client_for(carol).get(reverse("api:case_flags", args=[case.pk]))

    assert [f["id"] for f in response.json()["results"]] == [flag.pk]
    assert access_entries(via="API case flags") == [("case", str(case.pk))]


def test_a_same_team_adviser_sees_neither_deadlines_nor_flags_of_a_colleagues_case(alice, bob):
    case = filled_case(alice).case
    http = client_for(bob)

    assert http.get(reverse("api:case_deadlines", args=[case.pk])).status_code == 404
    assert http.get(reverse("api:case_flags", args=[case.pk])).status_code == 404
