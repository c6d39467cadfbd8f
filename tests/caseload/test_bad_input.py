"""Bad input answers 4xx, never 500: query parameters, case references, Host headers."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from caseload.params import parse_id
from cases.models import Case
from tests.conftest import client_for
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["", "²", "٣", "\uff11", "-1", "+1", " 1", "1 ", "1_000", "0", "1.0", "9" * 19, "0x10"]


@pytest.mark.parametrize("text", NOT_IDS)
def test_only_plain_ascii_digits_make_an_id(text):
    assert parse_id(text) is None


def test_an_id_is_read_from_ascii_digits():
    assert parse_id("000123") == 123


@pytest.mark.parametrize(
    ("typed", "pk"),
    [("CASE-000123", 123), ("case-42", 42), ("  CASE-7 ", 7)],
)
def test_a_case_reference_gives_the_case_id(typed, pk):
    assert Case.pk_from_reference(typed) == pk


@pytest.mark.parametrize(
    "typed",
    ["CASE-²", "CASE-٣", "CASE-", "CASE--1", "CASE-1e3", "123", "CLIENT-1", "CASE-" + "9" * 19],
)
def test_anything_else_is_not_a_case_reference(typed):
    assert Case.pk_from_reference(typed) is None


@pytest.mark.parametrize(
    "before",
    [
        "2026-99-99T00:00",
        "2026-02-30T10:00",
        "yesterday",
        "2026-01-01T25:00",
        "²⁰²⁶-01-01T00:00",
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+14:00",
    ],
)
def test_a_bad_timeline_position_on_a_case_page_is_a_bad_request(alice, before):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).get(
        reverse("cases:case_detail", args=[case.pk]), {"before": before}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "before",
    [
        "2026-11-01T10:00",
        "2026-11-01T10:00:00+00:00",
        "0001-01-01T00:00",
        "9999-12-31T23:59:59+14:00",
        "2026-11-01T10:00:00-15:30",
    ],
)
def test_a_good_timeline_position_shows_the_case_page(alice, before):
    case = CaseFactory(assigned_to=alice)

    response = client_for(alice).get(
        reverse("cases:case_detail", args=[case.pk]), {"before": before}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("value", ["²", "٣", "abc", "9" * 30])
def test_a_bad_case_type_filter_on_my_caseload_is_a_bad_request(alice, value):
    response = client_for(alice).get(reverse("cases:my_caseload"), {"type": value})

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["²", "٣", "abc", "9" * 30])
def test_a_bad_adviser_filter_on_the_review_list_is_a_bad_request(carol, value):
    response = client_for(carol).get(reverse("reviews:review_list"), {"adviser": value})

    assert response.status_code == 400


@pytest.mark.parametrize("value", ["²", "٣", "9" * 30])
def test_starting_a_review_for_a_bad_adviser_id_is_not_found(carol, value):
    response = client_for(carol).post(reverse("reviews:review_start"), {"adviser": value})

    assert response.status_code == 404


def test_starting_a_review_for_an_adviser_of_ones_team_still_works(alice, carol):
    response = client_for(carol).post(reverse("reviews:review_start"), {"adviser": str(alice.pk)})

    assert response.status_code == 302


@pytest.mark.parametrize(
    "query",
    [{"adviser": "²", "figure": "open"}, {"team": "٣", "figure": "open"}, {"team": "9" * 30}],
)
def test_a_bad_dashboard_figure_scope_is_not_found(carol, query):
    response = client_for(carol).get(reverse("reviews:dashboard_cases"), query)

    assert response.status_code == 404


def test_a_request_for_a_host_not_allowed_is_a_bad_request_with_the_error_page(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["caseload.example"]

    response = Client().get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert "Something was wrong with that request" in response.content.decode()


def test_a_signed_in_user_on_a_host_not_allowed_gets_the_error_page_too(settings, alice):
    settings.DEBUG = False
    client = client_for(alice)

    response = client.get(reverse("cases:my_caseload"), HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert "Something was wrong with that request" in response.content.decode()
    assert "Alice" not in response.content.decode()


@pytest.mark.parametrize(
    "template",
    [
        "400.html",
        "403.html",
        "403_csrf.html",
        "404.html",
        "500.html",
        "503.html",
        "record_unreadable.html",
    ],
)
def test_every_error_page_renders_for_a_request_with_no_user(template):
    request = RequestFactory().get("/")

    html = render_to_string(template, request=request)

    assert "Caseload" in html
