import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_the_advisers_of_the_teams_they_lead(carol, alice, bob, dave):
    html = client_for(carol).get(reverse("reviews:team_dashboard")).content.decode()

    assert "Alice Adams" in html
    assert "Bob Baker" in html
    assert "Dave Davies" not in html


def test_an_adviser_sees_their_capacity_scaled_by_fte(alice):
    alice.adviser_profile.capacity_points = 30
    alice.adviser_profile.fte = "0.50"
    alice.adviser_profile.save()

    html = client_for(alice).get(reverse("cases:my_caseload")).content.decode()

    assert "capacity of 15.0 (30 points at 0.50 FTE)" in html


def test_the_organisation_page_counts_people_by_role(erin, alice, bob, carol, dave):
    response = client_for(erin).get(reverse("cases:organisation"))

    assert response.context["role_counts"] == {
        "Adviser": 3,
        "Supervisor": 1,
        "Admin": 1,
        "Service manager": 0,
        "Data protection": 0,
    }


def test_the_organisation_page_takes_the_same_number_of_queries_for_more_teams(
    erin, alice, carol, django_assert_max_num_queries
):
    from tests.factories import AdviserFactory, TeamFactory

    client = client_for(erin)
    client.get(reverse("cases:organisation"))
    # 9: the page's own queries, plus loading the session's second-factor device.
    with django_assert_max_num_queries(9) as small:
        client.get(reverse("cases:organisation"))
    for n in range(5):
        TeamFactory(name=f"Extra {n}", members=[AdviserFactory(), AdviserFactory()])
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("cases:organisation"))


def test_every_page_carries_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_never_stored_by_the_browser(alice):
    response = client_for(alice).get(reverse("cases:my_caseload"))

    assert "no-store" in response["Cache-Control"]


def test_the_password_reset_email_carries_a_working_link(client, alice, mailoutbox, settings):
    client.post(reverse("password_reset"), {"email": alice.email})

    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reset/" in line)
    response = client.get(link.removeprefix(settings.CASELOAD_BASE_URL), follow=True)
    assert response.context["validlink"] is True
