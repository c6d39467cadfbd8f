"""Cases: the list of those visible to the caller (with filters), one case, and a
change of its status."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import (
    CURSOR,
    EndpointView,
    NewestFirst,
    audited,
    case_managed,
    case_seen,
    problems,
)
from api.endpoints.serializers import CaseFilterSerializer, CaseSerializer, CaseStatusSerializer
from cases import services
from cases.models import Case, CaseQuerySet


def _filtered(cases: CaseQuerySet, filters: dict) -> CaseQuerySet:
    """``cases`` narrowed by the list's filters, each through its named condition."""
    if "status" in filters:
        cases = cases.filter(status=filters["status"])
    if "level" in filters:
        cases = cases.at_level("" if filters["level"] == "none" else filters["level"])
    if "adviser" in filters:
        cases = cases.filter(assigned_to_id=filters["adviser"])
    if "team" in filters:
        cases = cases.filter(team_id=filters["team"])
    attention = filters.get("attention")
    if attention == "overdue_actions":
        cases = cases.with_overdue_actions(today=timezone.localdate())
    elif attention == "approaching":
        cases = cases.approaching()
    elif attention == "breached":
        cases = cases.breached()
    return cases


class CaseList(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_list",
        parameters=[CaseFilterSerializer, CURSOR],
        responses={200: CaseSerializer(many=True), **problems(400)},
        description="The cases you may see (as on the pages: your own, your team's if you "
        "supervise it, live shares and break-the-glass), newest first.",
    )
    def get(self, request: Request) -> Response:
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cases: QuerySet[Case] = _filtered(
            Case.objects.visible_to(self.user), filters.validated_data
        ).select_related("client__data_key", "case_type", "assessment_version")
        paginator = NewestFirst()
        page = paginator.paginate_queryset(cases, request, view=self) or []
        audited(request, page, via="case list")
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)


class CaseDetail(EndpointView):
    @extend_schema(
        operation_id="cases_retrieve",
        responses={200: CaseSerializer, **problems()},
        description="One case you may see.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        audited(request, [case], via="case")
        return Response(CaseSerializer(case).data)


class CaseStatus(EndpointView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="cases_status_change",
        request=CaseStatusSerializer,
        responses={200: CaseSerializer, **problems(400)},
        description="Move the case to another status, or reopen it (its adviser or a "
        "supervisor of its team). Closing needs a reason and the outcome; closing as "
        '"outcomes met" with work still open needs ``open_work_confirmed`` and a reason.',
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_managed(request, pk)
        change = CaseStatusSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        case = services.case_status_change(case=case, changed_by=self.user, **change.validated_data)
        audited(request, [case], via="case status change")
        return Response(CaseSerializer(case).data)
