"""The pages people use all day ask the database a fixed number of questions, however many
cases are shared with them, and list shared cases in the order and number they promise."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import CaseShare, User
from tests.conftest import client_for
from tests.factories import CaseFactory, ConsentFactory

pytestmark = pytest.mark.django_db


def _share_cases_with(receiver: User, owner: User, count: int) -> None:
    for _ in range(count):
        case = CaseFactory(assigned_to=owner)
        services.case_share(
            case=case,
            shared_with=receiver,
            level=CaseShare.Level.VIEW,
            reason="Covering while away",
            consent=ConsentFactory(client=case.client, recorded_by=owner, scope="colleagues"),
            expires_on=timezone.localdate() + timedelta(days=14),
            shared_by=owner,
        )


def _queries(user: User, url: str, **post: str) -> int:
    client = client_for(user)
    request = (lambda: client.post(url, post)) if post else (lambda: client.get(url))
    request()  # the first view fills the per-process and shared caches
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code in (200, 302)
    return len(captured.captured_queries)


def test_my_caseload_asks_as_many_queries_with_many_shared_cases_as_with_few(
    alice: User, bob: User
) -> None:
    _share_cases_with(bob, alice, 2)
    few = _queries(bob, reverse("cases:my_caseload"))
    _share_cases_with(bob, alice, 6)
    assert _queries(bob, reverse("cases:my_caseload")) == few


def test_search_asks_as_many_queries_whatever_the_number_of_shared_cases(
    alice: User, bob: User
) -> None:
    _share_cases_with(bob, alice, 2)
    few = _queries(bob, reverse("cases:client_search"), q="Nobody-by-this-name")
    _share_cases_with(bob, alice, 6)
    assert _queries(bob, reverse("cases:client_search"), q="Nobody-by-this-name") == few


def test_shared_cases_are_the_first_by_priority_up_to_the_limit(alice: User, bob: User) -> None:
    _share_cases_with(bob, alice, 4)
    everything = list(selectors.cases_shared_with(bob, limit=10))
    assert len(everything) == 4
    keys = [(c.level_rank, c.next_due_on or timezone.localdate(), c.pk) for c in everything]
    assert keys == sorted(keys)
    assert [c.pk for c in selectors.cases_shared_with(bob, limit=2)] == [
        c.pk for c in everything[:2]
    ]


def test_a_revoked_or_expired_share_no_longer_lists_the_case(alice: User, bob: User) -> None:
    _share_cases_with(bob, alice, 2)
    share = CaseShare.objects.filter(shared_with=bob).first()
    assert share is not None
    CaseShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert share.case_id not in [c.pk for c in selectors.cases_shared_with(bob)]
    assert len(selectors.cases_shared_with(bob)) == 1
