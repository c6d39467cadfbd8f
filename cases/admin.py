from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from cases.models import AdviserProfile, CaseType, Team, User


class AdviserProfileInline(admin.StackedInline):
    model = AdviserProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [AdviserProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["groups", "is_active"]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # An admin assigns roles (groups); only a superuser grants raw powers.
            readonly += [
                "is_superuser",
                "is_staff",
                "user_permissions",
                "last_login",
                "date_joined",
            ]
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivating someone ends every session they hold, at once.
            from accounts.services import user_deactivate

            user_deactivate(user=obj, deactivated_by=request.user)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["supervisors", "members"]


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: CaseType | None = None) -> bool:
        # Cases keep their type for ever: retire a type by making it inactive.
        return False
