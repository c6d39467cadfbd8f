"""Forms of the token pages."""

from __future__ import annotations

from django import forms

from api.services import (
    INTEGRATION_DEFAULT_DAYS,
    INTEGRATION_MAX_DAYS,
    PERSONAL_DEFAULT_DAYS,
    PERSONAL_MAX_DAYS,
)
from cases.models import CaseType, Team


class PersonalTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, for example “my reporting script”.",
    )
    expires_in_days = forms.IntegerField(
        label="Works for (days)",
        initial=PERSONAL_DEFAULT_DAYS,
        min_value=1,
        max_value=PERSONAL_MAX_DAYS,
        help_text=f"It stops working after this many days; {PERSONAL_MAX_DAYS} at most.",
    )


class IntegrationTokenForm(forms.Form):
    partner = forms.CharField(
        label="Partner organisation",
        max_length=200,
        help_text="The agency whose system sends referrals; recorded as the referrer.",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        help_text="Its referrals wait in this team's unallocated queue.",
    )
    case_type = forms.ModelChoiceField(
        queryset=CaseType.objects.filter(is_active=True).order_by("name"),
        label="Case type",
        help_text="The type of case its referrals open.",
    )
    expires_in_days = forms.IntegerField(
        label="Works for (days)",
        initial=INTEGRATION_DEFAULT_DAYS,
        min_value=1,
        max_value=INTEGRATION_MAX_DAYS,
        help_text=f"It stops working after this many days; {INTEGRATION_MAX_DAYS} at most.",
    )
