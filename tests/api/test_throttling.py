"""Rate limits per person and per token: 429 problems with Retry-After."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api import services
from caseload.env import ConfigurationError
from tests.api.conftest import bearer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_person_over_their_rate_gets_a_429_problem_with_retry_after(settings, alice):
    settings.CASELOAD_API_RATE_USER = "2/min"
    http = client_for(alice)

    answers = [http.get(reverse("api:me")) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2]["Content-Type"] == "application/problem+json"
    assert 0 < int(answers[2]["Retry-After"]) <= 60


def test_a_persons_session_and_tokens_count_together(settings, api, alice, alice_token):
    settings.CASELOAD_API_RATE_USER = "2/min"
    client_for(alice).get(reverse("api:me"))
    api.get(reverse("api:me"), **bearer(alice_token))

    assert api.get(reverse("api:me"), **bearer(alice_token)).status_code == 429


def test_another_persons_calls_do_not_count_against_her(settings, alice, bob):
    settings.CASELOAD_API_RATE_USER = "1/min"
    client_for(bob).get(reverse("api:me"))

    assert client_for(alice).get(reverse("api:me")).status_code == 200


def test_each_token_has_its_own_limit(settings, api, alice, alice_token):
    settings.CASELOAD_API_RATE_TOKEN = "1/min"
    other = services.api_token_create(user=alice, name="Second script", verified=True)
    api.get(reverse("api:me"), **bearer(alice_token))

    assert api.get(reverse("api:me"), **bearer(alice_token)).status_code == 429
    assert api.get(reverse("api:me"), **bearer(other)).status_code == 200


def test_an_integration_token_over_its_rate_gets_a_429(settings, api, partner_token):
    settings.CASELOAD_API_RATE_TOKEN = "1/min"
    url = reverse("api:referrals")
    api.get(url, **bearer(partner_token))

    response = api.get(url, **bearer(partner_token))

    assert response.status_code == 429
    assert "Retry-After" in response


@pytest.mark.parametrize("value", ["lots", "0/min", "10/fortnight", "10"])
def test_a_malformed_rate_setting_stops_start_up_naming_the_variable(monkeypatch, value):
    from caseload import settings as caseload_settings

    monkeypatch.setenv("CASELOAD_API_RATE_USER", value)

    with pytest.raises(ConfigurationError, match="CASELOAD_API_RATE_USER"):
        caseload_settings._api_rate("CASELOAD_API_RATE_USER", "600/min", "help")
