"""The demo's partner integration: a housing association that sends referrals into North
Team's unallocated queue through the API, and one referral it sent this morning."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from api.models import ApiToken
from api.services import intake_referral_receive, integration_token_create
from cases.models import CaseType, Team, User

PARTNER = "Northside Housing Association"


def partners_load(*, now: datetime) -> ApiToken | None:
    """Create the partner's integration token and its referral, once however often the
    demo is loaded. The token's secret is never shown: the admin makes a new one to try
    the API (Configuration → Partner integrations)."""
    existing = ApiToken.objects.filter(kind=ApiToken.Kind.INTEGRATION, partner=PARTNER).first()
    if existing is not None:
        return existing
    erin = User.objects.get(username="erin")
    case_type = CaseType.objects.order_by("pk").first()
    if case_type is None:
        return None
    created = integration_token_create(
        partner=PARTNER,
        team=Team.objects.get(name="North Team"),
        case_type=case_type,
        created_by=erin,
        now=now - timedelta(days=30),
    )
    intake_referral_receive(
        token=created.token,
        idempotency_key="demo-referral-1",
        client_fields={
            "given_name": "Jordan",
            "family_name": "Ellery",
            "date_of_birth": date(1994, 6, 2),
            "phone": "07700 900418",
        },
        reason="Rent arrears after a change in hours; at risk of a notice seeking possession.",
        consent_reference="NHA consent form 2026-118",
        urgency="amber",
        now=now - timedelta(hours=3),
    )
    return created.token
