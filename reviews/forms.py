from __future__ import annotations

from typing import Any, cast

from django import forms

from cases.forms import ColleagueChoiceField
from cases.models import User
from reviews.models import CaseloadReview, ReviewDecision, ReviewFactor

NO_CLIENT_NAMES = "Refer to cases by reference; do not name clients."


class CapacityConcernForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything your supervisor should know",
        help_text=NO_CLIENT_NAMES,
    )


class ReviewStartForm(forms.Form):
    adviser = ColleagueChoiceField(queryset=User.objects.none(), label="Adviser")

    def __init__(self, *args: Any, advisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ColleagueChoiceField, self.fields["adviser"]).queryset = advisers


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=ReviewDecision.Decision.choices, widget=forms.RadioSelect, label="Decision"
    )
    comment = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Comment",
        help_text="Why, and what happens next. Needed for any decision that changes the case.",
    )


class ReflectionForm(forms.Form):
    factors = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Factors affecting the caseload",
    )
    factors_note = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=CaseloadReview._meta.get_field("factors_note").verbose_name.capitalize(),
    )
    improvements = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Improvements identified",
    )
    adviser_actions = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Agreed actions for the adviser",
    )
    supervisor_actions = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Agreed actions for the supervisor",
    )

    def __init__(self, *args: Any, chosen: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = list(ReviewFactor.objects.filter(is_active=True).values_list("label", flat=True))
        # A factor ticked before an admin retired it stays on offer for this review.
        labels += [label for label in chosen or [] if label not in labels]
        cast(forms.MultipleChoiceField, self.fields["factors"]).choices = [
            (label, label) for label in labels
        ]


class ReturnForm(forms.Form):
    comment = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="What needs changing",
        error_messages={"required": "Say what needs changing before you can sign it off."},
    )


class SignOffForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Supervisor's comment",
    )
