"""Erasure requests: recorded as received, then decided by the data protection officer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from caseload.crypto import ERASED
from cases.models import Client
from dataprotection import erasure_services as services
from dataprotection.models import DisposalRun, ErasureRequest
from dataprotection.selectors import processing_restricted
from tests.dataprotection.retention_world import closed_case, years_ago
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _request(client: Client, dina) -> ErasureRequest:
    return services.erasure_request_record(
        client=client, received_on=date.today() - timedelta(days=2), recorded_by=dina
    )


def test_a_request_cannot_be_received_in_the_future(alice, dina):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as refused:
        services.erasure_request_record(
            client=case.client, received_on=date.today() + timedelta(days=1), recorded_by=dina
        )

    assert "received_on" in refused.value.message_dict


def test_an_erase_decision_goes_through_the_same_shredding_path(alice, dina):
    case = closed_case(alice, closed_on=years_ago(1))
    request = _request(case.client, dina)

    decided = services.erasure_request_decide(
        request=request, decision="erase", reason="No ground to keep it", decided_by=dina
    )

    assert decided.decided_by == dina
    assert decided.decided_at is not None
    assert decided.run is not None
    assert decided.run.source == DisposalRun.Source.ERASURE_REQUEST
    services.disposal_run_carry_out(run_id=decided.run.pk)
    assert Client.objects.get(pk=case.client_id).family_name == ERASED


def test_erasure_is_refused_while_the_client_has_an_open_case(alice, dina):
    case = CaseFactory(assigned_to=alice)
    request = _request(case.client, dina)

    with pytest.raises(ValidationError) as refused:
        services.erasure_request_decide(
            request=request, decision="erase", reason="Asked", decided_by=dina
        )

    assert "open case" in refused.value.message_dict["decision"][0]


def test_erasure_is_refused_while_the_client_is_on_legal_hold(alice, dina):
    case = closed_case(alice, closed_on=years_ago(1))
    services.legal_hold_place(client=case.client, reason="Claim issued", placed_by=dina)

    with pytest.raises(ValidationError) as refused:
        services.erasure_request_decide(
            request=_request(case.client, dina), decision="erase", reason="x", decided_by=dina
        )

    assert "legal hold" in refused.value.message_dict["decision"][0]


def test_a_refusal_needs_its_legal_ground(alice, dina):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as refused:
        services.erasure_request_decide(
            request=_request(case.client, dina), decision="refuse", reason="x", decided_by=dina
        )

    assert "ground" in refused.value.message_dict


def test_a_refusal_on_another_ground_says_which(alice, dina):
    case = CaseFactory(assigned_to=alice)
    request = _request(case.client, dina)

    with pytest.raises(ValidationError) as refused:
        services.erasure_request_decide(
            request=request, decision="refuse", ground="other", reason="x", decided_by=dina
        )
    assert "ground_detail" in refused.value.message_dict

    decided = services.erasure_request_decide(
        request=request,
        decision="refuse",
        ground="other",
        ground_detail="Safeguarding records kept under the local authority's policy",
        reason="Open safeguarding enquiry",
        decided_by=dina,
    )
    assert decided.get_ground_display() == "Other (say which)"
    assert Client.objects.get(pk=case.client_id).family_name != ERASED


def test_a_refusal_for_legal_claims_is_recorded_with_who_and_when(alice, dina):
    case = CaseFactory(assigned_to=alice)

    decided = services.erasure_request_decide(
        request=_request(case.client, dina),
        decision="refuse",
        ground="legal_claims",
        reason="A claim against the landlord is pending",
        decided_by=dina,
    )

    assert (decided.decision, decided.ground, decided.decided_by) == (
        "refuse",
        "legal_claims",
        dina,
    )


def test_a_restrict_decision_restricts_processing(alice, dina):
    case = CaseFactory(assigned_to=alice)

    services.erasure_request_decide(
        request=_request(case.client, dina),
        decision="restrict",
        reason="Accuracy contested while we check",
        decided_by=dina,
    )

    assert processing_restricted(case.client_id)


def test_a_decided_request_cannot_be_decided_again(alice, dina):
    case = CaseFactory(assigned_to=alice)
    request = _request(case.client, dina)
    services.erasure_request_decide(
        request=request, decision="refuse", ground="legal_obligation", reason="x", decided_by=dina
    )

    with pytest.raises(ValidationError):
        services.erasure_request_decide(
            request=request, decision="restrict", reason="x", decided_by=dina
        )
