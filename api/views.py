"""The API's own views that are not endpoints over the domain: its schema, its docs, and
who a call is made as."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiToken
from api.permissions import IsPersonalCaller
from api.schema import problem_responses


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the API, generated from its endpoints; holds no data."""


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    """The API's browsable documentation (Swagger UI served by Caseload, no CDN), for
    signed-in people; "Try it out" calls the API with the page's session.

    Under the site's strict policy, unrelaxed: Swagger UI's bundle needs no inline script,
    and sets its few element styles through the DOM, which style-src does not govern
    (the browser journey fails on any violation). ``static/css/api-docs.css`` darkens its
    colours to meet WCAG AA contrast."""
    return render(request, "api/docs.html")


class CallerSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    signed_in_with = serializers.ChoiceField(
        choices=["session", "personal"], help_text="The browser's session or a personal token."
    )
    token_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the personal token used stops working."
    )


class Me(APIView):
    """Who the call is made as: to check a token works, and until when."""

    permission_classes = [IsAuthenticated, IsPersonalCaller]

    @extend_schema(
        operation_id="me_retrieve",
        responses={200: CallerSerializer, **problem_responses(401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        user = request.user
        return Response(
            CallerSerializer(
                {
                    "username": user.get_username(),
                    "display_name": getattr(user, "display_name", user.get_username()),
                    "signed_in_with": "personal" if token else "session",
                    "token_expires_at": token.expires_at if token else None,
                }
            ).data
        )
