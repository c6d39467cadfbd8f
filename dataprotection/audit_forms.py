"""The filters of the audit pages: read from the query string, checked like any form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from cases.forms import ColleagueChoiceField, UKDateField
from cases.models import BreakGlassReview, User

# How far back a staff member's trail looks unless told otherwise.
DEFAULT_DAYS = 30


def staff() -> Any:
    """Everyone who may have seen client data, active or not, by name."""
    return User.objects.order_by("first_name", "last_name", "username")


class _DateRangeForm(forms.Form):
    since = UKDateField(label="From", required=False)
    until = UKDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since: date | None = data.get("since")
        until: date | None = data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range cannot be before its start.")
        return data


class TrailFilterForm(_DateRangeForm):
    """Who and when, on the trail of one client or one case."""

    person = ColleagueChoiceField(
        label="Member of staff", queryset=User.objects.none(), required=False
    )

    field_order = ["person", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff()  # type: ignore[attr-defined]
        self.fields["person"].empty_label = "Anyone"  # type: ignore[attr-defined]


class PersonTrailForm(_DateRangeForm):
    """Whose accesses, over which days: all three needed."""

    person = ColleagueChoiceField(label="Member of staff", queryset=User.objects.none())

    field_order = ["person", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff()  # type: ignore[attr-defined]
        self.fields["since"].required = True
        self.fields["until"].required = True

    @staticmethod
    def default_range(today: date | None = None) -> dict[str, date]:
        today = today or timezone.localdate()
        return {"since": today - timedelta(days=DEFAULT_DAYS), "until": today}


class BreakGlassFilterForm(_DateRangeForm):
    """Which break-the-glass uses: by review outcome, person and day of use."""

    AWAITING = "awaiting"
    STATUS_CHOICES = [
        ("", "Any"),
        (AWAITING, "Awaiting review"),
        (BreakGlassReview.Outcome.REVIEWED, "Reviewed: justified"),
        (BreakGlassReview.Outcome.CONCERN, "Reviewed: a concern"),
    ]

    status = forms.ChoiceField(label="Review", choices=STATUS_CHOICES, required=False)
    person = ColleagueChoiceField(
        label="Who broke the glass", queryset=User.objects.none(), required=False
    )

    field_order = ["status", "person", "since", "until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff()  # type: ignore[attr-defined]
        self.fields["person"].empty_label = "Anyone"  # type: ignore[attr-defined]
