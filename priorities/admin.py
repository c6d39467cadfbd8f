"""Configuration pages for admins: criteria versions, timescales, the calendar."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from caseload.queue import enqueue_later
from priorities import services
from priorities.models import (
    ApproachingMode,
    ClosureDay,
    CriteriaVersion,
    Criterion,
    Organisation,
    Timescale,
)


class CriterionAdminForm(forms.ModelForm):
    """The configuration area's rules for a question (``criterion_problems``), here too."""

    class Meta:
        model = Criterion
        fields = services.CRITERION_FIELDS

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        version = getattr(self.instance, "version", None)
        if version is None or not all(data.get(n) is not None for n in ("key", "weight")):
            return data
        problems = services.criterion_problems(
            draft=version,
            criterion_id=self.instance.pk,
            key=data["key"],
            answer_type=data.get("answer_type") or "",
            labels=[data.get(f"label_{n}") or "" for n in range(4)],
            weight=data["weight"],
            forces_red_at=data.get("forces_red_at"),
        )
        for name, error in problems.items():
            self.add_error(name, error)
        return data


class CriterionInline(admin.StackedInline):
    model = Criterion
    form = CriterionAdminForm
    extra = 0
    fields = [
        "position",
        "key",
        "name",
        "guidance",
        "answer_type",
        ("label_0", "label_1", "label_2", "label_3"),
        "weight",
        "forces_red_at",
    ]

    def _editable(self, obj: CriteriaVersion | None) -> bool:
        return obj is None or obj.status == CriteriaVersion.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: CriteriaVersion | None = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(
        self, request: HttpRequest, obj: CriteriaVersion | None = None
    ) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: CriteriaVersion | None = None
    ) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    """For emergencies only: criteria are drafted, changed and published in the
    configuration area (``configuration.criteria``), which checks what is typed and
    shows the what-if. Here a draft can be changed; published versions never change."""

    list_display = ["number", "status", "red_threshold", "amber_threshold", "published_at"]
    readonly_fields = ["number", "status", "published_at", "published_by"]
    inlines = [CriterionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a draft is started from the published version, on the criteria page

    def has_change_permission(
        self, request: HttpRequest, obj: CriteriaVersion | None = None
    ) -> bool:
        if obj is not None and obj.status != CriteriaVersion.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: CriteriaVersion | None = None
    ) -> bool:
        if obj is not None and obj.status != CriteriaVersion.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_form(
        self,
        request: HttpRequest,
        obj: CriteriaVersion | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        # `form` is a class made by get_form at run time; mypy accepts only
        # classes it can name as bases.
        class CheckedForm(form):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                red, amber = data.get("red_threshold"), data.get("amber_threshold")
                if red is not None and amber is not None:
                    problems = services.thresholds_problems(
                        red_threshold=red,
                        amber_threshold=amber,
                        red_label=data.get("red_label") or "",
                        amber_label=data.get("amber_label") or "",
                        green_label=data.get("green_label") or "",
                    )
                    for name, error in problems.items():
                        self.add_error(name, error)
                return data

        return CheckedForm


@admin.register(Timescale)
class TimescaleAdmin(admin.ModelAdmin):
    list_display = [
        "case_type",
        "level",
        "allocate_days",
        "first_contact_days",
        "contact_interval_days",
        "review_days",
        "close_days",
        "approaching",
    ]
    list_filter = ["case_type", "level"]
    fieldsets = [
        (None, {"fields": ["case_type", "level"]}),
        (
            "Timescales, in working days",
            {
                "fields": [
                    "allocate_days",
                    "first_contact_days",
                    "contact_interval_days",
                    "review_days",
                    "close_days",
                ],
                "description": "A case not assessed yet follows its type's 'Not yet "
                "assessed' row, or the green row if there is none.",
            },
        ),
        (
            "When the sweep flags a due date as approaching",
            {
                "fields": ["approaching_mode", "approaching_days", "approaching_percent"],
                "description": "Statutory and external deadlines, which have no timescale, "
                "follow the organisation settings.",
            },
        ),
    ]

    def get_form(
        self,
        request: HttpRequest,
        obj: Timescale | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        # The configuration pages' rules and words (priorities.services.timescale_validate).
        class CheckedForm(form):  # type: ignore[misc, valid-type]
            def validate_unique(self) -> None:
                pass  # timescale_validate says it in plain English

            def _post_clean(self) -> None:
                super()._post_clean()
                try:
                    services.timescale_validate(self.instance)
                except ValidationError as error:
                    for field, problems in error.message_dict.items():
                        for problem in problems:
                            self.add_error(field if field in self.fields else None, problem)

        return CheckedForm

    @admin.display(description="Approaching")
    def approaching(self, obj: Timescale) -> str:
        if obj.approaching_mode == ApproachingMode.DAYS:
            return f"{obj.approaching_days} working day(s) before"
        if obj.approaching_mode == ApproachingMode.PERCENT:
            return f"{obj.approaching_percent}% of the window"
        return "Organisation setting"

    def save_model(self, request: HttpRequest, obj: Timescale, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _refresh_in_worker(request, Timescale.objects.filter(pk=obj.pk))


def _refresh_in_worker(request: HttpRequest, timescales: QuerySet[Timescale]) -> None:
    """Mark the timescales' due dates stale and ask the worker to recompute them."""
    from priorities.tasks import timescale_refresh_task

    for pk in services.timescales_mark_stale(timescales):
        enqueue_later(timescale_refresh_task, pk)
    messages.info(
        request,
        "The due dates of the cases affected are being recalculated in the background; "
        "flags follow at the next sweep.",
    )


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["day", "description"]

    # Working days move with closure days, and so every due date may move.
    def save_model(self, request: HttpRequest, obj: ClosureDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _refresh_in_worker(request, Timescale.objects.all())

    def delete_model(self, request: HttpRequest, obj: ClosureDay) -> None:
        super().delete_model(request, obj)
        _refresh_in_worker(request, Timescale.objects.all())

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ClosureDay]) -> None:
        super().delete_queryset(request, queryset)
        _refresh_in_worker(request, Timescale.objects.all())


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "nation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Organisation.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return False

    # The nation (its bank holidays) and the approaching default move due dates.
    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if {"nation", "approaching_days"} & set(form.changed_data):
            _refresh_in_worker(request, Timescale.objects.all())
