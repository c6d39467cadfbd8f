"""Reads about accounts: who must use a second factor."""

from __future__ import annotations

from typing import Any

from django_otp import user_has_device

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

    setting = (
        Organisation.objects.filter(pk=1).values_list("advisers_need_two_factor", flat=True).first()
    )
    return True if setting is None else setting


def two_factor_enrolled(user: Any) -> bool:
    """Whether ``user`` has a confirmed authenticator app."""
    return user_has_device(user, confirmed=True)
