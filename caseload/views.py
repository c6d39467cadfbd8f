from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from caseload.roles import Role, roles_of

# Where each role starts its day, most specific first for people with several roles.
_HOME_FOR_ROLE = [
    (Role.SUPERVISOR, "reviews:team_dashboard"),
    (Role.ADVISER, "cases:my_caseload"),
    (Role.ADMIN, "cases:organisation"),
]


def home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    for role, url_name in _HOME_FOR_ROLE:
        if role in roles:
            return redirect(url_name)
    return render(request, "caseload/no_role.html", status=403)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and container health checks: is the database reachable?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
