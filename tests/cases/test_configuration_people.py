"""The configuration pages administer people, never their access to client data.

erin (admin) invites people, edits their details and deactivates them, but
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


def test_an_admin_changes_a_name_but_no_role_superuser_flag_or_password_she_posts(erin, alice):
    hostile = _hostile_fields(*_groups(Role.SUPERVISOR, Role.SERVICE_MANAGER, Role.ADMIN))

    response = client_for(erin).post(_change_url(alice), _user_post(alice, **hostile))

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.last_name == "Renamed"
    assert roles_of(alice) == {Role.ADVISER}
    assert not alice.is_superuser
    assert not alice.is_staff
    assert alice.check_password(PASSWORD)
    assert not AccessChange.objects.exists()


def test_an_admin_cannot_give_herself_a_case_role_or_superuser_powers(erin):
    hostile = _hostile_fields(*_groups(Role.ADVISER, Role.SUPERVISOR))

    client_for(erin).post(_change_url(erin), _user_post(erin, **hostile))

    erin.refresh_from_db()
    assert roles_of(erin) == {Role.ADMIN}
    assert not erin.is_superuser
    assert erin.check_password(PASSWORD)


def test_the_user_form_has_no_password_role_or_team_field_for_an_admin(erin, alice):
    form = client_for(erin).get(_change_url(alice)).context["adminform"].form

    assert set(form.fields) == {"username", "first_name", "last_name", "is_active"}


def test_an_admin_cannot_change_the_email_of_someone_holding_a_role(erin, alice):
    client_for(erin).post(_change_url(alice), _user_post(alice, email="erin@evil.example"))

    alice.refresh_from_db()
    assert alice.email == "alice@example.org"


def test_an_admin_may_change_the_email_of_someone_without_a_role(erin):
    newcomer = UserFactory(username="newcomer")

    client_for(erin).post(_change_url(newcomer), _user_post(newcomer, email="new@example.org"))

    newcomer.refresh_from_db()
    assert newcomer.email == "new@example.org"


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", ["erin", "root"])
def test_the_password_page_of_the_configuration_is_gone_for_admins_and_superusers(
    request, alice, method, persona
):
    if persona == "root":
        user = UserFactory(username="root", is_superuser=True, is_staff=True)
    else:
        user = request.getfixturevalue(persona)
    url = reverse("admin:cases_user_password_change", args=[alice.pk])
    data = {"password1": "A new password 12345", "password2": "A new password 12345"}

    response = getattr(client_for(user), method)(url, data)

    assert response.status_code == 404
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_an_admin_invites_a_person_who_gets_no_usable_password_and_a_link(
    erin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(
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


def test_an_invited_person_sets_their_own_password_from_the_link(erin, client):
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


def test_an_admin_sends_a_password_reset_link_with_an_action(
    erin, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(
            reverse("admin:cases_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [alice.pk]},
        )

    assert response.status_code == 302
    assert outbox_send() == 1
    (email,) = mail.outbox
    assert email.to == [alice.email]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_an_admin_cannot_run_an_action_that_is_not_offered(erin, alice):
    client_for(erin).post(
        reverse("admin:cases_user_changelist"),
        {"action": "delete_selected", "_selected_action": [alice.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=alice.pk).exists()


def test_an_admin_cannot_put_anyone_in_a_team_or_among_its_supervisors(erin, north, dave):
    response = client_for(erin).post(
        reverse("admin:cases_team_change", args=[north.pk]),
        {"name": "North", "supervisors": [erin.pk, dave.pk], "members": [erin.pk, dave.pk]},
    )

    assert response.status_code == 302
    assert not north.supervisors.filter(pk__in=[erin.pk, dave.pk]).exists()
    assert not north.members.filter(pk__in=[erin.pk, dave.pk]).exists()


def test_an_admin_creates_a_team_with_nobody_in_it(erin):
    client_for(erin).post(
        reverse("admin:cases_team_add"),
        {"name": "East", "supervisors": [erin.pk], "members": [erin.pk]},
    )

    east = Team.objects.get(name="East")
    assert not east.supervisors.exists()
    assert not east.members.exists()


def test_an_admin_cannot_change_a_roles_permissions(erin):
    adviser = Group.objects.get(name=Role.ADVISER.value)

    response = client_for(erin).post(
        reverse("admin:auth_group_change", args=[adviser.pk]),
        {"name": "Adviser", "permissions": []},
    )

    assert response.status_code == 403


def test_an_admin_cannot_reactivate_someone_who_holds_a_case_role(erin, alice):
    alice.is_active = False
    alice.save()

    response = client_for(erin).post(_change_url(alice), _user_post(alice, is_active="on"))

    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.is_active


def test_an_admin_deactivates_a_person(erin, alice):
    client_for(erin).post(_change_url(alice), _user_post(alice, is_active=""))

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
