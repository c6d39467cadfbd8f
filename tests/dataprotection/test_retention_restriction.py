"""Restriction of processing freezes the client's record, in the owning services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from cases.models import CaseType
from dataprotection import erasure_services as services
from dataprotection.models import ProcessingRestriction
from dataprotection.selectors import RESTRICTED_MESSAGE, processing_restricted
from notes.models import CaseNote
from tests.dataprotection.retention_world import note
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def restricted(alice, dina):
    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    restriction = services.processing_restriction_place(
        client=case.client, reason="Client contests the accuracy", placed_by=dina
    )
    return case, restriction


def test_the_adviser_cannot_add_a_note_to_a_restricted_clients_case(restricted, alice):
    case, _ = restricted

    with pytest.raises(ValidationError) as refused:
        note(case, alice)

    assert "only the data protection officer" in refused.value.messages[0]
    assert not CaseNote.objects.filter(case=case).exists()


def test_the_dpo_adds_a_file_note_to_a_restricted_clients_case(restricted, dina):
    case, restriction = restricted

    added = services.processing_restriction_file_note(
        restriction=restriction, case=case, facts="Restriction explained by letter", written_by=dina
    )

    assert added.author == dina
    assert added.channel == CaseNote.Channel.FILE_NOTE


def test_the_client_cannot_be_edited_while_restricted(restricted):
    case, _ = restricted

    with pytest.raises(ValidationError) as refused:
        case_services.client_update(client=case.client, phone="07700 900123")

    assert refused.value.messages == [RESTRICTED_MESSAGE]


def test_no_new_case_is_opened_for_a_restricted_client(restricted, alice):
    case, _ = restricted

    with pytest.raises(ValidationError):
        case_services.case_open(
            client=case.client,
            case_type=CaseType.objects.get(),
            opened_by=alice,
            presenting_issue="Debt",
        )


def test_no_share_or_referral_is_made_for_a_restricted_client(restricted, alice, bob):
    case, _ = restricted
    consent = ConsentFactory(client=case.client, recorded_by=alice, scope="all")

    with pytest.raises(ValidationError):
        case_services.case_share(
            case=case,
            shared_with=bob,
            level="view",
            reason="Cover",
            consent=consent,
            expires_on=date.today() + timedelta(days=7),
            shared_by=alice,
        )
    with pytest.raises(ValidationError):
        case_services.referral_out(
            case=case,
            agency="Shelter",
            contact="",
            reason="Housing",
            consent=consent,
            follow_up_on=None,
            created_by=alice,
        )


def test_a_lifted_restriction_lets_the_adviser_write_again(restricted, alice, dina):
    case, restriction = restricted

    services.processing_restriction_lift(
        restriction=restriction, reason="Accuracy checked", lifted_by=dina
    )

    assert not processing_restricted(case.client_id)
    assert note(case, alice).author == alice


def test_a_client_is_restricted_once_at_a_time(restricted, dina):
    case, _ = restricted

    with pytest.raises(ValidationError):
        services.processing_restriction_place(client=case.client, reason="Again", placed_by=dina)

    assert ProcessingRestriction.objects.count() == 1


def test_lifting_needs_a_reason(restricted, dina):
    _, restriction = restricted

    with pytest.raises(ValidationError):
        services.processing_restriction_lift(restriction=restriction, reason="", lifted_by=dina)

    assert ProcessingRestriction.objects.get().lifted_at is None


def test_no_consent_is_recorded_for_a_restricted_client_but_one_can_be_withdrawn(restricted, alice):
    case, _ = restricted
    given = ConsentFactory(client=case.client, recorded_by=alice, scope="colleagues")

    with pytest.raises(ValidationError) as refused:
        case_services.consent_record(
            client=case.client,
            recorded_by=alice,
            scope="colleagues",
            shared_with="The advice team",
            details="",
            given_on=date.today(),
            method="verbal",
        )
    case_services.consent_withdraw(consent=given, withdrawn_by=alice, reason="")

    assert refused.value.messages == [RESTRICTED_MESSAGE]
    given.refresh_from_db()
    assert given.withdrawn_on is not None
