"""Fixtures of the API tests: tokens for the personas, and rate counts that start at zero."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from api import services
from api.services import NewToken
from cases.models import Team, User
from tests.factories import CaseTypeFactory


@pytest.fixture(autouse=True)
def _rate_counts_start_at_zero() -> Iterator[None]:
    """Each test's calls are counted from zero: the counts live in Redis, across tests."""

    def clear() -> None:
        backend = getattr(cache, "_cache", None)
        if backend is None or not hasattr(backend, "get_client"):
            cache.clear()  # the in-memory cache of the embedded default
            return
        redis = backend.get_client(None, write=True)
        for key in redis.scan_iter(match="*throttle_*"):
            redis.delete(key)

    clear()
    yield
    clear()


def bearer(token: NewToken | str) -> dict[str, str]:
    """The header of a call made with ``token``."""
    secret = token.secret if isinstance(token, NewToken) else token
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def alice_token(alice: User) -> NewToken:
    return services.api_token_create(user=alice, name="Alice's script", verified=True)


@pytest.fixture
def partner_token(north: Team, erin: User) -> NewToken:
    """North's referrals from the Food Bank's system."""
    return services.integration_token_create(
        partner="Riverside Food Bank", team=north, case_type=CaseTypeFactory(), created_by=erin
    )


@pytest.fixture
def api() -> Client:
    """A client with no session: calls carry their token."""
    return Client()
