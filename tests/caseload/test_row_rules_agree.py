"""A model method that answers a named condition for one row in hand says what the
queryset rule says of that row: the rule is defined by the queryset, and these
tests hold the one-row answers to it."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case
from notes import services as note_services
from notes.models import Action
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_a_case_is_open_exactly_when_the_open_rule_selects_it():
    for status in Case.Status.values:
        case = CaseFactory()
        Case.objects.filter(pk=case.pk).update(
            status=status,
            closed_on=timezone.localdate(),
            closure_reason=Case.ClosureReason.values[0],
        )
    selected = set(Case.objects.open().values_list("pk", flat=True))
    assert selected  # some statuses are open, and at least one is not
    assert selected != set(Case.objects.values_list("pk", flat=True))
    assert {case.pk for case in Case.objects.all() if case.is_open} == selected


def test_an_action_is_overdue_exactly_when_the_overdue_rule_selects_it():
    case = CaseFactory()
    today = timezone.localdate()
    for status in Action.Status.values:
        for offset in (-3, -1, 0, 1):
            action = note_services.action_create(
                case=case,
                description="Chase the landlord's agent",
                owner=Action.Owner.ADVISER,
                due_on=today,
                created_by=case.assigned_to,
            )
            Action.objects.filter(pk=action.pk).update(
                status=status,
                due_on=today + dt.timedelta(days=offset),
                completed_at=timezone.now(),
            )
    selected = set(Action.objects.overdue(today=today).values_list("pk", flat=True))
    assert selected
    assert selected != set(Action.objects.values_list("pk", flat=True))
    assert {a.pk for a in Action.objects.all() if a.is_overdue(today=today)} == selected


def test_the_next_due_badge_says_what_is_due_and_since_when(alice):
    case = CaseFactory(assigned_to=alice)
    today = timezone.localdate()
    long_ago = today - dt.timedelta(days=9)
    Case.objects.filter(pk=case.pk).update(
        next_contact_due_on=long_ago, next_due_on=long_ago, next_review_due_on=today
    )
    case.refresh_from_db()

    assert case.next_due_what() == "Next contact"
    assert case.next_due_label == f"Next contact overdue since {long_ago.day} {long_ago:%b %Y}"


def test_a_due_date_that_is_no_column_is_an_action(alice):
    case = CaseFactory(assigned_to=alice)
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(next_due_on=today)
    case.refresh_from_db()

    assert case.next_due_label == "An action due today"
