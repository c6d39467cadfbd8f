from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from caseload.audit import access_record
from caseload.roles import Role, role_required
from reviews.models import CaseloadReport
from reviews.reports import report_csv, report_pdf


def _report_for(request: HttpRequest, pk: int) -> CaseloadReport:
    """A report of the signed-in supervisor's own; 404 for anyone else's."""
    return get_object_or_404(CaseloadReport, pk=pk, supervisor=request.user)


@require_GET
@role_required(Role.SUPERVISOR)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = CaseloadReport.objects.filter(supervisor=request.user).defer("html", "data")[:60]
    return render(request, "reviews/report_list.html", {"reports": reports})


@require_GET
@role_required(Role.SUPERVISOR)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report page")
    return render(request, "reviews/report_detail.html", {"report": report})


@require_GET
@role_required(Role.SUPERVISOR)
def report_csv_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report CSV")
    response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="caseload-report-{report.period_start}.csv"'
    )
    return response


@require_GET
@role_required(Role.SUPERVISOR)
def report_pdf_download(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_for(request, pk)
    access_record(request=request, actor=request.user, objects=[report], via="report PDF")
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="caseload-report-{report.period_start}.pdf"'
    )
    return response
