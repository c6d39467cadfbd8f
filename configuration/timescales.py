"""The timescales and calendar sections of the configuration area."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.formats import human_date
from caseload.roles import Role, role_required
from caseload.web import AuthenticatedRequest, submit_once
from cases.models import CaseType
from configuration.concurrency import StaleEdit, edit_token, require_unchanged
from configuration.timescale_forms import (
    DAY_COLUMNS,
    FOLLOW_GREEN,
    OWN_ROW,
    ClosureDayForm,
    NationForm,
    TimescaleRowsForm,
)
from configuration.views import config_page
from priorities import selectors, services
from priorities.models import (
    ApproachingMode,
    ClosureDay,
    Organisation,
    Timescale,
    TimescaleLevel,
)

# What the edit token of a case type's timescales covers.
TOKEN_FIELDS = ["level", *services.TIMESCALE_FIELDS]
NATION_FIELDS = ["nation"]
NO_EDIT_MARK = (
    "This form came without what it was drawn from, so it was not saved: reload the page."
)


def _recalculation(saved: services.ConfigurationSaved) -> str:
    if saved.cases == 0:
        return "No open case's due dates depend on it, so none move."
    cases = "1 open case" if saved.cases == 1 else f"{saved.cases:,} open cases"
    return (
        f"The due dates of {cases} are being recalculated now in the background; "
        "deadline flags follow at the next sweep."
    )


# --- timescales -------------------------------------------------------------------------


@require_GET
@role_required(Role.ADMIN)
def timescales(request: AuthenticatedRequest) -> HttpResponse:
    return config_page(
        request,
        "configuration/timescales.html",
        section="timescales",
        context={
            "grid": selectors.timescale_grid(),
            "columns": DAY_COLUMNS,
            "default_days": Organisation.current().approaching_days,
        },
    )


def _timescale_initial(rows: list[Timescale]) -> dict[str, Any]:
    initial: dict[str, Any] = {"token": edit_token(rows, TOKEN_FIELDS)}
    initial["unassessed-follows"] = FOLLOW_GREEN
    for row in rows:
        if row.level == TimescaleLevel.UNASSESSED:
            initial["unassessed-follows"] = OWN_ROW
        for name in services.TIMESCALE_FIELDS:
            initial[f"{row.level}-{name}"] = getattr(row, name)
        # A number kept from a rule no longer chosen is not shown (it would be refused).
        if row.approaching_mode != ApproachingMode.DAYS:
            initial[f"{row.level}-approaching_days"] = None
        if row.approaching_mode != ApproachingMode.PERCENT:
            initial[f"{row.level}-approaching_percent"] = None
    return initial


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def timescales_edit(request: AuthenticatedRequest, case_type_id: int) -> HttpResponse:
    case_type = get_object_or_404(CaseType, pk=case_type_id)
    default_days = Organisation.current().approaching_days

    def current_form() -> TimescaleRowsForm:
        rows = list(Timescale.objects.filter(case_type=case_type))
        return TimescaleRowsForm(initial=_timescale_initial(rows), default_days=default_days)

    form = current_form()
    typed: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        posted = TimescaleRowsForm(request.POST, default_days=default_days)
        if posted.is_valid():
            token = posted.cleaned_data["token"]
            try:
                saved = services.timescales_set(
                    case_type=case_type,
                    rows=posted.rows(),
                    unchanged=lambda rows: require_unchanged(token, rows, TOKEN_FIELDS),
                )
            except StaleEdit as stale:
                messages.error(request, str(stale))
                typed = _typed(posted)
                status = 409
            except ValidationError as error:
                for key, problems in error.message_dict.items():
                    for problem in problems:
                        posted.add_error(key, problem)
                form = posted
            else:
                if saved.changed:
                    messages.success(
                        request,
                        f"Saved the timescales for {case_type.name}. {_recalculation(saved)}",
                    )
                else:
                    messages.info(
                        request, f"Nothing changed: the timescales for {case_type.name} stand."
                    )
                return redirect("configuration:timescales")
        else:
            form = posted
            if "token" in form.errors:
                form.add_error(None, NO_EDIT_MARK)
    levels = [
        (
            level,
            [f for f in form.level_fields(level) if f.name != "unassessed-follows"],
        )
        for level in TimescaleLevel
    ]
    error_list = [
        (
            f"{bound.auto_id}_0" if name == "unassessed-follows" else bound.id_for_label,
            f"{TimescaleLevel(name.split('-', 1)[0]).label}: {bound.label}",
            error,
        )
        for name, bound in ((name, form[name]) for name in form.fields)
        if name != "token"
        for error in bound.errors
    ]
    return config_page(
        request,
        "configuration/timescales_edit.html",
        section="timescales",
        context={
            "case_type": case_type,
            "form": form,
            "levels": levels,
            "follows_field": form["unassessed-follows"],
            "error_list": error_list,
            "typed": typed,
            "default_days": default_days,
        },
        status=status,
    )


def _typed(form: TimescaleRowsForm) -> list[tuple[str, str]]:
    """What the admin typed into a form refused as stale, as (where, value) for the page."""
    typed = []
    for name, field in form.fields.items():
        if name == "token":
            continue
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if isinstance(field, forms.ChoiceField):
            value = dict(list(field.choices)).get(value, value)  # type: ignore[arg-type]
        level = name.split("-", 1)[0]
        typed.append((f"{TimescaleLevel(level).label}: {field.label}", str(value)))
    return typed


# --- calendar ---------------------------------------------------------------------------


def _year(request: AuthenticatedRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _calendar_page(
    request: AuthenticatedRequest,
    *,
    year: int | None = None,
    nation_form: NationForm | None = None,
    closure_form: ClosureDayForm | None = None,
    warning: str = "",
    typed_nation: str = "",
    status: int = 200,
) -> HttpResponse:
    organisation = Organisation.current()
    year = year or _year(request)
    months = selectors.calendar_year(year)
    days = [d for month in months for week in month.weeks for d in week if d is not None]
    counts = {kind: sum(d.kind == kind for d in days) for kind in ("working", "holiday", "closure")}
    return config_page(
        request,
        "configuration/calendar.html",
        section="calendar",
        context={
            "organisation": organisation,
            "nation_form": nation_form
            or NationForm(
                initial={
                    "nation": organisation.nation,
                    "token": edit_token([organisation], NATION_FIELDS),
                }
            ),
            "closure_form": closure_form or ClosureDayForm(),
            "warning": warning,
            "typed_nation": typed_nation,
            "closures": ClosureDay.objects.filter(day__gte=timezone.localdate()),
            "past_closures": ClosureDay.objects.filter(
                day__lt=timezone.localdate(), day__year=year
            ),
            "year": year,
            "months": months,
            "counts": counts,
            "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            "weekday_names": [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ],
        },
        status=status,
    )


@require_GET
@role_required(Role.ADMIN)
def calendar(request: AuthenticatedRequest) -> HttpResponse:
    return _calendar_page(request)


@require_POST
@role_required(Role.ADMIN)
def calendar_nation(request: AuthenticatedRequest) -> HttpResponse:
    form = NationForm(request.POST)
    if not form.is_valid():
        if "token" in form.errors:
            form.add_error(None, NO_EDIT_MARK)
        return _calendar_page(request, nation_form=form)
    token, nation = form.cleaned_data["token"], form.cleaned_data["nation"]
    try:
        saved = services.organisation_nation_set(
            nation=nation,
            unchanged=lambda row: require_unchanged(token, [row], NATION_FIELDS),
        )
    except StaleEdit as stale:
        messages.error(request, str(stale))
        return _calendar_page(request, typed_nation=Organisation.Nation(nation).label, status=409)
    except ValidationError as error:
        for key, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(key, problem)
        return _calendar_page(request, nation_form=form)
    if saved.changed:
        label = Organisation.Nation(nation).label
        messages.success(request, f"Bank holidays now follow {label}. {_recalculation(saved)}")
    else:
        messages.info(request, "Nothing changed: the nation was already that one.")
    return redirect("configuration:calendar")


@require_POST
@role_required(Role.ADMIN)
@submit_once
def closure_add(request: AuthenticatedRequest) -> HttpResponse:
    form = ClosureDayForm(request.POST)
    if not form.is_valid():
        return _calendar_page(request, closure_form=form)
    day = form.cleaned_data["day"]
    try:
        closure, saved = services.closure_day_add(
            day=day,
            description=form.cleaned_data["description"],
            confirmed=form.cleaned_data["confirm"],
        )
    except services.ClosureDayWarning as warning:
        return _calendar_page(request, year=day.year, closure_form=form, warning=str(warning))
    except ValidationError as error:
        for key, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(key, problem)
        return _calendar_page(request, closure_form=form)
    messages.success(
        request,
        f"Closed on {human_date(closure.day)} ({closure.description}). {_recalculation(saved)}",
    )
    return redirect(f"{reverse('configuration:calendar')}?year={closure.day.year}")


@require_POST
@role_required(Role.ADMIN)
def closure_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        closure, saved = services.closure_day_remove(closure_id=pk)
    except ClosureDay.DoesNotExist:
        messages.info(
            request, "That closure day had already been removed, perhaps by another admin."
        )
        return redirect("configuration:calendar")
    messages.success(
        request,
        f"{human_date(closure.day)} ({closure.description}) is no longer a closure day. "
        f"{_recalculation(saved)}",
    )
    return redirect(f"{reverse('configuration:calendar')}?year={closure.day.year}")
