"""Organisation settings: the few numbers and rules that hold across the organisation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest, apply_service_errors, signed_in_user
from configuration.concurrency import EditTokenField, StaleEdit, edit_token, require_unchanged
from configuration.views import config_page
from priorities import services
from priorities.models import Organisation

FIELDS = services.ORGANISATION_SETTINGS


class OrganisationSettingsForm(forms.Form):
    approaching_days = forms.IntegerField(
        label="A due date is approaching (working days before it)",
        help_text="The default for every timescale; a timescale may set its own.",
    )
    stalled_after_days = forms.IntegerField(
        label="A case has stalled after (working days without contact)",
    )
    late_entry_hours = forms.IntegerField(
        label="A note is a late entry when written more than (hours after the contact)",
        required=False,
    )
    session_idle_minutes = forms.IntegerField(
        label="Sign people out after (minutes without use)",
        required=False,
    )
    advisers_need_two_factor = forms.BooleanField(
        label="Advisers need two-step sign-in (supervisors and admins always do)",
        required=False,
    )
    break_glass_daily_limit = forms.IntegerField(
        label="Break the glass on one's own, times a day",
        help_text="Further requests that day wait for the supervisor's approval. 0: always "
        "ask the supervisor first.",
    )
    plan_ahead_years = forms.IntegerField(
        label="Dates may be planned up to (years ahead)",
        help_text="A later date is taken for a typing mistake.",
    )
    edit_token = EditTokenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "late_entry_hours"
        ].help_text = (
            f"Empty: the installation's default, {settings.CASELOAD_LATE_ENTRY_HOURS} hours."
        )
        self.fields["session_idle_minutes"].help_text = (
            f"Empty: the installation's default, {settings.CASELOAD_SESSION_IDLE_MINUTES} "
            "minutes. Changes apply within half a minute."
        )


def _initial(organisation: Organisation) -> dict[str, Any]:
    return {
        **{name: getattr(organisation, name) for name in FIELDS},
        "edit_token": edit_token([organisation], FIELDS),
    }


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def organisation_settings(request: AuthenticatedRequest) -> HttpResponse:
    organisation = Organisation.current()
    form = OrganisationSettingsForm(request.POST or None, initial=_initial(organisation))
    typed: list[tuple[str, Any]] = []
    stale = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.organisation_settings_set(
                values={name: data.get(name) for name in FIELDS},
                unchanged=lambda row: require_unchanged(data["edit_token"], [row], FIELDS),
                changed_by=signed_in_user(request),
            )
        except StaleEdit as error:
            stale = str(error)
            typed = [(str(form.fields[name].label), data.get(name)) for name in FIELDS]
            form = OrganisationSettingsForm(initial=_initial(Organisation.current()))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not saved.changed:
                messages.info(request, "Nothing changed.")
            elif saved.cases:
                messages.success(
                    request,
                    f"Saved. The due dates of {saved.cases:,} open case"
                    f"{'s' if saved.cases != 1 else ''} are being recalculated in the background.",
                )
            else:
                messages.success(request, "Saved.")
            return redirect("configuration:organisation")
    return config_page(
        request,
        "configuration/form_page.html",
        section="organisation",
        context={
            "form": form,
            "typed": typed,
            "stale": stale,
            "title": "Organisation settings",
            "intro": "Rules that hold across the organisation. The nation for bank holidays "
            "is under Calendar.",
            "submit": "Save",
            "back_url": reverse("configuration:home"),
        },
    )
