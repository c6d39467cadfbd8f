"""Consent by purpose on the consent form: contact by a channel (a contact consent names
its channel and no one to share with), an optional end date; the client page says how the
client may be contacted; contact consents are never offered to share or refer on."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import ConsentRecord
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _today() -> date:
    """Today, asked each time: a date taken once at import is yesterday's for the tests
    that run after midnight."""
    return timezone.localdate()


def _day(days: int) -> str:
    return (_today() + timedelta(days=days)).strftime("%d/%m/%Y")


def _post(case, **fields):
    data = {"given_on": _day(-1), "method": ConsentRecord.Method.VERBAL, **fields}
    return client_for(case.assigned_to).post(
        reverse("cases:consent_add", args=[case.client_id]), data
    )


def test_an_adviser_records_consent_to_contact_the_client_by_text(alice):
    case = CaseFactory(assigned_to=alice)
    response = _post(case, scope="contact", channel="text", expires_on=_day(90))
    assert response.status_code == 302
    consent = ConsentRecord.objects.get(client=case.client)
    assert consent.channel == ConsentRecord.Channel.TEXT
    assert consent.expires_on == _today() + timedelta(days=90)
    assert consent.purpose == "Contact by text message"


def test_a_contact_consent_without_a_channel_is_refused_beside_the_field(alice):
    case = CaseFactory(assigned_to=alice)
    response = _post(case, scope="contact", details="Only after 6pm")
    assert response.status_code == 400
    assert (
        "Choose how the client agreed to be contacted."
        in response.context["form"].errors["channel"]
    )
    assert "Only after 6pm" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_a_sharing_consent_must_say_with_whom(alice):
    case = CaseFactory(assigned_to=alice)
    response = _post(case, scope="colleagues")
    assert response.status_code == 400
    assert "shared_with" in response.context["form"].errors


def test_a_consent_cannot_end_before_it_was_given(alice):
    case = CaseFactory(assigned_to=alice)
    response = _post(case, scope="colleagues", shared_with="The advice team", expires_on=_day(-5))
    assert response.status_code == 400
    assert "expires_on" in response.context["form"].errors
    assert not ConsentRecord.objects.exists()


def test_a_consent_ending_on_a_day_already_past_is_refused(alice):
    case = CaseFactory(assigned_to=alice)
    with pytest.raises(ValidationError) as error:
        services.consent_record(
            client=case.client,
            recorded_by=alice,
            scope="colleagues",
            shared_with="The advice team",
            details="",
            given_on=_today() - timedelta(days=10),
            expires_on=_today() - timedelta(days=1),
            method="verbal",
        )
    assert "expires_on" in error.value.error_dict


def test_a_channel_on_a_sharing_consent_is_dropped(alice):
    case = CaseFactory(assigned_to=alice)
    consent = services.consent_record(
        client=case.client,
        recorded_by=alice,
        scope="colleagues",
        shared_with="The advice team",
        details="",
        given_on=_today(),
        method="verbal",
        channel="email",
    )
    assert consent.channel == ""


def test_the_database_refuses_a_contact_consent_without_a_channel(alice):
    case = CaseFactory(assigned_to=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(client=case.client, recorded_by=alice, scope="contact", channel="")


def test_contact_consents_are_never_offered_to_share_or_refer(alice):
    case = CaseFactory(assigned_to=alice)
    ConsentFactory(
        client=case.client, recorded_by=alice, scope="contact", channel="email", shared_with=""
    )
    assert selectors.consents_for_sharing(case) == []
    assert selectors.consents_for_referral(case) == []
    assert selectors.consents_for_referral(case, agency="Shelter") == []


def test_the_client_page_says_how_the_client_may_be_contacted(alice):
    case = CaseFactory(assigned_to=alice)
    for channel in ("phone", "email"):
        ConsentFactory(
            client=case.client, recorded_by=alice, scope="contact", channel=channel, shared_with=""
        )
    ConsentFactory(
        client=case.client,
        recorded_by=alice,
        scope="contact",
        channel="letter",
        shared_with="",
        expires_on=_today() - timedelta(days=1),
    )
    ConsentFactory(
        client=case.client,
        recorded_by=alice,
        scope="contact",
        channel="text",
        shared_with="",
        withdrawn_on=_today(),
    )
    body = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    assert "<strong>May be contacted by:</strong> email, phone</p>" in body.content.decode()
    assert selectors.contact_channels(case.client) == ["Email", "Phone"]


def test_the_client_page_says_when_there_is_no_contact_consent(alice):
    case = CaseFactory(assigned_to=alice)
    body = client_for(alice).get(reverse("cases:client_detail", args=[case.client_id]))
    assert "no contact consent recorded" in body.content.decode()


def test_an_adviser_of_another_team_cannot_record_a_contact_consent(alice, dave):
    case = CaseFactory(assigned_to=alice)
    response = client_for(dave).post(
        reverse("cases:consent_add", args=[case.client_id]),
        {"scope": "contact", "channel": "email", "given_on": _day(-1), "method": "verbal"},
    )
    assert response.status_code == 404
    assert not ConsentRecord.objects.exists()
