"""What every endpoint over the domain shares: permissions, pagination, the access
helpers applied to ids from the URL, the audit of what a response shows, and the
problem responses the schema documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.exceptions import NotAuthenticated
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from api.permissions import IsPersonalCaller
from api.problems import PROBLEM_TYPE, problem_response
from api.schema import ProblemSerializer
from caseload.audit import access_record
from caseload.params import MAX_ID
from cases import access
from cases.models import Case, User


class NewestFirst(CursorPagination):
    """Cursor pagination, newest row first: pages stay stable while rows are added."""

    ordering = "-pk"
    page_size = 50


# The page to read: the ``next`` or ``previous`` link of the page before gives it.
CURSOR = OpenApiParameter(
    "cursor", str, OpenApiParameter.QUERY, description="The pagination cursor value."
)


class EndpointView(APIView):
    """The base of every endpoint: a person signed in (never an integration token),
    GET and POST only, so that nothing is ever changed with PUT, PATCH or DELETE."""

    permission_classes = [IsAuthenticated, IsPersonalCaller]
    http_method_names = ["get", "post", "head", "options"]

    @property
    def user(self) -> User:
        """The person calling (the permissions let no one else through)."""
        return _user(self.request)


def checked_id(pk: int) -> int:
    """An id from the URL, or 404 when it cannot be one (the database would refuse it)."""
    if not 0 < pk <= MAX_ID:
        raise Http404("No such record.")
    return pk


def case_seen(request: Request, pk: int) -> Case:
    """``cases.access.case_for_user`` for the caller: 404 for missing and unseen alike."""
    return access.case_for_user(_user(request), checked_id(pk))


def case_contributed(request: Request, pk: int) -> Case:
    """A case the caller may add to (404 if unseen, 403 if they may only look)."""
    return access.case_for_contributor(_user(request), checked_id(pk))


def case_managed(request: Request, pk: int) -> Case:
    """A case the caller may change itself (404 if unseen, 403 if they may not)."""
    return access.case_for_manager(_user(request), checked_id(pk))


def _user(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsAuthenticated and IsPersonalCaller refused already
        raise NotAuthenticated
    return user


def audited(request: Request, objects: Iterable[models.Model], *, via: str) -> None:
    """Record every row of client data a response shows: one access entry each."""
    access_record(request=request, actor=request.user, objects=list(objects), via=f"API {via}")


def attach_case(rows: Sequence[Any], case: Case) -> None:
    """Give each row of one case that case, loaded once, so that decrypting its fields
    (under the client's key) costs no query per row."""
    for row in rows:
        row.case = case


# --- problems, for the schema -------------------------------------------------------


_MEANING = {
    400: "The request is not valid: see errors.",
    401: "Sign-in needed.",
    403: "Not allowed: an integration token, or a person who may see the record but not do this.",
    404: "Not found, or not visible to the caller: the two are never told apart.",
    405: "Method not allowed.",
    429: "Too many requests.",
}


def problems(*codes: int) -> dict[Any, OpenApiResponse]:
    """The problem responses an operation may answer, for ``extend_schema(responses=...)``:
    always 401, 403, 404 and 429, and the ``codes`` given."""
    return {
        (code, PROBLEM_TYPE): OpenApiResponse(ProblemSerializer, description=_MEANING[code])
        for code in sorted({401, 403, 404, 429, *codes})
    }


@csrf_exempt
@login_not_required
def not_found(request: HttpRequest, route: str = "") -> HttpResponse:
    """Any URL under /api/ that names no endpoint (a negative id, say): a 404 problem,
    as the endpoints answer, not the site's HTML page."""
    return problem_response(request, 404, "No endpoint at this address.")
