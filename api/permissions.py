"""Who may call an endpoint, by the kind of caller (``request.auth_kind``, set by
``api.authentication``): a person (session or personal token), or an integration."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from api.models import ApiToken


class IsPersonalCaller(BasePermission):
    """A person signed in (session or personal token), never an integration token."""

    message = "An integration token may only send referrals and read back their status."

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and getattr(request, "auth_kind", "session") != "integration"
        )


class IsIntegrationCaller(BasePermission):
    """A partner system with a live integration token; nobody else."""

    message = "Only a partner's integration token may use this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            getattr(request, "auth_kind", "session") == "integration"
            and isinstance(request.auth, ApiToken)
            and request.auth.kind == ApiToken.Kind.INTEGRATION
        )
