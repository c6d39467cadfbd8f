from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class CaseloadAdminSite(admin.AdminSite):
    """Django's admin site, kept for a superuser's emergency use only: admins configure
    the organisation in Caseload's own configuration area (``configuration``), which
    covers everything they did here.

    There is one sign-in page for the whole site: the admin site's own login page
    sends people to it.
    """

    site_header = "Caseload emergency admin"
    site_title = "Caseload emergency admin"
    index_title = "For superusers only: admins use the configuration area"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

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
