"""Reads other apps ask of the data protection records: is this client's processing
restricted (or their record erased)? The owning services (``cases``, ``notes``) call
these before any change to a client's record, so the rule lives here once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef

from caseload.models import DataKey
from caseload.roles import Role, roles_of
from dataprotection.models import ProcessingRestriction

if TYPE_CHECKING:
    from cases.models import User

RESTRICTED_MESSAGE = (
    "Processing of this client's data is restricted by the data protection officer: "
    "their record cannot be changed, and no note, case, share or referral added."
)
RESTRICTED_NOTE_MESSAGE = (
    "Processing of this client's data is restricted: only the data protection officer "
    "can add a note."
)
ERASED_MESSAGE = "This client's personal data has been erased: nothing more can be added."


def processing_restricted(client_id: int) -> bool:
    """Whether the client's processing is restricted: their record is frozen."""
    return ProcessingRestriction.objects.active().filter(client_id=client_id).exists()


def processing_restriction_of(client_id: int) -> ProcessingRestriction | None:
    """The restriction in force on the client, if there is one."""
    return (
        ProcessingRestriction.objects.active()
        .filter(client_id=client_id)
        .select_related("placed_by")
        .first()
    )


def client_erased(client_id: int) -> bool:
    """Whether the client's data key has been destroyed."""
    return DataKey.objects.filter(client__pk=client_id, wrapped_key__isnull=True).exists()


def processing_refusal(*, client_id: int, author: User | None = None) -> str:
    """Why nothing may be added to or changed on the client's record, or "" if it may.

    ``author`` is the person adding a note: the data protection officer may add one to
    a restricted client's case (a file note of the restriction, say); nobody else may.
    """
    # One query, since every note appended and every change to a client asks it.
    from cases.models import Client

    state = (
        Client.objects.filter(pk=client_id)
        .annotate(
            restricted=Exists(
                ProcessingRestriction.objects.active().filter(client_id=OuterRef("pk"))
            )
        )
        .values_list("data_key__wrapped_key", "restricted")
        .first()
    )
    if state is None:
        return ""
    wrapped_key, restricted = state
    if wrapped_key is None:
        return ERASED_MESSAGE
    if restricted:
        if author is not None and Role.DATA_PROTECTION in roles_of(author):
            return ""
        return RESTRICTED_NOTE_MESSAGE if author is not None else RESTRICTED_MESSAGE
    return ""


@dataclass(frozen=True)
class Waiting:
    """One line of what waits for the data protection officer, with where to deal with it."""

    count: int
    noun: str  # singular: the template adds the plural's "s"
    rest: str
    url_name: str
    urgent: bool = False


def dpo_waiting(*, today: date) -> list[Waiting]:
    """What waits for the officer today: requests overdue and due within a week, erasure
    requests and disposal lists not yet decided, break-the-glass uses nobody has reviewed.
    Five counts whatever the size of the organisation; lines with nothing waiting are
    left out."""
    from cases.models import BreakGlassAccess
    from dataprotection.models import DisposalRun, ErasureRequest, SubjectAccessRequest

    requests = SubjectAccessRequest.objects
    lines = [
        Waiting(
            requests.overdue(today=today).count(),
            "subject access request",
            "overdue",
            "dataprotection:sar_list",
            urgent=True,
        ),
        Waiting(
            requests.approaching(today=today).count(),
            "subject access request",
            "due within a week",
            "dataprotection:sar_list",
        ),
        Waiting(
            ErasureRequest.objects.filter(decision=ErasureRequest.Decision.PENDING).count(),
            "erasure request",
            "to decide",
            "dataprotection:erasure_requests",
        ),
        Waiting(
            DisposalRun.objects.filter(status=DisposalRun.Status.AWAITING_REVIEW).count(),
            "disposal list",
            "to review",
            "dataprotection:retention",
        ),
        Waiting(
            BreakGlassAccess.objects.filter(review__isnull=True).count(),
            "break-the-glass use",
            "not yet reviewed",
            "dataprotection:audit_break_glass",
        ),
    ]
    return [line for line in lines if line.count]
