"""The audit pages: who has seen a client or a case and what changed, a staff member's
accesses, and the break-the-glass uses with their review.

The trails themselves come from ``dataprotection.trail``; these views check who may
read them, read the filters, and record that the trail was read: opening a
client's trail is a read of that client, and a break-the-glass reason shown is a
read of the client's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from caseload.audit import access_record
from caseload.exports import csv_text
from caseload.web import AuthenticatedRequest
from cases.models import Case, Client
from dataprotection import audit_access, audit_selectors, trail
from dataprotection.access import dpo_required
from dataprotection.audit_forms import BreakGlassFilterForm, PersonTrailForm, TrailFilterForm
from dataprotection.views import dpo_page

PER_PAGE = 50
CSV_HEADER = (
    "When",
    "Who",
    "What happened",
    "Record",
    "Page or export",
    "Break-the-glass reason",
    "Fields changed",
)


def _query_without_page(request: AuthenticatedRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _audit_page(
    request: AuthenticatedRequest,
    template: str,
    *,
    duty: str,
    context: dict[str, Any],
    status: int | None = None,
) -> HttpResponse:
    """A page of the area for the DPO (with its menu); a plain page for a supervisor."""
    form = context.get("form")
    if status is None:
        status = 400 if form is not None and form.errors else 200
    if audit_access.is_dpo(request.user):
        frame = "dataprotection/audit/_frame_dpo.html"
        return dpo_page(
            request, template, duty=duty, context={**context, "frame": frame}, status=status
        )
    frame = "dataprotection/audit/_frame_plain.html"
    return render(request, template, {**context, "frame": frame}, status=status)


def _csv_response(events: Sequence[trail.TrailEvent], filename: str) -> HttpResponse:
    rows: list[Sequence[Any]] = [CSV_HEADER]
    rows += [
        (
            e.at,
            e.actor_name,
            e.kind,
            e.what,
            e.via,
            e.reason,
            ", ".join(e.changed_fields),
        )
        for e in events
    ]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _trail_filters(form: TrailFilterForm) -> dict[str, Any] | None:
    """The trail's filters when the form is valid (or empty), else None."""
    if not form.is_bound:
        return {}
    if not form.is_valid():
        return None
    person = form.cleaned_data.get("person")
    return {
        "actor_id": person.pk if person else None,
        "since": form.cleaned_data.get("since"),
        "until": form.cleaned_data.get("until"),
    }


# --- the area's audit home: find a trail by reference -----------------------------------


@require_GET
@dpo_required
def audit_home(request: AuthenticatedRequest) -> HttpResponse:
    """Find the trail of a client or a case by its reference."""
    reference = request.GET.get("reference", "").strip()
    error = ""
    if reference:
        client = Client.objects.filter(reference__iexact=reference).first()
        if client is not None:
            return redirect("dataprotection:audit_client", pk=client.pk)
        case_pk = Case.pk_from_reference(reference)
        if case_pk is not None and Case.objects.filter(pk=case_pk).exists():
            return redirect("dataprotection:audit_case", pk=case_pk)
        error = (
            "No client or case has this reference. A client's looks like C-000012, "
            "a case's like CASE-000009."
        )
    return dpo_page(
        request,
        "dataprotection/audit/home.html",
        duty="audit",
        context={"reference": reference, "error": error},
        status=400 if error else 200,
    )


# --- one client, one case ------------------------------------------------------------


def _trail_page(
    request: AuthenticatedRequest,
    *,
    subject: Client | Case,
    events: list[trail.TrailEvent],
    form: TrailFilterForm,
    context: dict[str, Any],
) -> HttpResponse:
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    access_record(
        request=request,
        actor=request.user,
        objects=[subject, *trail.break_glass_shown(page.object_list)],
        via="audit trail",
    )
    return _audit_page(
        request,
        "dataprotection/audit/trail.html",
        duty="audit",
        context={
            **context,
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        },
    )


def _trail_csv(
    request: AuthenticatedRequest,
    *,
    subject: Client | Case,
    events: list[trail.TrailEvent],
    filename: str,
) -> HttpResponse:
    access_record(
        request=request,
        actor=request.user,
        objects=[subject, *trail.break_glass_shown(events)],
        via="audit trail CSV",
    )
    return _csv_response(events, filename)


@require_GET
def client_trail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who has seen this client, and what changed."""
    client = audit_access.client_for_trail(request.user, pk)
    form = TrailFilterForm(request.GET or None)
    filters = _trail_filters(form)
    events = trail.client_trail(client=client, **filters) if filters is not None else []
    return _trail_page(
        request,
        subject=client,
        events=events,
        form=form,
        context={
            "title": f"Client {client.reference}",
            "csv_url_name": "dataprotection:audit_client_csv",
            "subject_pk": client.pk,
        },
    )


@require_GET
def client_trail_csv(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = audit_access.client_for_trail(request.user, pk)
    form = TrailFilterForm(request.GET or None)
    filters = _trail_filters(form)
    if filters is None:
        return client_trail(request, pk)
    events = trail.client_trail(client=client, **filters)
    return _trail_csv(
        request, subject=client, events=events, filename=f"audit-trail-{client.reference}.csv"
    )


@require_GET
def case_trail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who has seen this case, and what changed."""
    case = audit_access.case_for_trail(request.user, pk)
    form = TrailFilterForm(request.GET or None)
    filters = _trail_filters(form)
    events = trail.case_trail(case=case, **filters) if filters is not None else []
    return _trail_page(
        request,
        subject=case,
        events=events,
        form=form,
        context={
            "title": f"Case {case.reference}",
            "csv_url_name": "dataprotection:audit_case_csv",
            "subject_pk": case.pk,
            "client_pk": case.client_id
            if audit_access.client_trail_allowed(request.user, case.client)
            else None,
        },
    )


@require_GET
def case_trail_csv(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = audit_access.case_for_trail(request.user, pk)
    form = TrailFilterForm(request.GET or None)
    filters = _trail_filters(form)
    if filters is None:
        return case_trail(request, pk)
    events = trail.case_trail(case=case, **filters)
    return _trail_csv(
        request, subject=case, events=events, filename=f"audit-trail-{case.reference}.csv"
    )


# --- one member of staff ------------------------------------------------------------------


def _person_form(request: AuthenticatedRequest) -> PersonTrailForm:
    if "person" in request.GET:
        return PersonTrailForm(request.GET)
    return PersonTrailForm(initial=PersonTrailForm.default_range())


@require_GET
@dpo_required
def person_trail(request: AuthenticatedRequest) -> HttpResponse:
    """Everything one member of staff accessed or changed over a range of days."""
    form = _person_form(request)
    page = None
    if form.is_bound and form.is_valid():
        events = trail.person_trail(
            person=form.cleaned_data["person"],
            since=form.cleaned_data["since"],
            until=form.cleaned_data["until"],
        )
        page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
        shown = trail.break_glass_shown(page.object_list)
        if shown:
            access_record(
                request=request, actor=request.user, objects=shown, via="staff access trail"
            )
    return _audit_page(
        request,
        "dataprotection/audit/person.html",
        duty="audit_person",
        context={
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "person": form.cleaned_data["person"] if page is not None else None,
        },
    )


@require_GET
@dpo_required
def person_trail_csv(request: AuthenticatedRequest) -> HttpResponse:
    form = _person_form(request)
    if not (form.is_bound and form.is_valid()):
        return person_trail(request)
    person = form.cleaned_data["person"]
    events = trail.person_trail(
        person=person, since=form.cleaned_data["since"], until=form.cleaned_data["until"]
    )
    shown = trail.break_glass_shown(events)
    if shown:
        access_record(
            request=request, actor=request.user, objects=shown, via="staff access trail CSV"
        )
    return _csv_response(events, f"staff-access-{person.pk}.csv")


# --- break the glass ----------------------------------------------------------------------


@require_GET
@dpo_required
def break_glass_uses(request: AuthenticatedRequest) -> HttpResponse:
    """Every break-the-glass use with its reason and its review: reviewed or awaiting,
    by whom, when, and the outcome."""
    form = BreakGlassFilterForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        person = data.get("person")
        uses = audit_selectors.break_glass_uses(
            status=data.get("status", ""),
            person_id=person.pk if person else None,
            since=data.get("since"),
            until=data.get("until"),
        )
        page = Paginator(uses, PER_PAGE).get_page(request.GET.get("page"))
        if page.object_list:
            access_record(
                request=request,
                actor=request.user,
                objects=list(page.object_list),
                via="break-glass uses (data protection)",
            )
    return dpo_page(
        request,
        "dataprotection/audit/break_glass.html",
        duty="audit_break_glass",
        context={"form": form, "page": page, "query": _query_without_page(request)},
    )
