"""Priority assessments of a case: read them, and record one (``priorities.services``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import (
    CURSOR,
    EndpointView,
    NewestFirst,
    attach_case,
    audited,
    case_contributed,
    case_seen,
    checked_id,
    problems,
)
from api.endpoints.serializers import AssessmentRecordSerializer, AssessmentSerializer
from priorities import services
from priorities.models import Assessment


class CaseAssessments(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_assessments_list",
        parameters=[CURSOR],
        responses={200: AssessmentSerializer(many=True), **problems(400)},
        description="The case's assessments and overrides, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        assessments = Assessment.objects.filter(case=case).select_related("version")
        paginator = NewestFirst()
        page = paginator.paginate_queryset(assessments, request, view=self) or []
        attach_case(page, case)
        audited(request, page, via="case assessments")
        return paginator.get_paginated_response(AssessmentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_assessments_record",
        request=AssessmentRecordSerializer,
        responses={201: AssessmentSerializer, **problems(400)},
        description="Assess the case against the published criteria: an answer to every "
        "criterion (by its key) and the rationale.",
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_contributed(request, pk)
        body = AssessmentRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = services.assessment_record(
            case=case, assessed_by=self.user, **body.validated_data
        )
        audited(request, [assessment], via="assessment recorded")
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetail(EndpointView):
    @extend_schema(
        operation_id="cases_assessments_retrieve",
        responses={200: AssessmentSerializer, **problems()},
        description="One assessment of the case, as it was made.",
    )
    def get(self, request: Request, pk: int, assessment_pk: int) -> Response:
        case = case_seen(request, pk)
        assessment = (
            Assessment.objects.select_related("version")
            .filter(pk=checked_id(assessment_pk), case=case)
            .first()
        )
        if assessment is None:
            raise Http404("No such assessment.")
        assessment.case = case
        audited(request, [assessment], via="assessment")
        return Response(AssessmentSerializer(assessment).data)
