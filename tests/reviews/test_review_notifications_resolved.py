"""A review notification is marked dealt with once what it asked for has happened: a
reminder when the review starts, "ready to sign off" when it is signed off or returned,
"returned" when the adviser submits it again."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Kind, Notification
from reviews import services
from tests.reviews.test_caseload_reviews import _submitted

pytestmark = pytest.mark.django_db


def _waiting(person, words):
    """The person's review notifications containing ``words`` that still wait for action."""
    return Notification.objects.filter(
        recipient=person, kind=Kind.REVIEW, message__contains=words, resolved_at__isnull=True
    )


def test_ready_to_sign_off_is_resolved_by_the_sign_off(alice, carol):
    review = _submitted(alice, carol)
    assert _waiting(carol, "ready for you to sign off").count() == 1

    services.review_sign_off(review=review, signed_off_by=carol)

    assert not _waiting(carol, "ready for you to sign off").exists()
    # What the sign-off tells the adviser is news, not something waiting.
    assert _waiting(alice, "signed off your caseload review").count() == 1


def test_returning_resolves_ready_to_sign_off_and_resubmitting_resolves_returned(alice, carol):
    review = _submitted(alice, carol)
    services.review_return(review=review, returned_by=carol, comment="Say more on the debts.")
    assert not _waiting(carol, "ready for you to sign off").exists()
    assert _waiting(alice, "returned your caseload review").count() == 1

    services.review_submit(review=review, submitted_by=alice)

    assert not _waiting(alice, "returned your caseload review").exists()
    # The new submission asks the supervisor again.
    assert _waiting(carol, "ready for you to sign off").count() == 1


def test_a_due_reminder_is_resolved_when_the_review_starts_for_both_people(alice, carol, bob):
    later = timezone.now() + dt.timedelta(days=400)
    assert services.review_reminders_send(now=later) >= 1
    assert _waiting(alice, "Your caseload review is due").count() == 1
    assert _waiting(carol, "Alice Adams's caseload review is due").count() == 1

    services.review_start(adviser=alice, started_by=alice)

    assert not _waiting(alice, "caseload review is due").exists()
    assert not _waiting(carol, "Alice Adams's caseload review is due").exists()
    # Another adviser's reminder waits on.
    assert _waiting(carol, f"{bob.display_name}'s caseload review is due").count() == 1
