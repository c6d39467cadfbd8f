from __future__ import annotations

from typing import Any

from django import forms

from priorities.models import CriteriaVersion, Criterion, Level


def assessment_question(criterion: Criterion) -> forms.TypedChoiceField:
    """The question a criterion asks on the assessment form (and in the criteria pages'
    preview of it, so that the preview is what an adviser will see)."""
    return forms.TypedChoiceField(
        label=criterion.name,
        help_text=criterion.guidance,
        choices=criterion.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer this question."},
    )


class AssessmentForm(forms.Form):
    """One radio question per criterion of the published version, then the rationale."""

    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Rationale",
        help_text="Why this is the right priority for this case. Required.",
        error_messages={
            "required": "Explain why this is the right priority (the rationale is required)."
        },
    )

    def __init__(self, *args: Any, version: CriteriaVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(version.criteria.all())
        questions = {}
        for criterion in self.criteria:
            questions[f"answer_{criterion.key}"] = assessment_question(criterion)
        # Questions first, rationale last.
        self.fields = {**questions, "rationale": self.fields["rationale"]}

    def answers(self) -> dict[str, int]:
        return {c.key: self.cleaned_data[f"answer_{c.key}"] for c in self.criteria}


class OverrideForm(forms.Form):
    level = forms.ChoiceField(
        choices=Level.choices, widget=forms.RadioSelect, label="Priority level"
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Why you are overriding the assessed priority",
        error_messages={"required": "Explain why you are overriding the priority."},
    )
