"""Who an API call is made as: bearer tokens, the browser's session, and the 2FA policy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.context import auditlog_value, set_extra_data
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api import services
from api.authentication import BearerTokenAuthentication
from api.models import ApiToken
from priorities.models import Organisation
from tests.api.conftest import bearer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _assert_401_problem(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_a_call_with_no_credentials_is_a_401_problem_asking_for_a_bearer_token(api):
    _assert_401_problem(api.get(reverse("api:me")))


def test_a_personal_token_acts_as_its_person(api, alice_token):
    response = api.get(reverse("api:me"), **bearer(alice_token))

    assert response.status_code == 200
    assert response.json()["username"] == "alice"
    assert response.json()["signed_in_with"] == "personal"


def test_a_personal_token_notes_when_it_was_last_used(api, alice_token):
    api.get(reverse("api:me"), **bearer(alice_token))

    alice_token.token.refresh_from_db()
    assert alice_token.token.last_used_at is not None


@pytest.mark.parametrize(
    "secret",
    ["cl_000000000000_nothing", "not-a-token", "cl__", "Basic abc"],
    ids=["unknown", "malformed", "empty parts", "another scheme's value"],
)
def test_an_unknown_token_is_a_401_problem(api, secret):
    _assert_401_problem(api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Bearer {secret}"))


def test_a_token_with_a_wrong_secret_is_a_401_problem(api, alice_token):
    wrong = alice_token.secret[:-4] + "AAAA"

    _assert_401_problem(api.get(reverse("api:me"), **bearer(wrong)))


def test_an_expired_token_is_a_401_problem(api, alice_token):
    ApiToken.objects.filter(pk=alice_token.token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1),
        created_at=timezone.now() - timedelta(days=2),
    )

    _assert_401_problem(api.get(reverse("api:me"), **bearer(alice_token)))


def test_a_revoked_token_is_a_401_problem(api, alice, alice_token):
    services.api_token_revoke(token=alice_token.token, revoked_by=alice)

    _assert_401_problem(api.get(reverse("api:me"), **bearer(alice_token)))


def test_a_personal_token_of_a_deactivated_person_stops_working(api, alice, alice_token):
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    _assert_401_problem(api.get(reverse("api:me"), **bearer(alice_token)))


def test_a_personal_token_counts_as_having_given_the_second_factor(api, carol):
    """Carol, a supervisor, must give a second factor; her token was made after she did."""
    token = services.api_token_create(user=carol, name="Dashboard feed", verified=True)

    assert api.get(reverse("api:me"), **bearer(token)).status_code == 200


def test_changes_made_in_a_call_with_a_personal_token_are_audited_as_its_person(alice_token):
    """auditlog's middleware runs before the token is read and finds nobody; the token's
    person becomes the actor of the call's changes."""
    request = Request(APIRequestFactory().get("/", **bearer(alice_token)))

    with set_extra_data(context_data={"actor": None}):
        BearerTokenAuthentication().authenticate(request)
        actor = auditlog_value.get()["actor"]

    assert actor == alice_token.token.user


def test_an_integration_token_is_refused_by_endpoints_for_people(api, partner_token):
    response = api.get(reverse("api:me"), **bearer(partner_token))

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM


def test_a_browser_session_that_gave_its_second_factor_uses_the_api(alice):
    response = client_for(alice).get(reverse("api:me"))

    assert response.status_code == 200
    assert response.json()["signed_in_with"] == "session"


def test_a_session_that_has_not_given_its_second_factor_gets_a_403_problem_not_a_redirect(alice):
    http = Client()
    http.force_login(alice)  # she has an authenticator app, and has not given a code

    response = http.get(reverse("api:me"))

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "two-step" in response.json()["detail"]


def test_a_session_with_no_second_factor_where_none_is_required_uses_the_api(alice):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    Organisation.objects.update_or_create(pk=1, defaults={"advisers_need_two_factor": False})
    Organisation.forget()
    TOTPDevice.objects.filter(user=alice).delete()
    http = Client()
    http.force_login(alice)

    assert http.get(reverse("api:me")).status_code == 200


def test_a_session_of_a_deactivated_person_gets_a_401_problem_not_a_redirect(alice):
    http = client_for(alice)
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    _assert_401_problem(http.get(reverse("api:me")))


def test_a_browser_session_must_send_its_csrf_token_to_change_anything(alice):
    http = client_for(alice)
    http.handler.enforce_csrf_checks = True

    response = http.post(reverse("api:me"), {})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_an_api_call_with_a_token_starts_no_session(api, alice_token):
    response = api.get(reverse("api:me"), **bearer(alice_token))

    assert "sessionid" not in response.cookies


def test_a_page_under_api_still_sends_a_session_without_its_second_factor_to_give_it(alice):
    http = Client()
    http.force_login(alice)

    response = http.get(reverse("api:tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


def test_a_personal_token_stops_working_when_its_person_loses_the_roles_that_allow_it(
    api, alice, alice_token
):
    alice.groups.clear()

    _assert_401_problem(api.get(reverse("api:me"), **bearer(alice_token)))


def test_a_session_left_idle_gets_a_401_problem_not_a_redirect(alice):
    import time

    from accounts.middleware import LAST_ACTIVITY_SESSION_KEY

    http = client_for(alice)
    session = http.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - 24 * 60 * 60
    session.save()

    _assert_401_problem(http.get(reverse("api:me")))
