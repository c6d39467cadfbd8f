"""Rate limits of the API: per person and per token, counted in the Redis cache.

A person's calls count together whether they come from their session or any of their
personal tokens (``CASELOAD_API_RATE_USER``); each token also has its own limit
(``CASELOAD_API_RATE_TOKEN``), which is all an integration token has. Over a limit, the
answer is a 429 problem with ``Retry-After`` (DRF's ``Throttled``, through
``api.problems``). The rates are read at each call, so a test can lower them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting))


class UserRateThrottle(_SettingRateThrottle):
    """Calls by one person, however they sign in."""

    scope = "user"
    setting = "CASELOAD_API_RATE_USER"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenRateThrottle(_SettingRateThrottle):
    """Calls with one token, personal or integration."""

    scope = "token"
    setting = "CASELOAD_API_RATE_TOKEN"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
