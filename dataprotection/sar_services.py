"""Writes for subject access requests: opening, extending, deciding what is withheld or
redacted, releasing (the worker builds the file), closing, and the deadline sweep.

The release file is a ZIP (a PDF and a JSON file of the same items) encrypted with
AES-256-GCM under the client's data key, bound to the request's id, kept under
``CASELOAD_SAR_EXPORT_DIR`` for ``CASELOAD_SAR_DOWNLOAD_DAYS`` and then deleted.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from caseload import crypto
from caseload.audit import audit_actor
from caseload.formats import human_date
from caseload.queue import enqueue_later
from caseload.roles import Role
from cases.models import Client, User
from dataprotection.models import SubjectAccessItem, SubjectAccessRequest
from dataprotection.models.subject_access import SAR_EXTENSION_MAX_MONTHS
from dataprotection.sar_selectors import KINDS, sar_item
from notifications.models import Kind
from notifications.services import notifications_resolve, notify

# A build still running after the tasks' hard time limit was killed with its worker: a
# redelivery (after the broker's visibility timeout, longer than the limit) takes it up
# again, and the DPO may release it again.
BUILD_STALE_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
_NONCE_BYTES = 12
_FILE_MARKER = b"caseload-sar-v1\n"
STAGES = ("approaching", "breached")


def _error(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: message} if field else message)


def _build_stalled(request: SubjectAccessRequest, *, now: datetime) -> bool:
    """Taken by a worker that has not finished within the tasks' hard time limit."""
    return (
        request.build == SubjectAccessRequest.Build.BUILDING
        and request.build_started_at is not None
        and request.build_started_at < now - BUILD_STALE_AFTER
    )


def _pending_or_refuse(request: SubjectAccessRequest) -> None:
    if not request.is_pending():
        raise _error(None, "This request has been released or closed: nothing more can change.")


def sar_subjects(request: SubjectAccessRequest) -> list[str]:
    """The subjects of the deadline notifications about ``request``."""
    return [f"sar:{request.pk}:{stage}" for stage in STAGES]


def dpo_recipients() -> list[User]:
    """Everyone active with the Data protection role."""
    return list(
        User.objects.filter(is_active=True, groups__name=Role.DATA_PROTECTION.value).distinct()
    )


@transaction.atomic
def sar_open(
    *, client: Client, received_on: date, opened_by: User | None, now: datetime | None = None
) -> SubjectAccessRequest:
    """Record a subject access request received on ``received_on``; due a calendar month on.

    ``opened_by`` handles it; None (the demo, an import) leaves it for a DPO to take.
    """
    now = now or timezone.now()
    if received_on > timezone.localdate(now):
        raise _error("received_on", "The request cannot have been received in the future.")
    request = SubjectAccessRequest(
        client=client, received_on=received_on, handled_by=opened_by, opened_at=now
    )
    request.due_dates_set()
    if opened_by is None:
        request.save()
        return request
    with audit_actor(opened_by):
        request.save()
    return request


@transaction.atomic
def sar_extend(
    *,
    request: SubjectAccessRequest,
    months: int,
    reason: str,
    extended_by: User,
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Extend the deadline once, by one or two further months, with the reason recorded.

    Allowed only before the original due date has passed (the client must be told
    within the first month).
    """
    now = now or timezone.now()
    request = SubjectAccessRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    _pending_or_refuse(request)
    errors: dict[str, str] = {}
    if request.extended_months:
        errors["months"] = "This request has already been extended; it can be extended once."
    elif not 1 <= months <= SAR_EXTENSION_MAX_MONTHS:
        errors["months"] = "Extend by one or two months."
    elif request.due_on < timezone.localdate(now):
        errors["months"] = (
            f"The request was due on {human_date(request.due_on)}: an extension must be made "
            "within the first month."
        )
    if not reason.strip():
        errors["reason"] = "Say why the request needs more time (for example its complexity)."
    if errors:
        raise ValidationError(errors)
    request.extended_months = months
    request.extension_reason = reason.strip()
    request.extended_by = extended_by
    request.extended_at = now
    request.due_dates_set()
    # Told of the old date; the sweep tells again as the new one approaches.
    request.approaching_notified_at = None
    with audit_actor(extended_by):
        request.save()
    notifications_resolve(kind=Kind.DEADLINE, subjects=sar_subjects(request), now=now)
    return request


@transaction.atomic
def sar_item_decide(
    *,
    request: SubjectAccessRequest,
    kind: str,
    object_id: int,
    decision: str,
    reason: str,
    reason_other: str = "",
    redacted_text: str = "",
    decided_by: User,
    now: datetime | None = None,
) -> SubjectAccessItem:
    """Withhold or redact one item of the client's, with its legal reason."""
    now = now or timezone.now()
    request = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("client__data_key")
        .get(pk=request.pk)
    )
    _pending_or_refuse(request)
    if kind not in KINDS or sar_item(request=request, kind=kind, object_id=object_id) is None:
        raise _error(None, "The client has no such item.")
    errors: dict[str, str] = {}
    if decision not in SubjectAccessItem.Decision.values:
        errors["decision"] = "Choose whether to withhold or redact the item."
    if reason not in SubjectAccessItem.Reason.values:
        errors["reason"] = "Choose the legal reason."
    elif reason == SubjectAccessItem.Reason.OTHER and not reason_other.strip():
        errors["reason_other"] = "Say which exemption applies."
    if decision == SubjectAccessItem.Decision.REDACT and not redacted_text.strip():
        errors["redacted_text"] = "Give the text as it is to be released, with the redactions."
    if errors:
        raise ValidationError(errors)
    item = SubjectAccessItem.objects.filter(request=request, kind=kind, object_id=object_id).first()
    if item is None:
        item = SubjectAccessItem(request=request, kind=kind, object_id=object_id)
    item.request = request
    item.decision = decision
    item.reason = reason
    item.reason_other = reason_other.strip() if reason == SubjectAccessItem.Reason.OTHER else ""
    item.redacted_text = (
        redacted_text.strip() if decision == SubjectAccessItem.Decision.REDACT else ""
    )
    item.decided_by = decided_by
    item.decided_at = now
    with audit_actor(decided_by):
        item.save()
        _under_review(request)
    return item


def _under_review(request: SubjectAccessRequest) -> None:
    """A decision made or undone: the request is (back) under review."""
    if request.status in (SubjectAccessRequest.Status.OPEN, SubjectAccessRequest.Status.READY):
        request.status = SubjectAccessRequest.Status.REVIEW
        request.save(update_fields=["status"])


@transaction.atomic
def sar_item_release_in_full(
    *, request: SubjectAccessRequest, kind: str, object_id: int, decided_by: User
) -> bool:
    """Undo a decision on an item: it is released in full. True if there was one."""
    request = SubjectAccessRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    _pending_or_refuse(request)
    item = SubjectAccessItem.objects.filter(request=request, kind=kind, object_id=object_id).first()
    if item is None:
        return False
    with audit_actor(decided_by):
        item.delete()
        _under_review(request)
    return True


@transaction.atomic
def sar_mark_ready(*, request: SubjectAccessRequest, marked_by: User) -> SubjectAccessRequest:
    """The review is finished: the request may be released."""
    request = SubjectAccessRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    _pending_or_refuse(request)
    request.status = SubjectAccessRequest.Status.READY
    with audit_actor(marked_by):
        request.save(update_fields=["status"])
    return request


@transaction.atomic
def sar_release(
    *,
    request: SubjectAccessRequest,
    released_to: str,
    method: str,
    released_by: User,
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Ask the worker to build the release file; it records the release when it is made."""
    request = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("client__data_key")
        .get(pk=request.pk)
    )
    _pending_or_refuse(request)
    errors: dict[str, str] = {}
    if request.status != SubjectAccessRequest.Status.READY:
        errors["__all__"] = "Finish the review and mark the request ready before releasing it."
    elif request.building and not _build_stalled(request, now=now or timezone.now()):
        errors["__all__"] = "The release is already being built."
    if not released_to.strip():
        errors["released_to"] = "Say who the copy goes to (the client, or their representative)."
    if method not in SubjectAccessRequest.Method.values:
        errors["release_method"] = "Choose how the copy is given."
    if errors:
        raise ValidationError(errors)
    from dataprotection.tasks import build_subject_access_export_task

    request.released_to = released_to.strip()
    request.release_method = method
    request.released_by = released_by
    request.build = SubjectAccessRequest.Build.QUEUED
    request.build_done = 0
    request.build_total = 0
    with audit_actor(released_by):
        request.save()
    enqueue_later(build_subject_access_export_task, request.pk)
    return request


@transaction.atomic
def sar_close(
    *,
    request: SubjectAccessRequest,
    reason: str,
    closed_by: User,
    now: datetime | None = None,
) -> SubjectAccessRequest:
    """Close the request without a release (withdrawn, manifestly unfounded, ...)."""
    now = now or timezone.now()
    request = (
        SubjectAccessRequest.objects.select_for_update(of=("self",))
        .select_related("client__data_key")
        .get(pk=request.pk)
    )
    _pending_or_refuse(request)
    if request.building:
        raise _error("reason", "The release is being built; wait for it to finish.")
    if not reason.strip():
        raise _error("reason", "Say why the request is closed without a release.")
    request.status = SubjectAccessRequest.Status.CLOSED
    request.closed_reason = reason.strip()
    request.closed_at = now
    with audit_actor(closed_by):
        request.save()
    notifications_resolve(kind=Kind.DEADLINE, subjects=sar_subjects(request), now=now)
    return request


# --- the release file ------------------------------------------------------------------


def _export_aad(request: SubjectAccessRequest) -> bytes:
    data_key = request.client.data_key
    return f"dataprotection.subjectaccessrequest.export|{data_key.pk}|{request.pk}".encode()


def sar_export_seal(*, request: SubjectAccessRequest, data: bytes) -> bytes:
    """``data`` encrypted under the client's data key, bound to the request."""
    material = crypto.unwrap_data_key(request.client.data_key)
    nonce = os.urandom(_NONCE_BYTES)
    return _FILE_MARKER + nonce + AESGCM(material).encrypt(nonce, data, _export_aad(request))


def sar_export_open(*, request: SubjectAccessRequest, sealed: bytes) -> bytes:
    """The plain ZIP of a sealed release file; ``crypto.DecryptionFailed`` if it was
    altered or belongs to another request."""
    material = crypto.unwrap_data_key(request.client.data_key)
    if not sealed.startswith(_FILE_MARKER):
        raise crypto.DecryptionFailed("The subject access file is not in Caseload's format.")
    body = sealed[len(_FILE_MARKER) :]
    try:
        return AESGCM(material).decrypt(
            body[:_NONCE_BYTES], body[_NONCE_BYTES:], _export_aad(request)
        )
    except InvalidTag:
        raise crypto.DecryptionFailed(
            f"The file of subject access request {request.pk} does not decrypt: it was altered "
            "or belongs to another request.",
            data_key_id=str(request.client.data_key_id),
        ) from None


def sar_export_path(request: SubjectAccessRequest) -> Path:
    return Path(settings.CASELOAD_SAR_EXPORT_DIR) / request.export_file


def sar_export_build(*, request_id: int, now: datetime | None = None) -> bool:
    """Build, encrypt and store the release file of a request waiting for it, and record
    the release. Claims the work first: a duplicate delivery finds nothing to do (False).
    """
    from dataprotection.sar_export import export_zip

    now = now or timezone.now()
    claimable = Q(build=SubjectAccessRequest.Build.QUEUED) | Q(
        build=SubjectAccessRequest.Build.BUILDING, build_started_at__lt=now - BUILD_STALE_AFTER
    )
    claimed = (
        SubjectAccessRequest.objects.filter(claimable, pk=request_id)
        .exclude(status__in=[SubjectAccessRequest.Status.RELEASED])
        .update(build=SubjectAccessRequest.Build.BUILDING, build_started_at=now, build_done=0)
    )
    if not claimed:
        return False
    request = SubjectAccessRequest.objects.select_related("client__data_key").get(pk=request_id)
    try:

        def progress(done: int, total: int) -> None:
            SubjectAccessRequest.objects.filter(pk=request_id).update(
                build_done=done, build_total=total
            )

        data = export_zip(request=request, progress=progress, now=now)
        sealed = sar_export_seal(request=request, data=data)
        folder = Path(settings.CASELOAD_SAR_EXPORT_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"sar-{request.pk}-{secrets.token_hex(8)}.bin"
        partial = folder / f"{name}.partial"
        partial.write_bytes(sealed)
        partial.replace(folder / name)
    except Exception:
        SubjectAccessRequest.objects.filter(pk=request_id).update(
            build=SubjectAccessRequest.Build.FAILED
        )
        raise
    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update(of=("self",)).get(pk=request_id)
        request.build = SubjectAccessRequest.Build.DONE
        request.status = SubjectAccessRequest.Status.RELEASED
        request.released_at = now
        request.export_file = name
        request.export_expires_at = now + timedelta(days=settings.CASELOAD_SAR_DOWNLOAD_DAYS)
        request.export_deleted_at = None
        request.save(
            update_fields=[
                "build",
                "status",
                "released_at",
                "export_file",
                "export_expires_at",
                "export_deleted_at",
            ]
        )
        notifications_resolve(kind=Kind.DEADLINE, subjects=sar_subjects(request), now=now)
    return True


def sar_exports_expire(*, now: datetime | None = None) -> int:
    """Delete the release files whose download time is over; returns how many."""
    now = now or timezone.now()
    expired = 0
    for request in SubjectAccessRequest.objects.filter(
        export_expires_at__lte=now, export_deleted_at__isnull=True
    ).exclude(export_file=""):
        with transaction.atomic():
            claimed = SubjectAccessRequest.objects.filter(
                pk=request.pk, export_deleted_at__isnull=True
            ).update(export_deleted_at=now)
            if claimed:
                sar_export_path(request).unlink(missing_ok=True)
                expired += 1
    return expired


# --- deadlines -----------------------------------------------------------------------------


def sar_deadlines_sweep(*, now: datetime | None = None) -> int:
    """Tell the Data protection role once of each request approaching its due date and
    once of each past it; resolve what was told of requests released or closed, and
    delete expired release files. Returns how many requests were told of."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    told = 0
    recipients: Sequence[User] | None = None
    stages = (
        ("approaching", SubjectAccessRequest.objects.approaching(today=today), "approaching"),
        ("breached", SubjectAccessRequest.objects.overdue(today=today), "breached"),
    )
    for stage, requests, column in stages:
        field = f"{column}_notified_at"
        for pk, due_on in requests.filter(**{f"{field}__isnull": True}).values_list(
            "pk", "effective_due_on"
        ):
            with transaction.atomic():
                claimed = SubjectAccessRequest.objects.filter(
                    pk=pk, **{f"{field}__isnull": True}
                ).update(**{field: now})
                if not claimed:
                    continue  # another sweep told of it
                if recipients is None:
                    recipients = dpo_recipients()
                reference = f"SAR-{pk:06d}"
                message = (
                    f"Subject access request {reference} is due on {human_date(due_on)}."
                    if stage == "approaching"
                    else f"Subject access request {reference} is overdue: it was due on "
                    f"{human_date(due_on)}."
                )
                notify(
                    recipients=recipients,
                    kind=Kind.DEADLINE,
                    subject=f"sar:{pk}:{stage}",
                    message=message,
                    now=now,
                )
                told += 1
    finished = SubjectAccessRequest.objects.exclude(pk__in=SubjectAccessRequest.objects.pending())
    done_subjects = [
        f"sar:{pk}:{stage}"
        for pk in finished.filter(
            Q(approaching_notified_at__isnull=False) | Q(breached_notified_at__isnull=False)
        ).values_list("pk", flat=True)
        for stage in STAGES
    ]
    if done_subjects:
        notifications_resolve(kind=Kind.DEADLINE, subjects=done_subjects, now=now)
    sar_exports_expire(now=now)
    return told
