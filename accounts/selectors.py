"""Reads about accounts: who must use a second factor."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from caseload.roles import Role, roles_of


def two_factor_required(user: Any) -> bool:
    """Whether ``user`` must give a second factor to use Caseload.

    Supervisors, admins and superusers always must; everyone else (advisers)
    as the organisation's setting says, which is on unless an admin turns it off.
    """
    if user.is_superuser:
        return True
    roles = roles_of(user)
    if Role.SUPERVISOR in roles or Role.ADMIN in roles:
        return True
    from priorities.models import Organisation

    # Asked on every request: the process's copy of the settings, not a query each time.
    return Organisation.cached().advisers_need_two_factor


def two_factor_enrolled(user: Any) -> bool:
    """Whether ``user`` has a confirmed authenticator app."""
    return user_has_device(user, confirmed=True)


def two_factor_set_up_condition() -> Exists:
    """For annotating a queryset of people: whether each has an authenticator app set up."""
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
