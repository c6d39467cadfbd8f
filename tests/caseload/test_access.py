import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import User
from tests.conftest import client_for, verify_session
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

# Pages anyone may open: signing in and recovering a password, and the health check.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # The API's schema describes its endpoints and holds no data (tests/api/test_schema.py).
    "api:schema",
}
_SAMPLE = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": str(uuid.uuid4()),
    "path": "a/b",
    "catalogue": "case-types",
}


def _routes(resolver: URLResolver = None, prefix: str = "", namespace: str = ""):
    """Every route of the site as (name, sample path), parameters filled with sample values."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, prefix + pattern, inner)
        elif isinstance(entry, URLPattern):
            route = prefix + pattern
            if route.startswith("^") or "(?P" in route:
                # Regex routes (the admin's): replace each group with a sample.
                route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).strip("^$").replace("\\", "")
            route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLE[m.group(1) or "str"], route)
            yield f"{namespace}{entry.name}", "/" + route


ROUTES = sorted(set(_routes()))


def test_the_route_list_covers_the_role_pages():
    names = {name for name, _ in ROUTES}
    assert {"home", "cases:my_caseload", "reviews:team_dashboard", "cases:organisation"} <= names


def _api_endpoint(name: str, path: str) -> bool:
    """An endpoint of the API (JSON, answering problems), not a page."""
    return path.startswith("/api/v1/") or name == "api:not_found"


@pytest.mark.parametrize(
    ("name", "path"), [r for r in ROUTES if r[0] not in PUBLIC and not _api_endpoint(*r)]
)
def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_page(client, name, path):
    response = client.get(path)

    assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert response["Location"].startswith((reverse("login"), reverse("admin:login")))
    if response["Location"].startswith(reverse("admin:login")):
        # The configuration pages' own sign-in page hands over to the site's.
        assert client.get(response["Location"])["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "path"), [r for r in ROUTES if _api_endpoint(*r)])
def test_an_anonymous_caller_of_every_api_endpoint_gets_a_problem_never_a_page(client, name, path):
    response = client.get(path)

    assert response.status_code in (401, 403, 404), f"{name} answered {response.status_code}"
    assert response["Content-Type"] == "application/problem+json"


def test_the_health_check_answers_without_a_login_whatever_the_host(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(
    ("persona", "home", "nav_label"),
    [
        ("alice", "/caseload/", "My caseload"),
        ("carol", "/team/", "Team dashboard"),
        ("erin", "/organisation/", "Organisation"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_home_page(client, request, persona, home, nav_label):
    user = request.getfixturevalue(persona)

    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:two_factor_verify")
    response = client.post(
        reverse("accounts:two_factor_verify"), {"code": totp_code(user)}, follow=True
    )

    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200
    assert f'aria-current="page">{nav_label}</a>' in response.content.decode()


def test_an_adviser_sees_only_the_adviser_navigation(alice):
    html = client_for(alice).get(reverse("cases:my_caseload")).content.decode()

    assert "My caseload" in html
    assert "Team dashboard" not in html
    assert "Configuration" not in html


def test_an_admin_sees_the_configuration_link_but_no_caseload(erin):
    html = client_for(erin).get(reverse("cases:organisation")).content.decode()

    assert "Configuration" in html
    assert "My caseload" not in html


def test_a_wrong_password_signs_nobody_in_and_keeps_the_user_name(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "not it"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'value="alice"' in html
    assert "correct username and password" in html


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("alice", "reviews:team_dashboard"),
        ("alice", "cases:organisation"),
        ("carol", "cases:my_caseload"),
        ("carol", "cases:organisation"),
        ("erin", "cases:my_caseload"),
        ("erin", "reviews:team_dashboard"),
    ],
)
def test_a_role_page_refuses_people_without_the_role(request, persona, url_name):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse(url_name))

    assert response.status_code == 403


def test_the_configuration_pages_refuse_an_adviser(alice):
    response = client_for(alice).get(reverse("admin:index"), follow=True)

    assert response.status_code == 403


def test_the_configuration_area_opens_for_an_admin_without_staff_status(erin):
    assert not erin.is_staff

    response = client_for(erin).get(reverse("configuration:people"))

    assert response.status_code == 200


def test_the_emergency_admin_site_is_for_superusers_only(erin, root):
    url = reverse("admin:cases_team_changelist")

    refused = client_for(erin).get(url, follow=True)
    allowed = client_for(root).get(url)

    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_even_a_superuser_deactivates_people_and_cannot_delete_them(root, alice):
    response = client_for(root).post(
        reverse("admin:cases_user_delete", args=[alice.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=alice.pk).exists()


def test_a_person_with_no_role_is_told_to_ask_an_admin(db):
    from tests.factories import UserFactory

    response = client_for(UserFactory(username="newstarter")).get("/")

    assert response.status_code == 403
    assert "no role yet" in response.content.decode()


def test_signing_out_ends_the_session(client, alice):
    client.force_login(alice)
    verify_session(client, alice)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
