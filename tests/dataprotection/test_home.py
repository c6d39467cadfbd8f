"""The data protection officer's home: what waits for them, and who may open it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dataprotection.sar_services import sar_open
from tests.conftest import client_for
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def test_the_home_lists_an_overdue_subject_access_request_first_and_links_to_the_list(dina, alice):
    today = timezone.localdate()
    sar_open(
        client=ClientFactory(created_by=alice),
        received_on=today - timedelta(days=40),
        opened_by=dina,
    )

    page = client_for(dina).get(reverse("dataprotection:home"))

    assert page.status_code == 200
    waiting = page.context["waiting"]
    assert [(line.count, line.noun, line.rest) for line in waiting] == [
        (1, "subject access request", "overdue")
    ]
    assert "1 subject access request overdue" in page.content.decode()


def test_the_home_says_when_nothing_is_waiting(dina):
    page = client_for(dina).get(reverse("dataprotection:home"))

    assert page.context["waiting"] == []
    assert "Nothing is waiting" in page.content.decode()


def test_an_adviser_and_an_admin_are_refused_the_home(alice, erin):
    for person in (alice, erin):
        assert client_for(person).get(reverse("dataprotection:home")).status_code == 403
