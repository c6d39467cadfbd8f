"""Dates that are plausible: no contact before the case began, no plan decades ahead."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case
from notes import services as note_services
from notes.models import CaseNote
from priorities.models import Organisation
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
SIX_YEARS_ON = date(2032, 3, 2)


@pytest.fixture
def case(alice):
    opened = timezone.now() - timedelta(days=10)
    return CaseFactory(assigned_to=alice, now=opened)


def _refusal(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(error.value.message_dict[field])


def _note(case, alice, contact_at):
    return note_services.note_append(
        case=case,
        author=alice,
        contact_at=contact_at,
        channel="phone",
        facts="Spoke to the client",
        next_steps="Call back on Friday",
    )


def test_a_contact_before_the_case_was_opened_is_refused_naming_the_opening_date(case, alice):
    before = timezone.now() - timedelta(days=11)

    with pytest.raises(ValidationError) as refused:
        _note(case, alice, before)

    opened = case.opened_on
    assert _refusal(refused, "contact_at") == (
        f"The contact date cannot be before the case was opened ({opened.day} {opened:%b %Y})."
    )
    assert not CaseNote.objects.filter(case=case).exists()


def test_a_contact_on_the_day_the_case_was_opened_is_accepted(case, alice):
    on_the_day = timezone.now() - timedelta(days=10)

    note = _note(case, alice, on_the_day)

    assert Case.objects.get(pk=case.pk).last_contact_at == note.contact_at


def test_a_referred_case_takes_contacts_from_the_day_its_referral_was_received(alice, north):
    case = services.referral_in(
        team=north,
        case_type=CaseFactory(assigned_to=alice).case_type,
        agency="Citizens Advice",
        contact="Duty desk",
        reason="Rent arrears",
        presenting_issue="Rent arrears",
        received_by=alice,
        client_fields={"given_name": "Ada", "family_name": "Quorndonshire"},
    )

    with pytest.raises(ValidationError) as refused:
        _note(case, alice, timezone.now() - timedelta(days=1))

    assert "before the referral was received" in _refusal(refused, "contact_at")


def test_an_action_due_beyond_the_organisation_s_years_ahead_is_refused(case, alice):
    with pytest.raises(ValidationError) as refused:
        note_services.action_create(
            case=case,
            description="Write to the landlord",
            owner="adviser",
            due_on=SIX_YEARS_ON,
            created_by=alice,
            today=TODAY,
        )

    assert _refusal(refused, "due_on") == (
        "The due date cannot be more than 5 years ahead (on or before 2 Mar 2031)."
    )


def test_a_deadline_beyond_the_organisation_s_years_ahead_is_refused(case, alice):
    with pytest.raises(ValidationError) as refused:
        services.deadline_add(
            case=case, due_on=SIX_YEARS_ON, description="Hearing", added_by=alice, today=TODAY
        )

    assert "cannot be more than 5 years ahead" in _refusal(refused, "due_on")


def test_an_outcome_target_beyond_the_organisation_s_years_ahead_is_refused(case, alice):
    with pytest.raises(ValidationError) as refused:
        services.outcome_add(
            case=case,
            description="Keeps the home",
            measure="Claim withdrawn",
            target_date=SIX_YEARS_ON,
            added_by=alice,
            today=TODAY,
        )

    assert "target date cannot be more than 5 years ahead" in _refusal(refused, "target_date")


def test_a_referral_follow_up_beyond_the_organisation_s_years_ahead_is_refused(case, alice):
    with pytest.raises(ValidationError) as refused:
        services.referral_out(
            case=case,
            agency="Shelter",
            contact="Duty line",
            reason="Specialist housing advice",
            consent=ConsentFactory(client=case.client, recorded_by=alice, scope="all"),
            follow_up_on=SIX_YEARS_ON,
            created_by=alice,
            today=TODAY,
        )

    assert "follow-up date cannot be more than 5 years ahead" in _refusal(refused, "follow_up_on")


def test_the_organisation_sets_how_far_ahead_a_plan_may_go(case, alice):
    Organisation.objects.update_or_create(pk=1, defaults={"plan_ahead_years": 10})

    deadline = services.deadline_add(
        case=case, due_on=SIX_YEARS_ON, description="Hearing", added_by=alice, today=TODAY
    )

    assert deadline.due_on == SIX_YEARS_ON


def test_a_plan_from_29_february_may_go_to_28_february(case, alice):
    leap_day = date(2028, 2, 29)

    deadline = services.deadline_add(
        case=case, due_on=date(2033, 2, 28), description="Hearing", added_by=alice, today=leap_day
    )

    assert deadline.due_on == date(2033, 2, 28)


def test_the_note_form_shows_a_contact_before_the_opening_beside_the_date_and_keeps_the_input(
    case, alice
):
    before = timezone.localtime() - timedelta(days=11)

    response = client_for(alice).post(
        reverse("notes:note_add", args=[case.pk]),
        {
            "contact_date": before.strftime("%d/%m/%Y"),
            "contact_time": "10:30",
            "channel": "phone",
            "facts": "Client rang about the notice",
            "next_steps": "Call back tomorrow",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "cannot be before the case was opened" in " ".join(
        response.context["note_form"].errors["contact_date"]
    )
    assert 'id="id_contact_date_error"' in html
    assert f'value="{before:%d/%m/%Y}"' in html
    assert "Client rang about the notice" in html
    assert not CaseNote.objects.filter(case=case).exists()
