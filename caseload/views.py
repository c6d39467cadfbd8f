from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from caseload.roles import Role, roles_of

# Where each role starts its day, most specific first for people with several roles.
_HOME_FOR_ROLE = [
    (Role.SUPERVISOR, "reviews:team_dashboard"),
    (Role.ADVISER, "cases:my_caseload"),
    (Role.SERVICE_MANAGER, "cases:access"),
    (Role.ADMIN, "cases:organisation"),
    (Role.DATA_PROTECTION, "dataprotection:home"),
]


def home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    for role, url_name in _HOME_FOR_ROLE:
        if role in roles:
            return redirect(url_name)
    if request.user.is_superuser:
        return redirect("admin:index")  # a superuser with no role: the emergency admin site
    return render(request, "caseload/no_role.html", status=403)
