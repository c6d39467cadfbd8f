"""Priority criteria: the versions, a draft's thresholds and questions, the what-if and
publishing, and each published version read-only with what it changed.

One draft at a time (``priorities.services.version_draft_start`` says why). Every
write goes through ``priorities.services``; each form carries an edit token, so a
save over another admin's change is refused (409) with their change shown and what
this admin typed kept, and publishing is refused if the draft changed since its
what-if was drawn.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest, apply_service_errors, signed_in_user
from configuration.concurrency import (
    STALE_MESSAGE,
    EditTokenField,
    StaleEdit,
    edit_token,
    require_unchanged,
)
from configuration.views import config_page
from priorities import selectors, services
from priorities.forms import assessment_question
from priorities.models import BadgeColour, CriteriaVersion, Criterion, Level
from priorities.selectors import FIELD_LABELS
from priorities.services import CRITERION_FIELDS, THRESHOLD_FIELDS

LEVELS = [Level.RED, Level.AMBER, Level.GREEN]


# --- forms -------------------------------------------------------------------------------


def _labelled(form: forms.Form) -> None:
    for name, field in form.fields.items():
        if name in FIELD_LABELS:
            field.label = FIELD_LABELS[name]


class ThresholdsForm(forms.Form):
    """A draft's thresholds, its deadline rule and its levels' names and colours."""

    red_threshold = forms.IntegerField(
        min_value=1,
        max_value=100000,
        help_text="A weighted score at or above this makes a case red.",
    )
    amber_threshold = forms.IntegerField(
        min_value=1,
        max_value=100000,
        help_text="A weighted score at or above this, and below red, makes a case amber; "
        "below it, green.",
        error_messages={"min_value": "The amber threshold must be at least 1."},
    )
    red_if_deadline_within = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=260,
        help_text="A case with a statutory deadline this close is red whatever it scores. "
        "Leave empty for no such rule.",
    )
    red_label = forms.CharField(max_length=30)
    red_colour = forms.ChoiceField(choices=BadgeColour.choices)
    amber_label = forms.CharField(max_length=30)
    amber_colour = forms.ChoiceField(choices=BadgeColour.choices)
    green_label = forms.CharField(max_length=30)
    green_colour = forms.ChoiceField(choices=BadgeColour.choices)
    edit_token = EditTokenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labelled(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if all(name in data for name in ("red_threshold", "amber_threshold")) and all(
            data.get(name) is not None for name in ("red_label", "amber_label", "green_label")
        ):
            for name, error in services.thresholds_problems(
                red_threshold=data["red_threshold"],
                amber_threshold=data["amber_threshold"],
                red_label=data["red_label"],
                amber_label=data["amber_label"],
                green_label=data["green_label"],
            ).items():
                self.add_error(name, error)
        return data


class CriterionForm(forms.Form):
    """One question of a draft."""

    name = forms.CharField(
        max_length=200, help_text="As the adviser reads it, for example 'Any risk of harm?'."
    )
    guidance = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the adviser should consider; shown under the question.",
    )
    answer_type = forms.ChoiceField(choices=Criterion.AnswerType.choices, widget=forms.RadioSelect)
    label_0 = forms.CharField(max_length=60, required=False)
    label_1 = forms.CharField(max_length=60, required=False)
    label_2 = forms.CharField(max_length=60, required=False)
    label_3 = forms.CharField(max_length=60, required=False)
    weight = forms.IntegerField(
        min_value=1,
        max_value=100,
        help_text="The answer (0 or 1, or 0 to 3) times this is added to the case's score. "
        "From 1 to 100.",
        error_messages={
            "min_value": "The weight must be a whole number from 1 to 100.",
            "max_value": "The weight must be a whole number from 1 to 100.",
            "invalid": "The weight must be a whole number from 1 to 100.",
        },
    )
    forces_red_at = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3,
        help_text="An answer at or above this makes the case red whatever it scores: 1 "
        "means 'yes' for a yes-or-no question. Leave empty for no such rule.",
        error_messages={
            "min_value": "Choose an answer from 1 to 3, or leave this empty.",
            "max_value": "Choose an answer from 1 to 3, or leave this empty.",
        },
    )
    key = forms.SlugField(
        max_length=50,
        help_text="A short name that stays the same from version to version, so that "
        "answers can be compared: letters, digits, hyphens and underscores.",
        error_messages={
            "invalid": "Use only letters, digits, hyphens and underscores, with no spaces."
        },
    )
    position = forms.IntegerField(
        min_value=0, max_value=1000, help_text="Questions are asked from the lowest number."
    )
    edit_token = EditTokenField()

    def __init__(self, *args: Any, draft: CriteriaVersion, pk: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _labelled(self)
        for n in range(4):
            self.fields[f"label_{n}"].help_text = (
                "For a scale only. Name all four points, or none to show the numbers 0 to 3."
                if n == 0
                else ""
            )
        self.draft = draft
        self.pk = pk
        if pk is None:
            del self.fields["edit_token"]  # a new question: nobody's change to overwrite

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if all(name in data for name in ("key", "answer_type", "weight")):
            problems = services.criterion_problems(
                draft=self.draft,
                criterion_id=self.pk,
                key=data["key"],
                answer_type=data["answer_type"],
                labels=[data.get(f"label_{n}", "") for n in range(4)],
                weight=data["weight"],
                forces_red_at=data.get("forces_red_at"),
            )
            for name, error in problems.items():
                self.add_error(name, error)
        return data


class PublishForm(forms.Form):
    change_reason = forms.CharField(
        label="Why this version",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changes and why, for those who read the history later. Required.",
        error_messages={
            "required": "Say why this version is needed: it is kept with the version for "
            "whoever reads the history."
        },
    )
    edit_token = EditTokenField()


# --- helpers -----------------------------------------------------------------------------


def _version(pk: int) -> CriteriaVersion:
    return get_object_or_404(CriteriaVersion.objects.select_related("published_by"), pk=pk)


def _draft(pk: int) -> CriteriaVersion:
    return get_object_or_404(CriteriaVersion, pk=pk, status=CriteriaVersion.Status.DRAFT)


def _thresholds_initial(version: CriteriaVersion) -> dict[str, Any]:
    return {
        **{name: getattr(version, name) for name in THRESHOLD_FIELDS},
        "edit_token": edit_token([version], THRESHOLD_FIELDS),
    }


def _criterion_initial(criterion: Criterion) -> dict[str, Any]:
    return {
        **{name: getattr(criterion, name) for name in CRITERION_FIELDS},
        "edit_token": edit_token([criterion], CRITERION_FIELDS),
    }


def _typed(form: forms.Form) -> list[tuple[str, Any]]:
    """What the admin typed, by label, to show beside another admin's change."""
    return [
        (str(form.fields[name].label or name), value)
        for name, value in form.cleaned_data.items()
        if name != "edit_token"
    ]


def _draft_token(draft: CriteriaVersion) -> str:
    """The edit token of a whole draft: its thresholds and every question (added or
    removed ones too), so that publishing what changed since the what-if is refused."""
    return edit_token([draft], THRESHOLD_FIELDS) + edit_token(
        Criterion.objects.filter(version=draft), CRITERION_FIELDS
    )


def _highest_score(criteria: list[Criterion]) -> int:
    return sum(c.weight * c.max_answer for c in criteria)


# --- the versions ------------------------------------------------------------------------


@require_http_methods(["GET"])
@role_required(Role.ADMIN)
def versions(request: AuthenticatedRequest) -> HttpResponse:
    rows = CriteriaVersion.objects.select_related("published_by").annotate(
        questions=Count("criteria")
    )
    rows = rows.order_by("-number")
    return config_page(
        request,
        "configuration/criteria.html",
        section="criteria",
        context={
            "versions": rows,
            "draft": next((v for v in rows if v.status == CriteriaVersion.Status.DRAFT), None),
        },
    )


@require_POST
@role_required(Role.ADMIN)
def draft_start(request: AuthenticatedRequest) -> HttpResponse:
    try:
        draft = services.version_draft_start(started_by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("configuration:criteria")
    messages.success(
        request,
        f"Draft version {draft.number} is ready to change. Nothing reaches advisers until "
        "it is published.",
    )
    return redirect("configuration:criteria_version", pk=draft.pk)


@require_POST
@role_required(Role.ADMIN)
def draft_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    draft = _draft(pk)
    services.version_discard(draft=draft, discarded_by=signed_in_user(request))
    messages.success(request, f"Draft version {draft.number} is discarded.")
    return redirect("configuration:criteria")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def version_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A draft: its thresholds form and its questions. Otherwise read-only, with its diff."""
    version = _version(pk)
    is_draft = version.status == CriteriaVersion.Status.DRAFT
    form: ThresholdsForm | None = None
    typed: list[tuple[str, Any]] = []
    stale = ""
    if is_draft:
        if request.method == "POST":
            form = ThresholdsForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    with transaction.atomic():
                        locked = CriteriaVersion.objects.select_for_update().get(pk=pk)
                        require_unchanged(data["edit_token"], [locked], THRESHOLD_FIELDS)
                        services.version_thresholds_save(
                            draft=locked,
                            changed_by=signed_in_user(request),
                            **{name: data[name] for name in THRESHOLD_FIELDS},
                        )
                except StaleEdit as error:
                    stale = str(error)
                    typed = _typed(form)
                    version.refresh_from_db()
                    form = ThresholdsForm(initial=_thresholds_initial(version))
                except ValidationError as error:
                    apply_service_errors(form, error)
                else:
                    messages.success(request, "The thresholds and levels are saved.")
                    return redirect("configuration:criteria_version", pk=pk)
        else:
            form = ThresholdsForm(initial=_thresholds_initial(version))
    elif request.method == "POST":
        messages.error(
            request, f"Version {version.number} is published or retired: it cannot change."
        )
        return redirect("configuration:criteria_version", pk=pk)
    criteria = list(version.criteria.all())
    previous = selectors.previous_version(version)
    return config_page(
        request,
        "configuration/criteria_version.html",
        section="criteria",
        context={
            "version": version,
            "is_draft": is_draft,
            "form": form,
            "typed": typed,
            "stale": stale,
            "criteria": criteria,
            "highest_score": _highest_score(criteria),
            "previous": previous,
            "diff": selectors.version_diff(previous, version) if previous else None,
        },
    )


# --- a draft's questions -----------------------------------------------------------------


def _preview_criterion(data: Any, draft: CriteriaVersion) -> Criterion:
    """An unsaved criterion from what is typed so far, for the preview (never saved)."""

    def text(name: str) -> str:
        return str(data.get(name, "")).strip()

    answer_type = text("answer_type")
    if answer_type not in Criterion.AnswerType.values:
        answer_type = Criterion.AnswerType.SCALE
    return Criterion(
        version=draft,
        name=text("name") or "(The question)",
        guidance=text("guidance"),
        answer_type=answer_type,
        label_0=text("label_0"),
        label_1=text("label_1"),
        label_2=text("label_2"),
        label_3=text("label_3"),
    )


class _Preview(forms.Form):
    pass


def preview_html(criterion: Criterion) -> str:
    """The question as the assessment form shows it: the same field, the same template."""
    form = _Preview(prefix="preview")
    form.fields["answer"] = assessment_question(criterion)
    return render_to_string("includes/form_field.html", {"field": form["answer"]})


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def criterion_edit(
    request: AuthenticatedRequest, pk: int, criterion_pk: int | None = None
) -> HttpResponse:
    """Add a question to a draft (no ``criterion_pk``), or change one; with its preview."""
    draft = _draft(pk)
    criterion = (
        get_object_or_404(Criterion, pk=criterion_pk, version=draft)
        if criterion_pk is not None
        else None
    )
    if criterion is not None:
        initial = _criterion_initial(criterion)
    else:
        last = draft.criteria.order_by("-position").values_list("position", flat=True).first()
        initial = {"answer_type": Criterion.AnswerType.SCALE, "position": (last or 0) + 1}
    form = CriterionForm(request.POST or None, initial=initial, draft=draft, pk=criterion_pk)
    typed: list[tuple[str, Any]] = []
    stale = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                locked: Criterion | None = None
                if criterion_pk is not None:
                    locked = Criterion.objects.select_for_update().get(pk=criterion_pk)
                    require_unchanged(data["edit_token"], [locked], CRITERION_FIELDS)
                saved = services.criterion_save(
                    draft=draft,
                    criterion=locked,
                    changed_by=signed_in_user(request),
                    **{name: data[name] for name in CRITERION_FIELDS},
                )
        except StaleEdit as error:
            stale = str(error)
            typed = _typed(form)
            # Only a saved question carries a token that can go stale.
            criterion = Criterion.objects.get(pk=criterion_pk or 0)
            form = CriterionForm(
                initial=_criterion_initial(criterion), draft=draft, pk=criterion_pk
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"'{saved.name}' is saved in draft version {draft.number}. The preview shows "
                "it as advisers will see it.",
            )
            return redirect("configuration:criterion", pk=draft.pk, criterion_pk=saved.pk)
    # The preview: what was typed, when the form comes back with errors; else as saved.
    if request.method == "POST" and not stale:
        shown = _preview_criterion(request.POST, draft)
    else:
        shown = criterion or _preview_criterion(initial, draft)
    return config_page(
        request,
        "configuration/criterion.html",
        section="criteria",
        context={
            "draft": draft,
            "criterion": criterion,
            "form": form,
            "typed": typed,
            "stale": stale,
            "preview": preview_html(shown),
            "title": f"Change '{criterion.name}'" if criterion else "Add a question",
        },
    )


@require_POST
@role_required(Role.ADMIN)
def criterion_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The preview of the question being typed (the criterion page's script asks for it
    as the admin types). Saves nothing."""
    draft = _draft(pk)
    return HttpResponse(preview_html(_preview_criterion(request.POST, draft)))


@require_POST
@role_required(Role.ADMIN)
def criterion_remove(request: AuthenticatedRequest, pk: int, criterion_pk: int) -> HttpResponse:
    draft = _draft(pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, version=draft)
    try:
        services.criterion_remove(criterion=criterion, removed_by=signed_in_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"'{criterion.name}' is removed from draft version {draft.number}."
        )
    return redirect("configuration:criteria_version", pk=draft.pk)


# --- the what-if, and publishing ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What publishing the draft would do (level moves and reassessments per adviser),
    and publishing it with the reason for it."""
    draft = _draft(pk)
    form = PublishForm(request.POST or None, initial={"edit_token": _draft_token(draft)})
    stale = ""
    typed: list[tuple[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                locked = CriteriaVersion.objects.select_for_update().get(pk=pk)
                list(Criterion.objects.select_for_update().filter(version=locked))
                if data["edit_token"] != _draft_token(locked):
                    raise StaleEdit(STALE_MESSAGE)
                services.version_publish(
                    draft=locked,
                    published_by=signed_in_user(request),
                    reason=data["change_reason"],
                )
        except StaleEdit as error:
            stale = f"{error} The figures below are for the draft as it is now."
            typed = _typed(form)
            draft.refresh_from_db()  # the what-if and the new token are of the draft as it is
            form = PublishForm(initial={"edit_token": _draft_token(draft)})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Criteria version {draft.number} is published. Cases assessed under "
                "earlier versions are now due for assessment.",
            )
            return redirect("configuration:criteria_version", pk=pk)
    moves = services.what_if(draft)
    in_use = CriteriaVersion.published() or draft
    table = [
        (
            in_use.label_for(old),
            [(draft.label_for(new), moves.get((old, new), 0)) for new in LEVELS],
        )
        for old in LEVELS
    ]
    workload = selectors.publish_workload(draft=draft, today=timezone.localdate())
    return config_page(
        request,
        "configuration/criteria_publish.html",
        section="criteria",
        context={
            "draft": draft,
            "form": form,
            "stale": stale,
            "typed": typed,
            "table": table,
            "levels": [draft.label_for(level) for level in LEVELS],
            "changing": sum(count for (old, new), count in moves.items() if old != new),
            "workload": [row for row in workload if row.newly_due or row.already_due],
            "newly_due": sum(row.newly_due for row in workload),
            "already_due": sum(row.already_due for row in workload),
            "back_url": reverse("configuration:criteria_version", kwargs={"pk": pk}),
        },
    )
