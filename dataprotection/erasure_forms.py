"""Forms of the retention, erasure and restriction pages. A client is named by their
reference (typed in the form's body, never put in a URL)."""

from __future__ import annotations

from typing import Any

from django import forms

from cases.forms import UKDateField
from cases.models import Case, Client
from cases.selectors import clients_matching
from dataprotection.models import DisposalItem, ErasureRequest


class ClientReferenceField(forms.CharField):
    """A client's reference, such as C-000012, resolved to the client."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Client reference")
        kwargs.setdefault("help_text", "For example C-000012")
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Client:
        text = super().clean(value).strip().upper()
        client = clients_matching(reference=text).first()
        if client is None:
            raise forms.ValidationError(f"No client has the reference {text}.")
        return client


class ReasonField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)


class ClientFlagForm(forms.Form):
    """Place a legal hold or a restriction of processing on a client."""

    reference = ClientReferenceField()
    reason = ReasonField(label="Reason")


class LiftForm(forms.Form):
    reason = ReasonField(label="Why it is lifted")


class DisposalApprovalForm(forms.Form):
    items = forms.TypedMultipleChoiceField(
        label="Clients to erase",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one client to erase."},
    )
    reason = ReasonField(
        label="Reason for approving",
        help_text="For example: retention period ended; checked against open claims.",
    )

    def __init__(self, *args: Any, items: list[DisposalItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        field.choices = [(item.pk, item.client.reference) for item in items]
        self.fields["items"].initial = [item.pk for item in items]


class ErasureRequestForm(forms.Form):
    reference = ClientReferenceField()
    received_on = UKDateField(label="Request received on")


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (ErasureRequest.Decision.ERASE, "Erase the client's personal data"),
            (ErasureRequest.Decision.REFUSE, "Refuse, on a legal ground"),
            (ErasureRequest.Decision.RESTRICT, "Restrict processing instead"),
        ],
    )
    ground = forms.ChoiceField(
        label="Legal ground for refusing",
        required=False,
        choices=[("", "Not refusing"), *ErasureRequest.Ground.choices],
    )
    ground_detail = forms.CharField(
        label="Which ground (when other)", required=False, max_length=500
    )
    reason = ReasonField(label="Reasons for the decision")


class CaseChoiceField(forms.ModelChoiceField):
    """A choice of the client's cases, each offered by reference and case type."""

    def label_from_instance(self, obj: Case) -> str:
        return f"{obj.reference} ({obj.case_type.name})"


class FileNoteForm(forms.Form):
    case = CaseChoiceField(label="Case", queryset=Case.objects.none())
    facts = forms.CharField(label="File note", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, client_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case"]
        assert isinstance(field, CaseChoiceField)  # noqa: S101 - declared above
        field.queryset = Case.objects.filter(client_id=client_id).select_related("case_type")
