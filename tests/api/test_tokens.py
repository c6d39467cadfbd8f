"""Personal and integration tokens: made, shown once, stored hashed, revoked; their pages."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiToken
from tests.api.conftest import bearer
from tests.conftest import client_for
from tests.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db


def test_a_personal_token_is_shown_once_and_stored_only_as_a_hash(alice):
    new = services.api_token_create(user=alice, name="Reports", verified=True)

    _, secret = services.token_split(new.secret)
    stored = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret.startswith(f"cl_{stored.prefix}_")
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())


def test_a_personal_token_expires_after_90_days_unless_told_otherwise(alice):
    now = timezone.now()

    new = services.api_token_create(user=alice, name="Reports", verified=True, now=now)

    assert new.token.expires_at == now + timedelta(days=90)


def test_a_personal_token_cannot_last_more_than_a_year(alice):
    with pytest.raises(ValidationError) as refused:
        services.api_token_create(user=alice, name="Reports", expires_in_days=366, verified=True)

    assert "expires_in_days" in refused.value.error_dict


def test_a_personal_token_cannot_be_made_from_a_session_without_the_second_factor(alice):
    with pytest.raises(ValidationError):
        services.api_token_create(user=alice, name="Reports", verified=False)

    assert not ApiToken.objects.exists()


def test_someone_who_reaches_no_client_data_and_is_no_admin_holds_no_personal_token(dina):
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=dina, name="Reports", verified=True)


def test_an_admin_may_hold_a_personal_token(erin):
    assert services.api_token_create(user=erin, name="Config", verified=True).token.user == erin


def test_an_integration_token_sends_to_one_team_as_an_account_that_never_signs_in(north, erin):
    new = services.integration_token_create(
        partner="Riverside Food Bank", team=north, case_type=CaseTypeFactory(), created_by=erin
    )

    token = new.token
    assert token.kind == ApiToken.Kind.INTEGRATION
    assert token.team == north
    assert token.user is None
    assert not token.service_user.is_active
    assert not token.service_user.has_usable_password()
    assert not token.service_user.groups.exists()


def test_only_an_admin_makes_integration_tokens(north, carol):
    with pytest.raises(PermissionDenied):
        services.integration_token_create(
            partner="Riverside Food Bank", team=north, case_type=CaseTypeFactory(), created_by=carol
        )


def test_a_revoked_token_records_who_revoked_it_and_when(alice, alice_token):
    now = timezone.now()

    services.api_token_revoke(token=alice_token.token, revoked_by=alice, now=now)

    alice_token.token.refresh_from_db()
    assert alice_token.token.revoked_at == now
    assert alice_token.token.revoked_by == alice
    assert not alice_token.token.is_live()


def test_the_audit_trail_records_a_token_but_never_its_hash(alice, alice_token):
    services.api_token_revoke(token=alice_token.token, revoked_by=alice)

    entries = LogEntry.objects.get_for_object(alice_token.token)
    assert entries.count() == 2
    assert all("secret_hash" not in (entry.changes or {}) for entry in entries)
    assert all(alice_token.token.secret_hash not in str(entry.changes) for entry in entries)


def test_last_use_is_written_at_most_once_a_minute(alice_token):
    token = alice_token.token
    first = timezone.now()

    services.api_token_used(token=token, now=first)
    services.api_token_used(token=token, now=first + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == first

    services.api_token_used(token=token, now=first + timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == first + timedelta(seconds=61)


# --- the personal tokens page ------------------------------------------------------


def test_the_tokens_page_makes_a_token_and_shows_it_once(alice):
    http = client_for(alice)

    response = http.post(reverse("api:tokens"), {"name": "Reports", "expires_in_days": "30"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=alice)
    html = response.content.decode()
    secret = html.split(f"cl_{token.prefix}_", 1)[1][:43]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    again = http.get(reverse("api:tokens")).content.decode()
    assert f"cl_{token.prefix}" in again  # the list shows the prefix...
    assert secret not in again  # ...never the secret again


def test_the_tokens_page_keeps_what_was_typed_when_the_expiry_is_too_long(alice):
    response = client_for(alice).post(
        reverse("api:tokens"), {"name": "Nightly export", "expires_in_days": "500"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Nightly export"' in html
    assert "expires_in_days_error" in html
    assert not ApiToken.objects.exists()


def test_the_tokens_page_refuses_a_session_that_has_not_given_its_second_factor(alice):
    """An adviser of an organisation that does not require a second factor, with none set up,
    uses the pages; a token still needs one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from priorities.models import Organisation

    Organisation.objects.update_or_create(pk=1, defaults={"advisers_need_two_factor": False})
    Organisation.forget()
    TOTPDevice.objects.filter(user=alice).delete()
    http = Client()
    http.force_login(alice)

    response = http.post(reverse("api:tokens"), {"name": "Reports", "expires_in_days": "30"})

    assert response.status_code == 400
    assert "two-step sign-in" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_tokens_page_refuses_a_data_protection_officer(dina):
    assert client_for(dina).get(reverse("api:tokens")).status_code == 403


def test_revoking_a_token_from_the_page_stops_it_working(alice, alice_token, api):
    response = client_for(alice).post(reverse("api:token_revoke", args=[alice_token.token.pk]))

    assert response.status_code == 302
    assert api.get(reverse("api:me"), **bearer(alice_token)).status_code == 401


def test_a_person_cannot_revoke_someone_elses_token(bob, alice_token):
    response = client_for(bob).post(reverse("api:token_revoke", args=[alice_token.token.pk]))

    assert response.status_code == 404
    alice_token.token.refresh_from_db()
    assert alice_token.token.revoked_at is None


def test_the_account_menu_links_to_the_tokens_page_for_an_adviser_only_if_she_may_hold_one(
    alice, dina
):
    link = f'href="{reverse("api:tokens")}"'
    assert link in client_for(alice).get(reverse("cases:my_caseload")).content.decode()
    assert link not in client_for(dina).get(reverse("dataprotection:home")).content.decode()


# --- the integrations page ----------------------------------------------------------


def test_an_admin_makes_an_integration_token_on_the_integrations_page(erin, north):
    case_type = CaseTypeFactory()

    response = client_for(erin).post(
        reverse("api:integrations"),
        {
            "partner": "Riverside Food Bank",
            "team": north.pk,
            "case_type": case_type.pk,
            "expires_in_days": "365",
        },
    )

    assert response.status_code == 200
    token = ApiToken.objects.get(kind=ApiToken.Kind.INTEGRATION)
    assert (token.partner, token.team, token.case_type) == ("Riverside Food Bank", north, case_type)
    assert f"cl_{token.prefix}_" in response.content.decode()


def test_the_integrations_page_keeps_what_was_typed_when_no_team_is_chosen(erin):
    response = client_for(erin).post(
        reverse("api:integrations"), {"partner": "Riverside Food Bank", "expires_in_days": "30"}
    )

    assert response.status_code == 400
    assert 'value="Riverside Food Bank"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_integrations_page_refuses_a_supervisor(carol):
    assert client_for(carol).get(reverse("api:integrations")).status_code == 403


def test_an_admin_revokes_an_integration_token(erin, partner_token, api):
    response = client_for(erin).post(
        reverse("api:integration_revoke", args=[partner_token.token.pk])
    )

    assert response.status_code == 302
    assert api.get(reverse("api:referrals"), **bearer(partner_token)).status_code == 401


def test_an_adviser_cannot_revoke_an_integration_token(alice, partner_token):
    response = client_for(alice).post(
        reverse("api:integration_revoke", args=[partner_token.token.pk])
    )

    assert response.status_code == 403
    partner_token.token.refresh_from_db()
    assert partner_token.token.revoked_at is None


def test_nobody_but_its_person_revokes_a_personal_token(bob, erin, alice_token):
    for someone in (bob, erin):
        with pytest.raises(PermissionDenied):
            services.api_token_revoke(token=alice_token.token, revoked_by=someone)

    alice_token.token.refresh_from_db()
    assert alice_token.token.revoked_at is None


def test_only_an_admin_revokes_an_integration_token(carol, partner_token):
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=partner_token.token, revoked_by=carol)
