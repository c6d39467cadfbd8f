"""Writing case notes and actions. A note is appended once and never changed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from caseload.audit import audit_actor
from caseload.fields import encrypt_now, row_id_next
from caseload.formats import human_date
from caseload.models import row_lock
from cases.models import Case, CaseEvent, CaseType, User
from cases.services import (
    case_contact_record,
    case_event_record,
    contact_date_problem,
    plan_date_problem,
)
from dataprotection.selectors import processing_refusal
from notes.chain import newest_chain_key_id
from notes.models import Action, CaseNote, NoteDraft, NoteTemplate
from priorities.services import case_refresh_due_dates

# What the first note of a case links back to.
GENESIS_HASH = "0" * 64


def _event(case: Case, summary: str, *, actor: User, detail: str = "") -> None:
    case_event_record(
        case=case, kind=CaseEvent.Kind.ACTION, summary=summary, actor=actor, detail=detail
    )


@transaction.atomic
def note_append(
    *,
    case: Case,
    author: User,
    contact_at: datetime,
    channel: str,
    facts: str,
    present: str = "",
    opinion: str = "",
    actions_taken: str = "",
    next_steps: str = "",
    no_further_action: bool = False,
    no_further_action_reason: str = "",
    corrects: CaseNote | None = None,
    correction_reason: str = "",
    third_party_information: bool = False,
    action: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> CaseNote:
    """Append a note to the case's chain; with ``corrects``, it is a correction of that note.

    The case row is locked for the transaction, so two notes written at once
    on one case take turns and each links to the link of the one before. The
    note's id is taken first: its ciphertexts and its link both cover it.
    """
    now = now or timezone.now()
    # Locked before anything is checked or read: the checks, the chain and the due dates
    # all see the case as it is now, not as the caller read it. The same statement takes
    # the note's id and asks whether a draft waits to be discarded (each was a query of
    # its own). The chain's head is NOT read in it: a statement that waited for the lock
    # reads other tables as they were before the wait, so it could link to a stale head.
    locked = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .annotate(
            note_id=row_id_next(CaseNote),
            has_draft=Exists(NoteDraft.objects.filter(author=author, case=OuterRef("pk"))),
        )
        .get(pk=case.pk)
    )
    # A client whose processing is restricted takes notes from the data protection
    # officer only; an erased client none at all.
    if refusal := processing_refusal(client_id=locked.client_id, author=author):
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    if contact_at > now:
        errors["contact_at"] = "The contact cannot be in the future."
    elif too_early := contact_date_problem(case=locked, contact_at=contact_at):
        errors["contact_at"] = too_early
    if not facts.strip():
        errors["facts"] = "Record what happened."
    if no_further_action:
        if not no_further_action_reason.strip():
            errors["no_further_action_reason"] = "Say why no further action is needed."
    elif not next_steps.strip():
        errors["next_steps"] = "Record the agreed next steps, or tick 'No further action'."
    if corrects is not None:
        if corrects.case_id != case.pk:
            errors["corrects"] = "A correction must be on the same case."
        if not correction_reason.strip():
            errors["correction_reason"] = "Say what was wrong with the original note."
    if errors:
        raise ValidationError(errors)

    last = (
        CaseNote.objects.filter(case=locked)
        .order_by("-sequence")
        .values_list("sequence", "content_hash")
        .first()
    )
    note = CaseNote(
        case=case,
        sequence=(last[0] + 1) if last else 1,
        author=author,
        contact_at=contact_at,
        recorded_at=now,
        channel=channel,
        present=present,
        facts=facts,
        opinion=opinion,
        actions_taken=actions_taken,
        next_steps=next_steps,
        no_further_action=no_further_action,
        no_further_action_reason=no_further_action_reason if no_further_action else "",
        corrects=corrects,
        correction_reason=correction_reason if corrects else "",
        third_party_information=third_party_information,
        previous_hash=last[1] if last else GENESIS_HASH,
        chain_key_id=newest_chain_key_id(),
    )
    note.pk = locked.note_id
    encrypt_now(note)
    note.content_hash = note.compute_hash()
    note.save()  # an INSERT with the id taken above (EncryptedModel.save)

    # The due dates are derived from the row read under its lock, never from the
    # caller's copy, which a concurrent note or assessment may have overtaken.
    if note.is_contact:
        case_contact_record(case=locked, contact_at=contact_at)
        case.last_contact_at = locked.last_contact_at
    if action:
        action_create(
            case=locked, note=note, created_by=author, today=timezone.localdate(now), **action
        )
    case_refresh_due_dates(locked, lock_held=True)
    if corrects is None and locked.has_draft:
        # The note is saved: the draft it was typed from goes with the same commit.
        note_draft_discard(case=case, author=author)
    return note


@transaction.atomic
def action_create(
    *,
    case: Case,
    description: str,
    owner: str,
    due_on: date,
    created_by: User,
    owner_detail: str = "",
    note: CaseNote | None = None,
    today: date | None = None,
    recorded_by_caller: bool = False,
) -> Action:
    """Agree an action on the case. Its timeline entry is written here, unless
    ``recorded_by_caller``: the service that made it (a referral with a follow-up
    date) says so in its own entry."""
    today = today or timezone.localdate()
    errors = {}
    if not description.strip():
        errors["description"] = "Say what is to be done."
    if due_on < today:
        errors["due_on"] = "The due date cannot be in the past."
    elif too_far := plan_date_problem(on=due_on, today=today, what="due date"):
        errors["due_on"] = too_far
    if owner == Action.Owner.THIRD_PARTY and not owner_detail.strip():
        errors["owner_detail"] = "Name the third party."
    if errors:
        raise ValidationError(errors)
    action = Action(
        case=case,
        note=note,
        description=description,
        owner=owner,
        owner_detail=owner_detail,
        due_on=due_on,
        created_by=created_by,
    )
    action.save()
    if not recorded_by_caller:
        _event(
            case,
            f"Action agreed for the {action.get_owner_display().lower()}, due {human_date(due_on)}",
            actor=created_by,
            detail=description,
        )
    case_refresh_due_dates(case)
    return action


@transaction.atomic
def action_complete(*, action: Action, completed_by: User, now: datetime | None = None) -> Action:
    row_lock(action)
    if action.status != Action.Status.OPEN:
        raise ValidationError("Only an open action can be completed.")
    action.status = Action.Status.DONE
    action.completed_by = completed_by
    action.completed_at = now or timezone.now()
    action.save()
    _event(action.case, "Action done", actor=completed_by, detail=action.description)
    case_refresh_due_dates(action.case)
    return action


@transaction.atomic
def action_cancel(
    *, action: Action, reason: str, cancelled_by: User, now: datetime | None = None
) -> Action:
    row_lock(action)
    if action.status != Action.Status.OPEN:
        raise ValidationError("Only an open action can be cancelled.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the action is cancelled."})
    action.status = Action.Status.CANCELLED
    action.cancel_reason = reason
    action.completed_by = cancelled_by
    action.completed_at = now or timezone.now()
    action.save()
    _event(action.case, "Action cancelled", actor=cancelled_by, detail=reason)
    case_refresh_due_dates(action.case)
    return action


# --- configuration: note templates ----------------------------------------------------------


@transaction.atomic
def note_template_save(
    *,
    template: NoteTemplate,
    case_type: CaseType,
    name: str,
    facts: str,
    next_steps: str,
    changed_by: User,
) -> NoteTemplate:
    """Add or change a note template: headings only, offered on notes of its case type."""

    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the template a name."})
    if not facts.strip():
        raise ValidationError({"facts": "Give at least one heading for what happened."})
    clash = NoteTemplate.objects.filter(case_type=case_type, name__iexact=name).exclude(
        pk=template.pk
    )
    if clash.exists():
        raise ValidationError(
            {"name": f"{case_type.name} already has a template called {name}: edit that one."}
        )
    with audit_actor(changed_by):
        template.case_type, template.name = case_type, name
        template.facts, template.next_steps = facts.strip(), next_steps.strip()
        template.save()
    return template


# Far more than any note; a bound on what one request can make us encrypt and store.
DRAFT_MAX_CHARACTERS = 100_000


@transaction.atomic
def note_draft_save(
    *, case: Case, author: User, values: Mapping[str, str], now: datetime | None = None
) -> NoteDraft:
    """Keep what ``author`` has typed so far into the note form of ``case``, replacing
    what was kept before. The caller has checked that they may add notes to it."""
    text = json.dumps(dict(values), ensure_ascii=False, sort_keys=True)
    if len(text) > DRAFT_MAX_CHARACTERS:
        raise ValidationError("The draft is too long to keep.")
    now = now or timezone.now()
    draft = NoteDraft.objects.select_for_update().filter(author=author, case=case).first()
    if draft is None:
        draft = NoteDraft(author=author, case=case, values=text, updated_at=now)
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError:
            # Another tab's autosave created it a moment ago: update that one.
            draft = NoteDraft.objects.select_for_update().get(author=author, case=case)
        else:
            return draft
    draft.case = case
    draft.values = text
    draft.updated_at = now
    draft.save()
    return draft


def note_draft_discard(*, case: Case, author: User) -> None:
    """Forget ``author``'s draft note on ``case``, if there is one."""
    NoteDraft.objects.filter(author=author, case=case).delete()


def note_drafts_sweep(*, now: datetime | None = None) -> int:
    """Delete every draft untouched for longer than ``NoteDraft.LIFETIME``; returns how many."""
    deleted, _ = NoteDraft.objects.expired(now=now or timezone.now()).delete()
    return deleted
