"""Forms of the configuration area. They parse what was typed; the rules themselves are
the owning app's services' (``priorities.services.timescale_problems`` and friends)."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms import UKDateField
from configuration.concurrency import EditTokenField
from priorities.models import ApproachingMode, Organisation, TimescaleLevel
from priorities.services import timescale_problems

WHOLE_DAYS = {"invalid": "Enter a whole number of working days, like 5."}

# The columns of the timescales grid and form: field, heading, hint.
DAY_COLUMNS = [
    ("allocate_days", "Allocate within", "From when it arrives in the team's queue."),
    ("first_contact_days", "First contact within", "From when the case opened."),
    ("contact_interval_days", "Most days between contacts", "From the last contact."),
    ("review_days", "Reassess every", "From the last assessment."),
    ("close_days", "Target to close within", "From when the case opened."),
]

FOLLOW_GREEN, OWN_ROW = "green", "own"


class TimescaleRowsForm(forms.Form):
    """A case type's four timescale rows in one form: fields ``<level>-<field>``."""

    token = EditTokenField()

    def __init__(self, *args: Any, default_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modes = [
            (
                ApproachingMode.DEFAULT,
                f"The organisation's setting ({default_days} working day"
                f"{'' if default_days == 1 else 's'} before)",
            ),
            (ApproachingMode.DAYS, "A number of working days before it is due"),
            (ApproachingMode.PERCENT, "Once a percentage of the window has passed"),
        ]
        self.fields["unassessed-follows"] = forms.ChoiceField(
            label="Cases not yet assessed",
            choices=[
                (FOLLOW_GREEN, "Follow the Green timescale until assessed"),
                (OWN_ROW, "Have their own timescale, below"),
            ],
            widget=forms.RadioSelect,
            initial=FOLLOW_GREEN,
            error_messages={"required": "Choose what cases not yet assessed follow."},
        )
        for level in TimescaleLevel:
            for name, label, hint in DAY_COLUMNS:
                self.fields[f"{level}-{name}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    help_text=f"Working days. {hint}",
                    error_messages=WHOLE_DAYS,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            self.fields[f"{level}-approaching_mode"] = forms.ChoiceField(
                label="A due date counts as approaching",
                choices=modes,
                initial=ApproachingMode.DEFAULT,
                error_messages={"required": "Choose when a due date counts as approaching."},
            )
            self.fields[f"{level}-approaching_days"] = forms.IntegerField(
                label="Working days before the due date",
                required=False,
                help_text="Only with 'a number of working days'. 0: only once it is due.",
                error_messages=WHOLE_DAYS,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"{level}-approaching_percent"] = forms.IntegerField(
                label="Percentage of the window passed",
                required=False,
                help_text="Only with 'a percentage': from 1 to 99.",
                error_messages={"invalid": "Enter a whole percentage, like 75."},
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def clean(self) -> dict[str, Any]:
        """The service's rules for each row whose numbers all parsed, so that every
        problem shows at once (the service checks them again when saving)."""
        data = super().clean() or {}
        if "unassessed-follows" not in data:
            return data
        for level, values in self.rows().items():
            if values is None or any(name.startswith(f"{level}-") for name in self.errors):
                continue
            for name, problem in timescale_problems(values).items():
                self.add_error(f"{level}-{name}", problem)
        return data

    def level_fields(self, level: str) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(f"{level}-")]

    def rows(self) -> dict[str, dict[str, Any] | None]:
        """The values typed, by level; None where 'not yet assessed' follows green."""
        data = self.cleaned_data
        rows: dict[str, dict[str, Any] | None] = {}
        for level in TimescaleLevel:
            if level == TimescaleLevel.UNASSESSED and data["unassessed-follows"] == FOLLOW_GREEN:
                rows[level] = None
                continue
            rows[level] = {
                name.split("-", 1)[1]: data.get(name)
                for name in self.fields
                if name.startswith(f"{level}-") and name != "unassessed-follows"
            }
        return rows


class NationForm(forms.Form):
    token = EditTokenField()
    nation = forms.ChoiceField(
        label="Whose bank holidays count",
        choices=Organisation.Nation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose England and Wales, Scotland or Northern Ireland."},
    )


class ClosureDayForm(forms.Form):
    day = UKDateField(
        label="Date",
        help_text="For example 24/12/2026.",
        error_messages={"required": "Give the date the organisation is closed."},
    )
    description = forms.CharField(
        label="Reason",
        max_length=100,
        help_text="Shown to everyone, for example 'Staff training day'.",
        error_messages={
            "required": "Give the reason, for example 'Staff training day'.",
            "max_length": "Keep the reason to 100 characters or fewer.",
        },
    )
    confirm = forms.BooleanField(label="Add it all the same", required=False)
