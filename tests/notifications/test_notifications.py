"""A person's notifications: grouped by case and kind, read and dismissed one by one or
by filter, only their own, and delivered the way they chose."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications import selectors, services
from notifications.models import Delivery, Kind, Notification, NotificationPreference
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def _deadline(person, case, text="first contact breached"):
    services.notify(
        recipients=[person], kind=Kind.DEADLINE, case=case, message=f"{case.reference}: {text}."
    )


def test_three_deadlines_on_one_case_show_as_one_line(alice):
    case = CaseFactory(assigned_to=alice)
    for text in ("first contact approaching", "first contact due", "first contact breached"):
        _deadline(alice, case, text)
    services.notify(recipients=[alice], kind=Kind.REVIEW, message="Your caseload review is due.")

    groups = selectors.notification_groups(alice)

    assert [(g.kind, g.heading) for g in groups] == [
        (Kind.REVIEW, "Your caseload review is due."),
        (Kind.DEADLINE, f"3 deadlines on {case.reference}"),
    ]
    page = client_for(alice).get(reverse("notifications:list"))
    assert f"3 deadlines on {case.reference}" in page.content.decode()


def test_the_list_shows_one_kind_when_asked(alice):
    case = CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    services.notify(recipients=[alice], kind=Kind.REVIEW, message="Your caseload review is due.")

    page = client_for(alice).get(reverse("notifications:list"), {"kind": "review"})

    assert [g.kind for g in page.context["groups"]] == [Kind.REVIEW]


def test_a_group_is_marked_read_without_touching_the_rest(alice):
    case, other = CaseFactory(assigned_to=alice), CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    _deadline(alice, case, "next contact due")
    _deadline(alice, other)

    client_for(alice).post(reverse("notifications:read"), {"kind": Kind.DEADLINE, "case": case.pk})

    unread = Notification.objects.filter(recipient=alice, read_at__isnull=True)
    assert list(unread.values_list("case_id", flat=True)) == [other.pk]


def test_one_notification_is_dismissed_and_leaves_the_list(alice):
    case = CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    _deadline(alice, case, "next contact due")
    first = Notification.objects.filter(recipient=alice).order_by("pk").first()

    client_for(alice).post(reverse("notifications:dismiss"), {"id": first.pk})

    first.refresh_from_db()
    assert first.dismissed_at is not None
    assert first.read_at is not None
    (group,) = selectors.notification_groups(alice)
    assert len(group.items) == 1
    assert group.items[0].pk != first.pk


def test_dismissing_by_filter_takes_only_that_kind(alice):
    case = CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    services.notify(recipients=[alice], kind=Kind.REVIEW, message="Your caseload review is due.")

    response = client_for(alice).post(
        reverse("notifications:dismiss"), {"kind": Kind.DEADLINE, "filter": "1"}
    )

    assert response["Location"] == f"{reverse('notifications:list')}?kind=deadline"
    assert [g.kind for g in selectors.notification_groups(alice)] == [Kind.REVIEW]


def test_nobody_can_read_or_dismiss_someone_elses_notification(alice, bob):
    case = CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    theirs = Notification.objects.get(recipient=alice)

    client_for(bob).post(reverse("notifications:read"), {"id": theirs.pk})
    client_for(bob).post(reverse("notifications:dismiss"), {"id": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert theirs.dismissed_at is None


def test_a_notification_id_that_is_not_a_number_is_a_bad_request(alice):
    response = client_for(alice).post(reverse("notifications:dismiss"), {"id": "1 OR 1=1"})
    assert response.status_code == 400


def test_each_kind_starts_at_its_default_delivery(alice):
    deliveries = selectors.deliveries_for(alice)
    assert deliveries[Kind.DEADLINE] == Delivery.DIGEST
    assert deliveries[Kind.BREAK_GLASS] == Delivery.IMMEDIATE


def test_a_person_chooses_how_they_hear_of_a_kind(alice):
    response = client_for(alice).post(
        reverse("notifications:preferences"),
        {
            "deadline": "in_app",
            "priority": "immediate",
            "review": "digest",
            "capacity": "digest",
            "report": "immediate",
        },
    )

    assert response.status_code == 302
    deliveries = selectors.deliveries_for(alice)
    assert deliveries[Kind.DEADLINE] == Delivery.IN_APP
    assert deliveries[Kind.REPORT] == Delivery.IMMEDIATE
    # Defaults are not stored: only the two changes are.
    assert NotificationPreference.objects.filter(user=alice).count() == 2


def test_an_unknown_delivery_is_refused_beside_the_field(alice):
    response = client_for(alice).post(
        reverse("notifications:preferences"), {"deadline": "carrier pigeon"}
    )
    assert response.status_code == 400
    assert "carrier pigeon is not one of the available choices" in response.content.decode()


def test_security_alerts_cannot_be_turned_down(alice):
    services.notification_preferences_set(user=alice, deliveries={"break_glass": "in_app"})
    assert selectors.deliveries_for(alice)[Kind.BREAK_GLASS] == Delivery.IMMEDIATE


def test_the_digest_leaves_out_kinds_wanted_in_the_app_only(alice):
    from notifications.models import OutboxEmail

    case = CaseFactory(assigned_to=alice)
    _deadline(alice, case)
    services.notify(recipients=[alice], kind=Kind.REVIEW, message="Your caseload review is due.")
    services.notification_preferences_set(user=alice, deliveries={"deadline": "in_app"})

    assert services.notifications_email_digest() == 1

    (email,) = OutboxEmail.objects.filter(kind="digest")
    assert "Your caseload review is due." in email.body
    assert case.reference not in email.body


def test_a_deadline_notification_is_resolved_when_the_contact_is_logged(alice, carol):
    import datetime as dt

    from django.utils import timezone

    from notes import services as note_services
    from priorities.models import Timescale
    from priorities.sweep import sweep_deadlines
    from tests.factories import CaseTypeFactory

    housing = CaseTypeFactory(name="Housing")
    Timescale.objects.create(case_type=housing, level="green", first_contact_days=3)
    case = CaseFactory(assigned_to=alice, case_type=housing, opened_yesterday=True)
    due = case.first_contact_due_on
    sweep_deadlines(now=timezone.make_aware(dt.datetime.combine(due, dt.time(9))))
    assert selectors.unread_count(alice) == 1

    note_services.note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - dt.timedelta(hours=1),
        channel="phone",
        facts="Called the client",
        next_steps="Visit next week",
    )

    (told,) = Notification.objects.filter(recipient=alice)
    assert told.resolved_at is not None
    assert selectors.unread_count(alice) == 0
    (group,) = selectors.notification_groups(alice)
    assert group.resolved


def test_someone_who_wants_a_kind_at_once_gets_it_through_the_outbox_not_the_digest(
    alice, carol, mailoutbox
):
    from notifications.models import OutboxEmail

    services.notification_preferences_set(user=alice, deliveries={"review": "immediate"})
    services.notify(recipients=[alice, carol], kind=Kind.REVIEW, message="A review was started.")

    (queued,) = OutboxEmail.objects.all()
    assert queued.recipient == alice
    assert queued.kind == OutboxEmail.Kind.NOTIFICATION
    assert "A review was started." in queued.body
    # The digest leaves out what went at once, and sends carol hers.
    assert services.notifications_email_digest() == 1
    assert OutboxEmail.objects.filter(recipient=carol, kind="digest").exists()


def test_a_deadline_someone_wants_at_once_is_queued_by_the_sweep_s_batch_insert(alice, bob):
    from notifications.models import OutboxEmail

    case = CaseFactory(assigned_to=alice)
    services.notification_preferences_set(user=alice, deliveries={"deadline": "immediate"})

    made = services.notify_rows(
        rows=[
            (alice.pk, case.pk, "first_contact_due_on:2026-12-01", "first contact breached"),
            (bob.pk, case.pk, "first_contact_due_on:2026-12-01", "first contact breached"),
        ],
        kind=Kind.DEADLINE,
        now=timezone.now(),
    )

    assert made == 2
    assert Notification.objects.filter(kind=Kind.DEADLINE).count() == 2
    assert list(OutboxEmail.objects.values_list("recipient__username", flat=True)) == ["alice"]
