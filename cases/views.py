"""Pages for clients and cases. Thin: fetch through an access helper, validate, call a service.

Client and case pages answer 404 to anyone who may not see the record, so
that a refusal never confirms that it exists. Every page that shows client
data records an access event.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseload.audit import access_record
from caseload.params import query_datetime, query_id
from caseload.roles import Role, role_required
from caseload.web import (
    AuthenticatedRequest,
    apply_service_errors,
    carried_id,
    form_page,
    form_submitted,
    safe_next_url,
    submit_once,
)
from cases import people, selectors, services
from cases.access import (
    case_for_contributor,
    case_for_manager,
    case_for_supervisor,
    case_for_user,
    client_for_manager,
    client_for_user,
)
from cases.forms import (
    AccessChangeForm,
    BreakGlassDecisionForm,
    BreakGlassForm,
    BreakGlassReviewForm,
    CaseForm,
    CaseStatusForm,
    ClientForm,
    ClientSearchForm,
    ConsentForm,
    ConsentWithdrawForm,
    DeadlineForm,
    ObstacleForm,
    ObstacleResolveForm,
    OutcomeForm,
    OutcomeProgressForm,
    QuickSearchForm,
    ReassignForm,
    ReferralInForm,
    ReferralOutForm,
    SearchTerms,
    ShareForm,
)
from cases.models import (
    BreakGlassRequest,
    Case,
    CaseDeadline,
    CaseShare,
    CaseType,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    Team,
)
from documents import selectors as document_selectors
from notes import selectors as note_selectors
from notes.forms import NoteForm
from priorities.models import CriteriaVersion
from priorities.services import assessment_is_due
from reviews import selectors as review_selectors
from reviews.forms import CapacityConcernForm
from reviews.web import change_submitted

CASE_ROLES = (Role.ADVISER, Role.SUPERVISOR)


# --- caseload ---------------------------------------------------------------


@require_GET
@role_required(Role.ADVISER)
def my_caseload(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Case.Status.values or status == Case.Status.CLOSED:
        status = ""
    order = request.GET.get("order", "priority")
    if order not in selectors.CASELOAD_ORDERINGS:
        order = "priority"
    case_type_id = query_id(request.GET, "type")
    cases = selectors.caseload_of(
        request.user, status=status, case_type_id=case_type_id, order=order
    )
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    shared = list(selectors.cases_shared_with(request.user, limit=50))
    access_record(
        request=request, actor=request.user, objects=[*page.object_list, *shared], via="caseload"
    )
    query = request.GET.copy()
    query.pop("page", None)
    figures = review_selectors.adviser_capacity(request.user)
    return render(
        request,
        "cases/my_caseload.html",
        {
            "figures": figures,
            "capacity_form": CapacityConcernForm(),
            "page": page,
            "shared": shared,
            "profile": selectors.adviser_profile_of(request.user),
            "teams": selectors.teams_of(request.user),
            "statuses": [s for s in Case.Status if s != Case.Status.CLOSED],
            "case_types": CaseType.objects.filter(is_active=True),
            "orderings": {key: label for key, (label, _) in selectors.CASELOAD_ORDERINGS.items()},
            "current": {"status": status, "type": case_type_id, "order": order},
            "query": query.urlencode(),
        },
    )


# --- clients ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def client_search(request: AuthenticatedRequest) -> HttpResponse:
    """The search page, which the header's box posts to as well.

    Searched by POST: names and dates of birth must never appear in URLs, where they
    would reach server logs and browser history. One match the user may see goes
    straight to it (a client with one case they may see: to that case); several are
    listed; a client held elsewhere is only said to exist, never named, and a case
    reference gets one answer whether its case is held elsewhere or does not exist.
    """
    quick = request.method == "POST" and "q" in request.POST
    quick_form = QuickSearchForm(request.POST if quick else None)
    form = ClientSearchForm(request.POST if request.method == "POST" and not quick else None)
    found: selectors.SearchFound | None = None
    searched_case = ""
    if quick and quick_form.is_valid():
        terms: SearchTerms = quick_form.cleaned_data["q"]
        if terms.case_pk is not None:
            searched_case = Case.reference_for(terms.case_pk)
        found = selectors.search(
            request.user,
            case_pk=terms.case_pk,
            reference=terms.client_reference,
            family_name=terms.family_name,
            date_of_birth=terms.date_of_birth,
        )
    elif form.is_bound and form.is_valid():
        found = selectors.search(request.user, **form.cleaned_data)
    if found is not None:
        shown_cases = [*found.cases, *(c for cs in found.cases_of.values() for c in cs)]
        access_record(
            request=request,
            actor=request.user,
            objects=[*found.clients, *shown_cases],
            via="client search",
        )
        access_record(
            request=request,
            actor=request.user,
            objects=found.elsewhere,
            via="client search: match held elsewhere",
        )
        if (case := found.only_case) is not None:
            return redirect("cases:case_detail", pk=case.pk)
        if (client := found.only_client) is not None:
            return redirect("cases:client_detail", pk=client.pk)
    bad = bool(quick_form.errors or form.errors)
    return render(
        request,
        "cases/client_search.html",
        {
            "quick_form": quick_form,
            "form": form,
            "found": found,
            "results": None if found is None else found.clients,
            "rows": [] if found is None else [(c, found.cases_of[c.pk]) for c in found.clients],
            "searched_case": searched_case,
            # A case reference gets the same answer whether the case is held elsewhere or
            # does not exist, as on the break-the-glass form: ids must not be probed.
            "held_elsewhere": found is not None and bool(found.elsewhere) and not searched_case,
        },
        status=400 if bad else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADVISER)
@submit_once
def client_create(request: AuthenticatedRequest) -> HttpResponse:
    """A new client and their first case, in one form: the case is what gives the adviser
    access to the client, so one is never made without the other."""
    form = ClientForm(request.POST or None)
    case_form = CaseForm(request.POST or None, prefix="case")
    duplicates: list[Client] = []
    held_elsewhere = False
    if request.method == "POST" and form.is_valid() and case_form.is_valid():
        duplicates, elsewhere = selectors.possible_duplicates(
            request.user,
            family_name=form.cleaned_data["family_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        held_elsewhere = bool(elsewhere)
        access_record(
            request=request, actor=request.user, objects=duplicates, via="duplicate check"
        )
        access_record(
            request=request,
            actor=request.user,
            objects=elsewhere,
            via="duplicate check: match held elsewhere",
        )
        if (duplicates or elsewhere) and not form.cleaned_data["not_a_duplicate"]:
            form.add_error(
                "not_a_duplicate",
                "A client with this family name and date of birth may already exist. Check "
                "the warning above, or tick this box if this is a different person.",
            )
        else:
            try:
                case = services.client_create_with_case(
                    created_by=request.user,
                    client_fields=form.client_fields(),
                    **case_form.cleaned_data,
                )
            except ValidationError as error:
                apply_service_errors(case_form, error)
            else:
                messages.success(
                    request, f"Client {case.client.reference} created with case {case.reference}."
                )
                return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/client_form.html",
        {
            "form": form,
            "case_form": case_form,
            "forms": [form, case_form],
            "duplicates": duplicates,
            "held_elsewhere": held_elsewhere,
            "title": "New client",
        },
        status=400 if (form.errors or case_form.errors) else 200,
    )


@require_GET
def client_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = client_for_user(request.user, pk)
    cases = list(
        selectors.visible_cases(request.user)
        .filter(client=client)
        .select_related("case_type", "assigned_to", "assessment_version")
        .order_by("-created_at")
    )
    for case in cases:
        case.client = client
    consents = list(client.consents.select_related("recorded_by", "withdrawn_by"))
    for consent in consents:
        consent.client = client
    documents = document_selectors.client_documents(client)
    access_record(
        request=request, actor=request.user, objects=[client, *documents], via="client page"
    )
    return render(
        request,
        "cases/client_detail.html",
        {
            "client": client,
            "cases": cases,
            "consents": consents,
            "contact_channels": selectors.contact_channels(client),
            "can_open_case": selectors.client_can_open_case(request.user, client),
            "can_change": selectors.client_can_change(request.user, client),
            "documents": documents,
        },
    )


@require_http_methods(["GET", "POST"])
def client_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = client_for_manager(request.user, pk)
    form = ClientForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=client, **form.client_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Client details saved.")
            return redirect("cases:client_detail", pk=client.pk)
    access_record(request=request, actor=request.user, objects=[client], via="client edit")
    return render(
        request,
        "cases/client_form.html",
        {"form": form, "client": client, "title": f"Edit client {client.reference}"},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@submit_once
def consent_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = client_for_manager(request.user, pk)
    # Opened from a share or referral that needs a consent: back there once it is recorded.
    next_url = safe_next_url(request)
    scope = request.GET.get("scope", "")
    initial = {"scope": scope} if scope in ConsentRecord.Scope.values else {}
    form = ConsentForm(request.POST or None, initial=initial)
    back = next_url or reverse("cases:client_detail", args=[client.pk])

    def redirect_to(consent: ConsentRecord) -> str:
        if next_url is None:
            return back
        return f"{next_url}{'&' if '?' in next_url else '?'}consent={consent.pk}"

    submitted = form_submitted(
        request,
        form,
        lambda: services.consent_record(
            client=client, recorded_by=request.user, **form.cleaned_data
        ),
        success="Consent recorded." + (" Carry on where you were." if next_url else ""),
        redirect_to=redirect_to,
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Record consent for {client.reference}",
        submit="Record consent",
        back_url=back,
        shown=[client],
        via="consent form",
        extra={"next_url": next_url},
    )


@require_http_methods(["GET", "POST"])
@submit_once
def consent_withdraw(request: AuthenticatedRequest, pk: int, consent_pk: int) -> HttpResponse:
    """Record that the client withdrew a consent, after a page saying exactly what ends:
    the live shares and the pending referrals out that rest on it."""
    client = client_for_manager(request.user, pk)
    consent = get_object_or_404(
        ConsentRecord.objects.select_related("recorded_by"), pk=consent_pk, client=client
    )
    consent.client = client
    if consent.withdrawn_on is not None:
        if request.method == "POST":
            messages.info(request, "That consent was already withdrawn.")
        return redirect("cases:client_detail", pk=client.pk)
    form = ConsentWithdrawForm(request.POST if request.method == "POST" else None)

    def ended_message(ended: selectors.ConsentDependents) -> str:
        shares, referrals = len(ended.shares), len(ended.referrals)
        if not shares and not referrals:
            return "Consent withdrawn. Nothing rested on it."
        parts = []
        if shares:
            parts.append("1 share ended" if shares == 1 else f"{shares} shares ended")
        if referrals:
            parts.append(
                "1 referral out withdrawn"
                if referrals == 1
                else f"{referrals} referrals out withdrawn"
            )
        return f"Consent withdrawn: {' and '.join(parts)}."

    submitted = form_submitted(
        request,
        form,
        lambda: services.consent_withdraw(
            consent=consent, withdrawn_by=request.user, reason=form.cleaned_data["reason"]
        ),
        success=ended_message,
        redirect_to=reverse("cases:client_detail", args=[client.pk]),
    )
    if submitted is not None:
        return submitted
    dependents = selectors.consent_dependents(consent)
    seen = set(
        selectors.visible_cases(request.user)
        .filter(pk__in=[c.pk for c in dependents.cases])
        .values_list("pk", flat=True)
    )
    shares = [s for s in dependents.shares if s.case_id in seen]
    referrals = [r for r in dependents.referrals if r.case_id in seen]
    hidden = len(dependents.shares) + len(dependents.referrals) - len(shares) - len(referrals)
    return form_page(
        request,
        form,
        title=f"Record that {client.reference} withdrew a consent",
        submit="Withdraw consent and end what rests on it",
        back_url=reverse("cases:client_detail", args=[client.pk]),
        shown=[
            client,
            consent,
            *[case for case in dependents.cases if case.pk in seen],
            *shares,
            *referrals,
        ],
        via="consent withdrawal",
        extra={
            "before_form": "cases/_consent_withdrawal_ends.html",
            "consent": consent,
            "ending_shares": shares,
            "ending_referrals": referrals,
            "ending_hidden": hidden,
        },
    )


# --- cases ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
@submit_once
def case_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    client = client_for_user(request.user, pk)
    if not selectors.client_can_open_case(request.user, client):
        raise PermissionDenied
    restricted = selectors.client_is_restricted(client)
    form = CaseForm(request.POST or None, client_restricted=restricted)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(client=client, opened_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return redirect("cases:case_detail", pk=case.pk)
    return form_page(
        request,
        form,
        title=f"Open a case for {client.reference}",
        submit="Open case",
        back_url=reverse("cases:client_detail", args=[client.pk]),
        shown=[client],
        via="new case form",
        intro=(
            "This client has a restricted case, so this case will be restricted too."
            if restricted
            else ""
        ),
    )


@require_GET
def case_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_user(request.user, pk)
    return case_page(request, case)


def case_page(
    request: AuthenticatedRequest, case: Case, *, note_form: Form | None = None, status: int = 200
) -> HttpResponse:
    """The case page: summary, plans, the note form and one page of the timeline."""
    kind = request.GET.get("kind", "")
    if kind not in note_selectors.TIMELINE_FILTERS:
        kind = ""
    before = query_datetime(request.GET, "before")
    page = note_selectors.timeline(case, kind=kind, before=before)
    summary = selectors.case_summary(case)
    can_manage = selectors.case_can_manage(request.user, case)
    can_contribute = can_manage or selectors.case_can_contribute(request.user, case)
    templates = note_selectors.templates_for(case)
    published = CriteriaVersion.published()
    assessments = list(case.assessments.select_related("version", "assessed_by")[:20])
    for assessment in assessments:
        assessment.case = case
    draft = None
    if note_form is None and can_contribute:
        now = timezone.localtime()
        initial = {"contact_date": now.date(), "contact_time": now.time()}
        chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
        if chosen is not None:
            initial.update(facts=chosen.facts, next_steps=chosen.next_steps)
        draft = note_selectors.note_draft_for(user=request.user, case=case, now=timezone.now())
        if draft is not None:
            # What the person typed before their session ended, back in the form.
            initial.update({name: value for name, value in draft.form_values().items() if value})
        note_form = NoteForm(initial=initial)
    documents = document_selectors.case_documents(case)
    attached = document_selectors.note_documents(case, [note.pk for note in page.notes])
    for note in page.notes:
        note.attached_documents = attached.get(note.pk, [])  # type: ignore[attr-defined]
    access_record(
        request=request,
        actor=request.user,
        objects=[
            case,
            case.client,
            *page.notes,
            *([draft] if draft else []),
            *documents,
            *(document for listed in attached.values() for document in listed),
        ],
        via="case page",
    )
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "client": case.client,
            "timeline": page,
            "timeline_filters": {k: v[0] for k, v in note_selectors.TIMELINE_FILTERS.items()},
            "kind": kind,
            "query": query.urlencode(),
            "deadlines": list(case.deadlines.all()),
            "outcomes": summary.outcomes,
            "obstacles": list(case.obstacles.all()),
            "actions": summary.open_actions,
            "shares": list(selectors.shares_of(case)) if can_manage else [],
            "referrals": list(case.referrals.all()),
            "can_manage": can_manage,
            "can_contribute": can_contribute,
            "can_reassign": selectors.case_is_supervised_by(case, request.user),
            "note_form": note_form,
            "note_draft": draft,
            "note_templates": templates,
            "assessments": assessments,
            "flags": summary.open_flags,
            "assessment_due": assessment_is_due(case, published=published),
            "can_assess": can_contribute and published is not None,
            "documents": documents,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def case_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_manager(request.user, pk)
    decision_id = carried_id(request, "decision")
    summary = selectors.case_summary(case)
    form = CaseStatusForm(request.POST or None, has_open_work=summary.has_open_work)
    submitted = change_submitted(
        request,
        form,
        lambda: services.case_status_change(
            case=case, changed_by=request.user, **form.cleaned_data
        ),
        case=case,
        success=lambda _: f"Case is now {case.get_status_display().lower()}.",
    )
    if submitted is not None:
        return submitted
    asking = "open_work_confirmed" in form.fields
    return form_page(
        request,
        form,
        title=f"Change the status of {case.reference}",
        submit="Close the case" if asking else "Change status",
        case=case,
        intro=f"The case is {case.get_status_display().lower()}.",
        shown=summary.records if asking else (),
        via="case status form",
        extra={
            "decision_id": decision_id,
            "before_form": "cases/_open_work.html" if asking else "",
            "open_work": services.open_work_lines(summary) if asking else [],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
def case_reassign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_supervisor(request.user, pk)
    if case.team is None:
        # Cannot happen: a case without a team has no supervisor, so it was refused above.
        raise PermissionDenied
    decision_id = carried_id(request, "decision")
    advisers = selectors.team_advisers(case.team)
    form = ReassignForm(
        request.POST or None, advisers=advisers, loads=review_selectors.load_labels(advisers)
    )
    from_queue = request.POST.get("from") == "queue"
    submitted = change_submitted(
        request,
        form,
        lambda: services.case_assign(case=case, assigned_by=request.user, **form.cleaned_data),
        case=case,
        success=lambda _: (
            f"{case.reference} is now with {form.cleaned_data['adviser'].display_name}."
        ),
        redirect_to=reverse("cases:unallocated") if from_queue else None,
    )
    if submitted is not None:
        return submitted
    verb = "Allocate" if case.assigned_to is None else "Reassign"
    return form_page(
        request,
        form,
        title=f"{verb} {case.reference}",
        submit=verb,
        case=case,
        via="reassign form",
        extra={"decision_id": decision_id},
    )


@require_GET
@role_required(Role.SUPERVISOR)
def unallocated(request: AuthenticatedRequest) -> HttpResponse:
    cases = list(selectors.unallocated_for(request.user)[:200])
    access_record(request=request, actor=request.user, objects=cases, via="unallocated queue")
    return render(
        request, "cases/unallocated.html", {"cases": cases, "today": timezone.localdate()}
    )


# --- deadlines, outcomes, obstacles ---------------------------------------------


@require_http_methods(["GET", "POST"])
@submit_once
def deadline_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_contributor(request.user, pk)
    form = DeadlineForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.deadline_add(case=case, added_by=request.user, **form.cleaned_data),
        success="Deadline added.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Add a deadline to {case.reference}",
        submit="Add deadline",
        case=case,
        via="deadline form",
    )


@require_POST
def deadline_status(
    request: AuthenticatedRequest, pk: int, deadline_pk: int, status: str
) -> HttpResponse:
    case = case_for_contributor(request.user, pk)
    if status not in (CaseDeadline.Status.MET, CaseDeadline.Status.CANCELLED):
        raise Http404
    deadline = get_object_or_404(case.deadlines, pk=deadline_pk)
    deadline.case = case
    try:
        services.deadline_set_status(deadline=deadline, status=status, changed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Deadline updated.")
    return redirect("cases:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@submit_once
def outcome_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_manager(request.user, pk)
    form = OutcomeForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.outcome_add(case=case, added_by=request.user, **form.cleaned_data),
        success="Outcome added.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Plan an outcome for {case.reference}",
        submit="Add outcome",
        case=case,
        intro="Make it SMART: specific, measurable, achievable, relevant and time-bound.",
        via="outcome form",
    )


@require_http_methods(["GET", "POST"])
@submit_once
def outcome_progress(request: AuthenticatedRequest, pk: int, outcome_pk: int) -> HttpResponse:
    case = case_for_contributor(request.user, pk)
    outcome = get_object_or_404(Outcome, pk=outcome_pk, case=case)
    outcome.case = case
    form = OutcomeProgressForm(
        request.POST or None,
        initial={"status": outcome.status, "progress_percent": outcome.progress_percent},
    )
    submitted = form_submitted(
        request,
        form,
        lambda: services.outcome_progress_record(
            outcome=outcome, recorded_by=request.user, **form.cleaned_data
        ),
        success="Progress recorded.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title="Record progress on an outcome",
        submit="Record progress",
        case=case,
        intro=f"Outcome: {outcome.description}",
        shown=[outcome],
        via="outcome progress",
    )


@require_http_methods(["GET", "POST"])
@submit_once
def obstacle_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_contributor(request.user, pk)
    form = ObstacleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.obstacle_record(case=case, raised_by=request.user, **form.cleaned_data)
        messages.success(request, "Obstacle recorded.")
        return redirect("cases:case_detail", pk=case.pk)
    return form_page(
        request,
        form,
        title=f"Record an obstacle on {case.reference}",
        submit="Record obstacle",
        case=case,
        via="obstacle form",
    )


@require_http_methods(["GET", "POST"])
def obstacle_resolve(request: AuthenticatedRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    case = case_for_contributor(request.user, pk)
    obstacle = get_object_or_404(Obstacle, pk=obstacle_pk, case=case)
    obstacle.case = case
    form = ObstacleResolveForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.obstacle_resolve(
            obstacle=obstacle, resolved_by=request.user, **form.cleaned_data
        ),
        success="Obstacle resolved.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title="Resolve an obstacle",
        submit="Resolve",
        case=case,
        intro=f"{obstacle.get_kind_display()}: {obstacle.description}",
        shown=[obstacle],
        via="obstacle resolve",
    )


# --- sharing, break the glass, referrals -------------------------------------------


def _record_consent_url(case: Case, *, scope: str, back: str) -> str:
    """The consent form for the case's client, with ``scope`` chosen, coming back to
    ``back`` once the consent is recorded."""
    query = urlencode({"scope": scope, "next": back})
    return f"{reverse('cases:consent_add', args=[case.client_id])}?{query}"


def _consent_initial(
    request: AuthenticatedRequest, consents: list[ConsentRecord]
) -> dict[str, int]:
    """The consent just recorded (``?consent=`` on the way back), chosen if it fits."""
    chosen = query_id(request.GET, "consent") if request.method == "GET" else None
    return {"consent": chosen} if chosen in {c.pk for c in consents} else {}


@require_http_methods(["GET", "POST"])
@submit_once
def share_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_manager(request.user, pk)
    consents = selectors.consents_for_sharing(case)
    form = ShareForm(
        request.POST or None,
        initial=_consent_initial(request, consents),
        colleagues=selectors.colleagues_for_sharing(request.user),
        consents=consents,
        record_consent_url=_record_consent_url(
            case,
            scope=ConsentRecord.Scope.COLLEAGUES,
            back=reverse("cases:share_add", args=[case.pk]),
        ),
    )
    submitted = form_submitted(
        request,
        form,
        lambda: services.case_share(case=case, shared_by=request.user, **form.cleaned_data),
        success="Case shared.",
        redirect_to=reverse("cases:case_detail", args=[case.pk]),
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Share {case.reference} with a colleague",
        submit="Share case",
        case=case,
        intro="Access ends by itself after the date you choose. You can revoke it sooner.",
        shown=consents,
        via="share form",
    )


@require_POST
def share_revoke(request: AuthenticatedRequest, pk: int, share_pk: int) -> HttpResponse:
    case = case_for_manager(request.user, pk)
    share = get_object_or_404(
        CaseShare.objects.select_related("shared_with"), pk=share_pk, case=case
    )
    share.case = case
    try:
        services.share_revoke(share=share, revoked_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Share with {share.shared_with.display_name} revoked.")
    return redirect("cases:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
@submit_once
def break_glass(request: AuthenticatedRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.break_glass_request(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            access = made.access  # given with the grant, so set exactly when granted
            if made.status == BreakGlassRequest.Status.GRANTED and access is not None:
                messages.warning(
                    request,
                    f"You have access to {access.case.reference} for "
                    f"{services.BREAK_GLASS_HOURS} hours. This access is logged, and the case's "
                    "supervisor and the data protection officer have been told.",
                )
                return redirect("cases:case_detail", pk=access.case_id)
            if made.status == BreakGlassRequest.Status.PENDING:
                messages.info(
                    request,
                    "You have reached today's limit for breaking the glass. Your request has "
                    "gone to your supervisor, who can approve it; you will be notified.",
                )
                return redirect("home")
            messages.info(
                request,
                "No restricted case was opened for this reference. Check it and try again; "
                "your request has been logged.",
            )
            return redirect("cases:break_glass")
    used = services.break_glass_used_today(request.user)
    return form_page(
        request,
        form,
        title="Break the glass",
        submit="Open the restricted case",
        back_url=reverse("home"),
        intro=(
            "Use this only when you need a restricted case urgently and its adviser and "
            "supervisor cannot share it with you. Every request is logged, and the case's "
            f"supervisor and the data protection officer are told. You have made {used} "
            "today; past the day's limit a supervisor must approve."
        ),
    )


@require_GET
@role_required(Role.SUPERVISOR)
def break_glass_queue(request: AuthenticatedRequest) -> HttpResponse:
    """Requests waiting for this supervisor's decision, and uses on their teams' cases to
    review."""
    pending = list(selectors.break_glass_requests_for(request.user))
    uses = list(selectors.break_glass_uses_for(request.user))
    access_record(
        request=request,
        actor=request.user,
        objects=[*pending, *uses],
        via="break-the-glass queue",
    )
    return render(
        request,
        "cases/break_glass_queue.html",
        {"pending": pending, "uses": uses, "decision_form": BreakGlassDecisionForm()},
    )


@require_POST
@role_required(Role.SUPERVISOR)
@submit_once
def break_glass_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    made = get_object_or_404(selectors.break_glass_requests_for(request.user), pk=pk)
    form = BreakGlassDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or decline the request.")
        return redirect("cases:break_glass_queue")
    try:
        services.break_glass_decide(
            request=made,
            decided_by=request.user,
            approve=form.cleaned_data["decision"] == "approve",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Request for {made.reference} decided.")
    return redirect("cases:break_glass_queue")


@require_http_methods(["GET", "POST"])
@role_required(Role.SUPERVISOR)
@submit_once
def break_glass_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_object_or_404(selectors.break_glass_uses_for(request.user, days=None), pk=pk)
    if hasattr(access, "review"):
        messages.info(request, "This access has already been reviewed.")
        return redirect("cases:break_glass_queue")
    form = BreakGlassReviewForm(request.POST or None)
    submitted = form_submitted(
        request,
        form,
        lambda: services.break_glass_review(
            access=access, reviewer=request.user, **form.cleaned_data
        ),
        success="Review recorded.",
        redirect_to=reverse("cases:break_glass_queue"),
    )
    if submitted is not None:
        return submitted
    access_record(request=request, actor=request.user, objects=[access], via="break-glass review")
    return render(
        request,
        "cases/break_glass_review.html",
        {"form": form, "access": access},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@submit_once
def referral_out_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    case = case_for_manager(request.user, pk)
    decision_id = carried_id(request, "decision")
    agency = request.POST.get("agency", "") if request.method == "POST" else ""
    consents = selectors.consents_for_referral(case, agency=agency)
    back = reverse("cases:referral_out_add", args=[case.pk])
    if decision_id is not None:
        back += f"?decision={decision_id}"
    form = ReferralOutForm(
        request.POST or None,
        initial=_consent_initial(request, consents),
        consents=consents,
        agency=agency,
        record_consent_url=_record_consent_url(case, scope=ConsentRecord.Scope.REFERRAL, back=back),
    )
    submitted = change_submitted(
        request,
        form,
        lambda: services.referral_out(case=case, created_by=request.user, **form.cleaned_data),
        case=case,
        success="Referral recorded.",
    )
    if submitted is not None:
        return submitted
    return form_page(
        request,
        form,
        title=f"Refer {case.reference} to another agency",
        submit="Record referral",
        case=case,
        shown=consents,
        via="referral form",
        extra={"decision_id": decision_id},
    )


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
@submit_once
def referral_in(request: AuthenticatedRequest) -> HttpResponse:
    form = ReferralInForm(request.POST or None, prefix="referral")
    client_form = ClientForm(request.POST or None, prefix="client")
    del client_form.fields["not_a_duplicate"]
    if request.method == "POST" and form.is_valid() and client_form.is_valid():
        case = services.referral_in(
            received_by=request.user, client_fields=client_form.client_fields(), **form.cleaned_data
        )
        messages.success(
            request,
            f"Referral recorded as {case.reference}; it waits in {form.cleaned_data['team'].name}'s "
            "unallocated queue.",
        )
        if selectors.case_is_supervised_by(case, request.user):
            return redirect("cases:unallocated")
        # Recording a referral for a team gives the person who typed it no access to the
        # client: the receiving team's supervisor allocates it.
        return redirect("home")
    return render(
        request,
        "cases/referral_in.html",
        {"form": form, "client_form": client_form},
        status=400 if (form.errors or client_form.errors) else 200,
    )


@require_GET
@role_required(Role.ADMIN)
def organisation(request: AuthenticatedRequest) -> HttpResponse:
    """Teams and people: counts and names only, never client data."""
    return render(
        request,
        "cases/organisation.html",
        {"teams": selectors.team_overview(), "role_counts": selectors.role_counts()},
    )


# --- access: who holds a case role or a team place --------------------------------

ACCESS_PEOPLE_PER_PAGE = 50


@require_GET
@role_required(Role.SERVICE_MANAGER)
def access(request: AuthenticatedRequest) -> HttpResponse:
    """Everyone's roles and team places, and the latest access changes. No client data."""
    page = Paginator(selectors.people_with_access(), ACCESS_PEOPLE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/access.html",
        {"page": page, "changes": list(selectors.access_changes()[:30])},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SERVICE_MANAGER)
def access_person(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Give or take away one case role or team place of a person, with a reason."""
    person = get_object_or_404(selectors.people_with_access(), pk=pk)
    own = person.pk == request.user.pk
    form = None
    if not own:
        teams = list(Team.objects.order_by("name"))
        form = AccessChangeForm(request.POST or None, person=person, teams=teams)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None and form.is_valid():
        change = dict(form.cleaned_data["change"])
        action = change.pop("action")
        try:
            if action == "grant":
                people.access_grant(
                    user=person,
                    granted_by=request.user,
                    reason=form.cleaned_data["reason"],
                    **change,
                )
            else:
                people.access_revoke(
                    user=person,
                    revoked_by=request.user,
                    reason=form.cleaned_data["reason"],
                    **change,
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Access of {person.display_name} changed; they are told.")
            return redirect("cases:access_person", pk=person.pk)
    return render(
        request,
        "cases/access_person.html",
        {
            "person": person,
            "own": own,
            "form": form,
            "changes": list(selectors.access_changes(person=person)[:50]),
        },
        status=400 if form is not None and form.errors else 200,
    )
