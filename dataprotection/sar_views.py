"""Subject access requests: the DPO's pages. The DPO reads client data only here, and
every item shown is written to the audit trail ("subject access review")."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.audit import access_record
from caseload.formats import human_date
from caseload.web import AuthenticatedRequest, apply_service_errors, submit_once
from dataprotection import sar_services as services
from dataprotection.access import dpo_required
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest
from dataprotection.sar_forms import (
    SarCloseForm,
    SarExtendForm,
    SarItemForm,
    SarOpenForm,
    SarReleaseForm,
)
from dataprotection.sar_selectors import (
    KINDS,
    SECTIONS,
    sar_client_matches,
    sar_item,
    sar_items,
    sar_sources,
)
from dataprotection.views import dpo_page

DUTY = "sar"
VIA_REVIEW = "subject access review"


def _request_for(pk: int) -> SubjectAccessRequest:
    """The one access helper: any request, for the DPO (the decorator checks the role)."""
    return get_object_or_404(
        SubjectAccessRequest.objects.select_related("client__data_key", "handled_by"), pk=pk
    )


def _posted(request: AuthenticatedRequest) -> QueryDict | None:
    """The form's data when posted (even empty), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def _detail_url(request: SubjectAccessRequest) -> str:
    return reverse("dataprotection:sar_detail", args=[request.pk])


@require_GET
@dpo_required
def sar_list(request: AuthenticatedRequest) -> HttpResponse:
    today = timezone.localdate()
    pending = list(SubjectAccessRequest.objects.pending().select_related("client", "handled_by"))
    finished = list(
        SubjectAccessRequest.objects.exclude(pk__in=[r.pk for r in pending])
        .select_related("client", "handled_by")
        .order_by("-effective_due_on", "-pk")[:100]
    )
    return dpo_page(
        request,
        "dataprotection/sar/list.html",
        duty=DUTY,
        context={"pending": pending, "finished": finished, "today": today},
    )


@require_http_methods(["GET", "POST"])
@dpo_required
@submit_once
def sar_open(request: AuthenticatedRequest) -> HttpResponse:
    form = SarOpenForm(_posted(request))
    matches = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = sar_client_matches(
            reference=data["reference"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if matches:
            # Who the search found is client data read, whether one or several.
            access_record(
                request=request,
                actor=request.user,
                objects=matches,
                via="subject access: find the client",
            )
        if not matches:
            form.add_error(None, "No client matches. Check the reference, or the name and date.")
        elif len(matches) > 1:
            form.add_error(
                "reference", "Several clients match: choose one and give their reference."
            )
        else:
            try:
                opened = services.sar_open(
                    client=matches[0], received_on=data["received_on"], opened_by=request.user
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Subject access request {opened.reference} opened: due on "
                    f"{human_date(opened.effective_due_on)}.",
                )
                return redirect(_detail_url(opened))
    return dpo_page(
        request,
        "dataprotection/sar/open.html",
        duty=DUTY,
        context={"form": form, "matches": matches if len(matches) > 1 else []},
    )


@require_GET
@dpo_required
def sar_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    access_record(request=request, actor=request.user, objects=[sar], via="subject access request")
    decisions = list(SubjectAccessItem.objects.filter(request=sar))
    response = dpo_page(
        request,
        "dataprotection/sar/detail.html",
        duty=DUTY,
        context={
            "sar": sar,
            "withheld": sum(d.decision == SubjectAccessItem.Decision.WITHHOLD for d in decisions),
            "redacted": sum(d.decision == SubjectAccessItem.Decision.REDACT for d in decisions),
            "today": timezone.localdate(),
            "download_available": sar.download_available(),
            "download_days": _download_days(),
        },
    )
    if sar.building:
        # Reloads while the worker builds, without script; the page also links to itself.
        response["Refresh"] = "10"
    return response


def _download_days() -> int:
    return int(settings.CASELOAD_SAR_DOWNLOAD_DAYS)


@require_http_methods(["GET", "POST"])
@dpo_required
@submit_once
def sar_extend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    form = SarExtendForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.sar_extend(
                request=sar,
                months=form.cleaned_data["months"],
                reason=form.cleaned_data["reason"],
                extended_by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Deadline extended.")
            return redirect(_detail_url(sar))
    return _form_page(request, sar, form, title="Extend the deadline", submit="Extend")


def _form_page(
    request: AuthenticatedRequest,
    sar: SubjectAccessRequest,
    form: SarExtendForm | SarReleaseForm | SarCloseForm,
    *,
    title: str,
    submit: str,
) -> HttpResponse:
    return dpo_page(
        request,
        "dataprotection/sar/form.html",
        duty=DUTY,
        context={"sar": sar, "form": form, "title": title, "submit": submit},
    )


@require_GET
@dpo_required
def sar_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    items = sar_items(request=sar)
    access_record(
        request=request, actor=request.user, objects=[sar, *sar_sources(items)], via=VIA_REVIEW
    )
    sections = [
        (kind, heading, [item for item in items if item.kind == kind]) for kind, heading in SECTIONS
    ]
    return dpo_page(
        request,
        "dataprotection/sar/review.html",
        duty=DUTY,
        context={
            "sar": sar,
            "sections": [s for s in sections if s[2]],
            "to_review": sum(1 for item in items if item.third_party and item.decision is None),
        },
    )


@require_http_methods(["GET", "POST"])
@dpo_required
@submit_once
def sar_item_decide(
    request: AuthenticatedRequest, pk: int, kind: str, object_id: int
) -> HttpResponse:
    sar = _request_for(pk)
    if kind not in KINDS:
        raise Http404
    item = sar_item(request=sar, kind=kind, object_id=object_id)
    if item is None:
        raise Http404
    access_record(
        request=request,
        actor=request.user,
        objects=[sar, *sar_sources([item])],
        via=VIA_REVIEW,
    )
    if request.method == "POST":
        form = SarItemForm(request.POST)
        if form.is_valid():
            try:
                services.sar_item_decide(
                    request=sar,
                    kind=kind,
                    object_id=object_id,
                    decided_by=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Decision saved on {item.title}.")
                return redirect(
                    reverse("dataprotection:sar_review", args=[sar.pk]) + f"#{item.key}"
                )
    else:
        decision = item.decision
        form = SarItemForm(
            initial={
                "decision": decision.decision if decision else "",
                "reason": decision.reason
                if decision
                else (SubjectAccessItem.Reason.THIRD_PARTY if item.third_party else ""),
                "reason_other": decision.reason_other if decision else "",
                "redacted_text": decision.redacted_text
                if decision and decision.redacted_text
                else item.plain_text,
            }
        )
    return dpo_page(
        request,
        "dataprotection/sar/item.html",
        duty=DUTY,
        context={"sar": sar, "item": item, "form": form},
    )


@require_POST
@dpo_required
@submit_once
def sar_item_release_in_full(
    request: AuthenticatedRequest, pk: int, kind: str, object_id: int
) -> HttpResponse:
    sar = _request_for(pk)
    if kind not in KINDS:
        raise Http404
    try:
        undone = services.sar_item_release_in_full(
            request=sar, kind=kind, object_id=object_id, decided_by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if undone:
            messages.success(request, "The item will be released in full.")
    return redirect(reverse("dataprotection:sar_review", args=[sar.pk]) + f"#{kind}-{object_id}")


@require_POST
@dpo_required
@submit_once
def sar_ready(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    try:
        services.sar_mark_ready(request=sar, marked_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Review finished: the request is ready to release.")
    return redirect(_detail_url(sar))


@require_http_methods(["GET", "POST"])
@dpo_required
@submit_once
def sar_release(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    form = SarReleaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.sar_release(
                request=sar,
                released_to=form.cleaned_data["released_to"],
                method=form.cleaned_data["release_method"],
                released_by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, "The release is being built by the worker; this page shows its progress."
            )
            return redirect(_detail_url(sar))
    return _form_page(request, sar, form, title="Release the copy", submit="Release")


@require_http_methods(["GET", "POST"])
@dpo_required
@submit_once
def sar_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    form = SarCloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.sar_close(
                request=sar, reason=form.cleaned_data["reason"], closed_by=request.user
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Request closed without a release.")
            return redirect(_detail_url(sar))
    return _form_page(
        request, sar, form, title="Close without a release", submit="Close the request"
    )


@require_GET
@dpo_required
def sar_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    sar = _request_for(pk)
    if not sar.download_available():
        messages.error(request, "The released file is no longer available to download.")
        return redirect(_detail_url(sar))
    path = services.sar_export_path(sar)
    if not path.exists():
        messages.error(request, "The released file is no longer available to download.")
        return redirect(_detail_url(sar))
    data = services.sar_export_open(request=sar, sealed=path.read_bytes())
    access_record(
        request=request,
        actor=request.user,
        objects=[sar, sar.client],
        via="subject access download",
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{sar.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
