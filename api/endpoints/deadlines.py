"""Deadlines a case's adviser entered, and the flags the deadline sweep raised on it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import (
    CURSOR,
    EndpointView,
    NewestFirst,
    attach_case,
    audited,
    case_seen,
    problems,
)
from api.endpoints.serializers import DeadlineSerializer, FlagSerializer
from cases.models import CaseDeadline
from priorities.models import DeadlineFlag


class CaseDeadlines(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_deadlines_list",
        parameters=[CURSOR],
        responses={200: DeadlineSerializer(many=True), **problems(400)},
        description="The case's statutory or external deadlines, newest entered first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        paginator = NewestFirst()
        page = (
            paginator.paginate_queryset(CaseDeadline.objects.filter(case=case), request, self) or []
        )
        attach_case(page, case)
        audited(request, page, via="case deadlines")
        return paginator.get_paginated_response(DeadlineSerializer(page, many=True).data)


class CaseFlags(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_flags_list",
        parameters=[CURSOR],
        responses={200: FlagSerializer(many=True), **problems(400)},
        description="The deadline flags raised on the case (approaching, due, breached), "
        "cleared or not, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        paginator = NewestFirst()
        page = (
            paginator.paginate_queryset(DeadlineFlag.objects.filter(case=case), request, self) or []
        )
        # A flag holds no personal data, but says what is due on the client's case.
        audited(request, [case], via="case flags")
        return paginator.get_paginated_response(FlagSerializer(page, many=True).data)
