"""Every link in every email Caseload sends starts with CASELOAD_BASE_URL: the address
people use, never the address of whatever request or worker caused the email.

Each kind of email is caused the way the application causes it and sent by the
outbox worker (``outbox_send``), or, for the reset people ask for themselves, by
Django's password reset page."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from caseload.roles import Role
from cases import people, services
from cases.models import Team, User
from notifications.models import Kind, Notification, OutboxEmail
from notifications.services import (
    notification_preferences_set,
    notifications_email_digest,
    notify,
    outbox_send,
)
from reviews.services import report_generate
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "https://caseload.example.test/office"
LINK = re.compile(r"\b(?:https?://|www\.)\S+")


def _links(body: str) -> list[str]:
    return LINK.findall(body)


def _break_glass(alice: User, bob: User, **_: object) -> None:
    case = CaseFactory(assigned_to=alice, restricted=True)
    services.break_glass(case=case, user=bob, reason="Client at reception in crisis")


def _access_change(alice: User, north: Team, **_: object) -> None:
    manager = UserFactory(username="mia", roles=[Role.SERVICE_MANAGER])
    people.access_revoke(
        user=alice, revoked_by=manager, reason="Moved to the South office", team=north
    )


def _report(carol: User, **_: object) -> None:
    monday = date(2026, 11, 16)
    report_generate(supervisor=carol, period_start=monday)


def _digest(alice: User, **_: object) -> None:
    Notification.objects.create(
        recipient=alice, kind=Kind.DEADLINE, message="CASE-000001: first contact breached."
    )
    notifications_email_digest()


def _notification(alice: User, **_: object) -> None:
    notification_preferences_set(user=alice, deliveries={Kind.REVIEW.value: "immediate"})
    notify(recipients=[alice], kind=Kind.REVIEW, message="A review was started.")


def _invite(**_: object) -> None:
    people.user_invite(user=User(username="newstarter", email="newstarter@example.org"))


def _reset(alice: User, **_: object) -> None:
    people.password_reset_send(user=alice)


CAUSES = {
    OutboxEmail.Kind.BREAK_GLASS: _break_glass,
    OutboxEmail.Kind.ACCESS_CHANGE: _access_change,
    OutboxEmail.Kind.REPORT: _report,
    OutboxEmail.Kind.DIGEST: _digest,
    OutboxEmail.Kind.NOTIFICATION: _notification,
    OutboxEmail.Kind.PASSWORD_INVITE: _invite,
    OutboxEmail.Kind.PASSWORD_RESET: _reset,
}


def test_every_kind_of_outbox_email_is_checked_here():
    assert set(CAUSES) == set(OutboxEmail.Kind)


@pytest.mark.parametrize("kind", list(CAUSES))
def test_each_kind_of_email_links_only_to_the_base_url(kind, alice, bob, carol, north):
    with override_settings(CASELOAD_BASE_URL=BASE):
        CAUSES[kind](alice=alice, bob=bob, carol=carol, north=north)
        assert OutboxEmail.objects.filter(kind=kind).exists()
        outbox_send()

    keys = set(OutboxEmail.objects.filter(kind=kind).values_list("idempotency_key", flat=True))
    sent = [m for m in mail.outbox if m.extra_headers["Message-ID"][1:].split("@")[0] in keys]
    assert len(sent) == len(keys)
    for message in sent:
        links = _links(message.body)
        assert links, message.body
        assert all(link.startswith(f"{BASE}/") for link in links), links


def test_the_reset_someone_asks_for_links_to_the_base_url_not_the_request_s_host(client, alice):
    with override_settings(CASELOAD_BASE_URL=BASE):
        client.post(reverse("password_reset"), {"email": alice.email}, HTTP_HOST="testserver")

    (message,) = mail.outbox
    (link,) = _links(message.body)
    assert link.startswith(f"{BASE}/accounts/reset/")
    assert "testserver" not in message.body


def test_the_reset_link_from_the_base_url_works(client, alice):
    with override_settings(CASELOAD_BASE_URL=BASE):
        client.post(reverse("password_reset"), {"email": alice.email})

    (link,) = _links(mail.outbox[0].body)
    response = client.get(link.removeprefix(BASE), follow=True)
    assert response.context["validlink"] is True


def test_the_configuration_site_offers_no_password_reset_of_its_own():
    from django.urls import NoReverseMatch

    with pytest.raises(NoReverseMatch):
        reverse("admin_password_reset")


def test_a_break_glass_alert_says_when_in_the_one_date_format(alice, bob, carol):
    case = CaseFactory(assigned_to=alice, restricted=True)
    access = services.break_glass(case=case, user=bob, reason="Client at reception in crisis")
    outbox_send()

    from caseload.formats import human_datetime

    (message,) = [m for m in mail.outbox if case.reference in m.subject]
    assert f"on {human_datetime(access.granted_at)}." in message.body
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}", message.body)
