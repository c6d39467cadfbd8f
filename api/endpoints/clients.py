"""Clients: search by reference or by family name and date of birth, and one client."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import EndpointView, audited, checked_id, problems
from api.endpoints.serializers import (
    ClientSearchResultSerializer,
    ClientSearchSerializer,
    ClientSerializer,
)
from caseload.roles import CLIENT_DATA_ROLES, roles_of
from cases import access, selectors


class ClientSearch(EndpointView):
    """Exact-match search, as the search page: POST, so that no name or date of birth
    reaches a URL (and so server logs or a proxy's)."""

    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="clients_search",
        request=ClientSearchSerializer,
        responses={200: ClientSearchResultSerializer, **problems(400)},
        description="Clients you may see matching a reference, or a family name and date of "
        "birth, each with the ids of their cases you may see. A match held elsewhere is only "
        "said to exist (``held_elsewhere``), never named.",
    )
    def post(self, request: Request) -> Response:
        if not roles_of(self.user) & CLIENT_DATA_ROLES:
            raise PermissionDenied
        search = ClientSearchSerializer(data=request.data)
        search.is_valid(raise_exception=True)
        found = selectors.search(self.user, **search.validated_data)
        shown_cases = [c for cases in found.cases_of.values() for c in cases]
        audited(request, [*found.clients, *shown_cases], via="client search")
        audited(request, found.elsewhere, via="client search: match held elsewhere")
        return Response(
            ClientSearchResultSerializer(
                {
                    "results": [
                        {"client": c, "cases": [case.pk for case in found.cases_of[c.pk]]}
                        for c in found.clients
                    ],
                    "held_elsewhere": bool(found.elsewhere),
                }
            ).data
        )


class ClientDetail(EndpointView):
    @extend_schema(
        operation_id="clients_retrieve",
        responses={200: ClientSerializer, **problems()},
        description="One client you may see (through a case you may see).",
    )
    def get(self, request: Request, pk: int) -> Response:
        client = access.client_for_user(self.user, checked_id(pk))
        audited(request, [client], via="client")
        return Response(ClientSerializer(client).data)
