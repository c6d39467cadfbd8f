"""Who may call the API's endpoints over the domain (api-core keeps the full version)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsPersonalCaller(BasePermission):
    """A person signed in (session or personal token), never an integration token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return (
            bool(request.user and request.user.is_authenticated)
            and getattr(request, "auth_kind", "session") != "integration"
        )
