"""Personas for the permission matrices: who is asking, and what they were given on a case.

Each persona names a user fixture (alice, bob, carol, dave, sam, erin; see
conftest.py) and, optionally, a grant made on the case under test: a share,
an expired or revoked one, or break-the-glass access.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseShare, User
from tests.factories import ConsentFactory

CRISIS = "Client in crisis at reception"


def share(case: Case, user: User, level: str, *, now: datetime | None = None) -> CaseShare:
    """``case``'s adviser shares it with ``user``, for a few days from ``now``."""
    now = now or timezone.now()
    return case_services.case_share(
        case=case,
        shared_with=user,
        level=level,
        reason="Covering while the adviser is on leave",
        consent=ConsentFactory(client=case.client, recorded_by=case.assigned_to),
        expires_on=timezone.localdate(now) + timedelta(days=2),
        shared_by=case.assigned_to,
        now=now,
    )


def share_expired(case: Case, user: User) -> CaseShare:
    """A contribute share made twenty days ago for a couple of days: long over today."""
    made = share(case, user, CaseShare.Level.CONTRIBUTE, now=timezone.now() - timedelta(days=20))
    assert made.revoked_at is None
    assert not made.is_active()
    return made


def share_revoked(case: Case, user: User) -> CaseShare:
    made = share(case, user, CaseShare.Level.CONTRIBUTE)
    return case_services.share_revoke(share=made, revoked_by=case.assigned_to)


def break_glass(case: Case, user: User) -> object:
    return case_services.break_glass(case=case, user=user, reason=CRISIS)


def break_glass_long_ago(case: Case, user: User) -> object:
    """Broken the glass just over the hours it lasts: the access has run out."""
    return case_services.break_glass(
        case=case,
        user=user,
        reason=CRISIS,
        now=timezone.now() - timedelta(hours=case_services.BREAK_GLASS_HOURS, minutes=1),
    )


GRANTS = {
    "view share": lambda case, user: share(case, user, CaseShare.Level.VIEW),
    "contribute share": lambda case, user: share(case, user, CaseShare.Level.CONTRIBUTE),
    "expired share": share_expired,
    "revoked share": share_revoked,
    "break the glass": break_glass,
    "break the glass long ago": break_glass_long_ago,
}

# Each persona: the fixture that makes the user, and what they are given on the case.
PERSONAS = {
    "the owner": ("alice", None),
    "a team-mate": ("bob", None),
    "the team supervisor": ("carol", None),
    "another team's adviser": ("dave", None),
    "another team's supervisor": ("sam", None),
    "an admin": ("erin", None),
    "a colleague with a view share": ("dave", "view share"),
    "a colleague with a contribute share": ("dave", "contribute share"),
    "a colleague with an expired share": ("dave", "expired share"),
    "a colleague with a revoked share": ("dave", "revoked share"),
    "another team's supervisor with a contribute share": ("sam", "contribute share"),
    "a team-mate who broke the glass": ("bob", "break the glass"),
    "another team's adviser who broke the glass": ("dave", "break the glass"),
    "another team's supervisor who broke the glass": ("sam", "break the glass"),
    "a team-mate whose break the glass has run out": ("bob", "break the glass long ago"),
}


def become(request: pytest.FixtureRequest, case: Case, persona: str) -> User:
    """The user ``persona`` names, with the share or access it describes made on ``case``."""
    fixture, grant = PERSONAS[persona]
    user = request.getfixturevalue(fixture)
    if grant:
        GRANTS[grant](case, user)
    return user
