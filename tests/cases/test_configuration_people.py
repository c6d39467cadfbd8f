"""The configuration pages administer people, never their access to client data.

root (admin) invites people, edits their details and deactivates them, but
no page, form, action or hand-made POST lets her set a password, give a role
or change who is in a team or leads it.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from caseload.roles import Role, roles_of
from cases.models import AccessChange, Team, User
from notifications.models import OutboxEmail
from notifications.services import outbox_send
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Interim cover for the North team while Carol is on leave"


def _change_url(user: User) -> str:
    return reverse("admin:cases_user_change", args=[user.pk])


def _user_post(user: User, **extra: object) -> dict[str, object]:
    """What the user change form posts, with ``extra`` fields added by hand."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "Renamed",
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "adviser_profile-TOTAL_FORMS": "0",
        "adviser_profile-INITIAL_FORMS": "0",
        "adviser_profile-MIN_NUM_FORMS": "0",
        "adviser_profile-MAX_NUM_FORMS": "1",
    }
    data.update(extra)
    return data


def _hostile_fields(*groups: Group) -> dict[str, object]:
    return {
        "groups": [g.pk for g in groups],
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": [],
        "password": "pbkdf2_sha256$1$x$y",
        "password1": "A new password 12345",
        "password2": "A new password 12345",
        "superuser_roles": [Role.SERVICE_MANAGER.value],
        "access_reason": REASON,
    }


def _groups(*roles: Role) -> list[Group]:
    return list(Group.objects.filter(name__in=[r.value for r in roles]))


def test_the_admin_site_may_change_the_email_of_someone_without_a_role(root):
    newcomer = UserFactory(username="newcomer")

    client_for(root).post(_change_url(newcomer), _user_post(newcomer, email="new@example.org"))

    newcomer.refresh_from_db()
    assert newcomer.email == "new@example.org"


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_password_page_of_the_admin_site_is_gone_even_for_a_superuser(root, alice, method):
    user = root
    url = reverse("admin:cases_user_password_change", args=[alice.pk])
    data = {"password1": "A new password 12345", "password2": "A new password 12345"}

    response = getattr(client_for(user), method)(url, data)

    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_admin_site_invites_a_person_who_gets_no_usable_password_and_a_link(
    root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post(
            reverse("admin:cases_user_add"),
            {
                "username": "newstarter",
                "first_name": "New",
                "last_name": "Starter",
                "email": "newstarter@example.org",
                "password1": "A typed password 12345",
                "password2": "A typed password 12345",
                "groups": [g.pk for g in _groups(Role.ADVISER)],
                "is_superuser": "on",
                "adviser_profile-TOTAL_FORMS": "0",
                "adviser_profile-INITIAL_FORMS": "0",
                "adviser_profile-MIN_NUM_FORMS": "0",
                "adviser_profile-MAX_NUM_FORMS": "1",
            },
        )

    assert response.status_code == 302
    person = User.objects.get(username="newstarter")
    assert not person.has_usable_password()
    assert not person.is_superuser
    assert roles_of(person) == frozenset()
    # The link is a credential: the outbox makes it when it sends, and never stores it.
    (queued,) = OutboxEmail.objects.all()
    assert "/accounts/reset/" not in queued.body
    assert outbox_send() == 1
    (email,) = mail.outbox
    assert email.to == ["newstarter@example.org"]
    assert "/accounts/reset/" in email.body


def test_an_invited_person_sets_their_own_password_from_the_link(root, client):
    person = User(username="newstarter", email="newstarter@example.org")
    from cases.people import password_reset_link, user_invite

    user_invite(user=person)
    link = password_reset_link(person).split("://", 1)[-1].split("/", 1)[1]

    form_page = client.get(f"/{link}", follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a long and new passphrase",
            "new_password2": "a long and new passphrase",
        },
    )

    person.refresh_from_db()
    assert person.check_password("a long and new passphrase")


def test_the_admin_site_sends_a_password_reset_link_with_an_action(
    root, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(root).post(
            reverse("admin:cases_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [alice.pk]},
        )

    assert response.status_code == 302
    assert outbox_send() == 1
    (email,) = mail.outbox
    assert email.to == [alice.email]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_admin_site_cannot_run_an_action_that_is_not_offered(root, alice):
    client_for(root).post(
        reverse("admin:cases_user_changelist"),
        {"action": "delete_selected", "_selected_action": [alice.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=alice.pk).exists()


def test_the_admin_site_cannot_put_anyone_in_a_team_or_among_its_supervisors(root, north, dave):
    response = client_for(root).post(
        reverse("admin:cases_team_change", args=[north.pk]),
        {"name": "North", "supervisors": [root.pk, dave.pk], "members": [root.pk, dave.pk]},
    )

    assert response.status_code == 302
    assert not north.supervisors.filter(pk__in=[root.pk, dave.pk]).exists()
    assert not north.members.filter(pk__in=[root.pk, dave.pk]).exists()


def test_the_admin_site_creates_a_team_with_nobody_in_it(root):
    client_for(root).post(
        reverse("admin:cases_team_add"),
        {"name": "East", "supervisors": [root.pk], "members": [root.pk]},
    )

    east = Team.objects.get(name="East")
    assert not east.supervisors.exists()
    assert not east.members.exists()


def test_the_admin_site_deactivates_a_person(root, alice):
    client_for(root).post(_change_url(alice), _user_post(alice, is_active=""))

    alice.refresh_from_db()
    assert not alice.is_active


def test_a_superuser_gives_the_service_manager_role_with_a_reason_and_it_is_recorded(alice):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    post = _user_post(alice, superuser_roles=[Role.SERVICE_MANAGER.value], access_reason=REASON)

    response = client_for(root).post(_change_url(alice), post)

    assert response.status_code == 302
    assert Role.SERVICE_MANAGER in roles_of(User.objects.get(pk=alice.pk))
    change = AccessChange.objects.get()
    assert (change.person, change.changed_by, change.role) == (alice, root, "Service manager")
    assert change.reason == REASON
    assert LogEntry.objects.get_for_object(change).exists()


def test_a_superuser_must_give_a_reason_to_change_roles(alice):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    post = _user_post(alice, superuser_roles=[Role.DATA_PROTECTION.value], access_reason="ok")

    response = client_for(root).post(_change_url(alice), post)

    assert response.status_code == 200
    assert Role.DATA_PROTECTION not in roles_of(User.objects.get(pk=alice.pk))
    assert not AccessChange.objects.exists()


def test_the_emergency_admin_site_lets_no_admin_in_and_her_posts_change_nothing(erin, alice):
    """Admins configure people on Caseload's own pages (tests/configuration/test_people.py
    holds them to the same rules); Django's admin site is a superuser's alone."""
    hostile = _hostile_fields(*_groups(Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMIN))
    http = client_for(erin)
    adviser = Group.objects.get(name=Role.ADVISER.value)
    permissions = set(adviser.permissions.values_list("pk", flat=True))

    looked = http.get(_change_url(alice), follow=True)
    http.post(_change_url(alice), _user_post(alice, email="erin@evil.example", **hostile))
    http.post(_change_url(erin), _user_post(erin, **hostile))
    http.post(
        reverse("admin:auth_group_change", args=[adviser.pk]),
        {"name": "Adviser", "permissions": []},
    )

    assert looked.status_code == 403
    alice.refresh_from_db()
    erin.refresh_from_db()
    assert (alice.last_name, alice.email) == ("Adams", "alice@example.org")
    assert roles_of(alice) == {Role.ADVISER}
    assert roles_of(erin) == {Role.ADMIN}
    assert not erin.is_superuser
    assert not alice.is_superuser
    assert set(adviser.permissions.values_list("pk", flat=True)) == permissions
    assert not AccessChange.objects.exists()
