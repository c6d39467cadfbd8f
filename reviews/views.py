from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.audit import access_record
from caseload.formats import human_date
from caseload.params import parse_id, query_id
from caseload.roles import Role, role_required, roles_of
from caseload.web import (
    AuthenticatedRequest,
    apply_service_errors,
    form_page,
    form_submitted,
    submit_once,
)
from cases.models import Case, User
from cases.selectors import case_summary, supervised_teams
from reviews import selectors, services
from reviews.forms import (
    CapacityConcernForm,
    DecisionForm,
    ReflectionForm,
    ReturnForm,
    ReviewStartForm,
    SignOffForm,
)
from reviews.models import CaseloadReport, CaseloadReview
from reviews.reports import report_csv, report_pdf, review_csv_export


def _report_for(request: AuthenticatedRequest, pk: int) -> CaseloadReport:
    """A report of the signed-in supervisor's own; 404 for anyone else's."""
    return get_object_or_404(CaseloadReport, pk=pk, supervisor=request.user)


@require_GET
@role_required(Role.SUPERVISOR)
def report_list(request: AuthenticatedRequest) -> HttpResponse:
    reports = CaseloadReport.objects.filter(supervisor=request.user).defer("html", "data")[:60]
    return render(request, "reviews/report_list.html", {"reports": reports})


@require_GET
@role_required(Role.SUPERVISOR)
def report_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report page")
    return render(request, "reviews/report_detail.html", {"report": report})


@require_GET
@role_required(Role.SUPERVISOR)
def report_csv_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report CSV")
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="caseload-report-{report.period_start}.csv"'
    )
    return response


@require_GET
@role_required(Role.SUPERVISOR)
def report_pdf_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report PDF")
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="caseload-report-{report.period_start}.pdf"'
    )
    return response


# --- capacity -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(Role.ADVISER)
@submit_once
def capacity_concern(request: AuthenticatedRequest) -> HttpResponse:
    """An adviser tells their supervisors, in one click, that their caseload is too much."""
    form = CapacityConcernForm(request.POST if request.method == "POST" else None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.capacity_concern_raise(adviser=request.user, **form.cleaned_data),
        success="Your supervisor has been told.",
        redirect_to=reverse("cases:my_caseload"),
    )
    if submitted is not None:
        return submitted
    load, capacity = selectors.adviser_load(request.user)
    of = f" of your {capacity} points" if capacity is not None else " points"
    return form_page(
        request,
        form,
        title="Tell your supervisor about your caseload",
        submit="Tell my supervisor",
        back_url=reverse("cases:my_caseload"),
        intro=f"Your open cases come to {load}{of}.",
    )


# --- caseload reviews -------------------------------------------------------------


def _review_for(request: AuthenticatedRequest, pk: int) -> CaseloadReview:
    return selectors.review_for(request.user, pk)


def _review_back(review: CaseloadReview) -> str:
    return reverse("reviews:review_detail", args=[review.pk])


@require_GET
@role_required(Role.ADVISER, Role.SUPERVISOR)
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    visible = selectors.reviews_visible_to(user).select_related("adviser", "signed_off_by")
    adviser_id = query_id(request.GET, "adviser")
    if adviser_id is not None:
        # One adviser's review history, for a supervisor following the dashboard.
        visible = visible.filter(adviser_id=adviser_id)
    reviews = list(visible.order_by("-started_at")[:100])
    team_advisers = User.objects.filter(
        teams__in=supervised_teams(user), is_active=True, groups__name=Role.ADVISER.value
    ).exclude(pk=user.pk)
    start_form = ReviewStartForm(advisers=team_advisers.distinct().order_by("first_name"))
    is_adviser = Role.ADVISER in roles_of(user)
    return render(
        request,
        "reviews/review_list.html",
        {
            "own": [r for r in reviews if r.adviser_id == user.pk],
            "team": [r for r in reviews if r.adviser_id != user.pk],
            "is_adviser": is_adviser,
            "is_supervisor": Role.SUPERVISOR in roles_of(user),
            "own_open": any(r.adviser_id == user.pk and not r.is_signed_off for r in reviews),
            "next_due": selectors.next_review_due(user) if is_adviser else None,
            "start_form": start_form,
        },
    )


@require_POST
@role_required(Role.ADVISER, Role.SUPERVISOR)
@submit_once
def review_start(request: AuthenticatedRequest) -> HttpResponse:
    adviser: User = request.user
    if "adviser" in request.POST:
        adviser = get_object_or_404(
            User.objects.filter(teams__in=supervised_teams(request.user)).distinct(),
            pk=parse_id(request.POST.get("adviser")) or 0,
        )
    try:
        review = services.review_start(adviser=adviser, started_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        existing = (
            selectors.reviews_visible_to(request.user)
            .filter(adviser=adviser)
            .exclude(status=CaseloadReview.Status.SIGNED_OFF)
            .first()
        )
        if existing is not None:
            return redirect("reviews:review_detail", pk=existing.pk)
        return redirect("reviews:review_list")
    messages.success(request, f"Caseload review started for {adviser.display_name}.")
    return redirect("reviews:review_detail", pk=review.pk)


def _pack_cases(pack: list[dict[str, Any]]) -> list[Case]:
    """The cases a review pack shows (every one, decided or not), for the audit trail."""
    return list(Case.objects.filter(pk__in=[item["case_id"] for item in pack]).only("pk"))


def _review_context(request: AuthenticatedRequest, review: CaseloadReview) -> dict[str, Any]:
    pack = selectors.review_pack(review)
    decisions = selectors.review_decisions(review)
    for item in pack:
        item["decision"] = decisions.get(item["case_id"])
    access_record(
        request=request, actor=request.user, objects=[review, *_pack_cases(pack)], via="review"
    )
    is_adviser = review.adviser_id == request.user.pk
    return {
        "review": review,
        "pack": pack,
        "is_adviser": is_adviser,
        "is_supervisor": not is_adviser,
        "can_decide": not review.is_signed_off
        and (not is_adviser or review.status != CaseloadReview.Status.SUBMITTED),
        "undecided": sum(1 for item in pack if item["decision"] is None and item["is_open"]),
        "sign_off_form": SignOffForm(),
    }


@require_GET
def review_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    return render(request, "reviews/review_detail.html", _review_context(request, review))


@require_http_methods(["GET", "POST"])
@submit_once
def review_decide(request: AuthenticatedRequest, pk: int, case_pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    case = get_object_or_404(
        services.review_cases(review).select_related(
            "client__data_key", "case_type", "assessment_version"
        ),
        pk=case_pk,
    )
    summary = case_summary(case)
    existing = review.decisions.select_related("case__client__data_key").filter(case=case).first()
    initial = {"decision": existing.decision, "comment": existing.comment} if existing else None
    form = DecisionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_decide(
                review=review, case=case, decided_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Decision recorded for {case.reference}.")
            return redirect(f"{_review_back(review)}#case-{case.pk}")
    return form_page(
        request,
        form,
        title=f"Decision on {case.reference}",
        submit="Save decision",
        back_url=f"{_review_back(review)}#case-{case.pk}",
        intro=(
            "Reassigning, closing, referring on and changing the priority are done on the "
            "case's own pages; once made, the change is linked to this decision."
        ),
        shown=[case, *summary.records],
        via="review decision",
        extra={"aside": "cases/_case_summary.html", "summary": summary},
    )


@require_http_methods(["GET", "POST"])
@submit_once
def review_reflection(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    initial = {
        "factors": review.factors,
        "factors_note": review.factors_note,
        "improvements": review.improvements,
        "adviser_actions": review.adviser_actions,
        "supervisor_actions": review.supervisor_actions,
    }
    form = ReflectionForm(
        request.POST if request.method == "POST" else None, initial=initial, chosen=review.factors
    )
    submitted = form_submitted(
        request,
        form,
        lambda: services.review_reflect(
            review=review, reflected_by=request.user, **form.cleaned_data
        ),
        success="Reflection saved.",
        redirect_to=f"{_review_back(review)}#reflection",
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Reflection on {review.adviser.display_name}'s caseload",
        submit="Save reflection",
        back_url=f"{_review_back(review)}#reflection",
        shown=[review],
        via="review reflection",
    )


def _review_step_failed(
    request: AuthenticatedRequest,
    review: CaseloadReview,
    error: ValidationError | None = None,
    *,
    sign_off_form: SignOffForm | None = None,
) -> HttpResponse:
    """The review page again with what stopped the step: the typed comment kept, field
    errors beside the field and the rest at the top."""
    context = _review_context(request, review)
    if sign_off_form is not None:
        context["sign_off_form"] = sign_off_form
    if error is not None:
        context["step_errors"] = error.messages
    return render(request, "reviews/review_detail.html", context, status=400)


@require_POST
@submit_once
def review_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    try:
        services.review_submit(review=review, submitted_by=request.user)
    except ValidationError as error:
        return _review_step_failed(request, review, error)
    messages.success(request, "Submitted: your supervisor has been asked to sign it off.")
    return redirect("reviews:review_detail", pk=review.pk)


@require_POST
@submit_once
def review_sign_off(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return _review_step_failed(request, review, sign_off_form=form)
    try:
        review = services.review_sign_off(
            review=review, signed_off_by=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        return _review_step_failed(request, review, error, sign_off_form=form)
    messages.success(
        request, f"Signed off. The next review is due on {human_date(review.next_review_due_on)}."
    )
    return redirect("reviews:review_detail", pk=review.pk)


@require_http_methods(["GET", "POST"])
@submit_once
def review_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.review_return(
            review=review, returned_by=request.user, **form.cleaned_data
        ),
        success="Returned to the adviser with your comments.",
        redirect_to=reverse("reviews:review_detail", args=[review.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Return {review.adviser.display_name}'s review",
        submit="Return with comments",
        back_url=_review_back(review),
    )


@require_GET
def review_csv(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = _review_for(request, pk)
    decisions = selectors.review_decisions(review)
    pack = selectors.review_pack(review)
    access_record(
        request=request, actor=request.user, objects=[review, *_pack_cases(pack)], via="review CSV"
    )
    response = HttpResponse(
        review_csv_export(review, pack, decisions),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="caseload-review-{review.pk}.csv"'
    return response
