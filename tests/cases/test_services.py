from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import Case, CaseEvent, CaseShare, CaseUserObjectPermission
from notifications.models import Notification, OutboxEmail
from notifications.services import outbox_send
from tests.conftest import client_for
from tests.factories import (
    AdviserFactory,
    CaseFactory,
    CaseTypeFactory,
    ClientFactory,
    ConsentFactory,
)

pytestmark = pytest.mark.django_db


def _today() -> date:
    """Today, asked each time: a date taken once at import is yesterday's for the tests
    that run after midnight."""
    return timezone.localdate()


def _share(case, to, *, level="view", expires_on=None, now=None, by=None):
    return services.case_share(
        case=case,
        shared_with=to,
        level=level,
        reason="Covering while the adviser is on leave",
        consent=ConsentFactory(client=case.client, recorded_by=case.assigned_to),
        expires_on=expires_on or _today() + timedelta(days=14),
        shared_by=by or case.assigned_to,
        now=now,
    )


def test_clients_get_sequential_references(alice):
    first = ClientFactory(created_by=alice)
    second = ClientFactory(created_by=alice)

    assert first.reference.startswith("C-")
    assert int(second.reference[2:]) == int(first.reference[2:]) + 1


def test_a_new_case_is_open_on_its_adviser_s_caseload_in_their_team(alice, north):
    case = CaseFactory(assigned_to=alice)

    assert case.status == Case.Status.OPEN
    assert case.opened_on == timezone.localdate()
    assert case.team == north
    assert list(case.events.values_list("kind", flat=True)) == [CaseEvent.Kind.CREATED]


def test_closing_a_case_needs_a_reason(alice):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as error:
        services.case_status_change(case=case, status="closed", changed_by=alice)

    assert "closure_reason" in error.value.error_dict
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_closing_and_reopening_are_both_kept_in_the_history(alice):
    case = CaseFactory(assigned_to=alice)
    services.case_status_change(
        case=case,
        status="closed",
        changed_by=alice,
        closure_reason="outcomes_met",
        closure_outcome="Tenancy sustained",
    )

    services.case_status_change(case=case, status="open", changed_by=alice)

    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert case.closed_on is None
    summaries = list(case.events.order_by("pk").values_list("summary", flat=True))
    assert summaries[1] == "Status changed: Open → Closed (Outcomes met)"
    assert summaries[2] == "Reopened: Closed → Open"


def test_a_supervisor_reassigns_within_the_team_with_a_handover_note(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)

    services.case_assign(case=case, adviser=bob, assigned_by=carol, handover_note="Call Tuesday")

    case.refresh_from_db()
    assert case.assigned_to == bob
    event = case.events.get(kind=CaseEvent.Kind.ASSIGNED)
    assert event.summary == "Reassigned from Alice Adams to Bob Baker"
    assert event.detail == "Call Tuesday"


def test_a_case_cannot_be_reassigned_outside_its_team(alice, carol, dave):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as error:
        services.case_assign(case=case, adviser=dave, assigned_by=carol, handover_note="x")

    assert "adviser" in error.value.error_dict
    assert Case.objects.get(pk=case.pk).assigned_to == alice


def test_an_adviser_cannot_reassign_their_own_case(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError):
        services.case_assign(case=case, adviser=bob, assigned_by=alice, handover_note="x")


def test_the_next_deadline_follows_the_earliest_open_deadline(alice):
    case = CaseFactory(assigned_to=alice)
    later = services.deadline_add(
        case=case, due_on=_today() + timedelta(days=20), description="Tribunal", added_by=alice
    )
    sooner = services.deadline_add(
        case=case, due_on=_today() + timedelta(days=5), description="Appeal", added_by=alice
    )
    assert Case.objects.get(pk=case.pk).next_deadline_on == sooner.due_on

    services.deadline_set_status(deadline=sooner, status="met", changed_by=alice)

    assert Case.objects.get(pk=case.pk).next_deadline_on == later.due_on


def test_a_deadline_in_the_past_is_refused(alice):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as error:
        services.deadline_add(
            case=case, due_on=_today() - timedelta(days=1), description="x", added_by=alice
        )

    assert "due_on" in error.value.error_dict


def test_progress_on_an_outcome_updates_it_and_is_kept(alice):
    case = CaseFactory(assigned_to=alice)
    outcome = services.outcome_add(
        case=case,
        description="Secure a tenancy",
        measure="Signed tenancy agreement",
        target_date=_today() + timedelta(days=60),
        added_by=alice,
    )

    services.outcome_progress_record(
        outcome=outcome,
        note="Viewing booked",
        status="in_progress",
        progress_percent=40,
        recorded_by=alice,
    )

    outcome.refresh_from_db()
    assert (outcome.status, outcome.progress_percent) == ("in_progress", 40)
    assert outcome.progress.get().note == "Viewing booked"


def test_an_achieved_outcome_must_be_complete(alice):
    case = CaseFactory(assigned_to=alice)
    outcome = services.outcome_add(
        case=case, description="a", measure="b", target_date=_today(), added_by=alice
    )

    with pytest.raises(ValidationError):
        services.outcome_progress_record(
            outcome=outcome,
            note="done",
            status="achieved",
            progress_percent=80,
            recorded_by=alice,
        )


def test_an_obstacle_is_resolved_with_a_resolution(alice):
    case = CaseFactory(assigned_to=alice)
    obstacle = services.obstacle_record(
        case=case,
        kind="awaiting_third_party",
        description="Waiting for the council",
        raised_by=alice,
    )

    services.obstacle_resolve(obstacle=obstacle, resolution="Council replied", resolved_by=alice)

    obstacle.refresh_from_db()
    assert obstacle.status == "resolved"
    assert obstacle.resolved_at is not None


def test_sharing_grants_guardian_permissions_that_end_with_the_share(alice, dave):
    case = CaseFactory(assigned_to=alice)

    share = _share(case, dave, level="contribute")

    codenames = set(
        CaseUserObjectPermission.objects.filter(user=dave, content_object=case).values_list(
            "permission__codename", flat=True
        )
    )
    assert codenames == {"view_case", "contribute_case"}
    # Visibility is asked of the one query, never of user.has_perm (guardian's backend is
    # not hooked: it knows nothing of a share's expiry).
    assert selectors.visible_cases(dave).filter(pk=case.pk).exists()
    services.share_revoke(share=share, revoked_by=alice)
    assert not CaseUserObjectPermission.objects.filter(user=dave).exists()


def test_a_share_needs_the_client_s_current_consent(alice, dave):
    case = CaseFactory(assigned_to=alice)
    someone_else = ConsentFactory(recorded_by=alice)

    with pytest.raises(ValidationError) as error:
        services.case_share(
            case=case,
            shared_with=dave,
            level="view",
            reason="x",
            consent=someone_else,
            expires_on=_today() + timedelta(days=3),
            shared_by=alice,
        )

    assert "consent" in error.value.error_dict
    assert not CaseShare.objects.exists()


def test_withdrawing_consent_ends_the_shares_that_rest_on_it(alice, dave):
    case = CaseFactory(assigned_to=alice)
    share = _share(case, dave)

    services.consent_withdraw(consent=share.consent, withdrawn_by=alice)

    share.refresh_from_db()
    assert share.revoked_at is not None
    assert not selectors.visible_cases(dave).filter(pk=case.pk).exists()


def test_an_expired_share_shows_nothing(alice, dave):
    case = CaseFactory(assigned_to=alice)
    past = timezone.now() - timedelta(days=30)
    _share(case, dave, now=past, expires_on=timezone.localdate(past) + timedelta(days=2))

    assert not selectors.visible_cases(dave).filter(pk=case.pk).exists()


def test_a_restricted_case_cannot_be_shared(alice, dave):
    case = CaseFactory(assigned_to=alice, restricted=True)

    with pytest.raises(ValidationError, match="restricted"):
        _share(case, dave)


def test_breaking_the_glass_opens_a_restricted_case_for_hours_and_emails_the_supervisor(
    alice, bob, carol, mailoutbox
):
    case = CaseFactory(assigned_to=alice, restricted=True)
    assert not selectors.visible_cases(bob).filter(pk=case.pk).exists()

    access = services.break_glass(case=case, user=bob, reason="Client at reception in crisis")

    assert selectors.visible_cases(bob).filter(pk=case.pk).exists()
    later = access.expires_at + timedelta(minutes=1)
    assert not selectors.visible_cases(bob, now=later).filter(pk=case.pk).exists()
    assert case.events.filter(kind=CaseEvent.Kind.BREAK_GLASS).exists()
    assert Notification.objects.filter(recipient=carol, case=case).count() == 1
    # The email is queued with the access; the outbox sends it once, however often it runs.
    assert services.break_glass_alert_queue(access_id=access.pk) is False
    assert outbox_send() == 1
    assert outbox_send() == 0
    assert [m.to for m in mailoutbox] == [[carol.email]]
    assert case.client.family_name not in mailoutbox[0].body


def test_breaking_the_glass_never_talks_to_the_broker_and_the_outbox_sends_the_email(
    alice, bob, carol, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    case = CaseFactory(assigned_to=alice, restricted=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(bob).post(
            reverse("cases:break_glass"),
            {"reference": case.reference, "reason": "Client at reception in crisis"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    # The only thing left for after the commit is renewing the unread counts' cache
    # versions (notifications.counts): no task is queued.
    assert [c.__qualname__ for c in callbacks] == ["unread_changed.<locals>.bump"]
    assert mailoutbox == []
    (email,) = OutboxEmail.objects.all()
    assert email.recipient == carol
    assert email.status == OutboxEmail.Status.PENDING

    assert outbox_send() == 1
    assert [m.to for m in mailoutbox] == [[carol.email]]


def test_the_sweep_queues_the_alerts_of_an_access_granted_before_the_outbox(alice, bob, carol):
    from cases.models import BreakGlassAccess
    from priorities.sweep import sweep_deadlines

    case = CaseFactory(assigned_to=alice, restricted=True)
    now = timezone.now()
    BreakGlassAccess(
        case=case,
        user=bob,
        reason="Client at reception in crisis",
        granted_at=now,
        expires_at=now + timedelta(hours=8),
    ).save()

    assert sweep_deadlines().alerts_queued == 1
    assert sweep_deadlines().alerts_queued == 0
    assert OutboxEmail.objects.get().recipient == carol


def test_break_the_glass_needs_a_reason(alice, bob):
    case = CaseFactory(assigned_to=alice, restricted=True)

    with pytest.raises(ValidationError):
        services.break_glass(case=case, user=bob, reason="")


def test_a_referral_in_waits_unallocated_in_the_team_queue(carol, north):
    case = services.referral_in(
        team=north,
        case_type=CaseTypeFactory(),
        agency="Shelter",
        contact="",
        reason="Facing eviction",
        presenting_issue="Section 21 notice",
        received_by=carol,
        client_fields={"given_name": "Ada", "family_name": "Lovelace"},
    )

    assert case.status == Case.Status.REFERRED
    assert case.assigned_to is None
    assert list(selectors.unallocated_for(carol)) == [case]


def test_a_referral_out_needs_consent(alice):
    case = CaseFactory(assigned_to=alice)

    with pytest.raises(ValidationError) as error:
        services.referral_out(
            case=case,
            agency="StepChange",
            contact="",
            reason="Debt advice",
            consent=None,
            follow_up_on=None,
            created_by=alice,
        )

    assert "consent" in error.value.error_dict


def test_possible_duplicates_match_on_family_name_and_date_of_birth(alice, dave):
    mine = CaseFactory(
        assigned_to=alice,
        client=ClientFactory(family_name="Okonkwo", date_of_birth=date(1980, 1, 2)),
    ).client
    theirs = CaseFactory(
        assigned_to=dave,
        client=ClientFactory(family_name="Okonkwo", date_of_birth=date(1980, 1, 2)),
    ).client

    found, elsewhere = selectors.possible_duplicates(
        alice, family_name="okonkwo ", date_of_birth=date(1980, 1, 2)
    )

    assert found == [mine]
    assert [c.pk for c in elsewhere] == [theirs.pk]


def test_search_splits_visible_clients_from_those_held_elsewhere(alice, dave):
    mine = CaseFactory(
        assigned_to=alice, client=ClientFactory(family_name="Nakamura", created_by=alice)
    )
    theirs = CaseFactory(
        assigned_to=dave, client=ClientFactory(family_name="Nakamura", created_by=dave)
    )

    found, elsewhere = selectors.client_search(alice, family_name="NAKAMURA")

    assert list(found) == [mine.client]
    assert [c.pk for c in elsewhere] == [theirs.client.pk]


def test_the_visibility_query_is_one_query_however_many_cases_and_shares(
    alice, dave, django_assert_num_queries
):
    for _ in range(3):
        _share(CaseFactory(assigned_to=alice), dave)
    dave = type(dave).objects.get(pk=dave.pk)
    with django_assert_num_queries(2):  # the roles of dave, then the cases
        small = len(selectors.visible_cases(dave))
    for _ in range(12):
        _share(CaseFactory(assigned_to=alice), dave)
    for _ in range(5):
        CaseFactory(assigned_to=AdviserFactory())
    dave = type(dave).objects.get(pk=dave.pk)

    with django_assert_num_queries(2):
        large = len(selectors.visible_cases(dave))

    assert (small, large) == (3, 15)


def test_the_caseload_page_takes_the_same_queries_for_5_or_25_cases(
    alice, django_assert_max_num_queries
):
    from django.urls import reverse

    from tests.conftest import client_for

    client = client_for(alice)
    for _ in range(5):
        CaseFactory(assigned_to=alice)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("cases:my_caseload"))
    for _ in range(20):
        CaseFactory(assigned_to=alice)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:my_caseload"))

    assert len(response.context["page"].object_list) == 25


def test_opened_today_uses_the_london_date(alice):
    late_evening_utc = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    case = services.case_open(
        client=ClientFactory(created_by=alice),
        case_type=CaseTypeFactory(),
        opened_by=alice,
        presenting_issue="x",
        now=late_evening_utc,
    )

    assert case.opened_on == date(2026, 7, 1)


# --- a copy of the case read before a newer write --------------------------------------


def test_a_status_change_from_a_copy_read_before_a_note_keeps_the_note_s_contact(alice):
    from notes.services import note_append

    case = CaseFactory(assigned_to=alice, opened_yesterday=True)
    stale = Case.objects.get(pk=case.pk)
    note = note_append(
        case=case,
        author=alice,
        contact_at=timezone.now() - timedelta(hours=1),
        channel="phone",
        facts="Spoke to the client",
        next_steps="Call back on Friday",
    )

    services.case_status_change(case=stale, status=Case.Status.ON_HOLD, changed_by=alice)

    assert Case.objects.get(pk=case.pk).last_contact_at == note.contact_at


def test_a_status_change_from_a_copy_read_before_the_case_was_closed_is_checked_against_now(
    alice,
):
    case = CaseFactory(assigned_to=alice)
    stale = Case.objects.get(pk=case.pk)
    services.case_status_change(
        case=case,
        status=Case.Status.CLOSED,
        changed_by=alice,
        closure_reason=Case.ClosureReason.OUTCOMES_MET,
        closure_outcome="Arrears cleared",
    )

    with pytest.raises(ValidationError) as refused:
        services.case_status_change(
            case=stale,
            status=Case.Status.CLOSED,
            changed_by=alice,
            closure_reason=Case.ClosureReason.OUTCOMES_MET,
            closure_outcome="Arrears cleared",
        )
    assert "already" in str(refused.value)


def test_a_break_glass_email_task_queued_before_the_outbox_queues_the_alerts_once(
    alice, bob, carol
):
    from cases.models import BreakGlassAccess
    from cases.tasks import break_glass_email_task

    case = CaseFactory(assigned_to=alice, restricted=True)
    now = timezone.now()
    access = BreakGlassAccess(
        case=case,
        user=bob,
        reason="Client at reception in crisis",
        granted_at=now,
        expires_at=now + timedelta(hours=8),
    )
    access.save()

    assert break_glass_email_task.apply(args=[access.pk]).get() is True
    assert break_glass_email_task.apply(args=[access.pk]).get() is False
    assert OutboxEmail.objects.get().recipient == carol
