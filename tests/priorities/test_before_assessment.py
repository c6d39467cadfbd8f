"""New cases and referrals have deadlines before anyone assesses them: the timescale
row for cases not yet assessed, an allocation deadline while a referral waits in the
queue, the referrer's urgency, and referral follow-ups as actions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from notes.models import Action
from notifications.models import Kind, Notification
from priorities.models import DeadlineFlag, Timescale
from priorities.services import organisation_calendar
from priorities.sweep import sweep_deadlines
from tests.conftest import client_for
from tests.factories import CaseFactory, CaseTypeFactory, ConsentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing(db):
    case_type = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=case_type, level="green", first_contact_days=10)
    Timescale.objects.create(
        case_type=case_type, level="red", first_contact_days=1, allocate_days=1
    )
    Timescale.objects.create(
        case_type=case_type, level="unassessed", first_contact_days=2, allocate_days=3
    )
    return case_type


def _refer(team, case_type, received_by, **extra):
    return case_services.referral_in(
        team=team,
        case_type=case_type,
        agency="Shelter",
        contact="",
        reason="Section 21 notice, two children",
        presenting_issue="Facing eviction",
        received_by=received_by,
        client_fields={"given_name": "Ada", "family_name": "Lovelace"},
        **extra,
    )


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_a_case_not_yet_assessed_follows_the_not_yet_assessed_row(housing, alice):
    case = CaseFactory(assigned_to=alice, case_type=housing)

    calendar = organisation_calendar()
    assert case.first_contact_due_on == calendar.add_working_days(case.opened_on, 2)


def test_without_a_not_yet_assessed_row_a_new_case_follows_green(alice):
    case_type = CaseTypeFactory(name="Debt")
    Timescale.objects.create(case_type=case_type, level="green", first_contact_days=10)

    case = CaseFactory(assigned_to=alice, case_type=case_type)

    calendar = organisation_calendar()
    assert case.first_contact_due_on == calendar.add_working_days(case.opened_on, 10)


def test_a_referral_in_the_queue_must_be_allocated_within_its_timescale(housing, carol, north):
    case = _refer(north, housing, carol)

    arrived = timezone.localdate(case.created_at)
    assert case.allocation_due_on == organisation_calendar().add_working_days(arrived, 3)
    assert case.next_due_on <= case.allocation_due_on


def test_an_unallocated_referral_is_flagged_and_its_supervisors_told(housing, carol, north):
    case = _refer(north, housing, carol)

    sweep_deadlines(now=_at(case.allocation_due_on + dt.timedelta(days=1)))

    flag = DeadlineFlag.objects.get(case=case, deadline="allocation_due_on")
    assert flag.stage == "breached"
    told = Notification.objects.filter(recipient=carol, kind=Kind.DEADLINE, case=case)
    assert told.filter(message__contains="allocation breached").count() == 1


def test_allocating_the_referral_clears_its_allocation_flag_at_once(housing, alice, carol, north):
    case = _refer(north, housing, carol)
    sweep_deadlines(now=_at(case.allocation_due_on))

    case_services.case_assign(
        case=case, adviser=alice, assigned_by=carol, handover_note="Yours: urgent eviction"
    )

    case.refresh_from_db()
    assert case.allocation_due_on is None
    assert DeadlineFlag.objects.get(deadline="allocation_due_on").cleared_at is not None


def test_the_referrers_urgency_sets_the_level_and_its_timescale_until_assessed(
    housing, carol, north
):
    case = _refer(north, housing, carol, urgency="red")

    assert case.level == "red"
    assert case.level_label == "Red (referrer's urgency, not assessed)"
    arrived = timezone.localdate(case.created_at)
    assert case.allocation_due_on == organisation_calendar().add_working_days(arrived, 1)


def test_an_urgency_that_is_not_a_level_is_refused_beside_its_field(housing, carol, north):
    response = client_for(carol).post(
        reverse("cases:referral_in"),
        {
            "referral-team": north.pk,
            "referral-case_type": housing.pk,
            "referral-agency": "Shelter",
            "referral-reason": "Eviction",
            "referral-presenting_issue": "Section 21 notice",
            "referral-urgency": "purple",
            "client-given_name": "Ada",
            "client-family_name": "Lovelace",
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "Section 21 notice" in response.content.decode()


def test_a_referral_follow_up_date_becomes_an_action_due_that_day(alice):
    case = CaseFactory(assigned_to=alice)
    consent = ConsentFactory(
        client=case.client, scope="referral", shared_with="Citizens Advice Leeds", recorded_by=alice
    )
    follow_up = timezone.localdate() + dt.timedelta(days=7)

    case_services.referral_out(
        case=case,
        agency="Citizens Advice Leeds",
        contact="",
        reason="Debt advice",
        consent=consent,
        follow_up_on=follow_up,
        created_by=alice,
    )

    action = Action.objects.get(case=case)
    assert action.due_on == follow_up
    assert action.description == "Follow up the referral to Citizens Advice Leeds"
    case.refresh_from_db()
    assert case.next_due_on <= follow_up
