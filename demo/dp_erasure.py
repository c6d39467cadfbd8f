"""Retention, erasure and restriction in the demo: three of Alice's former clients whose
cases closed seven years ago. One is due for disposal (listed for Dina, the data
protection officer, to review: nothing is erased until she approves), one is kept on
legal hold, and one has processing of their data restricted."""

from __future__ import annotations

from datetime import datetime, timedelta

from cases import services as case_services
from cases.models import Case, CaseType, User
from dataprotection import erasure_services as services
from dataprotection.models import LegalHold

HOLD_REASON = "Demo: a claim against the former landlord is before the county court."
RESTRICTION_REASON = "Demo: the client contests the accuracy of their address history."


def _former_client(*, adviser: User, case_type: CaseType, name: str, closed_at: datetime) -> Case:
    client = case_services.client_create(
        created_by=adviser, given_name=name, family_name="Ashworth-Demo", postcode="LS6 2AB"
    )
    case = case_services.case_open(
        client=client,
        case_type=case_type,
        opened_by=adviser,
        presenting_issue="Disrepair and a deposit dispute",
        now=closed_at - timedelta(days=90),
    )
    return case_services.case_status_change(
        case=case,
        status=Case.Status.CLOSED,
        changed_by=adviser,
        closure_reason=Case.ClosureReason.OUTCOMES_MET,
        closure_outcome="Deposit returned",
        now=closed_at,
    )


def dp_erasure_load(*, now: datetime) -> None:
    """Once: the three clients, the hold, the restriction and the disposal list."""
    if LegalHold.objects.filter(reason=HOLD_REASON).exists():
        return
    alice = User.objects.get(username="alice")
    dina = User.objects.get(username="dina")
    housing = CaseType.objects.order_by("pk").first() or CaseType.objects.create(name="Housing")
    long_ago = now - timedelta(days=7 * 366)
    _former_client(adviser=alice, case_type=housing, name="Rowan", closed_at=long_ago)
    held = _former_client(adviser=alice, case_type=housing, name="Sasha", closed_at=long_ago)
    services.legal_hold_place(client=held.client, reason=HOLD_REASON, placed_by=dina, now=now)
    restricted = _former_client(
        adviser=alice, case_type=housing, name="Tamsin", closed_at=now - timedelta(days=400)
    )
    services.processing_restriction_place(
        client=restricted.client, reason=RESTRICTION_REASON, placed_by=dina, now=now
    )
    # What the nightly retention schedule would have listed.
    services.disposal_run_prepare(now=now)
