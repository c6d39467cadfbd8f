"""Uploading documents to a client or a case, and downloading any document one may see.

Uploads need the same right as changing the thing they go on: a client's
documents whoever may change the client, a case's whoever may contribute to
the case (``cases.access``). A download needs only the right to see what the
document is attached to; everyone else gets 404. No personal data is in any
URL, and the download's name is ``document-<id>.<ext>``, never the name the
file was uploaded with.
"""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from caseload import crypto
from caseload.audit import access_record
from caseload.web import AuthenticatedRequest, form_submitted, submit_once
from cases import access as case_access
from documents import selectors, services
from documents.forms import DocumentForm


def _upload_page(
    request: AuthenticatedRequest,
    form: DocumentForm,
    *,
    title: str,
    back_url: str,
    shown: list[Model],
) -> HttpResponse:
    access_record(request=request, actor=request.user, objects=shown, via="document upload")
    return render(
        request,
        "documents/upload.html",
        {"form": form, "title": title, "back_url": back_url, "record": shown[0]},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@submit_once
def client_document_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = case_access.client_for_manager(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    back_url = reverse("cases:client_detail", args=[client.pk]) + "#documents-heading"
    submitted = form_submitted(
        request,
        form,
        lambda: services.document_add(
            checked=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            uploaded_by=request.user,
            client=client,
        ),
        success="Document added.",
        redirect_to=back_url,
    )
    if submitted is not None:
        return submitted
    return _upload_page(
        request,
        form,
        title=f"Add a document for client {client.reference}",
        back_url=back_url,
        shown=[client],
    )


@require_http_methods(["GET", "POST"])
@submit_once
def case_document_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_access.case_for_contributor(request.user, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    back_url = reverse("cases:case_detail", args=[case.pk]) + "#documents-heading"
    submitted = form_submitted(
        request,
        form,
        lambda: services.document_add(
            checked=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
            uploaded_by=request.user,
            case=case,
        ),
        success="Document added.",
        redirect_to=back_url,
    )
    if submitted is not None:
        return submitted
    return _upload_page(
        request,
        form,
        title=f"Add a document to case {case.reference}",
        back_url=back_url,
        shown=[case, case.client],
    )


@require_GET
def document_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = selectors.document_for_user(request.user, pk)
    try:
        content = selectors.document_content(document)
    except crypto.DataKeyShredded:
        return render(request, "documents/erased.html", {"document": document}, status=410)
    access_record(request=request, actor=request.user, objects=[document], via="document download")
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.download_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "private, no-store"
    return response
