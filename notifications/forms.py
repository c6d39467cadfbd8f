from __future__ import annotations

from typing import Any

from django import forms

from notifications.models import CHOOSABLE_KINDS, Delivery, Kind


class PreferencesForm(forms.Form):
    """One choice of delivery for each kind a person may choose for."""

    def __init__(self, *args: Any, deliveries: dict[Kind, Delivery], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in CHOOSABLE_KINDS:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=Delivery.choices,
                initial=deliveries[kind].value,
                widget=forms.RadioSelect,
            )
