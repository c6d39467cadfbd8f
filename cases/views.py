from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caseload.roles import Role, role_required
from cases import selectors


@require_GET
@role_required(Role.ADVISER)
def my_caseload(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/my_caseload.html",
        {
            "profile": selectors.adviser_profile_of(request.user),
            "teams": selectors.teams_of(request.user),
        },
    )


@require_GET
@role_required(Role.ADMIN)
def organisation(request: HttpRequest) -> HttpResponse:
    """Teams and people: counts and names only, never client data."""
    return render(
        request,
        "cases/organisation.html",
        {"teams": selectors.team_overview(), "role_counts": selectors.role_counts()},
    )
