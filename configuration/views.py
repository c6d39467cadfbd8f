"""The configuration area: Caseload's own pages for an organisation's admins."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from caseload.formats import human_time
from caseload.params import query_id
from caseload.roles import Role, role_required
from caseload.schedules import (
    Form,
    describe,
    job_for,
    schedule_change,
    schedule_token,
    schedules_overview,
)
from caseload.web import AuthenticatedRequest, apply_service_errors
from configuration import history as history_mod
from configuration.concurrency import StaleEdit
from configuration.schedule_forms import WEEKDAY_CHOICES, ScheduleForm
from configuration.sections import SECTIONS


@require_GET
@role_required(Role.ADMIN)
def home(request: AuthenticatedRequest) -> HttpResponse:
    return config_page(
        request, "configuration/home.html", section="", context={"sections": SECTIONS}
    )


def config_page(
    request: AuthenticatedRequest,
    template: str,
    *,
    section: str,
    context: dict[str, Any] | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render a page of the area with its menu, ``section`` marked as the current one.

    Unless given, the status follows the page's form: 409 when another admin saved
    first (``stale`` in the context), 400 when ``form`` has errors, else 200.
    """
    context = context or {}
    if status is None:
        form = context.get("form")
        status = 409 if context.get("stale") else 400 if form is not None and form.errors else 200
    return render(
        request,
        template,
        {"config_sections": SECTIONS, "config_section": section, **context},
        status=status,
    )


# --- schedules ------------------------------------------------------------------


@require_GET
@role_required(Role.ADMIN)
def schedules(request: AuthenticatedRequest) -> HttpResponse:
    """When each periodic task runs, how its last run went, and when it runs next."""
    return config_page(
        request,
        "configuration/schedules.html",
        section="schedules",
        context={"rows": schedules_overview()},
    )


def _schedule_initial(task: PeriodicTask) -> dict[str, Any]:
    initial: dict[str, Any] = {"enabled": task.enabled, "token": schedule_token(task)}
    if task.interval is not None and task.interval.period == IntervalSchedule.MINUTES:
        initial["every_minutes"] = task.interval.every
    if task.crontab is not None:
        row = task.crontab
        if row.hour.isdigit() and row.minute.isdigit():
            initial["at"] = time(int(row.hour) % 24, int(row.minute) % 60)
        if row.day_of_week.isdigit():
            initial["weekday"] = str(int(row.day_of_week) % 7)
    return initial


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def schedule_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change when one job runs, within the bounds its job allows."""
    task = get_object_or_404(PeriodicTask.objects.select_related("interval", "crontab"), pk=pk)
    job = job_for(task)
    if job.form is Form.FIXED:
        raise Http404("This job's schedule is not changed here.")
    form = ScheduleForm(request.POST or None, job=job, initial=_schedule_initial(task))
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            schedule_change(
                task=task,
                change=form.change(),
                token=form.cleaned_data["token"],
                changed_by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleEdit as error:
            # Show what is saved now, with what they typed listed below it.
            task.refresh_from_db()
            typed = {
                form.fields[name].label: _typed(form, name)
                for name in form.fields
                if name != "token"
            }
            stale = {"message": str(error), "typed": typed, "now": describe(task)}
            form = ScheduleForm(job=job, initial=_schedule_initial(task))
        else:
            messages.success(request, f"{job.title} schedule saved.")
            return redirect("configuration:schedules")
    return config_page(
        request,
        "configuration/schedule_edit.html",
        section="schedules",
        context={"task": task, "job": job, "when": describe(task), "form": form, "stale": stale},
    )


def _typed(form: ScheduleForm, name: str) -> str:
    value = form.cleaned_data.get(name)
    if name == "enabled":
        return "Run" if value else "Paused"
    if name == "weekday":
        return dict(WEEKDAY_CHOICES).get(str(value), "")
    if name == "every_minutes":
        return f"{value} minutes"
    if isinstance(value, time):
        return human_time(value)
    return str(value)


# --- change history -------------------------------------------------------------


@require_GET
@role_required(Role.ADMIN)
def history(request: AuthenticatedRequest) -> HttpResponse:
    """Every configuration change: who, when, what, before and after. No client data."""
    sections = history_mod.section_choices()
    section = request.GET.get("section", "")
    if section not in dict(sections):
        section = ""
    people = list(history_mod.history_people())
    person = query_id(request.GET, "person")
    if person not in {p.pk for p in people}:
        person = None
    entries = history_mod.history_entries(section=section, actor_id=person)
    page = Paginator(entries, history_mod.PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return config_page(
        request,
        "configuration/history.html",
        section="history",
        context={
            "page": page,
            "shown": history_mod.entries_shown(list(page.object_list)),
            "sections": sections,
            "people": people,
            "current": {"section": section, "person": person},
            "query": query.urlencode(),
        },
    )
