"""Forms of the configuration area. They check what a person typed; the owning app's
services check the rules (who may do what, what must stay consistent)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from cases.models import Team, User
from cases.people import EMAIL_LOCKED
from configuration.concurrency import EditTokenField


class PersonInviteForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new account: who the person is. They set their own password from the invitation."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "username"]
        help_texts = {
            "username": "What they type to sign in: letters, digits and @ . + - _ only.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        self.fields["email"].help_text = "The invitation to set a password goes here."

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone already has this email address.")
        return email


class PersonDetailsForm(forms.Form):
    """An account's details and, for an adviser, how much work they can carry."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="Password links and notifications go here.")
    fte = forms.DecimalField(
        label="FTE",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="Full-time equivalent, from 0.01 to 1.00 (0.6 is three days a week).",
        error_messages={
            "min_value": "FTE must be more than 0: deactivate someone who no longer works here.",
            "max_value": "FTE cannot be more than 1.00 (full time).",
        },
    )
    capacity_points = forms.IntegerField(
        label="Capacity (caseload points)",
        min_value=1,
        max_value=500,
        help_text="Caseload points a full-time adviser in this post can carry; FTE scales it.",
    )
    edit_token = EditTokenField()

    def __init__(
        self, *args: Any, person: User, adviser: bool, email_locked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        if email_locked:
            # A disabled field keeps its value whatever is posted.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = EMAIL_LOCKED
        if not adviser:
            del self.fields["fte"]
            del self.fields["capacity_points"]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.person.pk)
        if taken.exists():
            raise forms.ValidationError("Someone else already has this email address.")
        return email


class PersonDeactivateForm(forms.Form):
    handover_note = forms.CharField(
        label="Handover note",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Goes with each of their open cases to whoever is given it next.",
    )
    confirm = forms.BooleanField(
        label="I understand they will be signed out now and their open cases go back to "
        "their teams' queues",
        error_messages={"required": "Tick the box to confirm."},
    )


class TeamForm(forms.ModelForm):  # type: ignore[type-arg]
    edit_token = EditTokenField()

    class Meta:
        model = Team
        fields = ["name"]
        labels = {"name": "Team name"}
        error_messages = {"name": {"unique": "There is already a team with this name."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["edit_token"]

    def clean_name(self) -> str:
        name: str = " ".join(self.cleaned_data["name"].split())
        clash = Team.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"There is already a team called {clash[0].name}.")
        return name
