"""Referral intake: a partner's integration token sends referrals, and can do nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api import services
from api.models import IntakeSubmission
from cases.models import Case, Referral
from notifications.models import Notification
from tests.api.conftest import bearer
from tests.conftest import client_for
from tests.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def _body(**changes: Any) -> dict[str, Any]:
    body = {
        "client": {
            "given_name": "Quorvath",
            "family_name": "Zelbrindt",
            "date_of_birth": "1990-04-02",
            "phone": "07700 900123",
            "postcode": "LS1 4AP",
            "vulnerabilities": ["homelessness"],
        },
        "reason": "Sleeping in a car since the eviction",
        "consent_reference": "RFB-CONSENT-8812",
        "urgency": "red",
        "contact": "Priya at the Food Bank",
    }
    body.update(changes)
    return body


def _send(api, token, body=None, key="key-1", **headers):
    extra = {**bearer(token), **headers}
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return api.post(URL, json.dumps(body or _body()), content_type="application/json", **extra)


def test_an_integration_token_sends_a_referral_into_its_teams_unallocated_queue(
    api, partner_token, north
):
    response = _send(api, partner_token)

    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json()["reference"] == case.reference
    assert response.json()["status"] == "received"
    assert (case.team, case.assigned_to, case.status) == (north, None, Case.Status.REFERRED)
    assert case.level == "red"
    assert case.client.family_name == "Zelbrindt"
    assert case.client.vulnerabilities == "homelessness"


def test_the_referral_records_the_partner_as_the_agency_and_keeps_the_consent_reference(
    api, partner_token
):
    _send(api, partner_token, _body(agency="Someone else entirely"))

    referral = Referral.objects.get()
    assert referral.agency == "Riverside Food Bank"
    assert referral.direction == Referral.Direction.IN
    assert "RFB-CONSENT-8812" in referral.reason
    assert referral.created_by == partner_token.token.service_user


def test_the_receiving_teams_supervisors_are_notified(api, partner_token, carol, sam):
    _send(api, partner_token)

    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["carol"]
    assert "Zelbrindt" not in Notification.objects.get().message


def test_the_same_idempotency_key_returns_the_first_referral_and_creates_nothing(
    api, partner_token, carol
):
    first = _send(api, partner_token)

    again = _send(api, partner_token)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Case.objects.count() == 1
    assert IntakeSubmission.objects.count() == 1
    assert Notification.objects.count() == 1


def test_the_same_key_from_another_token_is_another_referral(api, partner_token, north, erin):
    other = services.integration_token_create(
        partner="Northside Housing", team=north, case_type=CaseTypeFactory(), created_by=erin
    )

    _send(api, partner_token)
    _send(api, other)

    assert Case.objects.count() == 2


def test_the_same_key_with_another_body_is_a_409_problem(api, partner_token):
    _send(api, partner_token)

    response = _send(api, partner_token, _body(reason="Another reason altogether"))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert Case.objects.count() == 1


def test_a_referral_without_an_idempotency_key_is_refused_and_creates_nothing(api, partner_token):
    response = _send(api, partner_token, key=None)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not Case.objects.exists()


def test_invalid_client_details_are_a_400_problem_by_field(api, partner_token):
    body = _body(client={"given_name": "Quorvath", "date_of_birth": "2999-01-01"})

    response = _send(api, partner_token, body)

    assert response.status_code == 400
    errors = response.json()["errors"]["client"]
    assert set(errors) == {"family_name", "date_of_birth"}
    assert not Case.objects.exists()


def test_an_unknown_urgency_is_refused(api, partner_token):
    response = _send(api, partner_token, _body(urgency="purple"))

    assert response.status_code == 400
    assert "urgency" in response.json()["errors"]


def test_a_partner_reads_back_the_status_of_its_referrals_and_nothing_of_the_client(
    api, partner_token
):
    sent = _send(api, partner_token).json()

    listed = api.get(URL, **bearer(partner_token))
    one = api.get(f"{URL}{sent['id']}/", **bearer(partner_token))

    assert listed.status_code == 200
    assert listed.json()["results"] == [sent]
    assert one.json() == sent
    assert set(sent) == {"id", "reference", "status", "received_at", "updated_at"}


def test_a_partner_cannot_read_another_partners_referral(api, partner_token, north, erin):
    other = services.integration_token_create(
        partner="Northside Housing", team=north, case_type=CaseTypeFactory(), created_by=erin
    )
    sent = _send(api, partner_token).json()

    assert api.get(f"{URL}{sent['id']}/", **bearer(other)).status_code == 404
    assert api.get(URL, **bearer(other)).json()["results"] == []


def test_a_referral_taken_on_reads_back_as_in_progress(api, partner_token, alice, carol):
    from cases.services import case_assign

    sent = _send(api, partner_token).json()
    case_assign(
        case=Case.objects.get(), adviser=alice, assigned_by=carol, handover_note="Call today"
    )

    now = api.get(f"{URL}{sent['id']}/", **bearer(partner_token)).json()
    assert now["status"] == "in_progress"
    assert now["updated_at"] > sent["updated_at"]


@pytest.mark.parametrize("who", ["alice", "carol", "erin"])
def test_a_person_cannot_send_or_read_referrals_through_intake(request, who, partner_token):
    person = request.getfixturevalue(who)
    http = client_for(person)

    assert http.get(URL).status_code == 403
    assert (
        http.post(
            URL, json.dumps(_body()), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
        ).status_code
        == 403
    )
    assert not Case.objects.exists()


def test_a_personal_token_cannot_send_referrals(api, alice_token):
    assert _send(api, alice_token).status_code == 403
    assert not Case.objects.exists()


def _api_endpoint_urls() -> list[tuple[str, str]]:
    """Every DRF endpoint under /api/ with made-up ids: (view name, path)."""
    from rest_framework.views import APIView

    found = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix, inner)
            elif isinstance(entry, URLPattern):
                cls = getattr(entry.callback, "cls", None)
                if not (isinstance(cls, type) and issubclass(cls, APIView)) or not entry.name:
                    continue
                name = f"{namespace}{entry.name}"
                kwargs = {
                    group: ("json" if group == "format" else "1")
                    for group in entry.pattern.regex.groupindex
                }
                found.append((name, reverse(name, kwargs=kwargs or None)))

    walk(get_resolver(), "", "")
    return [(name, path) for name, path in found if name.startswith("api:")]


def test_an_integration_token_is_refused_by_every_other_api_endpoint(api, partner_token):
    allowed = {"api:referrals", "api:referral", "api:schema"}
    endpoints = [(name, path) for name, path in _api_endpoint_urls() if name not in allowed]
    assert endpoints, "The walk should find the API's endpoints."

    answers = {
        f"{method} {name}": getattr(api, method.lower())(path, **bearer(partner_token)).status_code
        for name, path in endpoints
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
    }

    assert {key: status for key, status in answers.items() if status != 403} == {}


def test_the_clients_details_reach_neither_the_audit_trail_nor_the_intake_table(api, partner_token):
    _send(api, partner_token)

    trail = " ".join(f"{entry.object_repr} {entry.changes}" for entry in LogEntry.objects.all())
    assert "Zelbrindt" not in trail
    assert "Quorvath" not in trail
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {IntakeSubmission._meta.db_table}")  # noqa: S608
        rows = str(cursor.fetchall())
    assert "Zelbrindt" not in rows
