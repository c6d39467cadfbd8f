"""Who may read the audit trail of a client or a case.

The data protection officer reads every trail; a supervisor reads the trail of
the clients and cases of the teams they lead (``cases.selectors.supervised_teams``,
the one rule of leading a team); nobody else. A trail someone may not read is
answered like a missing one (404), as every object page is.
"""

from __future__ import annotations

from django.http import Http404

from caseload.roles import Role, has_role
from cases import selectors
from cases.models import Case, Client, User


def is_dpo(user: User) -> bool:
    """Whether ``user`` holds the Data protection role (and is signed in and active)."""
    return user.is_authenticated and user.is_active and has_role(user, Role.DATA_PROTECTION)


def client_trail_allowed(user: User, client: Client) -> bool:
    """The DPO, or a supervisor leading the team of one of the client's cases."""
    if is_dpo(user):
        return True
    return Case.objects.filter(
        client_id=client.pk, team__in=selectors.supervised_teams(user)
    ).exists()


def case_trail_allowed(user: User, case: Case) -> bool:
    """The DPO, or a supervisor leading the case's team."""
    return is_dpo(user) or selectors.case_is_supervised_by(case, user)


def client_for_trail(user: User, pk: int) -> Client:
    """The client with this id if ``user`` may read their trail; 404 otherwise."""
    client = Client.objects.filter(pk=pk).first()
    if client is None or not client_trail_allowed(user, client):
        raise Http404("No such client.")
    return client


def case_for_trail(user: User, pk: int) -> Case:
    """The case with this id if ``user`` may read its trail; 404 otherwise."""
    case = Case.objects.select_related("client").filter(pk=pk).first()
    if case is None or not case_trail_allowed(user, case):
        raise Http404("No such case.")
    return case
