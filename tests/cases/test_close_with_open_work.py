"""Closing a case as "outcomes met" with work still open asks for confirmation and a reason,
in the service (every route) and on the close form (text kept, nothing saved)."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, CaseEvent
from notes.models import Action
from notes.services import action_create
from priorities.models import DeadlineFlag
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

CLOSE = {
    "status": "closed",
    "closure_reason": "outcomes_met",
    "closure_outcome": "Tenancy kept after the landlord agreed a repayment plan",
}


def _outcome(case, alice, *, percent):
    outcome = services.outcome_add(
        case=case,
        description="Keep the tenancy",
        measure="Possession claim withdrawn",
        target_date=date.today() + timedelta(days=30),
        added_by=alice,
    )
    if percent:
        services.outcome_progress_record(
            outcome=outcome,
            note="Landlord agreed",
            status="achieved" if percent == 100 else "in_progress",
            progress_percent=percent,
            recorded_by=alice,
        )
    return outcome


def _close(case, alice, **extra):
    return services.case_status_change(
        case=case,
        changed_by=alice,
        status="closed",
        closure_reason="outcomes_met",
        closure_outcome="Tenancy kept",
        **extra,
    )


# --- the service -------------------------------------------------------------------


def test_a_case_whose_outcomes_are_all_met_closes_as_outcomes_met_without_questions(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=100)

    _close(case, alice)

    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED


def test_an_outcome_below_100_percent_stops_an_unconfirmed_close_as_outcomes_met(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=60)

    with pytest.raises(ValidationError) as refused:
        _close(case, alice)

    assert set(refused.value.error_dict) == {"open_work_confirmed", "open_work_reason"}
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


@pytest.mark.parametrize("what", ["deadline", "flag", "action"])
def test_an_open_deadline_flag_or_action_stops_an_unconfirmed_close(alice, what):
    case = CaseFactory(assigned_to=alice)
    soon = date.today() + timedelta(days=5)
    if what == "deadline":
        services.deadline_add(case=case, due_on=soon, description="Appeal", added_by=alice)
    elif what == "flag":
        DeadlineFlag.objects.create(
            case=case, deadline=DeadlineFlag.Deadline.NEXT_CONTACT, due_on=soon, stage="approaching"
        )
    else:
        action_create(
            case=case,
            description="Send the form",
            owner=Action.Owner.ADVISER,
            due_on=soon,
            created_by=alice,
        )

    with pytest.raises(ValidationError):
        _close(case, alice)

    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_confirming_without_a_reason_is_still_refused(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=40)

    with pytest.raises(ValidationError) as refused:
        _close(case, alice, open_work_confirmed=True, open_work_reason="   ")

    assert set(refused.value.error_dict) == {"open_work_reason"}


def test_a_confirmed_close_records_what_was_open_and_why_on_the_timeline(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=60)
    services.deadline_add(
        case=case, due_on=date.today() + timedelta(days=3), description="Appeal", added_by=alice
    )

    _close(
        case,
        alice,
        open_work_confirmed=True,
        open_work_reason="Client moved away; the rest is with the new council.",
    )

    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).first()
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    assert "with 2 still open" in event.summary
    assert "Keep the tenancy" not in event.summary
    assert "Outcome: Keep the tenancy (60%, in progress)" in event.detail
    assert "Deadline: Appeal" in event.detail
    assert "Reason: Client moved away; the rest is with the new council." in event.detail


def test_other_closure_reasons_need_no_confirmation(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=10)

    services.case_status_change(
        case=case,
        changed_by=alice,
        status="closed",
        closure_reason="client_withdrew",
        closure_outcome="Client moved away",
    )

    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED


def test_a_withdrawn_outcome_does_not_count_as_open(alice):
    case = CaseFactory(assigned_to=alice)
    outcome = _outcome(case, alice, percent=0)
    services.outcome_progress_record(
        outcome=outcome,
        note="No longer wanted",
        status="withdrawn",
        progress_percent=0,
        recorded_by=alice,
    )

    _close(case, alice)

    assert not selectors.case_summary(case).outcomes_short


# --- the close form ------------------------------------------------------------------


def test_the_close_form_lists_what_is_open_asks_to_confirm_and_keeps_the_text(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=60)

    response = client_for(alice).post(reverse("cases:case_status", args=[case.pk]), CLOSE)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Still open on this case" in html
    assert "Keep the tenancy (60%, in progress)" in html
    assert 'name="open_work_confirmed"' in html
    assert 'name="open_work_reason"' in html
    assert CLOSE["closure_outcome"] in html
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_the_close_form_closes_once_confirmed_with_a_reason(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=60)

    response = client_for(alice).post(
        reverse("cases:case_status", args=[case.pk]),
        {**CLOSE, "open_work_confirmed": "on", "open_work_reason": "Client moved away."},
    )

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STATUS).first()
    assert "Reason: Client moved away." in event.detail


def test_a_reason_without_the_tick_keeps_the_reason_and_says_what_is_missing(alice):
    case = CaseFactory(assigned_to=alice)
    _outcome(case, alice, percent=60)

    response = client_for(alice).post(
        reverse("cases:case_status", args=[case.pk]),
        {**CLOSE, "open_work_reason": "Client moved away to Wales."},
    )

    form = response.context["form"]
    assert response.status_code == 400
    assert "Confirm" in " ".join(form.errors["open_work_confirmed"])
    assert "open_work_reason" not in form.errors
    assert "Client moved away to Wales." in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_the_close_form_shows_no_confirmation_when_nothing_is_open(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).get(reverse("cases:case_status", args=[case.pk]))

    assert "open_work_confirmed" not in response.content.decode()


def test_listing_what_is_open_is_recorded_as_a_read_of_those_records(alice):
    case = CaseFactory(assigned_to=alice)
    outcome = _outcome(case, alice, percent=60)

    client_for(alice).post(reverse("cases:case_status", args=[case.pk]), CLOSE)

    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=alice,
        content_type=ContentType.objects.get_for_model(outcome),
        object_pk=str(outcome.pk),
    ).exists()


def test_an_adviser_of_another_team_cannot_open_the_close_form(alice, dave):
    case = CaseFactory(assigned_to=alice)

    response = client_for(dave).get(reverse("cases:case_status", args=[case.pk]))

    assert response.status_code == 404
