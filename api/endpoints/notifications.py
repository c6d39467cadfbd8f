"""The caller's own notifications: the list, and marking them read. Nobody reaches
another person's (``notifications.services`` picks among the caller's only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.endpoints.common import CURSOR, EndpointView, NewestFirst, problems
from api.endpoints.serializers import (
    MarkedSerializer,
    NotificationSerializer,
    NotificationsReadSerializer,
)
from notifications import services
from notifications.models import Notification


class NotificationList(EndpointView):
    pagination_class = NewestFirst

    @extend_schema(
        operation_id="notifications_list",
        parameters=[CURSOR],
        responses={200: NotificationSerializer(many=True), **problems(400)},
        description="Your notifications still on your list, newest first. They hold case "
        "ids and staff names, never client data.",
    )
    def get(self, request: Request) -> Response:
        shown = Notification.objects.for_user(self.user.pk).shown()
        paginator = NewestFirst()
        page = paginator.paginate_queryset(shown, request, view=self) or []
        return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


class NotificationsRead(EndpointView):
    http_method_names = ["post", "options"]

    @extend_schema(
        operation_id="notifications_mark_read",
        request=NotificationsReadSerializer,
        responses={200: MarkedSerializer, **problems(400)},
        description="Mark your unread notifications read: those ``ids``, or all of them "
        "when none are given.",
    )
    def post(self, request: Request) -> Response:
        body = NotificationsReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=self.user, ids=body.validated_data.get("ids")
        )
        return Response(MarkedSerializer({"marked": marked}).data)
