from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from caseload.roles import Role, has_role


class CaseloadAdminSite(admin.AdminSite):
    """The configuration pages, open to active users who hold the Admin role.

    Model permissions still decide what each admin may see and change there.
    There is one sign-in page for the whole site: the admin's own login page
    sends people to it.
    """

    site_header = "Caseload configuration"
    site_title = "Caseload configuration"
    index_title = "Configure your organisation"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and (user.is_superuser or has_role(user, Role.ADMIN)))

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get(REDIRECT_FIELD_NAME, reverse("admin:index", current_app=self.name))
        )
