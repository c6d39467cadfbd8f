"""The API's cases: the list visible to the caller with its filters, one case, and
a change of status through ``cases.services.case_status_change``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseShare
from priorities.models import DeadlineFlag
from tests.api.helpers import access_entries, filled_case
from tests.conftest import client_for
from tests.factories import CaseFactory
from tests.personas import share

pytestmark = pytest.mark.django_db

LIST = "/api/v1/cases/"


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_case_list_holds_only_the_cases_the_caller_may_see(alice, bob, carol, dave):
    mine = filled_case(alice).case
    bobs = filled_case(bob).case
    filled_case(dave)

    assert _ids(client_for(alice).get(LIST)) == [mine.pk]
    assert sorted(_ids(client_for(carol).get(LIST))) == sorted([mine.pk, bobs.pk])


def test_every_case_listed_is_recorded_in_the_audit_trail(alice):
    cases = [filled_case(alice).case for _ in range(2)]

    client_for(alice).get(LIST)

    assert sorted(access_entries(via="API case list")) == sorted(("case", str(c.pk)) for c in cases)


def test_the_case_list_filters_by_status_level_adviser_and_team(alice, bob, carol, north):
    held = filled_case(alice).case
    other = filled_case(bob).case
    http = client_for(carol)
    client_for(alice).post(
        reverse("api:case_status", args=[held.pk]),
        {"status": "on_hold"},
        content_type="application/json",
    )

    assert _ids(http.get(LIST, {"status": "on_hold"})) == [held.pk]
    assert _ids(http.get(LIST, {"adviser": bob.pk})) == [other.pk]
    assert sorted(_ids(http.get(LIST, {"team": north.pk}))) == sorted([held.pk, other.pk])
    assert sorted(_ids(http.get(LIST, {"level": "amber"}))) == sorted([held.pk, other.pk])
    assert _ids(http.get(LIST, {"level": "red"})) == []


def test_the_case_list_filters_by_the_named_conditions_of_deadlines(alice):
    approaching = filled_case(alice).case
    breached = filled_case(alice).case
    filled_case(alice)
    today = timezone.localdate()
    DeadlineFlag.objects.create(
        case=approaching, deadline=Case.DueDate.NEXT_CONTACT, due_on=today, stage="approaching"
    )
    DeadlineFlag.objects.create(
        case=breached, deadline=Case.DueDate.NEXT_CONTACT, due_on=today, stage="breached"
    )
    http = client_for(alice)

    assert _ids(http.get(LIST, {"attention": "approaching"})) == [approaching.pk]
    assert _ids(http.get(LIST, {"attention": "breached"})) == [breached.pk]


def test_a_filter_that_is_not_one_answers_a_400_problem_naming_it(alice):
    response = client_for(alice).get(LIST, {"status": "lost", "adviser": "x"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "adviser"}


def test_the_case_list_pages_with_a_cursor(alice, settings):
    cases = [CaseFactory(assigned_to=alice) for _ in range(3)]
    http = client_for(alice)
    from api.endpoints.common import NewestFirst

    NewestFirst.page_size, size = 2, NewestFirst.page_size
    try:
        first = http.get(LIST).json()
        second = http.get(first["next"]).json()
    finally:
        NewestFirst.page_size = size

    assert [r["id"] for r in first["results"] + second["results"]] == [
        c.pk for c in reversed(cases)
    ]
    assert second["next"] is None


def test_the_case_list_takes_as_many_queries_for_six_cases_as_for_two(alice):
    http = client_for(alice)
    http.get(LIST)  # the session and the organisation's settings, read once
    for _ in range(2):
        filled_case(alice)
    with CaptureQueriesContext(connection) as two:
        assert len(http.get(LIST).json()["results"]) == 2
    for _ in range(4):
        filled_case(alice)
    with CaptureQueriesContext(connection) as six:
        assert len(http.get(LIST).json()["results"]) == 6

    assert len(six.captured_queries) == len(two.captured_queries)


def test_a_case_of_another_team_answers_exactly_as_a_missing_one(alice, dave):
    case = filled_case(alice).case
    http = client_for(dave)

    theirs = http.get(reverse("api:case_detail", args=[case.pk]))
    missing = http.get(reverse("api:case_detail", args=[case.pk + 1000]))

    assert theirs.status_code == missing.status_code == 404
    assert theirs.json() == missing.json()


def test_the_supervisor_puts_a_case_on_hold(alice, carol):
    case = filled_case(alice).case

    response = client_for(carol).post(
        reverse("api:case_status", args=[case.pk]),
        {"status": "on_hold", "comment": "Waiting for the council"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "on_hold"
    case.refresh_from_db()
    assert case.status == Case.Status.ON_HOLD


def test_closing_a_case_without_a_reason_answers_the_services_message(alice):
    case = filled_case(alice).case

    response = client_for(alice).post(
        reverse("api:case_status", args=[case.pk]),
        {"status": "closed"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["closure_reason"] == ["Say why the case is being closed."]


def test_a_view_share_holder_sees_the_case_but_may_not_change_its_status(alice, dave):
    case = filled_case(alice).case
    share(case, dave, CaseShare.Level.VIEW)
    http = client_for(dave)

    assert http.get(reverse("api:case_detail", args=[case.pk])).status_code == 200
    response = http.post(
        reverse("api:case_status", args=[case.pk]),
        {"status": "on_hold"},
        content_type="application/json",
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_an_id_too_large_for_the_database_is_not_found(alice):
    response = client_for(alice).get(reverse("api:case_detail", args=[2**64]))

    assert response.status_code == 404
