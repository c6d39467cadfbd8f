from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from cases.forms import UKDateField
from documents.forms import attachments_field
from notes.models import Action, CaseNote


class NoteForm(forms.Form):
    """A case note, with an optional action agreed in the same contact."""

    contact_date = UKDateField(label="Date of contact")
    contact_time = forms.TimeField(
        label="Time of contact",
        help_text="24-hour clock, for example 14:30",
        # What it accepts, and how it shows a time: TIME_INPUT_FORMATS in caseload/formats.
        widget=forms.TimeInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": "Enter a time like 14:30."},
    )
    channel = forms.ChoiceField(choices=CaseNote.Channel.choices, label="How")
    present = forms.CharField(max_length=300, required=False, label="Who was present or contacted")
    facts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="What happened (facts)",
        help_text="What was said and done, as facts.",
        error_messages={"required": "Record what happened."},
    )
    opinion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Professional opinion or assessment",
        help_text="Your judgement, kept apart from the facts.",
    )
    actions_taken = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Actions taken"
    )
    next_steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Agreed next steps",
        help_text="Required unless no further action is needed.",
    )
    no_further_action = forms.BooleanField(required=False, label="No further action")
    no_further_action_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why no further action",
    )
    third_party_information = forms.BooleanField(
        required=False,
        label="Contains information about someone other than the client",
        help_text="For example a family member's circumstances. A subject access request "
        "then marks the note for review before anything is released.",
    )
    action_description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Action to follow up",
        help_text="Becomes an action with an owner and a due date.",
    )
    action_owner = forms.ChoiceField(
        choices=Action.Owner.choices, required=False, label="Action owner"
    )
    action_owner_detail = forms.CharField(
        max_length=200, required=False, label="Name of the third party (if the owner is one)"
    )
    action_due_on = UKDateField(required=False, label="Action due on")

    def __init__(self, *args: Any, correcting: CaseNote | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if correcting is None:
            # Files attached as the note is written (documents app); not part of a draft.
            self.fields["attachments"] = attachments_field()
        if correcting is not None:
            self.fields["correction_reason"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}),
                label="What was wrong with the original note",
            )
            for name in (
                "action_description",
                "action_owner",
                "action_owner_detail",
                "action_due_on",
            ):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("action_description", "").strip():
            if not data.get("action_due_on"):
                self.add_error("action_due_on", "Give the action a due date.")
            if not data.get("action_owner"):
                self.add_error("action_owner", "Choose who does the action.")
        return data

    def contact_at(self) -> datetime:
        combined = datetime.combine(
            self.cleaned_data["contact_date"], self.cleaned_data["contact_time"]
        )
        return timezone.make_aware(combined)

    def note_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "channel",
                "present",
                "facts",
                "opinion",
                "actions_taken",
                "next_steps",
                "no_further_action",
                "no_further_action_reason",
                "third_party_information",
            )
        }
        fields["contact_at"] = self.contact_at()
        if "correction_reason" in data:
            fields["correction_reason"] = data["correction_reason"]
        elif data.get("action_description", "").strip():
            fields["action"] = {
                "description": data["action_description"],
                "owner": data["action_owner"],
                "owner_detail": data["action_owner_detail"],
                "due_on": data["action_due_on"],
            }
        return fields

    # Fields whose text makes a draft worth keeping (the date, time and choices are
    # prefilled, so on their own they are nothing typed).
    DRAFT_TYPED_FIELDS = (
        "present",
        "facts",
        "opinion",
        "actions_taken",
        "next_steps",
        "no_further_action_reason",
        "action_description",
        "action_owner_detail",
    )

    @classmethod
    def draft_values(cls, data: QueryDict) -> dict[str, str] | None:
        """The add-a-note form's values as posted, unchecked, for a draft; None when
        nothing has been typed."""
        names = [name for name in cls.base_fields if name != "correction_reason"]
        values = {name: data.get(name, "") for name in names}
        if not any(values[name].strip() for name in cls.DRAFT_TYPED_FIELDS):
            return None
        return values

    # Service errors are keyed by the model's names; show them on the form's fields.
    SERVICE_FIELD = {
        "contact_at": "contact_date",
        "due_on": "action_due_on",
        "description": "action_description",
        "owner_detail": "action_owner_detail",
        "file": "attachments",
    }


class ActionForm(forms.ModelForm):
    due_on = UKDateField(label="Due on")

    class Meta:
        model = Action
        fields = ["description", "owner", "owner_detail", "due_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ActionCancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why it is cancelled")
