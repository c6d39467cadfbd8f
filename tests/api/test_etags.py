"""ETags on the API's reads, and 304 for a client that has the same body already."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from tests.api.conftest import bearer
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_an_api_read_carries_a_strong_etag_of_its_body(api, alice_token):
    response = api.get(reverse("api:me"), **bearer(alice_token))

    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'


def test_a_matching_if_none_match_gets_304_with_no_body(api, alice_token):
    etag = api.get(reverse("api:me"), **bearer(alice_token))["ETag"]

    response = api.get(reverse("api:me"), HTTP_IF_NONE_MATCH=etag, **bearer(alice_token))

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_stale_etag_gets_the_body(api, alice_token):
    response = api.get(reverse("api:me"), HTTP_IF_NONE_MATCH='"stale"', **bearer(alice_token))

    assert response.status_code == 200


def test_another_persons_body_has_another_etag(api, alice_token, bob):
    from api import services

    bobs = services.api_token_create(user=bob, name="Bob's", verified=True)

    assert (
        api.get(reverse("api:me"), **bearer(alice_token))["ETag"]
        != api.get(reverse("api:me"), **bearer(bobs))["ETag"]
    )


def test_errors_carry_no_etag(api):
    assert "ETag" not in api.get(reverse("api:me"))


def test_pages_under_api_carry_no_etag(alice):
    response = client_for(alice).get(reverse("api:tokens"))

    assert response.status_code == 200
    assert "ETag" not in response


def test_no_cache_keeps_an_integration_tokens_answers(api, partner_token):
    response = api.get(reverse("api:referrals"), **bearer(partner_token))

    assert response["Cache-Control"] == "no-store, private"
