"""Every write to clients and cases. Views call these; nothing else changes the rows.

Services check the rules that make a change valid (a closure needs a reason,
a share needs current consent, a reassignment stays in the team) and raise
``ValidationError`` keyed by form field, so a form can show the message
beside the field. Each runs in one transaction: nothing is half-saved.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from caseload import crypto
from caseload.audit import audit_actor
from caseload.formats import human_date, human_datetime
from caseload.links import absolute_reverse
from caseload.models import counter_next, row_lock
from caseload.roles import Role, roles_of
from cases import selectors
from cases.models import (
    CLIENT_FIELDS,
    BreakGlassAccess,
    BreakGlassRequest,
    BreakGlassReview,
    Case,
    CaseDeadline,
    CaseEvent,
    CaseShare,
    CaseType,
    CaseUserObjectPermission,
    Client,
    ConsentRecord,
    Obstacle,
    Outcome,
    OutcomeProgress,
    Referral,
    Team,
    User,
)
from notifications.models import Kind as NotificationKind
from notifications.models import OutboxEmail
from notifications.services import notifications_resolve, notify, outbox_email_queue

if TYPE_CHECKING:
    from priorities.models import CriteriaVersion

logger = logging.getLogger(__name__)

BREAK_GLASS_HOURS = 8


# --- clients ----------------------------------------------------------------


def _client_set_indexes(client: Client) -> None:
    client.family_name_index = crypto.blind_index("family_name", client.family_name)
    client.date_of_birth_index = crypto.blind_index("date_of_birth", client.date_of_birth)
    client.postcode_index = crypto.blind_index("postcode", client.postcode)


def client_indexes_blank(*, client: Client, erased_by: User) -> Client:
    """Empty an erased client's search hashes, so no search finds them again.

    For the erasure of a client whose data key has been destroyed (``dataprotection``);
    every personal field already reads "[erased]" and is left as it is stored.
    """
    with audit_actor(erased_by):
        client.family_name_index = client.date_of_birth_index = client.postcode_index = ""
        client.save(update_fields=["family_name_index", "date_of_birth_index", "postcode_index"])
    return client


def _refuse_if_processing_restricted(client_id: int, *, field: str | None = None) -> None:
    """Raise the restriction's message when the client's record is frozen (or erased)."""
    from dataprotection.selectors import processing_refusal

    message = processing_refusal(client_id=client_id)
    if message:
        raise ValidationError({field: message} if field else message)


@transaction.atomic
def client_create(*, created_by: User, **fields: Any) -> Client:
    """Create a client with a data key of their own and a new reference."""
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown client fields: {', '.join(sorted(unknown))}")
    client = Client(
        data_key=crypto.data_key_create(),
        reference=f"C-{counter_next('client'):06d}",
        created_by=created_by,
        **fields,
    )
    _client_set_indexes(client)
    client.save()
    return client


@transaction.atomic
def client_create_with_case(
    *,
    created_by: User,
    client_fields: dict[str, Any],
    case_type: CaseType,
    presenting_issue: str,
    referral_source: str = Case.ReferralSource.SELF,
    restricted: bool = False,
    now: datetime | None = None,
) -> Case:
    """A new client with their first case, on the caseload of the adviser who made them.

    Creating a client gives no access of its own: the case is what relates the
    adviser to the client, and when it moves on, so does the access.
    """
    if Role.ADVISER not in roles_of(created_by):
        raise ValidationError("Only an adviser can take on a new client.")
    client = client_create(created_by=created_by, **client_fields)
    return case_open(
        client=client,
        case_type=case_type,
        opened_by=created_by,
        presenting_issue=presenting_issue,
        referral_source=referral_source,
        restricted=restricted,
        now=now,
    )


@transaction.atomic
def client_update(*, client: Client, **fields: Any) -> Client:
    _refuse_if_processing_restricted(client.pk)
    for name, value in fields.items():
        if name not in CLIENT_FIELDS:
            raise TypeError(f"Unknown client field: {name}")
        setattr(client, name, value)
    _client_set_indexes(client)
    client.save()
    return client


@transaction.atomic
def consent_record(
    *,
    client: Client,
    recorded_by: User,
    scope: str,
    shared_with: str,
    details: str,
    given_on: date,
    method: str,
    channel: str = "",
    expires_on: date | None = None,
    today: date | None = None,
) -> ConsentRecord:
    """Record a consent for one purpose: sharing with colleagues, referring to the agencies
    ``shared_with`` names, or contacting the client by ``channel``; until ``expires_on``
    (its last day) if the client gave it for a time only. Not while the client's record is
    frozen by a restriction of processing; withdrawing one stays possible."""
    today = today or timezone.localdate()
    _refuse_if_processing_restricted(client.pk)
    errors: dict[str, str] = {}
    if given_on > today:
        errors["given_on"] = "Consent cannot be given in the future."
    if expires_on is not None and expires_on < given_on:
        errors["expires_on"] = "The consent cannot end before the day it was given."
    elif expires_on is not None and expires_on < today:
        errors["expires_on"] = (
            "That day has passed: the consent would already have ended. Leave it empty if "
            "the client gave it with no end."
        )
    if scope == ConsentRecord.Scope.CONTACT:
        if channel not in ConsentRecord.Channel.values:
            errors["channel"] = "Choose how the client agreed to be contacted."
    else:
        channel = ""
        if not shared_with.strip():
            errors["shared_with"] = (
                "Say with whom the client agreed to share: the colleagues, or the agencies by name."
            )
    if errors:
        raise ValidationError(errors)
    consent = ConsentRecord(
        client=client,
        scope=scope,
        shared_with=shared_with,
        channel=channel,
        details=details,
        given_on=given_on,
        expires_on=expires_on,
        method=method,
        recorded_by=recorded_by,
    )
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: ConsentRecord,
    withdrawn_by: User | None,
    reason: str = "",
    on: date | None = None,
    now: datetime | None = None,
) -> selectors.ConsentDependents:
    """Record that the client withdrew consent, and end at once what rested on it: the
    live shares (revoked, their holders told) and the referrals out still pending
    (withdrawn), with an entry on each affected case's timeline.

    Returns what ended; withdrawing a consent already withdrawn ends nothing more.
    """
    now = now or timezone.now()
    row_lock(consent)
    if consent.withdrawn_on is not None:
        return selectors.ConsentDependents(shares=[], referrals=[])
    consent.withdrawn_on = on or timezone.localdate(now)
    consent.withdrawn_by = withdrawn_by
    consent.withdrawal_reason = reason.strip() or None
    consent.save(update_fields=["withdrawn_on", "withdrawn_by", "withdrawal_reason"])
    return _consent_end_dependents(
        selectors.consent_dependents(consent, now=now),
        actor=withdrawn_by,
        now=now,
        why="withdrawn",
        reason=reason,
    )


def consents_expired_end(*, now: datetime | None = None) -> int:
    """End the live shares that rest on a consent past its expiry date, with the same
    timeline entry and notice as a withdrawal; returns how many ended. The deadline sweep
    calls it; running it again ends nothing more. Pending referrals out stay: they were
    sent while the consent held."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = (
        ConsentRecord.objects.expired(today=today)
        .filter(shares__revoked_at__isnull=True, shares__expires_at__gt=now)
        .values_list("pk", flat=True)
        .distinct()
    )
    count = 0
    for consent_id in list(expired):
        with transaction.atomic():
            consent = ConsentRecord.objects.select_related("client").get(pk=consent_id)
            row_lock(consent)
            ended = _consent_end_dependents(
                selectors.ConsentDependents(
                    shares=selectors.consent_dependents(consent, now=now).shares, referrals=[]
                ),
                actor=None,
                now=now,
                why="expired",
            )
            count += len(ended.shares)
    return count


def _consent_end_dependents(
    ended: selectors.ConsentDependents,
    *,
    actor: User | None,
    now: datetime,
    why: str,
    reason: str = "",
) -> selectors.ConsentDependents:
    """End ``ended``'s shares and referrals, one timeline entry per case, and tell each
    share holder that their access ended (a case reference, never client data). Returns
    what it ended: not what another transaction ended meanwhile."""
    done = selectors.ConsentDependents(shares=[], referrals=[])
    by_case: dict[int, tuple[Case, list[CaseShare], list[Referral]]] = {}
    for share in ended.shares:
        by_case.setdefault(share.case_id, (share.case, [], []))[1].append(share)
    for referral in ended.referrals:
        by_case.setdefault(referral.case_id, (referral.case, [], []))[2].append(referral)
    for case, live, pending in by_case.values():
        # Locked and read again: a share revoked or a referral answered meanwhile stays.
        shares = [share for share in live if row_lock(share).revoked_at is None]
        referrals = [
            referral
            for referral in pending
            if referral_withdraw(referral=referral).status == Referral.Status.WITHDRAWN
        ]
        if not shares and not referrals:
            continue
        done.shares.extend(shares)
        done.referrals.extend(referrals)
        for share in shares:
            share_revoke(share=share, revoked_by=actor, now=now, record=False)
            notify(
                recipients=[share.shared_with],
                kind=NotificationKind.ACCESS,
                subject=f"share {share.pk}",
                message=f"Your access to {case.reference} has ended: the client's consent "
                f"it rested on was {why}.",
                now=now,
            )
        what = [f"share with {share.shared_with.display_name} ended" for share in shares]
        if referrals:
            what.append(
                "1 referral out withdrawn"
                if len(referrals) == 1
                else f"{len(referrals)} referrals out withdrawn"
            )
        summary = f"Consent {why}: " + "; ".join(what)
        if len(summary) > 200:
            summary = (
                f"Consent {why}: {len(shares)} shares ended; "
                f"{len(referrals)} referrals out withdrawn"
            )
        detail = "".join(f"Referral to {r.agency} withdrawn.\n" for r in referrals)
        if reason.strip():
            detail += f"Reason given: {reason.strip()}"
        case_event_record(
            case=case,
            kind=CaseEvent.Kind.CONSENT_ENDED,
            summary=summary,
            actor=actor,
            detail=detail.strip(),
            at=now,
        )
    return done


# --- cases ------------------------------------------------------------------


def case_event_record(
    *,
    case: Case,
    kind: str,
    summary: str,
    actor: User | None,
    detail: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    """Add an event to the case's history; every app writes case events through here.

    ``summary`` is stored in clear (lists and reports show it without
    decrypting), so it says only what kind of thing happened, with dates,
    statuses and staff names: no health or other special-category detail, no
    agency, no one outside the staff. All of that goes in ``detail``, which is
    encrypted with the client's key.
    """
    event = CaseEvent(
        case=case, kind=kind, summary=summary, detail=detail, actor=actor, at=at or timezone.now()
    )
    event.save()
    return event


def case_priority_set(
    *,
    case: Case,
    level: str,
    level_rank: int,
    assessed_at: datetime,
    version: CriteriaVersion,
) -> None:
    """Record on the case the level an assessment gave it (priorities decides it; the
    case's columns are written here, by their app)."""
    case.level = level
    case.level_rank = level_rank
    case.assessed_at = assessed_at
    case.assessment_version = version
    case.save(update_fields=["level", "level_rank", "assessed_at", "assessment_version"])


def case_due_dates_save(*, case: Case, fields: list[str]) -> None:
    """Store the due dates ``priorities.services.case_refresh_due_dates`` computed on
    ``case`` (the named columns only)."""
    case.save(update_fields=fields)


def case_contact_record(*, case: Case, contact_at: datetime) -> None:
    """Move the case's last contact to ``contact_at`` if that is newer; never back.

    ``case`` was read under its row lock (``notes.services.note_append`` holds it), so
    its ``last_contact_at`` is the stored one: nothing to write when that is newer. The
    UPDATE keeps GREATEST all the same, so notes recorded at once leave the newest
    contact whatever order they commit in (the next-contact due date follows it).
    """
    if case.last_contact_at is not None and case.last_contact_at >= contact_at:
        return
    Case.objects.filter(pk=case.pk).update(
        last_contact_at=Greatest(
            Coalesce(F("last_contact_at"), Value(contact_at)), Value(contact_at)
        )
    )
    case.last_contact_at = contact_at


def contact_date_problem(*, case: Case, contact_at: datetime) -> str | None:
    """Why ``contact_at`` cannot be a contact on ``case`` for being too early, or None.

    A contact is no earlier than the day the case began (``Case.started_on``:
    its opening, or its referral if that came first); an earlier date is a
    typing mistake that would move the next-contact due date.
    """
    started = case.started_on
    if timezone.localdate(contact_at) < started:
        what = "the referral was received" if case.opened_on != started else "the case was opened"
        return f"The contact date cannot be before {what} ({human_date(started)})."
    return None


def open_work_lines(summary: selectors.CaseSummary) -> list[str]:
    """What is still open on a case, one line each, as the close form lists it and the
    timeline records it when a case closes as "outcomes met" regardless."""
    return [
        *(
            f"Outcome: {o.description} ({o.progress_percent}%, {o.get_status_display().lower()})"
            for o in summary.outcomes_short
        ),
        *(f"Deadline: {d.description}, due {human_date(d.due_on)}" for d in summary.open_deadlines),
        *(
            f"Deadline flag: {f.get_deadline_display()} {f.get_stage_display().lower()}, "
            f"{human_date(f.due_on)}"
            for f in summary.open_flags
        ),
        *(f"Action: {a.description}, due {human_date(a.due_on)}" for a in summary.open_actions),
    ]


def plan_date_problem(*, on: date, today: date, what: str = "date") -> str | None:
    """Why ``on`` cannot be the date of an action, deadline, outcome or follow-up for being
    too far ahead to be meant (the organisation's ``plan_ahead_years``), or None."""
    # Imported here: priorities imports cases at module level (cases ↔ priorities).
    from priorities.models import Organisation

    organisation = Organisation.current()
    latest = organisation.plannable_until(today)
    if on > latest:
        years = organisation.plan_ahead_years
        return (
            f"The {what} cannot be more than {years} year{'s' if years != 1 else ''} ahead "
            f"(on or before {human_date(latest)})."
        )
    return None


def _refresh_due_dates(case: Case) -> None:
    # Imported here: priorities imports cases at module level (cases ↔ priorities).
    from priorities.services import case_refresh_due_dates

    case_refresh_due_dates(case)


def _team_of(user: User) -> Team | None:
    return selectors.teams_of(user).first()


@transaction.atomic
def case_open(
    *,
    client: Client,
    case_type: CaseType,
    opened_by: User,
    presenting_issue: str,
    referral_source: str = Case.ReferralSource.SELF,
    restricted: bool = False,
    now: datetime | None = None,
) -> Case:
    """Open a case for a client: on the caseload of the adviser who opens it, or, opened
    by a supervisor with no caseload, in the unallocated queue of their team that holds
    the client's case.

    Any case after a client's first needs a real relationship with the client (see
    ``selectors.client_can_open_case``), so that a share or break-the-glass
    access can never be turned into a case of one's own. A client with a
    restricted case gets restricted cases only.
    """
    now = now or timezone.now()
    roles = roles_of(opened_by)
    if not opened_by.is_active or not roles & {Role.ADVISER, Role.SUPERVISOR}:
        raise ValidationError("Only an adviser or a supervisor can open a case.")
    if client.pk is not None:
        _refuse_if_processing_restricted(client.pk)
    # A client with no case yet is seen by no one (pages reach a client only through a
    # case), so their first case comes straight after they are created.
    if client.cases.exists() and not selectors.client_can_open_case(opened_by, client):
        raise ValidationError(
            "You can open a case only for a client one of whose open cases you manage."
        )
    assigned_to: User | None = opened_by
    team = _team_of(opened_by)
    if Role.ADVISER not in roles:
        assigned_to = None
        team = selectors.team_for_new_case(opened_by, client)
        if team is None:
            raise ValidationError("Only an adviser can open a case on their own caseload.")
    case = Case(
        client=client,
        case_type=case_type,
        presenting_issue=presenting_issue,
        referral_source=referral_source,
        restricted=restricted or selectors.client_is_restricted(client),
        status=Case.Status.OPEN,
        opened_on=timezone.localdate(now),
        assigned_to=assigned_to,
        team=team,
        created_by=opened_by,
    )
    case.save()
    case_event_record(
        case=case, kind=CaseEvent.Kind.CREATED, summary="Case opened", actor=opened_by, at=now
    )
    _refresh_due_dates(case)
    return case


@transaction.atomic
def case_status_change(
    *,
    case: Case,
    status: str,
    changed_by: User,
    closure_reason: str = "",
    closure_outcome: str = "",
    comment: str = "",
    open_work_confirmed: bool = False,
    open_work_reason: str = "",
    now: datetime | None = None,
) -> Case:
    """Move a case through referred → open → on hold → closed, or reopen it.

    Closing as "outcomes met" while an outcome is below 100% or a deadline, a
    deadline flag or an action is still open needs ``open_work_confirmed`` and an
    ``open_work_reason``; what was still open and the reason go on the timeline.
    """
    now = now or timezone.now()
    row_lock(case)
    old = case.status
    if status == old:
        raise ValidationError({"status": f"The case is already {case.get_status_display()}."})
    if status == Case.Status.REFERRED:
        raise ValidationError({"status": "A case cannot go back to referred."})
    if old == Case.Status.CLOSED:
        # Reopening is a new case in all but name: not for a frozen or erased record.
        _refuse_if_processing_restricted(case.client_id, field="status")
    still_open: list[str] = []
    if status == Case.Status.CLOSED:
        if not closure_reason:
            raise ValidationError({"closure_reason": "Say why the case is being closed."})
        if not closure_outcome.strip():
            raise ValidationError({"closure_outcome": "Record the outcome for the client."})
        if closure_reason == Case.ClosureReason.OUTCOMES_MET:
            still_open = open_work_lines(selectors.case_summary(case))
        if still_open:
            problems = {}
            if not open_work_confirmed:
                problems["open_work_confirmed"] = (
                    "Confirm that the case closes as outcomes met with these still open."
                )
            if not open_work_reason.strip():
                problems["open_work_reason"] = (
                    "Say why the case closes as outcomes met with these still open."
                )
            if problems:
                raise ValidationError(problems)
        case.closed_on = timezone.localdate(now)
        case.closure_reason = closure_reason
        case.closure_outcome = closure_outcome
    elif old == Case.Status.CLOSED:
        # Reopening keeps the history of the closure in the events.
        case.closed_on = None
        case.closure_reason = ""
        case.closure_outcome = ""
    if status == Case.Status.OPEN and case.opened_on is None:
        case.opened_on = timezone.localdate(now)
    case.status = status
    case.save()
    verb = "Reopened" if old == Case.Status.CLOSED else "Status changed"
    summary = f"{verb}: {Case.Status(old).label} → {Case.Status(status).label}"
    if status == Case.Status.CLOSED:
        summary += f" ({Case.ClosureReason(closure_reason).label}"
        summary += f", with {len(still_open)} still open)" if still_open else ")"
        confirmed = ""
        if still_open:
            confirmed = (
                "Closed as outcomes met with these still open:\n"
                + "\n".join(f"- {line}" for line in still_open)
                + f"\nReason: {open_work_reason.strip()}"
            )
        comment = "\n\n".join(part for part in (closure_outcome, confirmed, comment) if part)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.STATUS,
        summary=summary,
        actor=changed_by,
        detail=comment,
        at=now,
    )
    _refresh_due_dates(case)
    return case


@transaction.atomic
def case_assign(
    *,
    case: Case,
    adviser: User,
    assigned_by: User,
    handover_note: str,
    now: datetime | None = None,
) -> Case:
    """Give a case to an adviser of its team, with a handover note (reassign or allocate)."""
    now = now or timezone.now()
    row_lock(case)
    if case.team is None or not selectors.case_is_supervised_by(case, assigned_by):
        raise ValidationError("Only a supervisor of the case's team can reassign it.")
    if not selectors.team_advisers(case.team).filter(pk=adviser.pk).exists():
        raise ValidationError({"adviser": f"Choose an adviser in {case.team.name}."})
    if adviser.pk == case.assigned_to_id:
        raise ValidationError({"adviser": "The case is already assigned to this adviser."})
    if not handover_note.strip():
        raise ValidationError({"handover_note": "Write a handover note for the new adviser."})
    previous = case.assigned_to
    case.assigned_to = adviser
    case.save(update_fields=["assigned_to"])
    if previous is None:
        summary = f"Allocated to {adviser.display_name}"
    else:
        summary = f"Reassigned from {previous.display_name} to {adviser.display_name}"
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        summary=summary,
        actor=assigned_by,
        detail=handover_note,
        at=now,
    )
    if previous is None:
        _refresh_due_dates(case)  # allocated: the allocation deadline is met
    return case


@transaction.atomic
def case_return_to_queue(
    *, case: Case, returned_by: User, handover_note: str, reason: str, now: datetime | None = None
) -> Case:
    """Take a case from its adviser and put it in its team's unallocated queue, with a
    handover note for whoever is given it next; the allocation deadline applies again.

    ``reason`` says in a few words why (it is stored in clear on the timeline, so it
    names staff only). A case without a team goes to its adviser's team.
    """
    now = now or timezone.now()
    row_lock(case)
    if not handover_note.strip():
        raise ValidationError({"handover_note": "Write a handover note for the next adviser."})
    previous = case.assigned_to
    if previous is None:
        return case
    if case.team is None:
        case.team = _team_of(previous)
        if case.team is None:
            raise ValidationError(
                f"{case.reference} has no team to return it to: ask a supervisor to reassign it."
            )
    case.assigned_to = None
    case.save(update_fields=["assigned_to", "team"])
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.ASSIGNED,
        summary=f"Returned from {previous.display_name} to the {case.team.name} queue: {reason}",
        actor=returned_by,
        detail=handover_note.strip(),
        at=now,
    )
    _refresh_due_dates(case)
    return case


@transaction.atomic
def deadline_add(
    *, case: Case, due_on: date, description: str, added_by: User, today: date | None = None
) -> CaseDeadline:
    today = today or timezone.localdate()
    if due_on < today:
        raise ValidationError({"due_on": "A new deadline cannot be in the past."})
    too_far = plan_date_problem(on=due_on, today=today, what="deadline")
    if too_far:
        raise ValidationError({"due_on": too_far})
    deadline = CaseDeadline(case=case, due_on=due_on, description=description, created_by=added_by)
    deadline.save()
    _refresh_due_dates(case)
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.DEADLINE_ADDED,
        summary=f"Deadline added for {human_date(due_on)}",
        actor=added_by,
        detail=description,
    )
    return deadline


@transaction.atomic
def deadline_set_status(*, deadline: CaseDeadline, status: str, changed_by: User) -> CaseDeadline:
    row_lock(deadline)
    if deadline.status != CaseDeadline.Status.OPEN:
        raise ValidationError("Only an open deadline can be marked met or cancelled.")
    deadline.status = status
    deadline.save(update_fields=["status"])
    _refresh_due_dates(deadline.case)
    case_event_record(
        case=deadline.case,
        kind=CaseEvent.Kind.DEADLINE_CHANGED,
        summary=f"Deadline of {human_date(deadline.due_on)} marked {CaseDeadline.Status(status).label.lower()}",
        actor=changed_by,
    )
    return deadline


@transaction.atomic
def outcome_add(
    *,
    case: Case,
    description: str,
    measure: str,
    target_date: date,
    added_by: User,
    today: date | None = None,
) -> Outcome:
    today = today or timezone.localdate()
    if target_date < today:
        raise ValidationError({"target_date": "The target date cannot be in the past."})
    too_far = plan_date_problem(on=target_date, today=today, what="target date")
    if too_far:
        raise ValidationError({"target_date": too_far})
    outcome = Outcome(
        case=case,
        description=description,
        measure=measure,
        target_date=target_date,
        created_by=added_by,
    )
    outcome.save()
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.OUTCOME,
        summary="Outcome planned",
        actor=added_by,
        detail=description,
    )
    return outcome


@transaction.atomic
def outcome_progress_record(
    *, outcome: Outcome, note: str, status: str, progress_percent: int, recorded_by: User
) -> OutcomeProgress:
    if status == Outcome.Status.ACHIEVED and progress_percent != 100:
        raise ValidationError({"progress_percent": "An achieved outcome is 100% complete."})
    entry = OutcomeProgress(
        outcome=outcome,
        note=note,
        status=status,
        progress_percent=progress_percent,
        recorded_by=recorded_by,
    )
    entry.save()
    outcome.status = status
    outcome.progress_percent = progress_percent
    outcome.save(update_fields=["status", "progress_percent"])
    case_event_record(
        case=outcome.case,
        kind=CaseEvent.Kind.OUTCOME,
        summary=f"Outcome progress: {Outcome.Status(status).label}, {progress_percent}%",
        actor=recorded_by,
        detail=note,
    )
    return entry


@transaction.atomic
def obstacle_record(*, case: Case, kind: str, description: str, raised_by: User) -> Obstacle:
    obstacle = Obstacle(case=case, kind=kind, description=description, raised_by=raised_by)
    obstacle.save()
    # The kind ("Client's health") is personal detail: it goes in the encrypted detail.
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.OBSTACLE,
        summary="Obstacle recorded",
        actor=raised_by,
        detail=f"{Obstacle.Kind(kind).label}: {description}",
    )
    return obstacle


@transaction.atomic
def obstacle_resolve(
    *, obstacle: Obstacle, resolution: str, resolved_by: User, now: datetime | None = None
) -> Obstacle:
    row_lock(obstacle)
    if obstacle.status == Obstacle.Status.RESOLVED:
        raise ValidationError("This obstacle is already resolved.")
    if not resolution.strip():
        raise ValidationError({"resolution": "Say how the obstacle was resolved."})
    obstacle.status = Obstacle.Status.RESOLVED
    obstacle.resolution = resolution
    obstacle.resolved_by = resolved_by
    obstacle.resolved_at = now or timezone.now()
    obstacle.save()
    case_event_record(
        case=obstacle.case,
        kind=CaseEvent.Kind.OBSTACLE,
        summary="Obstacle resolved",
        actor=resolved_by,
        detail=f"{obstacle.get_kind_display()}: {resolution}",
    )
    return obstacle


# --- sharing and break the glass ----------------------------------------------------


def _start_of_day_after(day: date) -> datetime:
    """The moment something that lasts to the end of ``day`` ends."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


@transaction.atomic
def case_share(
    *,
    case: Case,
    shared_with: User,
    level: str,
    reason: str,
    consent: ConsentRecord | None,
    expires_on: date,
    shared_by: User,
    now: datetime | None = None,
) -> CaseShare:
    """Share a case with a colleague until the end of ``expires_on``, on recorded consent."""
    now = now or timezone.now()
    _refuse_if_processing_restricted(case.client_id)
    if case.restricted:
        raise ValidationError(
            "A restricted case cannot be shared; a colleague who needs it must break the glass."
        )
    if consent is None:
        raise ValidationError({"consent": "Choose the client's consent this share relies on."})
    if consent.client_id != case.client_id or not consent.is_current_on(timezone.localdate(now)):
        raise ValidationError({"consent": "Choose a current consent record of this client."})
    if not consent.covers_colleagues:
        raise ValidationError(
            {
                "consent": "This consent does not cover sharing with colleagues: the client's "
                "consent for colleagues (or for any agency involved) is missing."
            }
        )
    if expires_on <= timezone.localdate(now):
        raise ValidationError({"expires_on": "The share must end after today."})
    if expires_on > timezone.localdate(now) + timedelta(days=366):
        raise ValidationError({"expires_on": "A share can last a year at most."})
    if shared_with.pk == case.assigned_to_id:
        raise ValidationError({"shared_with": "The case is already assigned to this person."})
    if not roles_of(shared_with) & {Role.ADVISER, Role.SUPERVISOR}:
        raise ValidationError({"shared_with": "Share only with an adviser or a supervisor."})
    expires_at = _start_of_day_after(expires_on)
    # One live share per person and case: a new share replaces the old one.
    for old in case.shares.filter(shared_with=shared_with, revoked_at__isnull=True):
        share_revoke(share=old, revoked_by=shared_by, now=now, record=False)
    share = CaseShare(
        case=case,
        shared_with=shared_with,
        level=level,
        reason=reason,
        consent=consent,
        expires_at=expires_at,
        shared_by=shared_by,
    )
    share.save()
    codenames = ["view_case"]
    if level == CaseShare.Level.CONTRIBUTE:
        codenames.append("contribute_case")
    # Access itself stops when the consent ends, to the minute; the sweep then records
    # the share as ended on the case's timeline and tells the colleague.
    access_until = expires_at
    if consent.expires_on is not None:
        access_until = min(access_until, _start_of_day_after(consent.expires_on))
    for permission in Permission.objects.filter(
        content_type__app_label="cases", codename__in=codenames
    ):
        CaseUserObjectPermission.objects.update_or_create(
            user=shared_with,
            permission=permission,
            content_object=case,
            defaults={"share": share, "expires_at": access_until},
        )
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.SHARED,
        summary=f"Shared with {shared_with.display_name} ({share.get_level_display().lower()}) "
        f"until {human_date(expires_on)}",
        actor=shared_by,
        detail=reason,
        at=now,
    )
    return share


@transaction.atomic
def share_revoke(
    *,
    share: CaseShare,
    revoked_by: User | None,
    now: datetime | None = None,
    record: bool = True,
) -> CaseShare:
    row_lock(share)
    if share.revoked_at is not None:
        raise ValidationError("This share has already been revoked.")
    share.revoked_at = now or timezone.now()
    share.revoked_by = revoked_by
    share.save(update_fields=["revoked_at", "revoked_by"])
    CaseUserObjectPermission.objects.filter(share=share).delete()
    if record:
        case_event_record(
            case=share.case,
            kind=CaseEvent.Kind.SHARE_REVOKED,
            summary=f"Share with {share.shared_with.display_name} revoked",
            actor=revoked_by,
        )
    return share


BREAK_GLASS_REASON_MIN_CHARS = 25
BREAK_GLASS_REASON_MIN_WORDS = 5


def _break_glass_check_reason(reason: str) -> None:
    """A reason of real length: enough words to say what is happening and why now."""
    words = [w for w in reason.split() if any(c.isalpha() for c in w)]
    if (
        len(reason.strip()) < BREAK_GLASS_REASON_MIN_CHARS
        or len(words) < BREAK_GLASS_REASON_MIN_WORDS
        or len({w.lower() for w in words}) < 3
    ):
        raise ValidationError(
            {
                "reason": "Explain in a sentence what is happening and why you need this case "
                f"now (at least {BREAK_GLASS_REASON_MIN_WORDS} words)."
            }
        )


def _break_glass_check_requester(user: User) -> None:
    if not user.is_active or not roles_of(user) & {Role.ADVISER, Role.SUPERVISOR}:
        raise ValidationError("Only advisers and supervisors can break the glass.")


def _start_of_day(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def break_glass_used_today(user: User, *, now: datetime | None = None) -> int:
    """How many times ``user`` broke the glass on their own today, whether or not the
    reference named a restricted case: every attempt counts, so the limit also bounds
    guessing. Accesses a supervisor approved do not count."""
    now = now or timezone.now()
    return BreakGlassRequest.objects.filter(
        user=user,
        requested_at__gte=_start_of_day(now),
        status__in=[BreakGlassRequest.Status.GRANTED, BreakGlassRequest.Status.NO_MATCH],
    ).count()


def _break_glass_daily_limit() -> int:
    # Imported here: priorities imports cases at module level (cases ↔ priorities).
    from priorities.models import Organisation

    return Organisation.current().break_glass_daily_limit


def _data_protection_officers() -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=Role.DATA_PROTECTION.value).distinct()
    )


def _notify(
    recipients: list[User],
    *,
    case: Case | None,
    message: str,
    now: datetime,
    subject: str = "",
    emailed: bool = False,
) -> None:
    """Break-the-glass notifications, which everyone hears of by email at once: through
    ``notify`` (the kind's delivery), or, for an access opened (``emailed``), through
    the fuller alert ``break_glass_alert_queue`` queues, so the digest leaves it out."""
    notify(
        recipients=recipients,
        kind=NotificationKind.BREAK_GLASS,
        subject=subject,
        case=case,
        message=message,
        now=now,
        emailed=emailed,
    )


def _break_glass_grant(
    *, case: Case, user: User, reason: str, now: datetime, approved_by: User | None = None
) -> BreakGlassAccess:
    access = BreakGlassAccess(
        case=case,
        user=user,
        reason=reason,
        granted_at=now,
        expires_at=now + timedelta(hours=BREAK_GLASS_HOURS),
    )
    access.save()
    summary = "Opened by break the glass"
    if approved_by is not None:
        summary += f", approved by {approved_by.display_name}"
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.BREAK_GLASS,
        summary=summary,
        actor=user,
        detail=reason,
        at=now,
    )
    _notify(
        [*selectors.case_supervisors(case), *_data_protection_officers()],
        case=case,
        message=f"{user.display_name} opened the restricted case {case.reference} "
        "by break the glass.",
        now=now,
        emailed=True,
    )
    # The emails are queued in this transaction; the worker's outbox sends them.
    break_glass_alert_queue(access_id=access.pk, now=now)
    return access


def _lock_person(user: User) -> None:
    """Serialise one person's break-the-glass requests, so two at once cannot both pass
    the day's limit."""
    User.objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def break_glass(
    *, case: Case, user: User, reason: str, now: datetime | None = None
) -> BreakGlassAccess:
    """Open a known restricted case for a few hours, with a reason, within the day's limit;
    its supervisors and the data protection officers are told."""
    now = now or timezone.now()
    _break_glass_check_requester(user)
    if not case.restricted:
        raise ValidationError("Break the glass is only for restricted cases.")
    _break_glass_check_reason(reason)
    _lock_person(user)
    if break_glass_used_today(user, now=now) >= _break_glass_daily_limit():
        raise ValidationError(
            "You have reached today's limit for breaking the glass: ask your supervisor to "
            "approve a request."
        )
    access = _break_glass_grant(case=case, user=user, reason=reason, now=now)
    BreakGlassRequest(
        user=user,
        reference=case.reference,
        case=case,
        data_key=crypto.data_key_create(),
        reason=reason,
        requested_at=now,
        status=BreakGlassRequest.Status.GRANTED,
        access=access,
    ).save()
    return access


@transaction.atomic
def break_glass_request(
    *, user: User, reference: str, reason: str, now: datetime | None = None
) -> BreakGlassRequest:
    """Ask to open a restricted case by its reference.

    Every request is recorded and, within the day's limit, served at once: it
    opens the case if the reference names a restricted case, and otherwise
    grants nothing. Past the limit it waits for a supervisor of the person's
    team. Nothing is looked up before the reason has passed its checks, and
    the outcome past the limit is the same whether or not the case exists.
    """
    now = now or timezone.now()
    _break_glass_check_requester(user)
    _break_glass_check_reason(reason)
    _lock_person(user)
    pk = Case.pk_from_reference(reference)
    case = Case.objects.filter(pk=pk, restricted=True).first() if pk is not None else None
    over_limit = break_glass_used_today(user, now=now) >= _break_glass_daily_limit()
    request = BreakGlassRequest(
        user=user,
        reference=reference.strip().upper()[:40],
        case=case,
        data_key=crypto.data_key_create(),
        reason=reason,
        requested_at=now,
    )
    if over_limit:
        request.status = BreakGlassRequest.Status.PENDING
        request.save()
        _notify(
            selectors.supervisors_of_person(user),
            case=None,
            message=f"{user.display_name} asks you to approve a break-the-glass request: "
            "they have reached today's limit.",
            now=now,
            subject=f"request:{request.pk}",
        )
        return request
    if case is None:
        request.status = BreakGlassRequest.Status.NO_MATCH
        request.save()
        return request
    request.status = BreakGlassRequest.Status.GRANTED
    request.access = _break_glass_grant(case=case, user=user, reason=reason, now=now)
    request.save()
    return request


@transaction.atomic
def break_glass_decide(
    *,
    request: BreakGlassRequest,
    decided_by: User,
    approve: bool,
    now: datetime | None = None,
) -> BreakGlassRequest:
    """A supervisor of the requester approves or declines a request past the day's limit."""
    now = now or timezone.now()
    request = BreakGlassRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != BreakGlassRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    if decided_by.pk == request.user_id or not selectors.supervises_person(
        decided_by, request.user
    ):
        raise ValidationError("Only a supervisor of the person asking can decide this request.")
    request.decided_by = decided_by
    request.decided_at = now
    if approve and request.case is not None and request.case.restricted:
        request.status = BreakGlassRequest.Status.APPROVED
        request.access = _break_glass_grant(
            case=request.case,
            user=request.user,
            reason=request.reason,
            approved_by=decided_by,
            now=now,
        )
    else:
        request.status = BreakGlassRequest.Status.DECLINED
    request.save()
    # The supervisors' "asks you to approve" is dealt with, whoever decided.
    notifications_resolve(
        kind=NotificationKind.BREAK_GLASS, subjects=[f"request:{request.pk}"], now=now
    )
    outcome = "approved" if request.status == BreakGlassRequest.Status.APPROVED else "declined"
    _notify(
        [request.user],
        case=None,
        message=f"{decided_by.display_name} {outcome} your break-the-glass request "
        f"for {request.reference}.",
        now=now,
    )
    return request


@transaction.atomic
def break_glass_review(
    *,
    access: BreakGlassAccess,
    reviewer: User,
    outcome: str,
    comment: str = "",
    now: datetime | None = None,
) -> BreakGlassReview:
    """A supervisor of the case looks back at one use: justified, or a concern for the data
    protection officers."""
    now = now or timezone.now()
    row_lock(access)  # two reviews of one access at once: the second waits, then is refused
    if reviewer.pk == access.user_id or not selectors.case_is_supervised_by(access.case, reviewer):
        raise ValidationError("Only a supervisor of the case's team can review this access.")
    if BreakGlassReview.objects.filter(access=access).exists():
        raise ValidationError("This access has already been reviewed.")
    if outcome == BreakGlassReview.Outcome.CONCERN and not comment.strip():
        raise ValidationError({"comment": "Say what the concern is."})
    review = BreakGlassReview(
        access=access, reviewer=reviewer, outcome=outcome, comment=comment, reviewed_at=now
    )
    review.save()
    if outcome == BreakGlassReview.Outcome.CONCERN:
        _notify(
            _data_protection_officers(),
            case=access.case,
            message=f"{reviewer.display_name} raised a concern about a break-the-glass access "
            f"to {access.case.reference} by {access.user.display_name}.",
            now=now,
        )
    return review


def break_glass_alert_queue(*, access_id: int, now: datetime | None = None) -> bool:
    """Queue the break-glass alert emails to the case's supervisors and the data protection
    officers, once per access; False if already queued.

    Called in the transaction that grants the access, and by the sweep for an
    access granted before the outbox existed. The access's "supervisors
    emailed" time (set once) records when the emails were queued; the outbox
    sends them. Ids and staff names only: no client data.
    """
    now = now or timezone.now()
    claimed = BreakGlassAccess.objects.filter(
        pk=access_id, supervisors_emailed_at__isnull=True
    ).update(supervisors_emailed_at=now)
    if not claimed:
        return False
    access = BreakGlassAccess.objects.select_related("case__team", "user").get(pk=access_id)
    case = access.case
    people = [*selectors.case_supervisors(case), *_data_protection_officers()]
    if not any(person.email for person in people):
        logger.warning(
            "Break-glass access %s on case %s: no supervisor or data protection officer to email",
            access.pk,
            case.pk,
        )
    link = absolute_reverse("cases:case_detail", case.pk)
    outbox_email_queue(
        recipients=people,
        kind=OutboxEmail.Kind.BREAK_GLASS,
        key=f"break-glass.{access.pk}",
        object_id=access.pk,
        subject=f"Restricted case {case.reference} opened by break the glass",
        body=(
            f"{access.user.display_name} opened the restricted case {case.reference} by "
            f"break the glass on {human_datetime(access.granted_at)}. "
            f"Their reason is recorded on the case.\n\n{link}\n"
        ),
        now=now,
    )
    return True


def break_glass_alerts_pending() -> int:
    """Queue the alerts of any access whose emails were never queued (granted before the
    outbox existed); the sweep's catch-up. Returns how many accesses."""
    pending = BreakGlassAccess.objects.filter(supervisors_emailed_at__isnull=True).values_list(
        "pk", flat=True
    )
    queued = 0
    for pk in list(pending):
        with transaction.atomic():
            queued += break_glass_alert_queue(access_id=pk)
    return queued


# --- referrals ----------------------------------------------------------------


def referral_consent_missing(agency: str) -> str:
    """What to say when no consent of the client covers a referral to ``agency``."""
    return (
        f"No current consent of the client covers a referral to {agency.strip()}: it needs "
        "a consent for any agency involved, or one for referrals or partners that names "
        f"{agency.strip()} among those it may be shared with."
    )


@transaction.atomic
def referral_out(
    *,
    case: Case,
    agency: str,
    contact: str,
    reason: str,
    consent: ConsentRecord | None,
    follow_up_on: date | None,
    created_by: User,
    today: date | None = None,
) -> Referral:
    today = today or timezone.localdate()
    _refuse_if_processing_restricted(case.client_id)
    if consent is None or consent.client_id != case.client_id or not consent.is_current_on(today):
        raise ValidationError(
            {"consent": "A referral out needs the client's current consent: record it first."}
        )
    if not consent.covers_agency(agency):
        raise ValidationError({"consent": referral_consent_missing(agency)})
    if follow_up_on is not None and follow_up_on < today:
        raise ValidationError({"follow_up_on": "The follow-up date cannot be in the past."})
    if follow_up_on is not None and (
        too_far := plan_date_problem(on=follow_up_on, today=today, what="follow-up date")
    ):
        raise ValidationError({"follow_up_on": too_far})
    referral = Referral(
        case=case,
        direction=Referral.Direction.OUT,
        agency=agency,
        contact=contact,
        reason=reason,
        consent=consent,
        follow_up_on=follow_up_on,
        status=Referral.Status.SENT,
        created_by=created_by,
    )
    referral.save()
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.REFERRAL,
        summary="Referred out to another agency"
        + (f"; follow up by {human_date(follow_up_on)}" if follow_up_on else ""),
        actor=created_by,
        detail=f"Referred to {agency}. {reason}",
    )
    if follow_up_on is not None:
        # The follow-up becomes an action of the adviser's, due that day: listed, flagged
        # when overdue and part of the case's next due date like any other.
        # Imported here: notes imports cases at module level (cases ↔ notes).
        from notes.models import Action
        from notes.services import action_create

        action_create(
            case=case,
            description=f"Follow up the referral to {agency}",
            owner=Action.Owner.ADVISER,
            due_on=follow_up_on,
            created_by=created_by,
            today=today,
            recorded_by_caller=True,
        )
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral) -> Referral:
    """End a referral out still pending because the consent it rested on was withdrawn;
    the caller records it on the case's timeline. A referral no longer pending stays."""
    row_lock(referral)
    if referral.direction == Referral.Direction.OUT and referral.status in Referral.PENDING_OUT:
        referral.status = Referral.Status.WITHDRAWN
        referral.save(update_fields=["status"])
    return referral


@transaction.atomic
def referral_in(
    *,
    team: Team,
    case_type: CaseType,
    agency: str,
    contact: str,
    reason: str,
    presenting_issue: str,
    received_by: User,
    client: Client | None = None,
    client_fields: dict[str, Any] | None = None,
    urgency: str = "",
    now: datetime | None = None,
) -> Case:
    """Record a referral from a partner: the case waits, unallocated, in the team's queue.

    ``urgency`` is the referrer's view of the priority level (red, amber or green):
    the case takes it, and the timescale of that level, until it is assessed.
    """
    # Imported here: priorities imports cases at module level (cases ↔ priorities).
    from priorities.models import Level, level_rank

    now = now or timezone.now()
    if urgency not in ("", *Level.values):
        raise ValidationError({"urgency": "Choose red, amber or green, or leave it blank."})
    if client is None:
        client = client_create(created_by=received_by, **(client_fields or {}))
    else:
        _refuse_if_processing_restricted(client.pk)
    case = Case(
        client=client,
        case_type=case_type,
        presenting_issue=presenting_issue,
        referral_source=Case.ReferralSource.PARTNER,
        restricted=selectors.client_is_restricted(client),
        status=Case.Status.REFERRED,
        team=team,
        assigned_to=None,
        created_by=received_by,
        level=urgency,
        level_rank=level_rank(urgency),
    )
    case.save()
    Referral(
        case=case,
        direction=Referral.Direction.IN,
        agency=agency,
        contact=contact,
        reason=reason,
        status=Referral.Status.RECEIVED,
        created_by=received_by,
    ).save()
    case_event_record(
        case=case,
        kind=CaseEvent.Kind.REFERRAL,
        summary=f"Referral received for {team.name}",
        actor=received_by,
        detail=f"Referred by {agency}. {reason}",
        at=now,
    )
    _refresh_due_dates(case)
    return case


# --- configuration: case types ------------------------------------------------------------


@transaction.atomic
def case_type_save(
    *,
    case_type: CaseType,
    name: str,
    description: str,
    is_active: bool,
    changed_by: User,
    retention_months: int | None = None,
) -> CaseType:
    """Add or change a case type. A case type in use is never deleted: it is retired
    (``is_active`` off), so advisers stop choosing it and old cases keep it.
    ``retention_months`` (kept as it is when not given) is how long a client's record
    is kept after their last case closes."""

    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the case type a name."})
    clash = CaseType.objects.filter(name__iexact=name).exclude(pk=case_type.pk).first()
    if clash is not None:
        raise ValidationError(
            {"name": f"There is already a case type called {clash.name}: edit that one."}
        )
    if retention_months is not None and not 1 <= retention_months <= 1200:
        raise ValidationError(
            {"retention_months": "Keep records for between 1 and 1200 months (100 years)."}
        )
    with audit_actor(changed_by):
        case_type.name, case_type.description, case_type.is_active = name, description, is_active
        if retention_months is not None:
            case_type.retention_months = retention_months
        case_type.save()
    return case_type
