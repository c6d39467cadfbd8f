"""Pages of retention, erasure and restriction of processing, for the data protection
officer only. They show clients by reference, never by name; every page that lists
clients records that it showed them (``access_record``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.audit import access_record
from caseload.web import AuthenticatedRequest, apply_service_errors
from cases.models import Case, Client
from dataprotection import erasure_services as services
from dataprotection.access import dpo_required
from dataprotection.erasure_forms import (
    ClientFlagForm,
    DisposalApprovalForm,
    ErasureDecisionForm,
    ErasureRequestForm,
    FileNoteForm,
    LiftForm,
)
from dataprotection.models import (
    DisposalItem,
    DisposalRun,
    ErasureRequest,
    ErasureTombstone,
    LegalHold,
    ProcessingRestriction,
)
from dataprotection.views import dpo_page


def _shown(request: AuthenticatedRequest, client_ids: list[int], via: str) -> None:
    """Record that the page showed these clients (by reference)."""
    if client_ids:
        clients = Client.objects.filter(pk__in=client_ids).only("pk", "reference")
        access_record(request=request, actor=request.user, objects=list(clients), via=via)


def _try(form: Any, service: Any) -> Any:
    """Run the service; on refusal its messages go beside the form's fields, and None."""
    try:
        return service()
    except ValidationError as error:
        apply_service_errors(form, error)
        return None


# --- retention and disposal -------------------------------------------------------------


@require_GET
@dpo_required
def retention(request: AuthenticatedRequest) -> HttpResponse:
    runs = list(DisposalRun.objects.select_related("approved_by")[:30])
    return dpo_page(
        request, "dataprotection/erasure/retention.html", duty="retention", context={"runs": runs}
    )


@require_POST
@dpo_required
def retention_check(request: AuthenticatedRequest) -> HttpResponse:
    """List the clients due now, as the schedule does (a dry run: nobody is erased)."""
    run = services.disposal_run_prepare()
    if run is None:
        messages.info(request, "No client is due for disposal that is not already listed.")
        return redirect("dataprotection:retention")
    messages.success(request, "The clients due for disposal are listed for your review.")
    return redirect("dataprotection:disposal_run", pk=run.pk)


@require_http_methods(["GET", "POST"])
@dpo_required
def disposal_run(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(DisposalRun.objects.select_related("approved_by"), pk=pk)
    items = list(run.items.select_related("client", "tombstone").order_by("pk"))
    form = None
    if run.status == DisposalRun.Status.AWAITING_REVIEW:
        form = DisposalApprovalForm(request.POST or None, items=items)
        if request.method == "POST" and form.is_valid():
            done = _try(
                form,
                lambda: services.disposal_run_approve(
                    run=run,
                    item_ids=form.cleaned_data["items"],
                    approved_by=request.user,
                    reason=form.cleaned_data["reason"],
                ),
            )
            if done is not None:
                messages.success(
                    request,
                    "Approved. The worker erases the approved clients within a few minutes; "
                    "each is checked again first.",
                )
                return redirect("dataprotection:disposal_run", pk=run.pk)
    elif request.method == "POST":
        messages.error(request, "This list has already been approved.")
        return redirect("dataprotection:disposal_run", pk=run.pk)
    _shown(request, [item.client_id for item in items], "disposal review")
    return dpo_page(
        request,
        "dataprotection/erasure/disposal_run.html",
        duty="retention",
        context={"run": run, "items": items, "form": form},
    )


@require_GET
@dpo_required
def tombstones(request: AuthenticatedRequest) -> HttpResponse:
    rows = list(ErasureTombstone.objects.select_related("approved_by")[:200])
    _shown(request, [row.client_id for row in rows], "erased clients")
    return dpo_page(
        request,
        "dataprotection/erasure/tombstones.html",
        duty="retention",
        context={"tombstones": rows},
    )


# --- legal hold -------------------------------------------------------------------------


def _flag_list(model: type[LegalHold] | type[ProcessingRestriction]) -> QuerySet[Any]:
    return model.objects.select_related("client", "placed_by", "lifted_by").order_by(
        "lifted_at", "-placed_at"
    )[:200]


@require_http_methods(["GET", "POST"])
@dpo_required
def holds(request: AuthenticatedRequest) -> HttpResponse:
    form = ClientFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hold = _try(
            form,
            lambda: services.legal_hold_place(
                client=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                placed_by=request.user,
            ),
        )
        if hold is not None:
            messages.success(request, f"{hold.client.reference} is on legal hold.")
            return redirect("dataprotection:holds")
    rows = list(_flag_list(LegalHold))
    _shown(request, [row.client_id for row in rows], "legal holds")
    return dpo_page(
        request,
        "dataprotection/erasure/holds.html",
        duty="retention",
        context={"holds": rows, "form": form},
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def hold_lift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold.objects.active().select_related("client"), pk=pk)
    form = LiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _try(
            form,
            lambda: services.legal_hold_lift(
                hold=hold, reason=form.cleaned_data["reason"], lifted_by=request.user
            ),
        )
        if done is not None:
            messages.success(request, f"The legal hold on {hold.client.reference} is lifted.")
            return redirect("dataprotection:holds")
    _shown(request, [hold.client_id], "legal hold")
    return dpo_page(
        request,
        "dataprotection/erasure/lift.html",
        duty="retention",
        context={
            "form": form,
            "flag": hold,
            "what": "legal hold",
            "submit": "Lift the hold",
            "back": "dataprotection:holds",
        },
    )


# --- restriction of processing ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dpo_required
def restrictions(request: AuthenticatedRequest) -> HttpResponse:
    form = ClientFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        restriction = _try(
            form,
            lambda: services.processing_restriction_place(
                client=form.cleaned_data["reference"],
                reason=form.cleaned_data["reason"],
                placed_by=request.user,
            ),
        )
        if restriction is not None:
            messages.success(
                request, f"Processing of {restriction.client.reference}'s data is restricted."
            )
            return redirect("dataprotection:restriction", pk=restriction.pk)
    rows = list(_flag_list(ProcessingRestriction))
    _shown(request, [row.client_id for row in rows], "processing restrictions")
    return dpo_page(
        request,
        "dataprotection/erasure/restrictions.html",
        duty="restriction",
        context={"restrictions": rows, "form": form},
    )


def _restriction_page(
    request: AuthenticatedRequest,
    restriction: ProcessingRestriction,
    *,
    lift_form: LiftForm | None = None,
    note_form: FileNoteForm | None = None,
) -> HttpResponse:
    cases = list(
        Case.objects.filter(client_id=restriction.client_id)
        .select_related("case_type")
        .order_by("-created_at")
    )
    if restriction.is_active:
        lift_form = lift_form or LiftForm()
        note_form = note_form or FileNoteForm(client_id=restriction.client_id)
    _shown(request, [restriction.client_id], "processing restriction")
    return dpo_page(
        request,
        "dataprotection/erasure/restriction.html",
        duty="restriction",
        context={
            "restriction": restriction,
            "cases": cases,
            "lift_form": lift_form,
            "note_form": note_form,
        },
        status=400 if (lift_form and lift_form.errors) or (note_form and note_form.errors) else 200,
    )


def _restriction(pk: int, *, active: bool = False) -> ProcessingRestriction:
    rows = ProcessingRestriction.objects.select_related("client", "placed_by", "lifted_by")
    return get_object_or_404(rows.active() if active else rows, pk=pk)


@require_GET
@dpo_required
def restriction(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _restriction_page(request, _restriction(pk))


@require_POST
@dpo_required
def restriction_lift(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    flag = _restriction(pk, active=True)
    form = LiftForm(request.POST)
    if form.is_valid() and _try(
        form,
        lambda: services.processing_restriction_lift(
            restriction=flag, reason=form.cleaned_data["reason"], lifted_by=request.user
        ),
    ):
        messages.success(request, f"The restriction on {flag.client.reference} is lifted.")
        return redirect("dataprotection:restriction", pk=flag.pk)
    return _restriction_page(request, flag, lift_form=form)


@require_POST
@dpo_required
def restriction_note(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    flag = _restriction(pk, active=True)
    form = FileNoteForm(request.POST, client_id=flag.client_id)
    if form.is_valid() and _try(
        form,
        lambda: services.processing_restriction_file_note(
            restriction=flag,
            case=form.cleaned_data["case"],
            facts=form.cleaned_data["facts"],
            written_by=request.user,
        ),
    ):
        messages.success(request, f"File note added to {form.cleaned_data['case'].reference}.")
        return redirect("dataprotection:restriction", pk=flag.pk)
    return _restriction_page(request, flag, note_form=form)


# --- erasure requests -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@dpo_required
def erasure_requests(request: AuthenticatedRequest) -> HttpResponse:
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recorded = _try(
            form,
            lambda: services.erasure_request_record(
                client=form.cleaned_data["reference"],
                received_on=form.cleaned_data["received_on"],
                recorded_by=request.user,
            ),
        )
        if recorded is not None:
            messages.success(request, "Erasure request recorded: decide it below.")
            return redirect("dataprotection:erasure_request", pk=recorded.pk)
    rows = list(
        ErasureRequest.objects.select_related("client", "decided_by").order_by(
            "decided_at", "-received_on"
        )[:200]
    )
    _shown(request, [row.client_id for row in rows], "erasure requests")
    return dpo_page(
        request,
        "dataprotection/erasure/requests.html",
        duty="erasure",
        context={"requests": rows, "form": form},
    )


@require_http_methods(["GET", "POST"])
@dpo_required
def erasure_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(
        ErasureRequest.objects.select_related("client", "recorded_by", "decided_by", "run"), pk=pk
    )
    form = None
    if row.decision == ErasureRequest.Decision.PENDING:
        form = ErasureDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            decided = _try(
                form,
                lambda: services.erasure_request_decide(
                    request=row, decided_by=request.user, **form.cleaned_data
                ),
            )
            if decided is not None:
                messages.success(request, "Decision recorded.")
                return redirect("dataprotection:erasure_request", pk=row.pk)
    elif request.method == "POST":
        messages.error(request, "This request has already been decided.")
        return redirect("dataprotection:erasure_request", pk=row.pk)
    item = (
        DisposalItem.objects.filter(run=row.run).select_related("tombstone").first()
        if row.run
        else None
    )
    _shown(request, [row.client_id], "erasure request")
    return dpo_page(
        request,
        "dataprotection/erasure/request.html",
        duty="erasure",
        context={"request_row": row, "form": form, "item": item},
    )
