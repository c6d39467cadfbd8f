"""Case roles and team places change only through a service manager, with a reason,
on the record, and the person and their supervisors are told."""

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from caseload.append_only import AppendOnlyError
from caseload.roles import Role, roles_of
from cases import people, selectors
from cases.models import AccessChange, Team, User
from notifications.models import Notification
from notifications.services import outbox_send
from tests.conftest import client_for
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Joined the North team as a housing adviser this week"


@pytest.fixture
def mia(roles: None) -> User:
    """A service manager."""
    return UserFactory(
        username="mia", first_name="Mia", last_name="Moss", roles=[Role.SERVICE_MANAGER]
    )


@pytest.fixture
def newcomer(roles: None) -> User:
    return UserFactory(username="newcomer", first_name="Nat", last_name="New")


def _reload(user: User) -> User:
    return User.objects.get(pk=user.pk)


# --- the service -----------------------------------------------------------------


def test_a_service_manager_gives_the_adviser_role_and_it_is_recorded(mia, newcomer):
    change = people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.ADVISER)

    assert roles_of(_reload(newcomer)) == {Role.ADVISER}
    assert (change.person, change.changed_by, change.action) == (newcomer, mia, "grant")
    assert change.role == "Adviser"
    assert change.reason == REASON


def test_an_access_change_is_in_the_audit_trail_with_its_actor(mia, newcomer):
    change = people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.ADVISER)

    entry = LogEntry.objects.get_for_object(change).get()
    assert entry.actor == mia
    assert LogEntry.objects.get_for_object(newcomer).filter(actor=mia).exists()


def test_a_service_manager_puts_someone_in_a_team_and_among_its_supervisors(mia, newcomer, north):
    people.access_grant(user=newcomer, granted_by=mia, reason=REASON, team=north)
    people.access_grant(
        user=newcomer, granted_by=mia, reason=REASON, team=north, place="supervisor"
    )

    assert north.members.filter(pk=newcomer.pk).exists()
    assert north.supervisors.filter(pk=newcomer.pk).exists()
    assert list(AccessChange.objects.values_list("place", flat=True)) == ["supervisor", "member"]


def test_a_service_manager_revokes_a_role(mia, alice):
    change = people.access_revoke(user=alice, revoked_by=mia, reason=REASON, role=Role.ADVISER)

    assert roles_of(_reload(alice)) == frozenset()
    assert change.action == "revoke"


def test_a_service_manager_cannot_change_their_own_access(mia, north):
    with pytest.raises(ValidationError, match="your own access"):
        people.access_grant(user=mia, granted_by=mia, reason=REASON, role=Role.SUPERVISOR)
    with pytest.raises(ValidationError, match="your own access"):
        people.access_grant(user=mia, granted_by=mia, reason=REASON, team=north)

    assert not AccessChange.objects.exists()


@pytest.mark.parametrize("role", [Role.SERVICE_MANAGER, Role.ADMIN, Role.DATA_PROTECTION])
def test_only_a_superuser_gives_the_roles_above_supervisor(mia, newcomer, role):
    with pytest.raises(ValidationError, match="superuser"):
        people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=role)

    root = UserFactory(username="root", is_superuser=True)
    people.access_grant(user=newcomer, granted_by=root, reason=REASON, role=role)
    assert role in roles_of(_reload(newcomer))


@pytest.mark.parametrize("persona", ["erin", "carol", "alice"])
def test_nobody_but_a_service_manager_changes_case_roles(request, persona, newcomer):
    user = request.getfixturevalue(persona)

    with pytest.raises(ValidationError, match="service manager"):
        people.access_grant(user=newcomer, granted_by=user, reason=REASON, role=Role.ADVISER)

    assert roles_of(_reload(newcomer)) == frozenset()


@pytest.mark.parametrize("reason", ["", "ok", "because because", "x" * 40, "a b c d e f g h"])
def test_a_change_needs_a_real_reason(mia, newcomer, reason):
    with pytest.raises(ValidationError):
        people.access_grant(user=newcomer, granted_by=mia, reason=reason, role=Role.ADVISER)

    assert roles_of(_reload(newcomer)) == frozenset()


def test_granting_what_someone_has_already_is_refused(mia, alice):
    with pytest.raises(ValidationError, match="already"):
        people.access_grant(user=alice, granted_by=mia, reason=REASON, role=Role.ADVISER)


def test_a_deactivated_account_gets_no_new_access(mia, newcomer):
    newcomer.is_active = False
    newcomer.save()

    with pytest.raises(ValidationError, match="not active"):
        people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.ADVISER)


def test_the_person_and_their_team_s_supervisors_are_told_without_the_reason(
    mia, newcomer, north, carol, sam
):
    people.access_grant(user=newcomer, granted_by=mia, reason=REASON, team=north)
    outbox_send()

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"newcomer", "carol"}
    message = Notification.objects.filter(recipient=carol).get().message
    assert "Nat New" in message
    assert "North" in message
    assert REASON not in message
    assert sorted(address for email in mail.outbox for address in email.to) == [
        "carol@example.org",
        "newcomer@example.org",
    ]


def test_leaving_a_team_tells_that_team_s_supervisors(mia, alice, north, carol):
    people.access_revoke(user=alice, revoked_by=mia, reason=REASON, team=north)

    assert Notification.objects.filter(recipient=carol).exists()
    assert Notification.objects.filter(recipient=alice).exists()


def test_a_granted_supervisor_place_leads_the_team_only_with_the_role(mia, newcomer, north):
    people.access_grant(
        user=newcomer, granted_by=mia, reason=REASON, team=north, place="supervisor"
    )
    assert list(selectors.supervised_teams(_reload(newcomer))) == []

    people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.SUPERVISOR)
    assert list(selectors.supervised_teams(_reload(newcomer))) == [north]


def test_the_record_of_access_changes_cannot_be_changed_or_deleted(mia, newcomer):
    change = people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.ADVISER)

    with pytest.raises(AppendOnlyError):
        AccessChange.objects.filter(pk=change.pk).update(reason="Nothing to see")
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM cases_accesschange")


# --- the page --------------------------------------------------------------------


def test_the_access_page_lists_people_and_recent_changes(mia, alice, newcomer):
    people.access_grant(user=newcomer, granted_by=mia, reason=REASON, role=Role.ADVISER)

    response = client_for(mia).get(reverse("cases:access"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Adams" in html
    assert REASON in html
    assert "Granted: Adviser role" in html


@pytest.mark.parametrize("persona", ["alice", "carol", "erin"])
def test_the_access_pages_refuse_everyone_but_a_service_manager(request, persona, newcomer):
    user = request.getfixturevalue(persona)
    as_user = client_for(user)

    assert as_user.get(reverse("cases:access")).status_code == 403
    url = reverse("cases:access_person", args=[newcomer.pk])
    assert as_user.get(url).status_code == 403
    response = as_user.post(url, {"change": "grant:role:Adviser", "reason": REASON})
    assert response.status_code == 403
    assert roles_of(_reload(newcomer)) == frozenset()


def test_a_service_manager_gives_a_role_through_the_page(mia, newcomer):
    url = reverse("cases:access_person", args=[newcomer.pk])

    response = client_for(mia).post(url, {"change": "grant:role:Adviser", "reason": REASON})

    assert response.status_code == 302
    assert roles_of(_reload(newcomer)) == {Role.ADVISER}


def test_a_service_manager_gives_a_supervisor_place_through_the_page(mia, newcomer, north):
    url = reverse("cases:access_person", args=[newcomer.pk])

    client_for(mia).post(url, {"change": f"grant:supervisor:{north.pk}", "reason": REASON})

    assert north.supervisors.filter(pk=newcomer.pk).exists()
    assert not north.members.filter(pk=newcomer.pk).exists()


def test_the_page_asks_again_for_a_reason_beside_the_field(mia, newcomer):
    url = reverse("cases:access_person", args=[newcomer.pk])

    response = client_for(mia).post(url, {"change": "grant:role:Adviser", "reason": "ok"})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert roles_of(_reload(newcomer)) == frozenset()


def test_the_page_offers_no_superuser_role(mia, newcomer):
    url = reverse("cases:access_person", args=[newcomer.pk])

    response = client_for(mia).post(url, {"change": "grant:role:Admin", "reason": REASON})

    assert response.status_code == 400
    assert roles_of(_reload(newcomer)) == frozenset()


def test_a_service_manager_s_own_page_has_no_form_and_refuses_a_post(mia):
    url = reverse("cases:access_person", args=[mia.pk])
    as_mia = client_for(mia)

    page = as_mia.get(url)
    assert page.status_code == 200
    assert page.context["form"] is None
    response = as_mia.post(url, {"change": "grant:role:Supervisor", "reason": REASON})
    assert response.status_code == 403
    assert roles_of(_reload(mia)) == {Role.SERVICE_MANAGER}


def test_a_person_who_does_not_exist_is_not_found(mia):
    assert client_for(mia).get(reverse("cases:access_person", args=[9999])).status_code == 404


def test_a_service_manager_lands_on_the_access_page(mia):
    response = client_for(mia).get("/")

    assert response["Location"] == reverse("cases:access")


def test_a_team_that_is_not_offered_cannot_be_posted(mia, newcomer):
    url = reverse("cases:access_person", args=[newcomer.pk])
    missing = (Team.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    response = client_for(mia).post(url, {"change": f"grant:member:{missing}", "reason": REASON})

    assert response.status_code == 400


def test_an_adviser_whose_role_is_taken_away_no_longer_sees_her_cases(mia, alice):
    case = CaseFactory(assigned_to=alice)

    people.access_revoke(user=alice, revoked_by=mia, reason=REASON, role=Role.ADVISER)

    alice = _reload(alice)
    assert not selectors.visible_cases(alice).filter(pk=case.pk).exists()
    assert not selectors.case_can_manage(alice, case)
    assert client_for(alice).get(reverse("cases:case_detail", args=[case.pk])).status_code in (
        403,
        404,
    )
