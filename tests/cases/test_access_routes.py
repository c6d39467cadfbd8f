"""Routes around access control: nothing done while holding a share or broken glass leaves
access behind, break the glass is bounded, and a search reveals no other team's client."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.append_only import AppendOnlyError
from caseload.roles import Role
from cases import selectors, services
from cases.models import BreakGlassAccess, BreakGlassRequest, BreakGlassReview, Case, Client
from notifications.models import Notification
from notifications.services import outbox_send
from priorities.models import Organisation
from tests.conftest import client_for
from tests.factories import AdviserFactory, CaseFactory, ClientFactory, UserFactory
from tests.personas import CRISIS, share

pytestmark = pytest.mark.django_db

NEW_CASE = {"presenting_issue": "Debt letters", "referral_source": "self"}


def _new_case_form(case: Case) -> dict[str, object]:
    return {**NEW_CASE, "case_type": case.case_type.pk}


@pytest.fixture
def restricted(alice) -> Case:
    return CaseFactory(assigned_to=alice, restricted=True)


@pytest.fixture
def dora(roles) -> object:
    """The data protection officer."""
    user = UserFactory(username="dora", email="dora@example.org")
    user.groups.add(Group.objects.get(name=Role.DATA_PROTECTION.value))
    return user


# --- a share or broken glass never becomes a case of one's own ------------------------


@pytest.mark.parametrize("level", ["view", "contribute"])
def test_a_share_holder_cannot_open_a_case_for_the_shared_client(alice, dave, level):
    case = CaseFactory(assigned_to=alice)
    share(case, dave, level)

    page = client_for(dave).post(
        reverse("cases:case_create", args=[case.client.pk]), _new_case_form(case)
    )

    assert page.status_code == 403
    assert Case.objects.filter(client=case.client).count() == 1
    with pytest.raises(ValidationError):
        services.case_open(
            client=case.client, case_type=case.case_type, opened_by=dave, presenting_issue="x"
        )


def test_once_a_share_ends_its_holder_sees_neither_the_case_nor_the_client(alice, dave):
    case = CaseFactory(assigned_to=alice)
    made = share(case, dave, "contribute")
    as_dave = client_for(dave)
    assert as_dave.get(reverse("cases:client_detail", args=[case.client.pk])).status_code == 200

    services.share_revoke(share=made, revoked_by=alice)

    assert as_dave.get(reverse("cases:client_detail", args=[case.client.pk])).status_code == 404
    assert as_dave.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert not Client.objects.visible_to(dave).exists()


def test_a_break_glass_holder_cannot_open_a_case_and_loses_the_client_when_it_expires(
    restricted, dave
):
    broken = services.break_glass(case=restricted, user=dave, reason=CRISIS)
    as_dave = client_for(dave)

    refused = as_dave.post(
        reverse("cases:case_create", args=[restricted.client.pk]), _new_case_form(restricted)
    )
    later = broken.expires_at + timedelta(seconds=1)

    assert refused.status_code == 403
    assert Case.objects.filter(client=restricted.client).count() == 1
    assert not selectors.visible_cases(dave, now=later).exists()
    assert not Client.objects.filter(
        pk__in=selectors.visible_cases(dave, now=later).values("client")
    ).exists()


def test_the_creator_of_a_client_keeps_no_access_once_the_case_is_someone_elses(alice, bob, carol):
    case = CaseFactory(assigned_to=alice)

    services.case_assign(case=case, adviser=bob, assigned_by=carol, handover_note="Over to Bob")

    assert case.client.created_by == alice
    as_alice = client_for(alice)
    assert as_alice.get(reverse("cases:client_detail", args=[case.client.pk])).status_code == 404
    assert as_alice.get(reverse("cases:client_edit", args=[case.client.pk])).status_code == 404
    assert as_alice.get(reverse("cases:case_create", args=[case.client.pk])).status_code == 404


def test_the_adviser_of_an_open_case_may_open_another_case_for_the_client(alice):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).post(
        reverse("cases:case_create", args=[case.client.pk]), _new_case_form(case)
    )

    assert response.status_code == 302
    assert Case.objects.filter(client=case.client, assigned_to=alice).count() == 2


def test_an_adviser_whose_only_case_for_the_client_is_closed_cannot_open_another(alice):
    case = CaseFactory(assigned_to=alice)
    services.case_status_change(
        case=case,
        status="closed",
        changed_by=alice,
        closure_reason="outcomes_met",
        closure_outcome="Done",
    )

    assert not selectors.client_can_open_case(alice, case.client)


def test_a_case_opened_for_a_client_with_a_restricted_case_is_restricted_too(alice, restricted):
    second = services.case_open(
        client=restricted.client,
        case_type=restricted.case_type,
        opened_by=alice,
        presenting_issue="Another matter",
        restricted=False,
    )

    assert second.restricted


def test_a_referral_for_a_client_with_a_restricted_case_is_restricted(restricted, alice, south):
    referred = services.referral_in(
        team=south,
        case_type=restricted.case_type,
        agency="Shelter",
        contact="",
        reason="Needs housing advice",
        presenting_issue="Housing",
        received_by=alice,
        client=restricted.client,
    )

    assert referred.restricted


def test_the_new_case_form_says_a_restricted_clients_case_will_be_restricted(alice, restricted):
    response = client_for(alice).get(reverse("cases:case_create", args=[restricted.client.pk]))

    assert response.context["form"].fields["restricted"].disabled
    assert "will be restricted too" in response.content.decode()


# --- break the glass is bounded --------------------------------------------------------


def _ask(user, reference: str, reason: str = CRISIS):
    return client_for(user).post(
        reverse("cases:break_glass"), {"reference": reference, "reason": reason}
    )


def _said(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


def test_a_reason_of_a_few_letters_is_refused_before_anything_is_looked_up(restricted, dave):
    response = _ask(dave, restricted.reference, reason="urgent!!!!")

    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    assert not BreakGlassRequest.objects.exists()
    assert not BreakGlassAccess.objects.exists()


def test_a_missing_and_an_unrestricted_reference_get_the_same_answer(restricted, alice, dave):
    unrestricted = CaseFactory(assigned_to=alice)

    missing = _ask(dave, "CASE-999999")
    open_case = _ask(dave, unrestricted.reference)

    assert missing.status_code == open_case.status_code == 302
    assert missing["Location"] == open_case["Location"]
    assert _said(missing) == _said(open_case)
    assert not BreakGlassAccess.objects.exists()
    assert list(BreakGlassRequest.objects.values_list("status", flat=True)) == ["no_match"] * 2


def test_a_reference_with_unusual_digits_is_no_match_not_an_error(dave):
    response = _ask(dave, "CASE-²")

    assert response.status_code == 302
    assert BreakGlassRequest.objects.get().status == "no_match"


def test_past_the_days_limit_a_request_waits_for_the_supervisor(restricted, dave, sam):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 2})
    _ask(dave, "CASE-999998")
    _ask(dave, restricted.reference)

    waiting = _ask(dave, restricted.reference)

    assert waiting.status_code == 302
    assert BreakGlassAccess.objects.count() == 1
    pending = BreakGlassRequest.objects.get(status="pending")
    assert pending.case == restricted
    assert Notification.objects.filter(recipient=sam, message__contains="approve").exists()


def test_past_the_limit_a_missing_reference_also_waits_for_the_supervisor(dave):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 1})
    first = _ask(dave, "CASE-999998")

    second = _ask(dave, "CASE-999997")

    assert _said(first) != _said(second)
    assert BreakGlassRequest.objects.filter(status="pending").count() == 1


def test_a_supervisor_of_the_requester_approves_and_access_opens(restricted, dave, sam):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    _ask(dave, restricted.reference)
    pending = BreakGlassRequest.objects.get()

    response = client_for(sam).post(
        reverse("cases:break_glass_decide", args=[pending.pk]), {"decision": "approve"}
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert pending.decided_by == sam
    assert selectors.visible_cases(dave).filter(pk=restricted.pk).exists()


def test_once_one_supervisor_decides_the_others_request_notification_is_dealt_with(
    restricted, dave, sam
):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    _ask(dave, restricted.reference)
    pending = BreakGlassRequest.objects.get()
    asked = Notification.objects.filter(recipient=sam, message__contains="approve")
    assert asked.get().resolved_at is None

    client_for(sam).post(
        reverse("cases:break_glass_decide", args=[pending.pk]), {"decision": "decline"}
    )

    assert asked.get().resolved_at is not None


def test_a_supervisor_of_another_team_cannot_decide_a_request(restricted, dave, carol):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    _ask(dave, restricted.reference)
    pending = BreakGlassRequest.objects.get()

    response = client_for(carol).post(
        reverse("cases:break_glass_decide", args=[pending.pk]), {"decision": "approve"}
    )

    assert response.status_code == 404
    assert BreakGlassRequest.objects.get().status == "pending"
    assert not BreakGlassAccess.objects.exists()


def test_a_team_listed_adviser_without_the_supervisor_role_cannot_decide(restricted, dave, south):
    listed = AdviserFactory(username="lee")
    south.supervisors.add(listed)
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    _ask(dave, restricted.reference)
    pending = BreakGlassRequest.objects.get()

    response = client_for(listed).post(
        reverse("cases:break_glass_decide", args=[pending.pk]), {"decision": "approve"}
    )

    assert response.status_code == 403
    assert BreakGlassRequest.objects.get().status == "pending"
    with pytest.raises(ValidationError):
        services.break_glass_decide(request=pending, decided_by=listed, approve=True)


def test_every_use_alerts_the_cases_supervisors_and_data_protection(restricted, dave, carol, dora):
    listed = AdviserFactory(username="lee")
    restricted.team.supervisors.add(listed)

    services.break_glass(case=restricted, user=dave, reason=CRISIS)

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"carol", "dora"}


def test_the_break_glass_email_goes_to_supervisors_and_data_protection(
    restricted, dave, carol, dora, mailoutbox
):
    carol.email = "carol@example.org"
    carol.save()
    services.break_glass(case=restricted, user=dave, reason=CRISIS)

    outbox_send()

    assert sorted(address for m in mailoutbox for address in m.to) == [
        "carol@example.org",
        "dora@example.org",
    ]
    assert all(restricted.client.family_name not in m.body for m in mailoutbox)


def test_the_daily_limit_applies_to_the_service_too(restricted, dave):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 1})
    services.break_glass(case=restricted, user=dave, reason=CRISIS)

    with pytest.raises(ValidationError):
        services.break_glass(case=restricted, user=dave, reason=CRISIS)


def test_yesterdays_uses_do_not_count_towards_todays_limit(restricted, dave):
    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 1})
    services.break_glass(
        case=restricted, user=dave, reason=CRISIS, now=timezone.now() - timedelta(days=1)
    )

    services.break_glass(case=restricted, user=dave, reason=CRISIS)

    assert BreakGlassAccess.objects.count() == 2


# --- supervisors review each use ------------------------------------------------------------


def test_a_supervisor_reviews_a_use_from_their_queue(restricted, dave, carol):
    access = services.break_glass(case=restricted, user=dave, reason=CRISIS)
    as_carol = client_for(carol)

    queue = as_carol.get(reverse("cases:break_glass_queue"))
    response = as_carol.post(
        reverse("cases:break_glass_review", args=[access.pk]), {"outcome": "reviewed"}
    )

    assert reverse("cases:break_glass_review", args=[access.pk]) in queue.content.decode()
    assert response.status_code == 302
    assert BreakGlassReview.objects.get().reviewer == carol


def test_a_concern_needs_a_comment_and_tells_data_protection(restricted, dave, carol, dora):
    access = services.break_glass(case=restricted, user=dave, reason=CRISIS)
    Notification.objects.all().delete()

    refused = client_for(carol).post(
        reverse("cases:break_glass_review", args=[access.pk]), {"outcome": "concern"}
    )
    services.break_glass_review(
        access=access, reviewer=carol, outcome="concern", comment="No reason to be in it"
    )

    assert refused.status_code == 400
    assert "comment" in refused.context["form"].errors
    assert Notification.objects.get().recipient == dora


def test_a_review_is_final(restricted, dave, carol):
    access = services.break_glass(case=restricted, user=dave, reason=CRISIS)
    review = services.break_glass_review(access=access, reviewer=carol, outcome="reviewed")

    with pytest.raises(ValidationError):
        services.break_glass_review(access=access, reviewer=carol, outcome="concern", comment="x")
    with pytest.raises(AppendOnlyError):
        review.save()


def test_another_teams_supervisor_cannot_review_a_use(restricted, dave, sam):
    access = services.break_glass(case=restricted, user=dave, reason=CRISIS)

    response = client_for(sam).get(reverse("cases:break_glass_review", args=[access.pk]))

    assert response.status_code == 404


# --- a search reveals no other team's client -------------------------------------------------


def test_a_search_says_a_match_is_held_elsewhere_without_naming_it_and_audits_it(alice, dave):
    theirs = CaseFactory(assigned_to=dave, client=ClientFactory(family_name="Zanzibarova"))

    response = client_for(alice).post(
        reverse("cases:client_search"), {"family_name": "Zanzibarova"}
    )

    html = response.content.decode()
    assert "held elsewhere in the organisation" in html
    assert theirs.client.reference not in html
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=alice,
        object_pk=str(theirs.client.pk),
        additional_data__via="client search: match held elsewhere",
    ).exists()


def test_a_share_gives_nothing_once_its_holder_has_no_case_role(alice, dave):
    case = CaseFactory(assigned_to=alice)
    share(case, dave, "contribute")

    dave.groups.clear()
    dave = type(dave).objects.get(pk=dave.pk)

    assert not selectors.visible_cases(dave).exists()
    assert client_for(dave).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404


def test_a_supervisor_opens_a_case_for_their_teams_client_into_the_teams_queue(alice, carol):
    case = CaseFactory(assigned_to=alice)

    response = client_for(carol).post(
        reverse("cases:case_create", args=[case.client.pk]), _new_case_form(case)
    )

    opened = Case.objects.exclude(pk=case.pk).get()
    assert response.status_code == 302
    assert (opened.assigned_to, opened.team) == (None, case.team)
    assert opened in selectors.unallocated_for(carol)


def test_a_request_waiting_for_approval_is_emailed_to_the_supervisors_at_once(
    restricted, dave, sam
):
    from notifications.models import OutboxEmail

    Organisation.objects.update_or_create(pk=1, defaults={"break_glass_daily_limit": 0})
    _ask(dave, restricted.reference)

    asked = OutboxEmail.objects.get(recipient=sam, kind=OutboxEmail.Kind.NOTIFICATION)
    assert "asks you to approve" in asked.body
