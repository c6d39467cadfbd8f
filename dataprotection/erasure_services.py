"""Every write of retention, erasure and restriction of processing.

Nothing here deletes a row. Erasing a client destroys their data key
(``caseload.crypto.data_key_shred``), so every personal field of theirs reads
"[erased]" for good, blanks their search hashes (through ``cases``), and writes an
``ErasureTombstone`` saying who approved it, when, why and what there was (counts).
Counts, dates and the notes' chain stay as they were.

Disposal runs in three steps: the schedule lists the clients due (a dry run the data
protection officer reviews), the officer approves all or some with a reason, and the
worker erases the approved clients one transaction each, so an interrupted run
resumes where it stopped. Each client is checked again under a row lock just before
their key is destroyed: on legal hold, not approved, or with an open case since
approval, they are not erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from caseload import crypto
from caseload.audit import audit_actor
from caseload.queue import enqueue_later
from cases.models import Case, Client, User
from cases.services import client_indexes_blank
from dataprotection import erasure_selectors as selectors
from dataprotection.models import (
    DisposalItem,
    DisposalRun,
    ErasureRequest,
    ErasureTombstone,
    LegalHold,
    ProcessingRestriction,
)
from dataprotection.selectors import client_erased
from notes.models import CaseNote
from notes.services import note_append


def _reason(text: str, *, field: str = "reason", what: str = "Give the reason.") -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: what})
    return text


# --- legal hold -------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *, client: Client, reason: str, placed_by: User, now: datetime | None = None
) -> LegalHold:
    """Put the client's record on legal hold: it is neither disposed of nor erased."""
    reason = _reason(reason, what="Say why the record must be kept (the claim, inquiry or order).")
    Client.objects.select_for_update().get(pk=client.pk)
    if LegalHold.objects.active().filter(client=client).exists():
        raise ValidationError({"reference": f"{client.reference} is already on legal hold."})
    if client_erased(client.pk):
        raise ValidationError({"reference": f"{client.reference} has already been erased."})
    with audit_actor(placed_by):
        return LegalHold.objects.create(
            client=client, reason=reason, placed_by=placed_by, placed_at=now or timezone.now()
        )


@transaction.atomic
def legal_hold_lift(
    *, hold: LegalHold, reason: str, lifted_by: User, now: datetime | None = None
) -> LegalHold:
    reason = _reason(reason, what="Say why the hold can end.")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError("This legal hold has already been lifted.")
    with audit_actor(lifted_by):
        hold.lifted_by, hold.lifted_at, hold.lift_reason = lifted_by, now or timezone.now(), reason
        hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    return hold


# --- restriction of processing ----------------------------------------------------------


@transaction.atomic
def processing_restriction_place(
    *, client: Client, reason: str, placed_by: User, now: datetime | None = None
) -> ProcessingRestriction:
    """Restrict processing of the client's data: their record is frozen until lifted."""
    reason = _reason(reason, what="Say why processing is restricted.")
    Client.objects.select_for_update().get(pk=client.pk)
    if ProcessingRestriction.objects.active().filter(client=client).exists():
        raise ValidationError(
            {"reference": f"Processing of {client.reference}'s data is already restricted."}
        )
    if client_erased(client.pk):
        raise ValidationError({"reference": f"{client.reference} has already been erased."})
    with audit_actor(placed_by):
        return ProcessingRestriction.objects.create(
            client=client, reason=reason, placed_by=placed_by, placed_at=now or timezone.now()
        )


@transaction.atomic
def processing_restriction_lift(
    *, restriction: ProcessingRestriction, reason: str, lifted_by: User, now: datetime | None = None
) -> ProcessingRestriction:
    reason = _reason(reason, what="Say why processing may resume.")
    restriction = ProcessingRestriction.objects.select_for_update().get(pk=restriction.pk)
    if not restriction.is_active:
        raise ValidationError("This restriction has already been lifted.")
    with audit_actor(lifted_by):
        restriction.lifted_by = lifted_by
        restriction.lifted_at = now or timezone.now()
        restriction.lift_reason = reason
        restriction.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    return restriction


def processing_restriction_file_note(
    *,
    restriction: ProcessingRestriction,
    case: Case,
    facts: str,
    written_by: User,
    now: datetime | None = None,
) -> CaseNote:
    """The data protection officer's file note on a case of a restricted client."""
    if case.client_id != restriction.client_id:
        raise ValidationError({"case": "Choose one of this client's cases."})
    if not facts.strip():
        raise ValidationError({"facts": "Write the note."})
    now = now or timezone.now()
    return note_append(
        case=case,
        author=written_by,
        contact_at=now,
        channel=CaseNote.Channel.FILE_NOTE,
        facts=facts,
        no_further_action=True,
        no_further_action_reason="File note by the data protection officer.",
        now=now,
    )


# --- disposal ---------------------------------------------------------------------------


def _serialise_listing() -> None:
    """One listing at a time: two schedule runs at once must not list a client twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('dataprotection.disposal'))")


def _item_for(run: DisposalRun, row: selectors.Retention, state: str) -> DisposalItem:
    return DisposalItem.objects.create(
        run=run,
        client_id=row.client_id,
        state=state,
        case_count=row.case_count,
        last_closed_on=row.last_closed_on,
        retention_months=row.retention_months,
        retention_ends_on=row.ends_on,
    )


@transaction.atomic
def disposal_run_prepare(*, now: datetime | None = None) -> DisposalRun | None:
    """List the clients due for disposal on a new run awaiting review; None if none are.

    Changes no client: it is the dry run the data protection officer reviews. A client
    already on a list under review or being carried out is not listed again, so running
    twice lists nobody twice.
    """
    now = now or timezone.now()
    _serialise_listing()
    due = selectors.clients_due_for_disposal(today=timezone.localdate(now))
    if not due:
        return None
    run = DisposalRun.objects.create(source=DisposalRun.Source.SCHEDULE, created_at=now)
    for row in due:
        _item_for(run, row, DisposalItem.State.LISTED)
    return run


@transaction.atomic
def disposal_run_approve(
    *,
    run: DisposalRun,
    item_ids: Iterable[int],
    approved_by: User,
    reason: str,
    now: datetime | None = None,
) -> DisposalRun:
    """Approve the chosen clients of a run for erasure; the rest are not erased now (the
    next schedule lists them again if they are still due). The worker carries it out."""
    now = now or timezone.now()
    run = DisposalRun.objects.select_for_update().get(pk=run.pk)
    if run.status != DisposalRun.Status.AWAITING_REVIEW:
        raise ValidationError("This list has already been approved.")
    errors: dict[str, str] = {}
    chosen = set(item_ids)
    listed = set(run.items.values_list("pk", flat=True))
    if not chosen:
        errors["items"] = "Choose at least one client to erase."
    elif not chosen <= listed:
        errors["items"] = "Choose clients from this list only."
    if not reason.strip():
        errors["reason"] = "Say why these records may be erased (the retention rule, a review)."
    if errors:
        raise ValidationError(errors)
    with audit_actor(approved_by):
        for item in run.items.all():
            item.state = (
                DisposalItem.State.APPROVED
                if item.pk in chosen
                else DisposalItem.State.NOT_APPROVED
            )
            item.save(update_fields=["state"])
        run.status = DisposalRun.Status.APPROVED
        run.approved_by, run.approved_at, run.approval_reason = approved_by, now, reason.strip()
        run.save(update_fields=["status", "approved_by", "approved_at", "approval_reason"])
    _queue_carry_out(run)
    return run


def _queue_carry_out(run: DisposalRun) -> None:
    from dataprotection.tasks import disposal_run_carry_out_task

    enqueue_later(disposal_run_carry_out_task, run.pk)


@transaction.atomic
def disposal_item_carry_out(*, item_id: int, now: datetime | None = None) -> str:
    """Erase one approved client, checked again under a row lock; returns the item's state.

    Not approved, already done, already erased (on another list), on legal hold, or with
    an open case since approval: the client is not erased. Running it twice erases once.
    """
    now = now or timezone.now()
    item = DisposalItem.objects.select_for_update().select_related("run").get(pk=item_id)
    run = item.run
    if item.state != DisposalItem.State.APPROVED or run.approved_by is None:
        return item.state
    approved_by, approved_at = run.approved_by, run.approved_at or now
    client = Client.objects.select_for_update().select_related("data_key").get(pk=item.client_id)
    if client.data_key.wrapped_key is None:  # erased on another list or request meanwhile
        state = DisposalItem.State.ALREADY_ERASED
    elif LegalHold.objects.active().filter(client_id=client.pk).exists():
        state = DisposalItem.State.SKIPPED_HOLD
    elif selectors.client_has_open_case(client.pk):
        state = DisposalItem.State.SKIPPED_OPEN
    else:
        state = DisposalItem.State.ERASED
        retention = selectors.retention_of(client)
        with audit_actor(approved_by):
            crypto.data_key_shred(data_key=client.data_key)
            client_indexes_blank(client=client, erased_by=approved_by)
            ErasureTombstone.objects.create(
                client=client,
                client_reference=client.reference,
                item=item,
                approved_by=approved_by,
                approved_at=approved_at,
                reason=run.approval_reason,
                erased_at=now,
                case_count=retention.case_count,
                note_count=selectors.client_note_count(client.pk),
                last_closed_on=retention.last_closed_on,
            )
    item.state, item.finished_at = state, now
    item.save(update_fields=["state", "finished_at"])
    return state


def disposal_run_carry_out(*, run_id: int, now: datetime | None = None) -> int:
    """Erase the run's approved clients, one transaction each; returns how many were erased.

    Interrupted, it is simply run again: the clients already done are not touched.
    """
    erased = 0
    pending = DisposalItem.objects.filter(run_id=run_id, state=DisposalItem.State.APPROVED)
    for item_id in list(pending.values_list("pk", flat=True)):
        if disposal_item_carry_out(item_id=item_id, now=now) == DisposalItem.State.ERASED:
            erased += 1
    with transaction.atomic():
        run = DisposalRun.objects.select_for_update().get(pk=run_id)
        if run.status == DisposalRun.Status.APPROVED and not pending.exists():
            run.status, run.finished_at = DisposalRun.Status.DONE, now or timezone.now()
            run.save(update_fields=["status", "finished_at"])
    return erased


# --- erasure requests -------------------------------------------------------------------


@transaction.atomic
def erasure_request_record(
    *, client: Client, received_on: date, recorded_by: User, now: datetime | None = None
) -> ErasureRequest:
    """Record a client's request to have their data erased, as received."""
    now = now or timezone.now()
    if received_on > timezone.localdate(now):
        raise ValidationError({"received_on": "The request cannot be received in the future."})
    with audit_actor(recorded_by):
        return ErasureRequest.objects.create(
            client=client, received_on=received_on, recorded_by=recorded_by, recorded_at=now
        )


@transaction.atomic
def erasure_request_decide(
    *,
    request: ErasureRequest,
    decision: str,
    reason: str,
    decided_by: User,
    ground: str = "",
    ground_detail: str = "",
    now: datetime | None = None,
) -> ErasureRequest:
    """Record the data protection officer's decision on an erasure request.

    "erase" goes through the disposal path (a run of one, approved, carried out by the
    worker); "refuse" needs the legal ground; "restrict" restricts processing instead.
    """
    now = now or timezone.now()
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != ErasureRequest.Decision.PENDING:
        raise ValidationError("This request has already been decided.")
    errors: dict[str, str] = {}
    if decision not in (
        ErasureRequest.Decision.ERASE,
        ErasureRequest.Decision.REFUSE,
        ErasureRequest.Decision.RESTRICT,
    ):
        errors["decision"] = "Choose erase, refuse or restrict."
    if not reason.strip():
        errors["reason"] = "Give the reasons for the decision."
    if decision == ErasureRequest.Decision.REFUSE:
        if ground not in ErasureRequest.Ground.values:
            errors["ground"] = "Choose the legal ground for refusing."
        elif ground == ErasureRequest.Ground.OTHER and not ground_detail.strip():
            errors["ground_detail"] = "Say which ground applies."
    client_id = request.client_id
    if decision == ErasureRequest.Decision.ERASE:
        if LegalHold.objects.active().filter(client_id=client_id).exists():
            errors["decision"] = (
                "The client's record is on legal hold: lift the hold or refuse the request."
            )
        elif selectors.client_has_open_case(client_id):
            errors["decision"] = "The client has an open case: it must be closed before erasure."
        elif client_erased(client_id):
            errors["decision"] = "The client's data has already been erased."
    if errors:
        raise ValidationError(errors)
    with audit_actor(decided_by):
        if decision == ErasureRequest.Decision.ERASE:
            run = DisposalRun.objects.create(
                source=DisposalRun.Source.ERASURE_REQUEST,
                status=DisposalRun.Status.APPROVED,
                created_at=now,
                approved_by=decided_by,
                approved_at=now,
                approval_reason=reason.strip(),
            )
            client = Client.objects.get(pk=client_id)
            _item_for(run, selectors.retention_of(client), DisposalItem.State.APPROVED)
            request.run = run
            _queue_carry_out(run)
        elif (
            decision == ErasureRequest.Decision.RESTRICT
            and not ProcessingRestriction.objects.active().filter(client_id=client_id).exists()
        ):
            processing_restriction_place(
                client=request.client, reason=reason, placed_by=decided_by, now=now
            )
        request.decision = decision
        request.ground = ground if decision == ErasureRequest.Decision.REFUSE else ""
        request.ground_detail = (
            ground_detail.strip() if decision == ErasureRequest.Decision.REFUSE else ""
        )
        request.decision_reason = reason.strip()
        request.decided_by, request.decided_at = decided_by, now
        request.save()
    return request
