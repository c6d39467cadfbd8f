"""How the OpenAPI schema describes the API's sign-in: a bearer token, or the session."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token (`cl_<prefix>_<secret>`, made at /api/tokens/) or "
            "a partner's integration token (referral intake only).",
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.VerifiedSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The browser's signed-in session, after its second factor; unsafe "
            "methods need the CSRF token in `X-CSRFToken`.",
        }


class ProblemSerializer(serializers.Serializer):
    """An error answer: RFC 9457 problem details (api.problems)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="The messages by field, for a request that is not valid "
        '("non_field" for the rest).',
    )

    class Meta:
        ref_name = "Problem"


def problem_responses(*statuses: int) -> dict[Any, Any]:
    """The schema's entries for error answers, as ``application/problem+json``."""
    return {(status, "application/problem+json"): ProblemSerializer for status in statuses}
