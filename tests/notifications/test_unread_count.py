"""The header's unread count is kept in the shared cache, and every change is seen at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import User
from notifications.counts import unread_count_cached
from notifications.models import Kind, Notification
from notifications.selectors import unread_count
from notifications.services import (
    notifications_dismiss,
    notifications_mark_read,
    notifications_resolve,
    notify,
    notify_rows,
)
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _header_count(user: User) -> str:
    """What the header of the person's caseload page says about unread notifications."""
    response = client_for(user).get(reverse("cases:my_caseload"))
    assert response.status_code == 200
    return str(response.context["unread_notifications"])


def test_a_second_page_reads_the_count_from_the_cache(alice: User) -> None:
    notify(recipients=[alice], kind=Kind.OTHER, message="Hello")
    assert unread_count(alice) == 1
    table = Notification._meta.db_table
    with CaptureQueriesContext(connection) as captured:
        assert unread_count(alice) == 1
    assert not [q for q in captured.captured_queries if table in q["sql"]]


def test_a_new_notification_shows_in_the_header_at_once(alice: User) -> None:
    assert _header_count(alice) == "0"
    notify(recipients=[alice], kind=Kind.OTHER, message="A case was passed to you")
    assert _header_count(alice) == "1"


def test_a_new_notification_from_the_sweep_shows_at_once(alice: User) -> None:
    case = CaseFactory(assigned_to=alice)
    assert unread_count(alice) == 0
    notify_rows(
        rows=[(alice.pk, case.pk, "first_contact", "Due")], kind=Kind.DEADLINE, now=timezone.now()
    )
    assert unread_count(alice) == 1


def test_marking_read_shows_at_once(alice: User) -> None:
    notify(recipients=[alice], kind=Kind.OTHER, message="Hello")
    assert _header_count(alice) == "1"
    notifications_mark_read(user=alice)
    assert _header_count(alice) == "0"


def test_dismissing_shows_at_once(alice: User) -> None:
    notify(recipients=[alice], kind=Kind.OTHER, message="Hello")
    assert unread_count(alice) == 1
    notifications_dismiss(user=alice)
    assert unread_count(alice) == 0


def test_a_resolved_notification_stops_counting_at_once(alice: User, bob: User) -> None:
    case = CaseFactory(assigned_to=alice)
    notify(recipients=[alice, bob], kind=Kind.DEADLINE, message="Due", case=case)
    assert (unread_count(alice), unread_count(bob)) == (1, 1)
    notifications_resolve(kind=Kind.DEADLINE, case_ids=[case.pk])
    assert (unread_count(alice), unread_count(bob)) == (0, 0)


def test_one_persons_change_leaves_anothers_count_right(alice: User, bob: User) -> None:
    notify(recipients=[alice, bob], kind=Kind.OTHER, message="Hello")
    assert (unread_count(alice), unread_count(bob)) == (1, 1)
    notifications_mark_read(user=alice)
    assert (unread_count(alice), unread_count(bob)) == (0, 1)


def test_a_count_taken_by_another_process_before_the_write_commits_is_not_kept(
    alice: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[alice], kind=Kind.OTHER, message="Hello")
        # A page served meanwhile by another process does not see the row yet.
        assert unread_count_cached(alice.pk, lambda: 0) == 0
    assert unread_count(alice) == 1
