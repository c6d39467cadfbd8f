"""The configuration area: Caseload's own pages for an organisation's admins."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest
from configuration.sections import SECTIONS


@require_GET
@role_required(Role.ADMIN)
def home(request: AuthenticatedRequest) -> HttpResponse:
    return config_page(
        request, "configuration/home.html", section="", context={"sections": SECTIONS}
    )


def config_page(
    request: AuthenticatedRequest,
    template: str,
    *,
    section: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render a page of the area with its menu, ``section`` marked as the current one."""
    return render(
        request,
        template,
        {"config_sections": SECTIONS, "config_section": section, **(context or {})},
        status=status,
    )
