"""Actions of a case: read, agree one, and mark one done (``notes.services``)."""

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
from api.endpoints.serializers import ActionCreateSerializer, ActionSerializer
from notes import services
from notes.models import Action


class CaseActions(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="cases_actions_list",
        parameters=[CURSOR],
        responses={200: ActionSerializer(many=True), **problems(400)},
        description="The case's actions, open or not, newest first.",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = case_seen(request, pk)
        paginator = NewestFirst()
        page = paginator.paginate_queryset(Action.objects.filter(case=case), request, view=self)
        page = page or []
        attach_case(page, case)
        audited(request, page, via="case actions")
        return paginator.get_paginated_response(ActionSerializer(page, many=True).data)

    @extend_schema(
        operation_id="cases_actions_create",
        request=ActionCreateSerializer,
        responses={201: ActionSerializer, **problems(400)},
        description="Agree an action: who does what by when (a third party needs naming).",
    )
    def post(self, request: Request, pk: int) -> Response:
        case = case_contributed(request, pk)
        body = ActionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action = services.action_create(case=case, created_by=self.user, **body.validated_data)
        audited(request, [action], via="action agreed")
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionComplete(EndpointView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="cases_actions_complete",
        request=None,
        responses={200: ActionSerializer, **problems(400)},
        description="Mark an open action of the case done.",
    )
    def post(self, request: Request, pk: int, action_pk: int) -> Response:
        case = case_contributed(request, pk)
        action = Action.objects.filter(pk=checked_id(action_pk), case=case).first()
        if action is None:
            raise Http404("No such action.")
        action.case = case
        action = services.action_complete(action=action, completed_by=self.user)
        audited(request, [action], via="action done")
        return Response(ActionSerializer(action).data)
