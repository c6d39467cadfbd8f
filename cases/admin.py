"""Configuration pages for people, teams and case types.

Admins administer people, not client data. Here they invite people (no typed
password: the person sets their own from an emailed link), edit names, emails,
FTE and capacity, and deactivate accounts. They cannot set a password, give a
role, or change who is in a team or leads it: the forms have no such fields, so
a hand-made POST carrying them changes nothing. Case roles and team places are
changed on Caseload's access page by a service manager (``cases.people``);
Service manager, Admin and Data protection roles are given here by a superuser,
with a reason, through the same recorded service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path

from caseload.roles import CLIENT_DATA_ROLES, SUPERUSER_GRANTED_ROLES, Role, roles_of
from caseload.web import signed_in_user
from cases import people
from cases.models import AccessChange, AdviserProfile, CaseType, Team, User


class AdviserProfileInline(admin.StackedInline):
    model = AdviserProfile
    can_delete = False
    extra = 0


class UserInviteForm(forms.ModelForm):
    """A new account: who the person is. They set their own password from the invitation."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "The invitation to set a password goes here."


class UserChangeForm(forms.ModelForm):
    """An account's details. No password, role or team field: see the module docstring."""

    editor: User | None = None  # who is editing; UserAdmin.get_form sets it on the class

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "is_active"]

    def clean_is_active(self) -> bool:
        active = self.cleaned_data["is_active"]
        editor = getattr(self, "editor", None)
        if (
            active
            and not self.instance.is_active
            and self.instance.pk
            and editor is not None
            and not editor.is_superuser
            and roles_of(self.instance) & (CLIENT_DATA_ROLES | SUPERUSER_GRANTED_ROLES)
        ):
            # Reactivating would hand back roles that reach client data without a grant.
            raise ValidationError(
                "This person still holds roles; ask a service manager to remove them first, "
                "or a superuser to reactivate the account."
            )
        return active


class SuperuserUserChangeForm(UserChangeForm):
    """What a superuser may also change: the roles only a superuser gives, with a reason."""

    superuser_roles = forms.MultipleChoiceField(
        choices=[(role.value, role.label) for role in Role if role in SUPERUSER_GRANTED_ROLES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles given by a superuser",
        help_text="Adviser and Supervisor roles are given on Caseload's access page.",
    )
    access_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason for a change of roles",
        help_text="Required when the roles above change; it is recorded with the change.",
    )

    class Meta(UserChangeForm.Meta):
        fields = [*UserChangeForm.Meta.fields, "is_staff", "is_superuser"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            held = roles_of(self.instance) & SUPERUSER_GRANTED_ROLES
            self.fields["superuser_roles"].initial = [role.value for role in held]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "superuser_roles" in self.changed_data:
            try:
                data["access_reason"] = people.access_reason_clean(data.get("access_reason", ""))
            except ValidationError as error:
                self.add_error("access_reason", error.error_dict["reason"])
        return data


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    inlines = [AdviserProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["groups", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    actions = ["send_password_reset"]
    readonly_fields = ["roles", "member_of", "supervisor_of", "last_login", "date_joined"]

    @admin.display(description="Roles")
    def roles(self, obj: User) -> str:
        return ", ".join(sorted(role.label for role in roles_of(obj))) or "None"

    @admin.display(description="Member of")
    def member_of(self, obj: User) -> str:
        return ", ".join(t.name for t in obj.teams.order_by("name")) or "None"

    @admin.display(description="Supervisor place in")
    def supervisor_of(self, obj: User) -> str:
        return ", ".join(t.name for t in obj.supervised_teams.order_by("name")) or "None"

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None:
            return [(None, {"fields": ["username", "first_name", "last_name", "email"]})]
        account = ["username", "first_name", "last_name", "email", "is_active"]
        access: list[str] = ["roles", "member_of", "supervisor_of"]
        if request.user.is_superuser:
            access += ["superuser_roles", "access_reason", "is_staff", "is_superuser"]
        return [
            (None, {"fields": account}),
            (
                "Access",
                {
                    "fields": access,
                    "description": "Adviser and Supervisor roles and team places are changed "
                    "by a service manager on Caseload's access page.",
                },
            ),
            ("Dates", {"fields": ["last_login", "date_joined"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not people.email_change_allowed(
            user=obj, changed_by=signed_in_user(request)
        ):
            readonly.append("email")
        return readonly

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = UserInviteForm
        elif request.user.is_superuser:
            kwargs["form"] = SuperuserUserChangeForm
        else:
            kwargs["form"] = UserChangeForm
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form_class, UserChangeForm):
            form_class.editor = signed_in_user(request)
        return form_class

    def get_urls(self) -> list[URLPattern]:
        refused = self.admin_site.admin_view(self.password_refused)
        return [
            path("<path:object_id>/password/", refused, name="cases_user_password_change"),
            *super().get_urls(),
        ]

    def password_refused(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Nobody types someone's password here, a superuser neither: the person sets it
        from a reset email (``send_password_reset``). Answers 404, GET or POST."""
        raise Http404("Passwords are set by their owner from a reset email.")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            people.user_invite(user=obj)
            messages.info(request, f"An invitation to set a password was sent to {obj.email}.")
            return
        super().save_model(request, obj, form, change)
        if "is_active" in form.changed_data and not obj.is_active:
            self.user_deactivated(request, obj)

    def user_deactivated(self, request: HttpRequest, user: User) -> None:
        """An admin has just deactivated ``user``: every session they hold ends at once and
        their open cases go back to their teams' queues, as from the configuration pages."""
        try:
            people.person_deactivate(
                user=user,
                deactivated_by=signed_in_user(request),
                handover_note="Returned when the account was deactivated in the admin site.",
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "superuser_roles" not in form.changed_data:
            return
        user = form.instance
        wanted = {Role(value) for value in form.cleaned_data["superuser_roles"]}
        held = roles_of(user) & SUPERUSER_GRANTED_ROLES
        reason = form.cleaned_data["access_reason"]
        for role in sorted(wanted - held):
            people.access_grant(
                user=user, granted_by=signed_in_user(request), reason=reason, role=role
            )
        for role in sorted(held - wanted):
            people.access_revoke(
                user=user, revoked_by=signed_in_user(request), reason=reason, role=role
            )

    @admin.action(description="Email a link to set a new password", permissions=["change"])
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = sum(people.password_reset_send(user=user) for user in queryset)
        skipped = queryset.count() - sent
        messages.info(request, f"Password links sent: {sent}.")
        if skipped:
            messages.warning(request, f"{skipped} had no email address or are not active.")

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # The audit trail names its actors and cannot be rewritten (its rows are
        # append-only in the database): deactivate a person, never delete them.
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Teams by name. Who is in a team, or leads it, decides who reaches its cases, so
    those places are changed on the access page by a service manager, never here."""

    list_display = ["name"]
    search_fields = ["name"]
    fields = ["name", "supervisor_names", "member_names"]
    readonly_fields = ["supervisor_names", "member_names"]

    @admin.display(description="Supervisors")
    def supervisor_names(self, obj: Team) -> str:
        return ", ".join(u.display_name for u in obj.supervisors.order_by("username")) or "None"

    @admin.display(description="Members")
    def member_names(self, obj: Team) -> str:
        return ", ".join(u.display_name for u in obj.members.order_by("username")) or "None"


@admin.register(AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    """The record of access changes: read only, for everyone."""

    list_display = ["at", "person", "action", "role", "team", "place", "changed_by"]
    list_filter = ["action", "role"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: CaseType | None = None) -> bool:
        # Cases keep their type for ever: retire a type by making it inactive.
        return False
