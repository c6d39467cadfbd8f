"""The API's own views that are not endpoints over the domain: its schema, its docs, and
who a call is made as."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
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


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the API, generated from its endpoints; holds no data."""


@require_GET
# Swagger UI (React) writes style attributes into the markup it renders (its collapsible
# sections, the models' tables, highlighted examples); the strict style-src blocks those,
# which breaks its layout. Scripts stay 'self' only, and this page shows no client data:
# only here is style-src relaxed.
@csp_update({"style-src": [UNSAFE_INLINE]})
def docs(request: HttpRequest) -> HttpResponse:
    """The API's browsable documentation (Swagger UI served by Caseload, no CDN), for
    signed-in people; "Try it out" calls the API with the page's session."""
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

    @extend_schema(operation_id="me_retrieve", responses=CallerSerializer)
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
