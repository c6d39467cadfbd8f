"""Sections that are a list of rows, each added and edited on a page of its own: case
types, note templates, case weights and review factors.

Each is described once (``Catalogue``): its columns, its form, the fields its edit
token covers and the owning app's service that saves a row. One set of views
serves them all, so every such section lists, validates, refuses a save over
another admin's change and says what it did in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest, apply_service_errors, signed_in_user
from cases.models import CaseType, User
from cases.services import case_type_save
from configuration.concurrency import EditTokenField, StaleEdit, edit_token, require_unchanged
from configuration.views import config_page
from notes.models import NoteTemplate
from notes.services import note_template_save
from reviews.models import CaseWeight, ReviewFactor
from reviews.services import case_weight_save, review_factor_save

Save = Callable[[Any, dict[str, Any], User], Any]


@dataclass(frozen=True)
class Catalogue:
    kind: str  # its URL segment
    section: str  # the side menu's entry it belongs to
    title: str
    singular: str
    intro: str
    model: type[models.Model]
    fields: Sequence[str]
    columns: Sequence[tuple[str, Callable[[Any], Any]]]
    save: Save
    order: Sequence[str] = ()
    labels: dict[str, str] | None = None
    help_texts: dict[str, str] | None = None

    def form_class(self) -> type[forms.ModelForm]:  # type: ignore[type-arg]
        meta = type(
            "Meta",
            (),
            {
                "model": self.model,
                "fields": list(self.fields),
                "labels": self.labels or {},
                "help_texts": self.help_texts or {},
            },
        )
        return type(
            f"{self.model.__name__}ConfigForm",
            (forms.ModelForm,),
            {
                "Meta": meta,
                "edit_token": EditTokenField(),
                # Uniqueness and the model's constraints are the service's to check, in
                # words an admin reads (the database still enforces them); each field's
                # own validators run in the form field.
                "validate_unique": lambda form: None,
                "_get_validation_exclusions": lambda form: set(self.fields),
            },
        )

    def rows(self) -> models.QuerySet[Any]:
        rows = self.model._default_manager.all()
        related = [
            f.name
            for f in self.model._meta.get_fields()
            if isinstance(f, models.ForeignKey) and f.name in self.fields
        ]
        if related:
            rows = rows.select_related(*related)
        return rows.order_by(*self.order) if self.order else rows


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _level_label(weight: CaseWeight) -> str:
    return weight.get_level_display()


CATALOGUES: dict[str, Catalogue] = {
    c.kind: c
    for c in [
        Catalogue(
            kind="case-types",
            section="case-types",
            title="Case types",
            singular="case type",
            intro="The kinds of case advisers open. A case type in use is retired, not "
            "deleted: advisers stop choosing it and its cases keep it.",
            model=CaseType,
            fields=["name", "description", "is_active", "retention_months"],
            columns=[
                ("Description", lambda t: t.description or "None"),
                ("In use", lambda t: _yes_no(t.is_active)),
                ("Kept after the last case closes", lambda t: f"{t.retention_months} months"),
            ],
            save=lambda row, data, by: case_type_save(
                case_type=row,
                name=data["name"],
                description=data["description"],
                is_active=data["is_active"],
                retention_months=data["retention_months"],
                changed_by=by,
            ),
            labels={
                "is_active": "Advisers can choose it for new cases",
                "retention_months": "Retention period in months",
            },
            help_texts={
                "retention_months": "How long a client's record is kept after their last "
                "case closes; the longest of their case types counts. 72 months is six years."
            },
        ),
        Catalogue(
            kind="note-templates",
            section="note-templates",
            title="Note templates",
            singular="note template",
            intro="Headings an adviser can add to a note of the case type: structure, "
            "never content.",
            model=NoteTemplate,
            fields=["case_type", "name", "facts", "next_steps"],
            columns=[
                ("Case type", lambda t: t.case_type.name),
                ("Headings for what happened", lambda t: t.facts),
            ],
            save=lambda row, data, by: note_template_save(
                template=row,
                case_type=data["case_type"],
                name=data["name"],
                facts=data["facts"],
                next_steps=data["next_steps"],
                changed_by=by,
            ),
            order=["case_type__name", "name"],
        ),
        Catalogue(
            kind="weights",
            section="weights",
            title="Case weights",
            singular="case weight",
            intro="How many caseload points one open case counts for. A row for a case "
            "type wins over the default for its level; a level with no row at all "
            "counts 1 point.",
            model=CaseWeight,
            fields=["case_type", "level", "points"],
            columns=[
                ("Level", _level_label),
                ("Points", lambda w: w.points),
            ],
            save=lambda row, data, by: case_weight_save(
                weight=row,
                case_type=data["case_type"],
                level=data["level"],
                points=Decimal(data["points"]),
                changed_by=by,
            ),
            order=["case_type__name", "level"],
            labels={"case_type": "Case type (empty: the default for every case type)"},
        ),
        Catalogue(
            kind="review-factors",
            section="review",
            title="Review factors",
            singular="review factor",
            intro="The checklist of factors affecting a caseload that an adviser ticks in "
            "their caseload review.",
            model=ReviewFactor,
            fields=["label", "position", "is_active"],
            columns=[
                ("Order", lambda f: f.position),
                ("Offered", lambda f: _yes_no(f.is_active)),
            ],
            save=lambda row, data, by: review_factor_save(
                factor=row,
                label=data["label"],
                position=data["position"],
                is_active=data["is_active"],
                changed_by=by,
            ),
            labels={"label": "Factor", "is_active": "Offered in reviews"},
        ),
    ]
}


def _catalogue(kind: str) -> Catalogue:
    try:
        return CATALOGUES[kind]
    except KeyError:
        raise Http404("No such configuration list.") from None


@require_GET
@role_required(Role.ADMIN)
def catalogue_list(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    catalogue = _catalogue(kind)
    rows = [(row, [value(row) for _, value in catalogue.columns]) for row in catalogue.rows()]
    return config_page(
        request,
        "configuration/catalogue.html",
        section=catalogue.section,
        context={"catalogue": catalogue, "rows": rows},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def catalogue_edit(request: AuthenticatedRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Add a row (no ``pk``) or change one, through the owning app's service."""
    catalogue = _catalogue(kind)
    model = catalogue.model
    row = get_object_or_404(model, pk=pk) if pk is not None else model()
    form_class = catalogue.form_class()
    token = edit_token([row] if pk is not None else [], catalogue.fields)
    form = form_class(request.POST or None, instance=row, initial={"edit_token": token})
    if pk is None:
        del form.fields["edit_token"]  # a new row: there is nobody's change to overwrite
    typed: list[tuple[str, Any]] = []
    stale = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if pk is not None:
                    locked = model._default_manager.select_for_update().get(pk=pk)
                    require_unchanged(data["edit_token"], [locked], catalogue.fields)
                else:
                    locked = model()
                catalogue.save(locked, data, signed_in_user(request))
        except StaleEdit as error:
            stale = str(error)
            typed = [(str(form.fields[name].label), data.get(name)) for name in catalogue.fields]
            fresh = model._default_manager.get(pk=pk)
            form = form_class(
                instance=fresh, initial={"edit_token": edit_token([fresh], catalogue.fields)}
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"The {catalogue.singular} is saved.")
            return redirect("configuration:catalogue", kind=kind)
    back = reverse("configuration:catalogue", kwargs={"kind": kind})
    return config_page(
        request,
        "configuration/form_page.html",
        section=catalogue.section,
        context={
            "form": form,
            "typed": typed,
            "stale": stale,
            "title": f"Change the {catalogue.singular}" if pk else f"Add a {catalogue.singular}",
            "submit": "Save",
            "back_url": back,
            "parent_url": back,
            "parent_title": catalogue.title,
        },
    )


class CatalogueKind:
    """A path converter that matches only the catalogues there are."""

    regex = "|".join(CATALOGUES)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# --- the review section's one setting -------------------------------------------------


class ReviewPolicyForm(forms.Form):
    interval_working_days = forms.IntegerField(
        label="A caseload review is due every (working days)",
        min_value=1,
        max_value=260,
        help_text="Counted from the day the last review was signed off. 20 is about a month.",
    )
    edit_token = EditTokenField()


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def review_settings(request: AuthenticatedRequest) -> HttpResponse:
    from reviews.models import ReviewPolicy
    from reviews.services import review_policy_save

    fields = ["interval_working_days"]
    policy = ReviewPolicy.current()
    initial = {
        "interval_working_days": policy.interval_working_days,
        "edit_token": edit_token([policy], fields),
    }
    form = ReviewPolicyForm(request.POST or None, initial=initial)
    typed: list[tuple[str, Any]] = []
    stale = ""
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["interval_working_days"]
        try:
            with transaction.atomic():
                locked = ReviewPolicy.objects.select_for_update().get(pk=policy.pk)
                require_unchanged(form.cleaned_data["edit_token"], [locked], fields)
                review_policy_save(interval_working_days=wanted, changed_by=signed_in_user(request))
        except StaleEdit as error:
            stale = str(error)
            typed = [(str(form.fields["interval_working_days"].label), wanted)]
            policy.refresh_from_db()
            form = ReviewPolicyForm(
                initial={
                    "interval_working_days": policy.interval_working_days,
                    "edit_token": edit_token([policy], fields),
                }
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Caseload reviews are now due every {wanted} working days after the last "
                "sign-off; reviews already scheduled keep their date.",
            )
            return redirect("configuration:review_settings")
    return config_page(
        request,
        "configuration/form_page.html",
        section="review",
        context={
            "form": form,
            "typed": typed,
            "stale": stale,
            "title": "Caseload reviews",
            "intro": "How often each adviser reviews their caseload with their supervisor. "
            "The checklist of factors they consider is under Review factors.",
            "submit": "Save",
            "back_url": reverse("configuration:home"),
            "parent_url": reverse("configuration:catalogue", kwargs={"kind": "review-factors"}),
            "parent_title": "Review factors",
        },
    )
