"""Two deliveries of one referral at the same moment still make one referral."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from api import services
from api.models import IntakeSubmission
from cases.models import Case
from tests.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_with_one_key_at_once_make_one_referral(north, erin):
    token = services.integration_token_create(
        partner="Riverside Food Bank", team=north, case_type=CaseTypeFactory(), created_by=erin
    ).token
    start = threading.Barrier(2, timeout=30)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            referral, created = services.intake_referral_receive(
                token=token,
                idempotency_key="same-key",
                client_fields={"given_name": "Quorvath", "family_name": "Zelbrindt"},
                reason="Sleeping in a car",
                consent_reference="RFB-1",
            )
            results.append((referral.pk, created))
        except BaseException as error:  # handed to the test thread to fail there
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert len({pk for pk, _ in results}) == 1
    assert Case.objects.count() == 1
    assert IntakeSubmission.objects.count() == 1
