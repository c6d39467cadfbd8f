"""The demo's subject access request: one open request, received four weeks ago, so it
is near its deadline on the data protection officer's list."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from cases.models import Client, User
from dataprotection.models import SubjectAccessRequest
from dataprotection.sar_services import sar_open

RECEIVED_DAYS_AGO = 26


def subject_access_load(*, now: datetime) -> SubjectAccessRequest | None:
    """Open the demo's request on the first demo client, unless one is open already."""
    client = Client.objects.order_by("pk").first()
    if client is None:
        return None
    existing = SubjectAccessRequest.objects.pending().filter(client=client).first()
    if existing is not None:
        return existing
    return sar_open(
        client=client,
        received_on=timezone.localdate(now) - timedelta(days=RECEIVED_DAYS_AGO),
        # The demo's data protection officer handles it, so its deadline notices reach her.
        opened_by=User.objects.filter(username="dina").first(),
        now=now,
    )
