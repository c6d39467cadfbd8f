"""How an API call says who is calling: a bearer token, or the browser's session.

``Authorization: Bearer cl_<prefix>_<secret>`` finds the token by its prefix and checks
the secret's hash in constant time. An unknown, expired or revoked token, or a personal
token whose person was deactivated, is a 401 problem with ``WWW-Authenticate: Bearer``.

- A personal token acts as its person, with their rights, and counts as having given
  the second factor (it could only be made from a session that had).
- An integration token acts as nobody: ``request.user`` stays anonymous, so every
  endpoint that needs a person refuses it (403); only the referral intake accepts it
  (``api.permissions.IsIntegrationCaller``).

``request.auth`` is the ``ApiToken`` and ``request.auth_kind`` says "personal",
"integration" or (by default, for the browser) "session".
"""

from __future__ import annotations

import hmac
from typing import Any

from auditlog.context import auditlog_value
from django.contrib.auth.models import AnonymousUser
from django_otp.middleware import is_verified
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.selectors import two_factor_enrolled, two_factor_required
from api.models import ApiToken
from api.services import api_token_used, may_hold_personal_token, secret_hash, token_split

INVALID_TOKEN = "The token is unknown, expired or revoked."  # noqa: S105 - a message


def _set_kind(request: Request, kind: str) -> None:
    # On the Django request, which the DRF request reads through: views, permissions and
    # middleware all see it.
    request._request.auth_kind = kind


def _audit_as(user: Any) -> None:
    """Changes made in this call are the token's person's (auditlog's middleware ran
    before the token was read, and found nobody)."""
    context = auditlog_value.get(None)
    if isinstance(context, dict) and context.get("actor") is None:
        context["actor"] = user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` with a personal or an integration token."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token after the word Bearer, with nothing else."
            )
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from None
        parts = token_split(raw)
        if parts is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        prefix, secret = parts
        token = (
            ApiToken.objects.select_related("user", "team", "case_type", "service_user")
            .filter(prefix=prefix)
            .first()
        )
        if (
            token is None
            or not hmac.compare_digest(token.secret_hash, secret_hash(secret))
            or not token.is_live()
        ):
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        user: Any
        if token.kind == ApiToken.Kind.PERSONAL:
            user = token.user
            # Deactivated, or no longer in a role that may hold a token: it stops working.
            if user is None or not may_hold_personal_token(user):
                raise exceptions.AuthenticationFailed(INVALID_TOKEN)
            # Counts as verified for django_otp (is_verified: a device is set): the token
            # could only be made from a session that gave the second factor.
            user.otp_device = token
            _set_kind(request, "personal")
            _audit_as(user)
        else:
            user = AnonymousUser()
            _set_kind(request, "integration")
        api_token_used(token=token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session (CSRF enforced by DRF), on the web pages' second-factor
    rule: a session that signed in with a password only, where a second factor is due
    (the person has one, or must), is refused until it gives it."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not is_verified(user) and (two_factor_enrolled(user) or two_factor_required(user)):
            raise exceptions.PermissionDenied(
                "Give your two-step sign-in code in Caseload first, then try again."
            )
        _set_kind(request, "session")
        return result
