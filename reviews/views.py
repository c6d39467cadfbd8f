from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caseload.roles import Role, role_required
from cases import selectors


@require_GET
@role_required(Role.SUPERVISOR)
def team_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/team_dashboard.html",
        {"teams": selectors.teams_supervised_by(request.user)},
    )
