"""A person's own notifications: the list, and marking them read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    items = selectors.notifications_for(request.user)  # type: ignore[arg-type]
    return render(request, "notifications/list.html", {"items": items})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)  # type: ignore[arg-type]
    return redirect("notifications:list")
