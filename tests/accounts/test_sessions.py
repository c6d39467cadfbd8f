"""Sessions: the idle timeout, and deactivation ending every session at once."""

import time

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.middleware import LAST_ACTIVITY_SESSION_KEY
from accounts.models import UserSession
from accounts.services import user_deactivate
from tests.conftest import client_for
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def _idle_for(client: Client, minutes: int) -> None:
    session = client.session
    session[LAST_ACTIVITY_SESSION_KEY] = int(time.time()) - minutes * 60
    session.save()


def _signed_in(user) -> Client:
    """A client signed in through the real pages: password, then the code."""
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:two_factor_verify"), {"code": totp_code(user)})
    assert client.get("/").status_code == 302
    return client


def test_a_session_idle_longer_than_the_limit_is_signed_out_with_a_message(alice):
    client = client_for(alice)
    assert client.get(reverse("cases:my_caseload")).status_code == 200
    _idle_for(client, 31)

    response = client.get(reverse("cases:my_caseload"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "idle for 30 minutes" in response.content.decode()


def test_a_session_used_within_the_limit_carries_on(alice):
    client = client_for(alice)
    client.get(reverse("cases:my_caseload"))
    _idle_for(client, 29)

    assert client.get(reverse("cases:my_caseload")).status_code == 200


def test_the_idle_limit_is_configurable(alice, settings):
    settings.CASELOAD_SESSION_IDLE_MINUTES = 5
    client = client_for(alice)
    client.get(reverse("cases:my_caseload"))
    _idle_for(client, 6)

    assert client.get(reverse("cases:my_caseload")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_idle_limit_is_read_from_the_environment(monkeypatch):
    from caseload.env import env_int

    monkeypatch.setenv("CASELOAD_SESSION_IDLE_MINUTES", "12")

    assert env_int("CASELOAD_SESSION_IDLE_MINUTES", 30, "help", minimum=1) == 12


def test_deactivating_someone_ends_every_session_they_hold(alice, erin):
    office, home = _signed_in(alice), _signed_in(alice)
    keys = set(UserSession.objects.filter(user=alice).values_list("session_key", flat=True))
    assert {office.session.session_key, home.session.session_key} <= keys

    ended = user_deactivate(user=alice, deactivated_by=erin)

    assert ended == len(keys)
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert office.get(reverse("cases:my_caseload"))["Location"].startswith(reverse("login"))
    assert home.get(reverse("cases:my_caseload"))["Location"].startswith(reverse("login"))
    alice.refresh_from_db()
    assert not alice.is_active
    assert LogEntry.objects.filter(additional_data__event="deactivated", actor=erin).exists()


def test_deactivating_someone_leaves_other_people_s_sessions_alone(alice, bob, erin):
    as_bob = _signed_in(bob)
    _signed_in(alice)

    user_deactivate(user=alice, deactivated_by=erin)

    assert as_bob.get(reverse("cases:my_caseload")).status_code == 200


def test_a_session_whose_key_changed_with_a_new_password_still_ends_on_deactivation(alice, erin):
    client = _signed_in(alice)
    new_password = "tin roof lantern 42"
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    key = client.session.session_key
    assert UserSession.objects.filter(user=alice, session_key=key).exists()

    user_deactivate(user=alice, deactivated_by=erin)

    assert not Session.objects.filter(session_key=key).exists()


def test_unticking_active_on_the_user_page_ends_their_sessions(alice, root):
    as_alice = _signed_in(alice)
    as_erin = client_for(root)
    url = reverse("admin:cases_user_change", args=[alice.pk])
    page = as_erin.get(url)
    data = _admin_form_data(page)
    data.pop("is_active", None)

    response = as_erin.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert not alice.is_active
    assert as_alice.get(reverse("cases:my_caseload"))["Location"].startswith(reverse("login"))


def _admin_form_data(page) -> dict:
    """What the admin's change form would post back unchanged."""
    data = {}
    form = page.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, "")
        for index, inline_form in enumerate(formset.formset.forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if value is not None:
                    data[f"{formset.formset.prefix}-{index}-{name}"] = getattr(value, "pk", value)
    return data


def test_signing_in_forgets_sessions_that_have_ended(alice):
    first = _signed_in(alice)
    ended_key = first.session.session_key
    first.post(reverse("logout"))

    second = _signed_in(alice)

    keys = set(UserSession.objects.filter(user=alice).values_list("session_key", flat=True))
    assert ended_key not in keys
    assert second.session.session_key in keys
