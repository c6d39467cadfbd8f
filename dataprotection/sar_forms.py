"""Forms of the subject access pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from cases.forms import UKDateField
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest


class SarOpenForm(forms.Form):
    """Find the client by reference, or by family name and date of birth (blind indexes)."""

    reference = forms.CharField(
        max_length=20,
        required=False,
        label="Client reference",
        help_text="For example C-000012. Or give the family name and date of birth instead.",
    )
    family_name = forms.CharField(max_length=100, required=False, label="Family name")
    date_of_birth = UKDateField(required=False, label="Date of birth")
    received_on = UKDateField(label="Request received on")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reference", "").strip():
            if not data.get("family_name", "").strip():
                self.add_error(
                    "family_name", "Give the family name and date of birth, or the reference."
                )
            if not data.get("date_of_birth") and "date_of_birth" not in self.errors:
                self.add_error(
                    "date_of_birth",
                    "Give the date of birth with the family name, or the reference.",
                )
        return data


class SarExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        choices=[(1, "One month"), (2, "Two months")],
        coerce=int,
        widget=forms.RadioSelect,
        label="Extend by",
        error_messages={"required": "Choose one or two months."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the request needs more time",
        help_text="For example the number or complexity of the requests. Tell the client too.",
        error_messages={
            "required": "Say why the request needs more time (for example its complexity)."
        },
    )


class SarItemForm(forms.Form):
    decision = forms.ChoiceField(
        choices=SubjectAccessItem.Decision.choices,
        widget=forms.RadioSelect,
        label="What to do with this item",
        error_messages={"required": "Choose whether to withhold or redact the item."},
    )
    reason = forms.ChoiceField(
        choices=[("", "Choose the legal reason"), *SubjectAccessItem.Reason.choices],
        label="Legal reason",
        error_messages={"required": "Choose the legal reason."},
    )
    reason_other = forms.CharField(
        max_length=300,
        required=False,
        label="Which exemption (when the reason is other)",
    )
    redacted_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Text to release (when redacting)",
        help_text="The item's text as the client is to see it, with the redacted parts "
        "removed or replaced by [redacted].",
    )


class SarReleaseForm(forms.Form):
    released_to = forms.CharField(
        max_length=300,
        label="Released to",
        help_text="The client, or their representative with the client's authority.",
        error_messages={
            "required": "Say who the copy goes to (the client, or their representative)."
        },
    )
    release_method = forms.ChoiceField(
        choices=[("", "Choose how"), *SubjectAccessRequest.Method.choices],
        label="How the copy is given",
        error_messages={"required": "Choose how the copy is given."},
    )


class SarCloseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the request is closed without a release",
        help_text="For example withdrawn by the client, or the identity could not be confirmed.",
        error_messages={"required": "Say why the request is closed without a release."},
    )
