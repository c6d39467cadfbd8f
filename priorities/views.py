"""Assessing a case's priority, overriding it, and the lists that need attention."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caseload.audit import access_record
from caseload.roles import Role, role_required
from caseload.web import (
    AuthenticatedRequest,
    carried_id,
    form_page,
    submit_once,
)
from cases import access
from priorities import selectors, services
from priorities.forms import AssessmentForm, OverrideForm
from priorities.models import Assessment, CriteriaVersion
from reviews.web import change_submitted


@require_http_methods(["GET", "POST"])
@submit_once
def assess(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    version = CriteriaVersion.published()
    if version is None:
        messages.error(request, "No priority criteria have been published yet; ask an admin.")
        return redirect("cases:case_detail", pk=case.pk)
    decision_id = carried_id(request, "decision")
    form = AssessmentForm(request.POST or None, version=version)
    submitted = change_submitted(
        request,
        form,
        lambda: services.assessment_record(
            case=case,
            answers=form.answers(),
            rationale=form.cleaned_data["rationale"],
            assessed_by=request.user,
        ),
        case=case,
        success=lambda assessment: f"Priority assessed: {assessment.level_label}.",
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Assess the priority of {case.reference}",
        submit="Save assessment",
        case=case,
        intro=f"Criteria version {version.number}. Answer every question, then give your rationale.",
        via="assessment form",
        extra={"decision_id": decision_id},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
@submit_once
def override(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.case_for_supervisor(request.user, pk)
    decision_id = carried_id(request, "decision")
    form = OverrideForm(request.POST or None)
    submitted = change_submitted(
        request,
        form,
        lambda: services.assessment_override(
            case=case, overridden_by=request.user, **form.cleaned_data
        ),
        case=case,
        success="Priority overridden.",
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Override the priority of {case.reference}",
        submit="Override priority",
        case=case,
        intro="An override is recorded as an assessment of its own, with your rationale.",
        via="override form",
        extra={"decision_id": decision_id},
    )


@require_GET
def assessment_detail(request: AuthenticatedRequest, pk: int, assessment_pk: int) -> HttpResponse:
    """An assessment exactly as it was made, under the criteria version of the time."""
    case = access.case_for_user(request.user, pk)
    assessment = get_object_or_404(
        Assessment.objects.select_related("version", "assessed_by"), pk=assessment_pk, case=case
    )
    assessment.case = case
    answers = assessment.answers
    rows = [
        (
            criterion,
            answer := answers.get(criterion.key),
            None if answer is None else dict(criterion.choices).get(answer),
        )
        for criterion in assessment.version.criteria.all()
    ]
    access_record(
        request=request,
        actor=request.user,
        objects=[case, case.client, assessment],
        via="assessment",
    )
    return render(
        request,
        "priorities/assessment_detail.html",
        {"case": case, "assessment": assessment, "rows": rows},
    )


@require_GET
@role_required(Role.ADVISER, Role.SUPERVISOR)
def attention(request: AuthenticatedRequest) -> HttpResponse:
    """High-priority cases needing action (LSIAG14 criterion 10)."""
    lists = selectors.needing_attention(request.user)
    shown = [case for cases in lists.values() for case in cases]
    access_record(request=request, actor=request.user, objects=shown, via="needs attention")
    return render(request, "priorities/attention.html", {"lists": lists})
