"""Adding notes, corrections and actions. Each needs the right to contribute to the case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from caseload.formats import human_time
from caseload.web import (
    AuthenticatedRequest,
    apply_service_errors,
    form_page,
    form_submitted,
    not_activity,
    submit_once,
)
from cases import access
from cases.views import case_page
from documents import services as document_services
from notes import services
from notes.forms import ActionCancelForm, ActionForm, NoteForm
from notes.models import Action, CaseNote


@require_http_methods(["GET", "POST"])
@submit_once
def note_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    if request.method == "GET":
        # Where signing in again leads after a note was sent from a session that had
        # timed out: the form, with the draft kept of it.
        return redirect(_note_form_url(case.pk))
    form = NoteForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            # The note and its files are saved together or not at all; a refused file
            # leaves the note unsaved with everything typed kept in the form.
            document_services.note_append_with_documents(
                case=case,
                author=request.user,
                files=form.cleaned_data.get("attachments") or [],
                **form.note_fields(),
            )
        except ValidationError as error:
            apply_service_errors(form, error, NoteForm.SERVICE_FIELD)
        else:
            messages.success(request, "Note saved.")
            return redirect(reverse("cases:case_detail", args=[case.pk]) + "#timeline-heading")
    # Not saved: show the case page again with everything typed and the errors
    # (the error summary at the form says the note was not saved). A browser cannot be
    # given chosen files back, so say so beside the field.
    if request.FILES.getlist("attachments") and "attachments" not in form.errors:
        form.add_error(
            "attachments",
            "The note was not saved, so its files were not either: choose them again.",
        )
    return case_page(request, case, note_form=form, status=400)


def _note_form_url(pk: int) -> str:
    return reverse("cases:case_detail", args=[pk]) + "#note-form-heading"


@not_activity
@require_POST
def note_draft_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Keep what is typed in the note form so far (the page's autosave calls this).

    Needs the right to add a note to the case. It keeps no session alive, and
    a session that has timed out is refused like any other request.
    """
    case = access.case_for_contributor(request.user, pk)
    values = NoteForm.draft_values(request.POST)
    if values is None:
        services.note_draft_discard(case=case, author=request.user)
        return JsonResponse({"kept": None})
    try:
        draft = services.note_draft_save(case=case, author=request.user, values=values)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"kept": human_time(draft.updated_at)})


@require_POST
def note_draft_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    services.note_draft_discard(case=case, author=request.user)
    messages.info(request, "Draft discarded.")
    return redirect(_note_form_url(case.pk))


@require_http_methods(["GET", "POST"])
@submit_once
def note_correct(request: AuthenticatedRequest, pk: int, note_pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    original = get_object_or_404(CaseNote, pk=note_pk, case=case)
    original.case = case
    if request.method == "POST":
        form = NoteForm(request.POST, correcting=original)
    else:
        contact = timezone.localtime(original.contact_at)
        form = NoteForm(
            correcting=original,
            initial={
                "contact_date": contact.date(),
                "contact_time": contact.time(),
                "channel": original.channel,
                "present": original.present,
                "facts": original.facts,
                "opinion": original.opinion,
                "actions_taken": original.actions_taken,
                "next_steps": original.next_steps,
                "no_further_action": original.no_further_action,
                "no_further_action_reason": original.no_further_action_reason,
                "third_party_information": original.third_party_information,
            },
        )
    submitted = form_submitted(
        request,
        form,
        lambda: services.note_append(
            case=case, author=request.user, corrects=original, **form.note_fields()
        ),
        success="Correction saved. The original note stays on the record.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]) + "#timeline-heading",
        renamed=NoteForm.SERVICE_FIELD,
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Correct a note on {case.reference}",
        submit="Save correction",
        case=case,
        intro=(
            "The original note is never changed: your correction is added as a new note "
            "that points at it, and both stay on the timeline."
        ),
        shown=[original],
        via="note correction",
    )


@require_http_methods(["GET", "POST"])
@submit_once
def action_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    form = ActionForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.action_create(case=case, created_by=request.user, **form.cleaned_data),
        success="Action added.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Add an action to {case.reference}",
        submit="Add action",
        case=case,
        via="action form",
    )


@require_POST
def action_complete(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    action = get_object_or_404(Action, pk=action_pk, case=case)
    action.case = case
    try:
        services.action_complete(action=action, completed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Action marked done.")
    return redirect("cases:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
def action_cancel(request: AuthenticatedRequest, pk: int, action_pk: int) -> HttpResponse:
    case = access.case_for_contributor(request.user, pk)
    action = get_object_or_404(Action, pk=action_pk, case=case)
    action.case = case
    form = ActionCancelForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.action_cancel(
            action=action, cancelled_by=request.user, **form.cleaned_data
        ),
        success="Action cancelled.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title="Cancel an action",
        submit="Cancel the action",
        case=case,
        intro=f"Action: {action.description}",
        shown=[action],
        via="action cancel",
    )
