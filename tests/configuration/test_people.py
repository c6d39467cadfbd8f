"""People and teams in the configuration area: the list an admin works from, inviting,
editing details with another admin's change never overwritten, deactivating with the
open cases handed back to the team's queue, and teams. Roles and team places stay
with the service manager: nothing here gives them."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.roles import Role, roles_of
from cases.models import AdviserProfile, Case, CaseEvent, Team, User
from cases.selectors import unallocated_for
from configuration.concurrency import STALE_MESSAGE
from configuration.people import details_token
from notifications.models import Notification, OutboxEmail
from tests.conftest import client_for
from tests.factories import CaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def _details(person, **changes):
    profile = AdviserProfile.objects.get(user=person)
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "fte": str(profile.fte),
        "capacity_points": str(profile.capacity_points),
        "edit_token": details_token(person),
    }
    data.update(changes)
    return data


# --- the list ---------------------------------------------------------------------


def test_the_list_shows_roles_teams_hours_capacity_sign_in_and_status(alice, carol, erin):
    AdviserProfile.objects.filter(user=alice).update(fte="0.60", capacity_points=30)

    page = client_for(erin).get(reverse("configuration:people"))

    html = page.content.decode()
    row = html[html.index("Alice Adams") : html.index("</tr>", html.index("Alice Adams"))]
    for shown in ("Adviser", "North", "0.60", "30", "Never", "Set up", "Active"):
        assert shown in row, shown
    carol_row = html[html.index("Carol Clark") : html.index("</tr>", html.index("Carol Clark"))]
    assert "North (supervisor)" in carol_row
    newbie = UserFactory(username="newbie", first_name="Nova", last_name="Newbie")
    TOTPDevice.objects.filter(user=newbie).delete()  # has not set up an app yet
    html = client_for(erin).get(reverse("configuration:people")).content.decode()
    assert (
        "Not set up"
        in html[html.index("Nova Newbie") : html.index("</tr>", html.index("Nova Newbie"))]
    )


def test_the_list_filters_by_role_team_and_status(alice, carol, dave, erin):
    dave.is_active = False
    dave.save()
    http = client_for(erin)

    def names(**query):
        page = http.get(reverse("configuration:people"), query)
        return {p.username for p in page.context["page"]}

    assert names(role=Role.SUPERVISOR) == {"carol"}
    assert names(team=Team.objects.get(name="North").pk) == {"alice", "carol"}
    assert names(status="inactive") == {"dave"}
    assert "dave" not in names()


def test_the_list_reads_a_page_of_people_in_a_fixed_number_of_queries(
    alice, carol, erin, django_assert_max_num_queries
):
    http = client_for(erin)
    http.get(reverse("configuration:people"))
    for n in range(15):
        UserFactory(username=f"extra{n}")
    with django_assert_max_num_queries(20):
        page = http.get(reverse("configuration:people"))
    assert page.status_code == 200


# --- inviting ------------------------------------------------------------------------


def test_an_invited_person_gets_a_link_to_set_their_own_password_and_no_role(erin):
    response = client_for(erin).post(
        reverse("configuration:person_invite"),
        {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "email": "nia@example.org",
            "username": "nia",
        },
    )

    nia = User.objects.get(username="nia")
    assert response.status_code == 302
    assert not nia.has_usable_password()
    assert roles_of(nia) == frozenset()
    (email,) = OutboxEmail.objects.filter(kind=OutboxEmail.Kind.PASSWORD_INVITE)
    assert "nia" in email.body


def test_an_email_already_in_use_is_refused_beside_the_field_and_the_rest_is_kept(alice, erin):
    response = client_for(erin).post(
        reverse("configuration:person_invite"),
        {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "email": alice.email.upper(),
            "username": "nia",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["Someone already has this email address."]
    assert 'value="Newcomer"' in response.content.decode()
    assert not User.objects.filter(username="nia").exists()


# --- details ------------------------------------------------------------------------


def test_an_admin_changes_an_adviser_s_hours_and_the_change_is_recorded(alice, erin):
    response = client_for(erin).post(
        reverse("configuration:person", args=[alice.pk]), _details(alice, fte="0.5")
    )

    assert response.status_code == 302
    assert AdviserProfile.objects.get(user=alice).fte == pytest.approx(0.5)
    assert (
        LogEntry.objects.get_for_object(AdviserProfile.objects.get(user=alice))
        .filter(actor=erin)
        .exists()
    )


def test_an_fte_out_of_range_is_explained_beside_the_field_and_nothing_is_saved(alice, erin):
    response = client_for(erin).post(
        reverse("configuration:person", args=[alice.pk]),
        _details(alice, fte="1.5", first_name="Alicia"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["fte"] == ["FTE cannot be more than 1.00 (full time)."]
    assert 'value="Alicia"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_second_admin_is_told_of_the_first_s_change_and_sees_it(alice, erin):
    second_admin = UserFactory(username="ezra")
    second_admin.groups.add(Group.objects.get(name=Role.ADMIN))
    drawn = _details(alice)  # both open the page now
    first = client_for(erin).post(
        reverse("configuration:person", args=[alice.pk]), {**drawn, "capacity_points": "25"}
    )
    assert first.status_code == 302

    second = client_for(second_admin).post(
        reverse("configuration:person", args=[alice.pk]), {**drawn, "capacity_points": "50"}
    )

    assert second.status_code == 409
    assert STALE_MESSAGE in second.content.decode()
    assert second.context["form"].initial["capacity_points"] == 25  # the first's change
    assert ("Capacity (caseload points)", 50) in second.context["typed"]
    assert AdviserProfile.objects.get(user=alice).capacity_points == 25


def test_no_field_posted_by_hand_gives_a_role_or_a_team_place(alice, erin):
    client_for(erin).post(
        reverse("configuration:person", args=[alice.pk]),
        {
            **_details(alice),
            "groups": [Group.objects.get(name=Role.SUPERVISOR).pk],
            "is_superuser": "on",
            "supervised_teams": [Team.objects.get(name="North").pk],
        },
    )

    alice.refresh_from_db()
    assert roles_of(alice) == {Role.ADVISER}
    assert not alice.is_superuser
    assert not alice.supervised_teams.exists()


# --- deactivating ------------------------------------------------------------------


def test_deactivating_an_adviser_hands_her_open_cases_back_to_the_team_queue(alice, carol, erin):
    cases = [CaseFactory(assigned_to=alice), CaseFactory(assigned_to=alice)]
    signed_in = client_for(alice)

    response = client_for(erin).post(
        reverse("configuration:person_deactivate", args=[alice.pk]),
        {"handover_note": "Both clients expect a call this week.", "confirm": "on"},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert signed_in.get(reverse("cases:my_caseload"))["Location"].startswith(reverse("login"))
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert case.assigned_to is None
        assert case.team.name == "North"
        event = CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNED).latest("pk")
        assert "deactivated" in event.summary
    assert set(unallocated_for(carol)) == set(Case.objects.filter(pk__in=[c.pk for c in cases]))
    told = Notification.objects.get(recipient=carol, subject=f"handback:{alice.pk}")
    assert "2 open cases returned to the North queue" in told.message


def test_a_handover_note_is_needed_when_there_are_open_cases(alice, erin):
    CaseFactory(assigned_to=alice)

    response = client_for(erin).post(
        reverse("configuration:person_deactivate", args=[alice.pk]), {"confirm": "on"}
    )

    assert response.status_code == 400
    assert "handover_note" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.is_active


def test_an_admin_cannot_deactivate_herself(erin):
    response = client_for(erin).post(
        reverse("configuration:person_deactivate", args=[erin.pk]),
        {"handover_note": "", "confirm": "on"},
    )

    assert response.status_code == 400
    erin.refresh_from_db()
    assert erin.is_active


def test_someone_who_still_holds_a_case_role_is_reactivated_by_a_superuser_only(alice, erin):
    client_for(erin).post(
        reverse("configuration:person_deactivate", args=[alice.pk]),
        {"handover_note": "", "confirm": "on"},
    )

    client_for(erin).post(reverse("configuration:person_reactivate", args=[alice.pk]))

    alice.refresh_from_db()
    assert not alice.is_active


# --- teams ----------------------------------------------------------------------------


def test_an_admin_adds_a_team_and_a_near_duplicate_name_is_refused(north, erin):
    http = client_for(erin)
    assert http.post(reverse("configuration:teams"), {"name": "  East  "}).status_code == 302
    assert Team.objects.filter(name="East").exists()

    again = http.post(reverse("configuration:teams"), {"name": "north"})

    assert again.status_code == 400
    assert again.context["form"].errors["name"] == ["There is already a team called North."]


def test_renaming_a_team_someone_else_just_renamed_is_refused(north, erin):
    from configuration.concurrency import edit_token

    token = edit_token([north], ["name"])
    http = client_for(erin)
    http.post(
        reverse("configuration:team", args=[north.pk]), {"name": "North West", "edit_token": token}
    )

    second = http.post(
        reverse("configuration:team", args=[north.pk]), {"name": "Northern", "edit_token": token}
    )

    assert second.status_code == 409
    assert STALE_MESSAGE in second.content.decode()
    assert 'value="North West"' in second.content.decode()
    assert Team.objects.get(pk=north.pk).name == "North West"


def test_the_email_of_someone_holding_a_role_is_not_the_admin_s_to_change(alice, erin):
    page = client_for(erin).get(reverse("configuration:person", args=[alice.pk]))
    assert page.context["form"].fields["email"].disabled

    client_for(erin).post(
        reverse("configuration:person", args=[alice.pk]), _details(alice, email="erin@evil.example")
    )

    alice.refresh_from_db()
    assert alice.email != "erin@evil.example"


def test_the_email_of_someone_without_a_role_is_changed(erin):
    newcomer = UserFactory(username="newcomer", first_name="Nell", last_name="New")
    response = client_for(erin).post(
        reverse("configuration:person", args=[newcomer.pk]),
        {
            "first_name": "Nell",
            "last_name": "New",
            "email": "nell@example.org",
            "edit_token": details_token(newcomer),
        },
    )

    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.email == "nell@example.org"
