"""The data protection area: the home page; each duty's pages live in their own module."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from caseload.web import AuthenticatedRequest
from dataprotection.access import dpo_required
from dataprotection.sections import DUTIES
from dataprotection.selectors import dpo_waiting


@require_GET
@dpo_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    waiting = dpo_waiting(today=timezone.localdate())
    return dpo_page(
        request,
        "dataprotection/home.html",
        duty="",
        context={"duties": DUTIES, "waiting": waiting},
    )


def dpo_page(
    request: AuthenticatedRequest,
    template: str,
    *,
    duty: str,
    context: dict[str, Any] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render a page of the area with its menu, ``duty`` marked as the current one.

    Unless given, the status follows the page's form: 400 when ``form`` has errors.
    """
    context = context or {}
    if status is None:
        form = context.get("form")
        status = 400 if form is not None and form.errors else 200
    return render(
        request,
        template,
        {**context, "dp_duties": DUTIES, "dp_current": duty},
        status=status,
    )
