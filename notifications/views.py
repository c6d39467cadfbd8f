"""A person's own notifications: the grouped list, reading and dismissing them, and
how they want to hear of each kind."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.params import query_id
from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import FIXED_DELIVERY, Delivery, Kind


def _kind(value: str | None) -> str | None:
    return value if value in Kind.values else None


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.GET.get("kind"))
    groups = selectors.notification_groups(request.user, kind=kind)  # type: ignore[arg-type]
    return render(
        request,
        "notifications/list.html",
        {"groups": groups, "kinds": Kind.choices, "kind": kind or ""},
    )


def _picked(request: HttpRequest) -> dict[str, object]:
    """What the POST picks: one notification, a group (kind and case) or a filter (kind)."""
    picked: dict[str, object] = {"kind": _kind(request.POST.get("kind"))}
    notification_id = query_id(request.POST, "id")
    if notification_id is not None:
        picked["ids"] = [notification_id]
    picked["case_id"] = query_id(request.POST, "case")
    return picked


def _back(request: HttpRequest) -> HttpResponse:
    kind = _kind(request.POST.get("kind")) if request.POST.get("filter") else None
    url = reverse("notifications:list")
    return redirect(f"{url}?kind={kind}" if kind else url)


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user, **_picked(request))  # type: ignore[arg-type]
    return _back(request)


@require_POST
def notifications_dismiss(request: HttpRequest) -> HttpResponse:
    count = services.notifications_dismiss(user=request.user, **_picked(request))  # type: ignore[arg-type]
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} dismissed.")
    return _back(request)


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    deliveries = selectors.deliveries_for(request.user)  # type: ignore[arg-type]
    form = PreferencesForm(request.POST or None, deliveries=deliveries)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(user=request.user, deliveries=form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, "Your notification settings are saved.")
        return redirect("notifications:preferences")
    fixed = [
        (kind.label, deliveries[kind].label)
        for kind in Kind
        if kind in FIXED_DELIVERY and deliveries[kind] == Delivery.IMMEDIATE
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "fixed": fixed},
        status=400 if form.errors else 200,
    )
