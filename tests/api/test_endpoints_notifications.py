"""The API's notifications: the caller's own, listed and marked read; nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.services import notify
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _notify(person, message: str) -> None:
    notify(recipients=[person], kind=Kind.OTHER, message=message, emailed=True)


def test_a_person_lists_only_their_own_notifications(alice, bob):
    _notify(alice, "A case of yours is due today")
    _notify(bob, "A case of bob's is due today")

    response = client_for(alice).get(reverse("api:notification_list"))

    assert [n["message"] for n in response.json()["results"]] == ["A case of yours is due today"]


def test_marking_read_reaches_only_the_callers_own_notifications(alice, bob):
    _notify(alice, "Mine")
    _notify(bob, "Bob's")
    bobs = Notification.objects.get(recipient=bob)

    response = client_for(alice).post(
        reverse("api:notifications_read"),
        {"ids": [bobs.pk]},
        content_type="application/json",
    )
    everything = client_for(alice).post(
        reverse("api:notifications_read"), {}, content_type="application/json"
    )

    assert response.json() == {"marked": 0}
    assert everything.json() == {"marked": 1}
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_notifications_cannot_be_read_signed_out():
    from django.test import Client

    response = Client().get(reverse("api:notification_list"))

    assert response.status_code in (401, 403)
